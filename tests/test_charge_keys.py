"""``Detainer.charge_keys``: an integer array on PostgreSQL, JSON text on SQLite, written by
derive with the case charges (tests/conftest.py compares the two after every test)."""

import pytest
from django.db import NotSupportedError, connection

from cases.models import CaseCharge, Detainer
from cases.models.detainers import charge_keys
from cases.services import derive

from .factories import AgencyFactory, ReportFactory, category, make_case, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    report = ReportFactory(fy=2018, q=2)
    detainer = make_case(report, 1, agency=AgencyFactory())
    publish(report)
    return Detainer.objects.get(pk=detainer.pk)


def test_derive_writes_the_keys_of_the_case_charges(case):
    pairs = list(CaseCharge.objects.filter(detainer=case).values_list("category_id", "timing"))
    assert pairs
    assert case.charge_keys == charge_keys(pairs)
    # A later charge of another category: derive adds its keys.
    later = case.individual.arrests.order_by("-arrested_on").first()
    theft = category("23")
    later.charges.create(category=theft, wording="theft", kind="charge")
    derive.refresh_individual(case.individual_id)
    case.refresh_from_db()
    assert charge_keys([(theft.pk, CaseCharge.Timing.SUBSEQUENT)])[1] in case.charge_keys
    assert case.charge_keys == charge_keys(
        CaseCharge.objects.filter(detainer=case).values_list("category_id", "timing")
    )


def test_the_keys_are_stored_and_read_back_as_integers(case):
    Detainer.objects.filter(pk=case.pk).update(charge_keys=[3, 4])
    assert Detainer.objects.values_list("charge_keys", flat=True).get(pk=case.pk) == [3, 4]
    Detainer.objects.filter(pk=case.pk).update(charge_keys=[])
    assert Detainer.objects.get(pk=case.pk).charge_keys == []
    derive.refresh_individual(case.individual_id)  # and back, for the check after the test


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the overlap filter is PostgreSQL's")
def test_overlaps_finds_the_cases_sharing_a_key(case):
    key = case.charge_keys[0]
    assert list(Detainer.objects.filter(charge_keys__overlaps=[key, 999_999]).values_list("pk", flat=True)) == [case.pk]
    assert not Detainer.objects.filter(charge_keys__overlaps=[999_999]).exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no arrays to overlap")
def test_overlaps_is_refused_on_sqlite(case):
    with pytest.raises(NotSupportedError):
        list(Detainer.objects.filter(charge_keys__overlaps=[1]))


def test_the_migration_fills_the_keys_derive_would_write(case):
    """Migration 0020 fills the column of existing cases in SQL: the same keys as derive's."""
    from importlib import import_module

    from tests.support.rollups import charge_key_differences

    migration = import_module("cases.migrations.0020_detainer_charge_keys")
    fill = migration.POSTGRESQL[2] if connection.vendor == "postgresql" else migration.SQLITE[1]
    report = case.report
    make_case(
        report,
        2,
        prior=(("23", "theft", "charge"), ("35", "possession", "conviction")),
        subsequent=(("35", "possession", "charge"),),
    )
    make_case(report, 3, prior=(), subsequent=())
    assert not charge_key_differences()
    Detainer.objects.update(charge_keys=[])  # as the new column starts
    assert charge_key_differences()
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert not charge_key_differences()
    assert Detainer.objects.get(report=report, row=3).charge_keys == []
