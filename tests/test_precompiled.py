"""Precompiled querysets (cases/precompiled.py) and the case page's queries built on them
(cases/casepage.py): the same rows and related objects as the ORM gives, on both engines,
compiled once per connection, counted like any query, and refused where they would be wrong."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections

from cases import casepage
from cases.models import Arrest, ArrestCharge, Correction, Detainer
from cases.precompiled import Precompiled, SentinelLost

from .factories import CorrectionFactory

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements: PostgreSQL only (the PostgreSQL run of make test)"
)


def snapshot(obj, related=()):
    """Every loaded column of ``obj`` and of the related objects named (``a__b`` for deeper)."""
    values = {name: value for name, value in vars(obj).items() if not name.startswith("_")}
    for path in related:
        target = obj
        for name in path.split("__"):
            assert type(target)._meta.get_field(name).is_cached(target), f"{path} is not loaded"
            target = getattr(target, name)
        values[path] = None if target is None else snapshot(target)
    return values


pytestmark = pytest.mark.django_db

DETAINER_RELATED = ("report", "declining_agency", "individual")


@pytest.fixture
def staff():
    return type("Staff", (), {"is_staff": True})()


@pytest.fixture
def corrected(world):
    """A published correction and one in a draft report, on the same case."""
    case = world.q2.detainers.get(row=2)
    CorrectionFactory(report=world.q2, detainer=case, what_changed="Row corrected.")
    CorrectionFactory(report=world.draft, detainer=case, what_changed="Not yet published.")
    return case


@pytest.mark.parametrize("is_staff", [False, True])
def test_the_detainers_query_gives_what_the_orm_gives(world, staff, is_staff, django_assert_num_queries):
    user = staff if is_staff else AnonymousUser()
    case_ids = list(Detainer.objects.exclude(case_id="").values_list("case_id", flat=True)) + ["fy2099-q1-01"]
    assert len(case_ids) == 6
    for case_id in case_ids:
        expected = list(Detainer.objects.for_detail(case_id, user))
        with django_assert_num_queries(1):
            got = casepage.detainers(case_id, user)
            rows = [snapshot(detainer, DETAINER_RELATED) for detainer in got]
        assert rows == [snapshot(detainer, DETAINER_RELATED) for detainer in expected], case_id
    # Only staff see the case in the draft report; nobody sees an unknown one.
    assert [d.case_id for d in casepage.detainers("fy2018-q3-01", user)] == (["fy2018-q3-01"] if is_staff else [])
    assert casepage.detainers("fy2099-q1-01", user) == []


def test_the_arrests_and_their_charges_are_the_orms_in_two_queries(world, django_assert_num_queries):
    individuals = list(Detainer.objects.values_list("individual_id", flat=True).distinct())
    assert len(individuals) == 5
    for individual_id in individuals:
        expected = list(Arrest.objects.filter(individual_id=individual_id).for_timeline())
        expected_charges = list(ArrestCharge.objects.of_individual(individual_id))
        assert expected and expected_charges
        with django_assert_num_queries(2):
            arrests, charges = casepage.arrests_with_charges(individual_id)
            loaded = [[snapshot(c, ("category",)) for c in charges[a.pk]] for a in arrests]
            assert all(c.arrest is a for a in arrests for c in charges[a.pk])  # as a prefetch sets it
        assert [snapshot(a, ("arresting_agency",)) for a in arrests] == [
            snapshot(a, ("arresting_agency",)) for a in expected
        ]
        by_arrest = {a.pk: [] for a in expected}
        for charge in expected_charges:
            by_arrest[charge.arrest_id].append(snapshot(charge, ("category",)))
        assert loaded == [by_arrest[a.pk] for a in expected]


def test_an_individual_without_arrests_costs_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert casepage.arrests_with_charges(10**9) == ([], {})


@pytest.mark.parametrize("is_staff", [False, True])
def test_the_corrections_query_gives_what_the_orm_gives(corrected, staff, is_staff):
    user = staff if is_staff else AnonymousUser()
    expected = list(Correction.objects.visible_to(user).filter(detainer=corrected).select_related("report"))
    got = casepage.corrections(corrected, user)
    assert [snapshot(c, ("report",)) for c in got] == [snapshot(c, ("report",)) for c in expected]
    assert [c.what_changed for c in got] == (
        ["Not yet published.", "Row corrected."] if is_staff else ["Row corrected."]
    )


def test_a_query_is_compiled_once_per_connection_and_shape(world, monkeypatch):
    by_id = Precompiled(Detainer, lambda case_id, staff: Detainer.objects.filter(case_id=case_id), str)
    compiled = []
    original = Precompiled._compile
    monkeypatch.setattr(Precompiled, "_compile", lambda self, *a: compiled.append(a) or original(self, *a))
    for case_id in ["fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03"]:
        assert [d.case_id for d in by_id.fetch(case_id, shape=(False,))] == [case_id]
    assert len(compiled) == 1
    by_id.fetch("fy2018-q2-01", shape=(True,))
    assert len(compiled) == 2
    # Kept on the connection object, which each thread has its own of.
    assert (by_id.key, (False,)) in connections["default"].__dict__["_precompiled"]


def test_values_that_a_lookup_transforms_are_refused(db):
    contains = Precompiled(Detainer, lambda text: Detainer.objects.filter(case_id__icontains=text), str)
    with pytest.raises(SentinelLost, match="transformed by its lookup"):
        contains.fetch("q2")
    ignored = Precompiled(Detainer, lambda case_id: Detainer.objects.all(), str)
    with pytest.raises(SentinelLost, match=r"value\(s\) \[0\] do not reach the SQL"):
        ignored.fetch("fy2018-q2-01")


def test_prefetches_and_values_are_refused(db):
    prefetching = Precompiled(Arrest, lambda pk: Arrest.objects.filter(pk=pk).prefetch_related("charges"), int)
    with pytest.raises(TypeError, match="prefetch the related objects explicitly"):
        prefetching.fetch(1)
    values = Precompiled(Arrest, lambda pk: Arrest.objects.filter(pk=pk).values("pk"), int)
    with pytest.raises(TypeError, match="only querysets of model instances"):
        values.fetch(1)


def test_integer_values_are_bound_where_the_sentinel_was(world):
    by_pk = Precompiled(Detainer, lambda pk, row: Detainer.objects.filter(pk__gte=pk, row=row).order_by("pk"), int, int)
    first = Detainer.objects.order_by("pk").first()
    expected = list(Detainer.objects.filter(pk__gte=first.pk, row=2).order_by("pk").values_list("case_id", flat=True))
    assert expected == ["fy2018-q2-02"]
    assert [d.case_id for d in by_pk.fetch(first.pk, 2)] == expected


def plans_of(sql):
    """How many times PostgreSQL has planned or reused the prepared form of ``sql``."""
    numbered = iter(range(1, 1000))
    statement = re.sub("%s", lambda _match: f"${next(numbered)}", sql)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements WHERE statement = %s",
            [statement],
        )
        return cursor.fetchone()[0]


@on_postgres
def test_on_postgresql_the_statements_are_prepared_and_give_the_same_rows_on_a_generic_plan(world):
    sql = casepage.DETAINERS.compiled("default", (False,))["sql"]
    before = plans_of(sql)
    case_ids = ["fy2018-q2-01", "fy2018-q2-02", "fy2018-q2-03", "fy2017-q2-01"]
    for _ in range(4):  # PostgreSQL tries a generic plan after five executions
        for case_id in case_ids:
            expected = [snapshot(d, DETAINER_RELATED) for d in Detainer.objects.for_detail(case_id, AnonymousUser())]
            assert [snapshot(d, DETAINER_RELATED) for d in casepage.detainers(case_id, None)] == expected
    assert plans_of(sql) - before == 16


@on_postgres
def test_with_prepared_statements_off_nothing_is_prepared(world, monkeypatch):
    monkeypatch.delitem(connection.settings_dict["OPTIONS"], "prepare_threshold")
    unique = Precompiled(Detainer, lambda case_id: Detainer.objects.filter(case_id=case_id, row__gt=-7), str)
    sql = unique.compiled("default")["sql"]
    for _ in range(3):
        assert [d.case_id for d in unique.fetch("fy2018-q2-01")] == ["fy2018-q2-01"]
    assert plans_of(sql) == 0
    monkeypatch.undo()
    unique.fetch("fy2018-q2-01")
    assert plans_of(sql) == 1


def test_current_slugs_reads_the_rows_the_orm_reads_compiled_once_per_count(world, monkeypatch):
    """``SlugQuerySet.current_slugs`` (the canonical-URL check of every filtered list) reads the
    rows of its slugs with a statement compiled once per number of slugs."""
    from cases.models import Agency

    compiled = []
    original = Precompiled._compile
    monkeypatch.setattr(Precompiled, "_compile", lambda self, *a: compiled.append(self.model) or original(self, *a))
    wanted = sorted(["san-luis-obispo-sheriff-ca", world.lapd.slug, "no-such-agency"])
    rows = Agency.objects.with_slugs(wanted)
    orm = list(Agency.objects.filter(slug__in=wanted))
    assert [snapshot(row) for row in rows] == [snapshot(row) for row in orm]
    assert {row.slug for row in rows} == {"san-luis-obispo-sheriff-ca", world.lapd.slug}
    Agency.objects.with_slugs(sorted([world.slo.slug, world.philly.slug, world.travis.slug]))
    assert compiled.count(Agency) <= 1  # three slugs: compiled by the first call or an earlier test
    compiled.clear()
    assert [row.slug for row in Agency.objects.with_slugs([world.travis.slug])] == [world.travis.slug]
    assert compiled in ([], [Agency])
    # Filtered querysets, and more slugs than are kept compiled, go through the ORM.
    assert Agency.objects.filter(state="CA").with_slugs([world.travis.slug]) == []
    many = [f"agency-{n}" for n in range(11)] + [world.lapd.slug]
    assert [row.slug for row in Agency.objects.with_slugs(many)] == [world.lapd.slug]
    assert Agency.objects.with_slugs([]) == []
    compiled.clear()
    assert Agency.objects.filter(state="TX").with_slugs([world.travis.slug]) == [world.travis]
    assert compiled == []


def test_former_slugs_still_map_to_current_ones(world, django_assert_num_queries):
    from cases.models import Agency

    old = world.lapd.slug
    world.lapd.slug = "lapd-ca"
    world.lapd.save()
    found = Agency.objects.current_slugs([old, world.slo.slug, "no-such-agency"])
    assert found == {old: "lapd-ca", world.slo.slug: world.slo.slug}
    Agency.objects.current_slugs([world.slo.slug, "lapd-ca"])  # compiled for two slugs
    with django_assert_num_queries(1):
        assert Agency.objects.current_slugs([world.slo.slug, "lapd-ca"]) == {
            world.slo.slug: world.slo.slug,
            "lapd-ca": "lapd-ca",
        }


def test_the_unused_slug_filters_of_a_list_compile_no_query(world, monkeypatch):
    """An unused filter's value is an empty list, not ``queryset.none()``: Django's filter
    asks whether the value is empty, which compiles the empty queryset's query."""
    from django.db.models.sql.compiler import SQLCompiler

    from cases.filters import CaseFilter

    compiled = []
    original = SQLCompiler.as_sql
    monkeypatch.setattr(
        SQLCompiler, "as_sql", lambda self, *a, **k: compiled.append(self.query.model) or original(self, *a, **k)
    )
    filterset = CaseFilter(data={"quarter": ["fy2018-q2"]}, queryset=Detainer.objects.all())
    queryset = filterset.qs
    assert filterset.form.cleaned_data["report"] == []
    assert filterset.form.cleaned_data["subsequent_charge"] == []
    assert compiled == []  # built, not run: nothing compiled
    assert {d.quarter for d in queryset} == {"fy2018-q2"}


def test_the_query_log_shows_a_precompiled_statement_with_its_values(world):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        casepage.detainers("fy2018-q2-01", AnonymousUser())
    (logged,) = queries.captured_queries
    assert "fy2018-q2-01" in logged["sql"]
    assert logged["sql"].startswith("SELECT ")
