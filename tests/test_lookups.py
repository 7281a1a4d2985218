"""``cases.lookups.rows``: the cursor reads that replaced the ORM's for the small reference
tables and the facet labels must give what the ORM gives, in the models' default order."""

import pytest

from cases import lookups
from cases.models import Agency, ChargeCategory, FieldOffice, Report

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model, fields",
    [
        (Agency, ["slug", "name", "state"]),
        (Report, ["slug", "title"]),
        (FieldOffice, ["slug", "name"]),
        (ChargeCategory, ["code", "slug", "name"]),
    ],
    ids=lambda value: getattr(value, "__name__", "fields"),
)
def test_rows_are_what_the_orm_reads_in_the_same_order(world, model, fields):
    everything = list(model.objects.values_list("pk", *fields))
    assert len(everything) >= 2
    assert lookups.rows(model, fields) == everything
    some = [everything[-1][0], everything[0][0]]
    assert lookups.rows(model, fields, some) == list(model.objects.filter(pk__in=some).values_list("pk", *fields))
    assert lookups.rows(model, fields, []) == []
    assert lookups.rows(model, fields, {-1}) == []


def test_the_reference_lookups_keep_their_shape(world):
    assert lookups.categories() == {
        pk: (code, slug, name)
        for pk, code, slug, name in ChargeCategory.objects.values_list("pk", "code", "slug", "name")
    }
    assert list(lookups.field_offices().items()) == [
        (pk, (slug, name)) for pk, slug, name in FieldOffice.objects.values_list("pk", "slug", "name")
    ]


def test_rows_read_from_the_database_the_router_gives(world, monkeypatch):
    from django.db import router

    asked = []

    def db_for_read(model, **hints):
        asked.append(model)
        return "default"

    monkeypatch.setattr(router, "db_for_read", db_for_read)
    lookups.rows(Agency, ["slug"], [1])
    assert asked == [Agency]
