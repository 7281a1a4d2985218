"""Seed the NCIC offense categories and the 25 ICE field offices (AORs) from cases/data/."""

import csv
from pathlib import Path

from django.db import migrations
from django.utils.text import slugify

DATA = Path(__file__).resolve().parent.parent / "data"


def read(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def seed(apps, schema_editor):
    ChargeCategory = apps.get_model("cases", "ChargeCategory")
    FieldOffice = apps.get_model("cases", "FieldOffice")
    for row in read("ncic_categories.csv"):
        ChargeCategory.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "slug": slugify(row["name"]), "description": row["description"]},
        )
    for row in read("field_offices.csv"):
        FieldOffice.objects.update_or_create(name=row["name"], defaults={"slug": slugify(row["name"])})


def unseed(apps, schema_editor):
    apps.get_model("cases", "ChargeCategory").objects.all().delete()
    apps.get_model("cases", "FieldOffice").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
