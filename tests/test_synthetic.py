"""The synthetic benchmark generator: realistic shape, same derived facts as the app,
and it never touches a database with real reports."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from cases.models import Agency, CaseCharge, ChargeCategory, Detainer, Report
from cases.services import derive

from .factories import ReportFactory
from .support.derived import derived_snapshot

pytestmark = pytest.mark.django_db


def generate(**options):
    call_command("generate_synthetic", "--skip-checks", **options)


def test_generates_the_requested_shape():
    generate(cases=1500, quarters=6, agencies=50, seed=7)
    assert Detainer.objects.count() == 1500
    assert Report.objects.count() == 6
    assert Agency.objects.count() == 50
    assert set(Report.objects.values_list("status", flat=True)) == {"published"}
    assert all(slug.startswith("synthetic-") for slug in Report.objects.values_list("slug", flat=True))
    # Realistic skew: the busiest agency holds far more than an even share.
    busiest = Detainer.objects.values("declining_agency").annotate(n=Count("id")).order_by("-n").first()["n"]
    assert busiest > 5 * 1500 / 50
    # Every charge category can occur; the common ones do.
    used = set(CaseCharge.objects.values_list("category__code", flat=True))
    assert {"35", "54", "13"} <= used
    assert ChargeCategory.objects.count() == 46


def test_derived_facts_match_the_application_rules():
    generate(cases=200, quarters=4, agencies=10, seed=3)
    for case in Detainer.objects.order_by("pk")[:40]:
        before = derived_snapshot(case.pk)
        derive.refresh_individual(case.individual_id)
        assert derived_snapshot(case.pk) == before
        assert case.case_id == f"{case.report.slug}-{case.row:02d}"
        assert case.is_public and case.state == case.declining_agency.state


def test_same_seed_same_data():
    generate(cases=100, quarters=2, agencies=5, seed=11)
    first = list(Detainer.objects.order_by("pk").values_list("case_id", "lodged_on", "declining_agency__ori"))
    generate(cases=100, quarters=2, agencies=5, seed=11, replace=True)
    again = list(Detainer.objects.order_by("pk").values_list("case_id", "lodged_on", "declining_agency__ori"))
    assert first == again


def test_refuses_a_database_with_real_reports():
    ReportFactory(slug="fy2018-q2")
    with pytest.raises(CommandError, match="holds 1 real report"):
        generate(cases=10)
    assert not Detainer.objects.exists()


def test_refuses_to_add_to_existing_synthetic_data_without_replace():
    generate(cases=10, quarters=1, agencies=2)
    with pytest.raises(CommandError, match="--replace"):
        generate(cases=10, quarters=1, agencies=2)


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the indexes are built after the load on PostgreSQL only"
)
def test_the_indexes_dropped_for_the_load_are_built_again_as_they_were():
    from cases.services.synthetic import CHUNK_TABLES, TALLY_TABLES

    tables = [*CHUNK_TABLES, *TALLY_TABLES]

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
            return dict(cursor.fetchall())

    before = indexes()
    assert len(before) > 60  # the sort, filter and search indexes, and those behind constraints
    generate(cases=300, quarters=3, agencies=10, seed=5)
    assert indexes() == before
    with connection.cursor() as cursor:  # and they are in use: valid and ready
        cursor.execute(
            "SELECT count(*) FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relname = ANY(%s) AND NOT (x.indisvalid AND x.indisready)",
            [tables],
        )
        assert cursor.fetchone()[0] == 0
