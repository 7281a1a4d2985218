"""Load the sample data set (cases.sample_data) idempotently: a second run changes nothing."""

from django.db import transaction
from django.utils.text import slugify

from .. import sample_data
from ..models import (
    Agency,
    Arrest,
    ArrestCharge,
    ChargeCategory,
    Correction,
    Detainer,
    FieldOffice,
    Individual,
    Report,
    ReportStatus,
    case_id_for,
)
from . import derive

REASON = "Loaded by load_sample_data"


def _date_kwargs(prefix, value):
    if not value:
        return {}
    day, precision = value
    return {f"{prefix}_on": day, f"{prefix}_on_precision": precision}


def _agencies():
    offices = {o.name: o for o in FieldOffice.objects.all()}
    agencies = {}
    for name, state, kind, ori, city, county, aor, parent in sample_data.AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            name=name,
            state=state,
            defaults={
                "slug": slugify(f"{name} {state}"),
                "agency_type": kind,
                "ori": ori,
                "city": city,
                "county": county,
                "aor": offices[aor],
                "parent": agencies.get((parent, state)),
                "notes": sample_data.AGENCY_NOTES.get(name, ""),
            },
        )
        agencies[(name, state)] = agency
    return agencies


def _create_case(spec, report, agencies, categories):
    individual = Individual.objects.create(**spec["individual"])
    arrests = {}
    for item in spec["arrests"]:
        arrest = Arrest.objects.create(
            individual=individual,
            arresting_agency=agencies[item["agency"]] if item["agency"] else None,
            age_at_arrest=item.get("age"),
            citation=item.get("citation", ""),
            **_date_kwargs("arrested", item["date"]),
        )
        for code, wording, kind in item["charges"]:
            ArrestCharge.objects.create(arrest=arrest, category=categories[code], wording=wording, kind=kind)
        arrests[item["key"]] = arrest
    for item in spec.get("history_detainers", []):
        Detainer.objects.create(
            individual=individual,
            custody_arrest=arrests[item["arrest"]],
            declining_agency=agencies[item["agency"]],
            **_date_kwargs("lodged", item.get("lodged")),
        )
    item = spec["detainer"]
    Detainer.objects.create(
        report=report,
        row=spec["row"],
        individual=individual,
        custody_arrest=arrests[item["arrest"]],
        declining_agency=agencies[item["agency"]],
        agency_response=item.get("agency_response", ""),
        **_date_kwargs("lodged", item.get("lodged")),
        **_date_kwargs("declined", item.get("declined")),
        **_date_kwargs("released", item.get("released")),
    )


@transaction.atomic
def load():
    """Create whatever part of the sample set is missing. Returns the number of cases created."""
    agencies = _agencies()
    categories = {c.code: c for c in ChargeCategory.objects.all()}
    reports = {}
    for spec in sample_data.REPORTS:
        report, _ = Report.objects.get_or_create(slug=spec["slug"], defaults=spec)
        reports[spec["slug"]] = report
    created = 0
    with derive.batch():
        for spec in sample_data.CASES:
            report = reports[spec["report"]]
            if Detainer.objects.filter(case_id=case_id_for(report.slug, spec["row"])).exists():
                continue
            _create_case(spec, report, agencies, categories)
            created += 1
    for report in reports.values():
        if report.status != ReportStatus.PUBLISHED:
            report.status = ReportStatus.PUBLISHED
            report._change_reason = REASON
            report.full_clean()
            report.save()
    for spec in sample_data.CORRECTIONS:
        Correction.objects.get_or_create(
            report=reports[spec["report"]],
            what_changed=spec["what_changed"],
            defaults={
                "reason": spec["reason"],
                "source": spec["source"],
                "source_url": spec["source_url"],
                "published_on": sample_data.TRANSCRIBED_ON,
            },
        )
    return created
