"""Counts read from the rollups equal counts over the cases, for every combination of up
to three filters (and several values of one), on synthetic data with realistic skew."""

import itertools

import pytest
from django.core.management import call_command
from django.db import DataError, connection, transaction
from django.db.models import Count, Sum
from django.http import QueryDict

from cases import counts, facets
from cases.filters import CaseFilter
from cases.grouping import Top, top_rows
from cases.models import (
    CaseAgencyRollup,
    CaseCharge,
    CaseRollup,
    ChargeAgencyRollup,
    ChargeCitizenshipRollup,
    Detainer,
)
from cases.services import rollups

pytestmark = pytest.mark.django_db


def _most(queryset, field):
    return queryset.values(field).annotate(n=Count("pk")).order_by("-n", field).first()[field]


@pytest.fixture
def values():
    call_command("generate_synthetic", "--skip-checks", cases=400, quarters=5, agencies=25, seed=11)
    cases = Detainer.objects.published()
    charges = CaseCharge.objects.filter(is_public=True)
    return {
        "quarter": [_most(cases, "quarter")],
        "report": [_most(cases, "report__slug")],
        "agency": [_most(cases, "declining_agency__slug")],
        "state": [_most(cases, "state")],
        "aor": [_most(cases, "aor__slug")],
        "citizenship": [_most(cases, "citizenship")],
        "charge": [_most(charges, "category__slug")],
        "prior_charge": [_most(charges.filter(timing="prior"), "category__slug")],
        "subsequent_charge": [_most(charges.filter(timing="subsequent"), "category__slug")],
    }


def _filterset(pairs):
    data = QueryDict(mutable=True)
    for param, value in pairs:
        data.appendlist(param, value)
    return CaseFilter(data=data, queryset=Detainer.objects.published())


def _combinations(values):
    params = sorted(values)
    for size in range(4):
        for chosen in itertools.combinations(params, size):
            yield [(param, values[param][0]) for param in chosen]
    # Several values of one parameter are OR-ed.
    quarters = list(Detainer.objects.order_by().values_list("quarter", flat=True).distinct()[:2])
    categories = list(CaseCharge.objects.order_by().values_list("category__slug", flat=True).distinct()[:2])
    yield [("quarter", q) for q in quarters]
    yield [("quarter", q) for q in quarters] + [("state", values["state"][0])]
    yield [("subsequent_charge", c) for c in categories]
    yield [("charge", c) for c in categories] + [("quarter", values["quarter"][0])]


def test_facet_counts_from_the_rollups_equal_counts_over_the_cases(values):
    used = set()
    checked = shortened = 0
    for pairs in _combinations(values):
        filterset = _filterset(pairs)
        applied = set(filterset.applied_params())
        assert applied == {param for param, _ in pairs}, pairs
        for param in facets.ORDER:
            found = counts.rollup_for(filterset, applied, param)
            if found:
                used.add(found[0])
        full = facets._count(filterset, applied, use_rollups=False)
        assert facets._count(filterset, applied) == full, pairs
        # Only the rows shown: the largest, the chosen ones, and how many there are.
        top = facets.shown(filterset, applied)
        for param, rows in facets._count(filterset, applied, top=top).items():
            if isinstance(rows, Top):
                expected = top_rows(full[param], *top[param])
                assert (rows, rows.total) == (expected, expected.total), (pairs, param)
                shortened += len(rows) < len(full[param])
            else:
                assert rows == full[param], (pairs, param)
        assert counts.rollup_count(filterset) in (None, filterset.qs.count()), pairs
        checked += 1
    assert checked > 130
    assert shortened > 50  # the 25 agencies give more rows than are shown
    # Every rollup answered some of them; the rest were counted directly.
    assert used == set(rollups.ROLLUP_MODELS)


def test_what_the_rollups_cannot_express_is_counted_from_the_cases(values):
    cannot = [
        [("q", "synthetic")],
        [("charge", values["charge"][0]), ("prior_charge", values["prior_charge"][0])],
        [("citizenship", values["citizenship"][0]), ("charge", values["charge"][0]), ("state", values["state"][0])],
    ]
    for pairs in cannot:
        filterset = _filterset(pairs)
        assert counts.rollup_count(filterset) is None
    many = _filterset(
        [("charge", c) for c in CaseCharge.objects.values_list("category__slug", flat=True).distinct()[:2]]
    )
    assert counts.rollup_count(many) is None
    assert counts.rollup_for(many, {"charge"}, "charge") is not None  # its own facet ignores it


def test_citizenship_with_one_charge_is_counted_from_the_report_rollup(values):
    """A citizenship and one charge, in any grouping the report grain holds, come from
    ChargeCitizenshipRollup and equal a count of the cases."""
    citizenship, charge = values["citizenship"][0], values["charge"][0]
    for pairs in (
        [("citizenship", citizenship), ("charge", charge)],
        [("citizenship", citizenship), ("prior_charge", charge), ("quarter", values["quarter"][0])],
        [("subsequent_charge", charge)],
        [("citizenship", citizenship)],
    ):
        filterset = _filterset(pairs)
        applied = set(filterset.applied_params())
        if "citizenship" in applied and len(applied) > 1:
            assert counts.rollup_for(filterset, applied)[0] is ChargeCitizenshipRollup
            assert counts.rollup_count(filterset) == filterset.qs.count() > 0, pairs
        grouped = counts.grouped(filterset, ["citizenship", "quarter", "prior_charge", "subsequent_charge", "charge"])
        cases = filterset.qs
        assert dict(grouped["citizenship"]) == {r["citizenship"]: r["n"] for r in cases.count_by("citizenship")}
        assert dict(grouped["quarter"]) == {r["quarter"]: r["n"] for r in cases.count_by("quarter")}
        if "citizenship" in applied and len(applied) == 1:  # the charges of the cases of a citizenship
            for param, timing in (("prior_charge", "prior"), ("subsequent_charge", "subsequent"), ("charge", None)):
                expected = {r["category__slug"]: r["n"] for r in cases.charge_counts(timing)}
                slugs = dict(CaseCharge.objects.values_list("category_id", "category__slug").distinct())
                assert {slugs[pk]: n for pk, n in grouped[param]} == expected, param


def test_case_and_charge_counts_in_one_statement_equal_the_separate_counts(values):
    """``facet_counts`` (one statement) gives what the two separate queries give, for every
    set of charge timings: the keys kept are named by the offsets wanted, or, for the prior
    and the subsequent charges together, by the one left out."""
    columns = [column for _label, column in facets.GROUPED.values()]
    every = [timing for _label, timing in facets.CHARGES.values()]
    timing_sets = [every, [CaseCharge.Timing.SUBSEQUENT, CaseCharge.Timing.PRIOR], [None], [CaseCharge.Timing.PRIOR]]
    checked = 0
    for pairs in _combinations(values):
        queryset = _filterset(pairs).qs
        for timings in timing_sets:
            expected = (queryset.group_counts(columns), queryset.charge_group_counts(timings))
            assert queryset.facet_counts(columns, timings) == expected, (pairs, timings)
        checked += 1
    assert checked > 130


def _parallel_workers():
    return connection.connection.execute("SHOW max_parallel_workers_per_gather").fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel query plans are PostgreSQL's")
def test_case_and_charge_counts_are_planned_without_parallel_workers_then_the_setting_is_restored(values):
    from cases.grouping import _without_parallel_workers

    queryset = _filterset([("agency", values["agency"][0])]).qs
    sent = []

    def record(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    before = _parallel_workers()
    with connection.execute_wrapper(record):
        by_column, _by_timing = queryset.facet_counts(["state"], [None])
    assert by_column["state"]
    # One round trip: the setting, the count, and the setting undone.
    assert len(sent) == 1
    assert sent[0].startswith("SET max_parallel_workers_per_gather = 0; WITH s AS MATERIALIZED")
    assert sent[0].endswith("; RESET max_parallel_workers_per_gather")
    assert _parallel_workers() == before != "0"
    # What the count's statement sees, sent the same way.
    with connection.cursor() as cursor:
        seen = _without_parallel_workers(cursor, "SELECT current_setting('max_parallel_workers_per_gather')", [])
    assert seen == [("0",)]
    assert _parallel_workers() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel query plans are PostgreSQL's")
def test_the_parallel_workers_setting_is_restored_when_the_statement_fails_in_a_transaction(values):
    from cases.grouping import WITHOUT_PARALLEL_WORKERS

    queryset = _filterset([("agency", values["agency"][0])]).qs
    before = _parallel_workers()

    def broken(execute, sql, params, many, context):
        # An error in the database aborts the transaction: its rollback undoes the SET.
        return execute(WITHOUT_PARALLEL_WORKERS.format("SELECT 1 / 0"), None, many, context)

    with pytest.raises(DataError), transaction.atomic(), connection.execute_wrapper(broken):
        queryset.facet_counts(["state"], [None])
    assert _parallel_workers() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel query plans are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_parallel_workers_setting_is_restored_when_the_statement_fails_outside_a_transaction():
    """Sent at once, the SET, the statement and the RESET are one implicit transaction: a
    failed statement takes the SET with it."""
    from cases.grouping import _without_parallel_workers

    assert connection.get_autocommit()
    before = _parallel_workers()
    with pytest.raises(DataError), connection.cursor() as cursor:
        _without_parallel_workers(cursor, "SELECT 1 / %s", [0])
    assert _parallel_workers() == before != "0"


def test_moving_a_case_created_in_this_process_recounts_the_pair_it_left():
    """A case object created here (not loaded) and saved again after a move: the rollups
    recount the (report, agency) it left as well as the one it joined."""
    from tests.factories import AgencyFactory, ReportFactory, make_case
    from tests.support.rollups import rollup_differences

    left, joined = AgencyFactory(), AgencyFactory()
    report = ReportFactory(fy=2018, q=2)
    cases = [make_case(report, row, agency=left) for row in (1, 2)]
    report.status = "published"
    report.save()
    moved = cases[0]
    moved.declining_agency = joined
    moved.save()
    rows = CaseRollup.objects.values_list("declining_agency_id").annotate(n=Sum("cases")).order_by()
    assert dict(rows) == {left.pk: 1, joined.pk: 1}
    assert not rollup_differences()


def test_moving_a_case_to_another_agency_recounts_both_agencies_over_every_report():
    """The agency-level rollups sum each agency's rows across reports: an edit in one report
    changes the totals of the agency it left and of the one it joined."""
    from tests.factories import AgencyFactory, ReportFactory, make_case
    from tests.support.rollups import rollup_differences

    left, joined = AgencyFactory(), AgencyFactory()
    reports = [ReportFactory(fy=2018, q=2), ReportFactory(fy=2018, q=3)]
    cases = [make_case(report, row, agency=left) for report in reports for row in (1, 2)]
    for report in reports:
        report.status = "published"
        report.save()

    def totals(model, **lookups):
        rows = model.objects.filter(**lookups).values_list("declining_agency_id").annotate(n=Sum("cases"))
        return dict(rows.order_by())

    assert totals(CaseAgencyRollup) == {left.pk: 4}
    moved = cases[0]
    moved.declining_agency = joined
    moved.save()
    assert totals(CaseAgencyRollup) == {left.pk: 3, joined.pk: 1}
    assert totals(ChargeAgencyRollup, timing="subsequent") == {left.pk: 3, joined.pk: 1}
    assert not rollup_differences()
    # Back again: the agency it leaves has no case left, and no row (not a row of 0).
    moved.declining_agency = left
    moved.save()
    assert totals(CaseAgencyRollup) == {left.pk: 4}
    assert not ChargeAgencyRollup.objects.filter(declining_agency=joined).exists()
    assert not rollup_differences()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="fillfactor is a PostgreSQL storage parameter")
def test_the_agency_rollups_leave_room_on_their_pages_for_updates():
    tables = ["cases_caseagencyrollup", "cases_chargeagencyrollup"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [tables])
        options = dict(cursor.fetchall())
    assert options == dict.fromkeys(tables, ["fillfactor=50"])


def test_counted_values_are_largest_first_then_by_value_as_text():
    from cases.grouping import _largest_first

    rows = [(None, 2), (3, 5), ("CA", 2), (10, 5), (9, 2)]
    _largest_first(rows)
    assert rows == [(10, 5), (3, 5), (9, 2), ("CA", 2), (None, 2)]


def test_one_column_is_counted_and_ordered_as_several_are(django_assert_num_queries):
    """A single column goes through the same statement as several (it went through the ORM,
    0.3 to 0.6 ms slower per facet on PostgreSQL), and its ties come out the same way on
    both engines: by value as text (row 10 before row 2), not as numbers."""
    from cases.grouping import group_counts
    from tests.factories import ReportFactory, make_case

    report = ReportFactory()
    for row in (2, 10, 11):
        make_case(report, row)
    queryset = Detainer.objects.filter(report=report)
    with django_assert_num_queries(1):
        alone = group_counts(queryset, ["row"])
    assert alone == {"row": [(10, 1), (11, 1), (2, 1)]}
    assert group_counts(queryset, ["row", "quarter"])["row"] == alone["row"]


def test_the_largest_values_and_the_kept_ones_are_what_the_full_counts_give(django_assert_num_queries):
    """``group_counts(top=...)``, which PostgreSQL answers with LIMIT in the statement, gives
    the first rows of the full counts (ties by value as text: row 10 before row 2), then the
    kept values beyond them, largest first, none twice; ``total`` counts the values that are
    not empty (a case with no citizenship is in neither)."""
    from cases.grouping import group_counts
    from tests.factories import ReportFactory, make_case

    report = ReportFactory()
    for row, citizenship in ((2, "MX"), (10, "MX"), (11, "GT"), (12, ""), (3, "HN"), (4, "HN"), (5, "HN")):
        make_case(report, row, citizenship=citizenship)
    queryset = Detainer.objects.filter(report=report)
    full = group_counts(queryset, ["row", "citizenship", "quarter"])
    assert full["citizenship"] == [("HN", 3), ("MX", 2), ("", 1), ("GT", 1)]
    top = {"row": (2, [5, 10, 99]), "citizenship": (1, ["GT"])}
    with django_assert_num_queries(1):
        shown = group_counts(queryset, ["row", "citizenship", "quarter"], top=top)
    assert shown["row"] == [(10, 1), (11, 1), (5, 1)] and shown["row"].total == 7
    assert shown["citizenship"] == [("HN", 3), ("GT", 1)] and shown["citizenship"].total == 3
    assert not isinstance(shown["quarter"], Top) and shown["quarter"] == full["quarter"]
    for column, (size, keep) in top.items():
        assert shown[column] == top_rows(full[column], size, keep), column
    nothing = group_counts(queryset.filter(pk__in=[]), ["row", "quarter"], top={"row": (2, [])})
    assert nothing == {"row": [], "quarter": []} and nothing["row"].total == 0


def test_filter_sets_share_one_form_class_and_keep_their_own_fields():
    """``CaseFilter.get_form_class`` builds the form class once; each request's form must
    still validate its own values with its own copies of the fields."""
    first, second = _filterset([("agency", "nope")]), _filterset([("quarter", "fy2018-q2")])
    assert type(first.form) is type(second.form)
    assert first.form.fields["agency"] is not second.form.fields["agency"]
    first.form.fields["quarter"].label = "changed"
    assert second.form.fields["quarter"].label == "Quarter"
    assert not first.is_valid() and "agency" in first.form.errors
    assert second.is_valid() and [q.slug for q in second.form.cleaned_data["quarter"]] == ["fy2018-q2"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the charge keys filter the counted cases on PostgreSQL")
def test_the_counted_cases_filtered_by_their_charge_keys_are_the_cases_the_filters_find(values):
    """``qs_without(..., counting=True)`` reads each case's charge keys, not the case charges:
    for every combination, and every parameter left out, the same cases."""
    checked = 0
    for pairs in _combinations(values):
        filterset = _filterset(pairs)
        for param in [None, *filterset.applied_params()]:
            counting = filterset.qs_without(param, counting=True)
            if param not in {p for p, _ in pairs if p in CaseFilter.CHARGE_TIMING} and any(
                p in CaseFilter.CHARGE_TIMING for p, _ in pairs
            ):
                sql = str(counting.query)
                assert "charge_keys" in sql and "cases_casecharge" not in sql, pairs
            expected = set(filterset.qs_without(param).values_list("pk", flat=True))
            assert set(counting.values_list("pk", flat=True)) == expected, (pairs, param)
            checked += 1
    assert checked > 300


def test_charge_keys_encode_each_case_charge_and_each_category_at_any_arrest():
    from cases.models.detainers import charge_keys, key_parts

    keys = charge_keys([(5, "prior"), (5, "subsequent"), (7, "subsequent")])
    assert keys == [15, 16, 17, 21, 23]
    assert [key_parts(key) for key in keys] == [
        (5, None),
        (5, "prior"),
        (5, "subsequent"),
        (7, None),
        (7, "subsequent"),
    ]
    assert charge_keys([]) == []


def test_countings_sent_together_come_back_in_order_each_read_by_its_own_reader(django_assert_num_queries):
    """``grouping.run``: one round trip on PostgreSQL for every statement (one per statement
    on SQLite), each result set read by its own counting, and a counting that nothing can
    match (an empty list in a rollup filter) answered without a statement."""
    from cases.grouping import Counting, run
    from cases.models import CaseReportRollup
    from tests.factories import ReportFactory, make_case, publish

    report = ReportFactory()
    for row in (2, 10, 11):
        make_case(report, row)
    publish(report)
    rows_sql, params = counts._rows_sql(connection, CaseReportRollup, {"report_id__in": [report.pk]}, ["cases"])
    empty_sql, empty_params = counts._rows_sql(connection, CaseReportRollup, {"report_id__in": []}, ["cases"])
    assert (empty_sql, empty_params) == (None, ())
    countings = [
        Counting(f"SELECT SUM(cases) FROM ({rows_sql}) AS r", params, lambda rows: ("sum", rows[0][0])),
        Counting(empty_sql, empty_params, lambda rows: ("none", rows)),
        Counting("SELECT %s + 1", [41], lambda rows: ("plus", rows[0][0])),
    ]
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        assert run(connection, countings) == [("sum", 3), ("none", []), ("plus", 42)]
    with pytest.raises(ValueError, match="not report_id__gt"):
        counts._rows_sql(connection, CaseReportRollup, {"report_id__gt": 1}, ["cases"])
