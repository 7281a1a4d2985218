"""factory_boy factories for the cases models. Reference data (charge categories,
field offices) comes from the seed migration, so factories look it up rather than invent it."""

import datetime as dt

import factory
from django.utils.text import slugify

from cases.models import (
    Agency,
    AgencyType,
    Arrest,
    ArrestCharge,
    ChargeCategory,
    ChargeKind,
    Correction,
    Detainer,
    FieldOffice,
    Individual,
    Report,
    ReportKind,
    ReportStatus,
)
from cases.services import derive


def category(code_or_slug):
    """A seeded NCIC category by code ('35') or slug ('dangerous-drugs')."""
    if code_or_slug.isdigit():
        return ChargeCategory.objects.get(code=code_or_slug)
    return ChargeCategory.objects.get(slug=code_or_slug)


def field_office(name="Los Angeles"):
    return FieldOffice.objects.get(name=name)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Test County Sheriff's Office {n}")
    state = "CA"
    slug = factory.LazyAttribute(lambda o: slugify(f"{o.name} {o.state}"))
    agency_type = AgencyType.SHERIFF
    city = "Testville"
    county = "Test"
    aor = factory.LazyFunction(field_office)


class ReportFactory(factory.django.DjangoModelFactory):
    """A quarterly report. Status defaults to draft; use `published_report()` for a public one."""

    class Meta:
        model = Report

    class Params:
        fy = 2018
        q = 2

    kind = ReportKind.QUARTERLY
    slug = factory.LazyAttribute(lambda o: f"fy{o.fy}-q{o.q}")
    title = factory.LazyAttribute(lambda o: f"Declined Detainer Report, FY{o.fy} Q{o.q}")
    period_start = factory.LazyAttribute(lambda o: _quarter(o.fy, o.q).start)
    period_end = factory.LazyAttribute(lambda o: _quarter(o.fy, o.q).end)
    published_on = dt.date(2019, 7, 15)
    source_url = "https://example.org/report.pdf"
    status = ReportStatus.DRAFT


def _quarter(year, quarter):
    from cases.fiscal import FiscalQuarter

    return FiscalQuarter(year, quarter)


class IndividualFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Individual

    citizenship = "MX"
    gender = ""


class ArrestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Arrest

    individual = factory.SubFactory(IndividualFactory)
    arresting_agency = factory.SubFactory(AgencyFactory)
    arrested_on = dt.date(2018, 1, 10)
    arrested_on_precision = "day"
    age_at_arrest = 30


class ArrestChargeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ArrestCharge

    arrest = factory.SubFactory(ArrestFactory)
    category = factory.LazyFunction(lambda: category("35"))
    wording = "possession of a controlled substance"
    kind = ChargeKind.CHARGE


class DetainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Detainer

    report = factory.SubFactory(ReportFactory)
    row = factory.Sequence(lambda n: n + 1)
    individual = factory.SubFactory(IndividualFactory)
    declining_agency = factory.SubFactory(AgencyFactory)
    lodged_on = dt.date(2018, 1, 12)
    declined_on = dt.date(2018, 1, 20)
    released_on = dt.date(2018, 1, 20)


class CorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Correction

    report = factory.SubFactory(ReportFactory)
    published_on = dt.date(2019, 8, 1)
    what_changed = "The declining agency was corrected."
    reason = "The agency showed that the person was transferred."
    source = "Letter from the agency"


def make_case(
    report,
    row,
    *,
    agency=None,
    citizenship="MX",
    prior=(("35", "possession of a controlled substance", "charge"),),
    subsequent=(("09", "murder", "charge"),),
    arrested_on=dt.date(2018, 1, 10),
    lodged_on=dt.date(2018, 1, 12),
    released_on=dt.date(2018, 1, 20),
    next_arrest_on=dt.date(2018, 2, 19),
):
    """A complete case: an individual, the custody arrest with prior charges, the detainer,
    and (if any subsequent charges) a later arrest. Derived facts are refreshed once."""
    agency = agency or AgencyFactory()
    with derive.batch():
        individual = IndividualFactory(citizenship=citizenship)
        custody = ArrestFactory(individual=individual, arresting_agency=agency, arrested_on=arrested_on)
        for code, wording, kind in prior:
            ArrestChargeFactory(arrest=custody, category=category(code), wording=wording, kind=kind)
        detainer = DetainerFactory(
            report=report,
            row=row,
            individual=individual,
            custody_arrest=custody,
            declining_agency=agency,
            lodged_on=lodged_on,
            declined_on=released_on,
            released_on=released_on,
        )
        if subsequent:
            later = ArrestFactory(individual=individual, arresting_agency=agency, arrested_on=next_arrest_on)
            for code, wording, kind in subsequent:
                ArrestChargeFactory(arrest=later, category=category(code), wording=wording, kind=kind)
    detainer.refresh_from_db()
    return detainer


def published_report(**kwargs):
    """A report with one case, published. Extra cases can be added with make_case()."""
    report = ReportFactory(**kwargs)
    make_case(report, 1)
    report.status = ReportStatus.PUBLISHED
    report.save()
    return report


def publish(report):
    report.status = ReportStatus.PUBLISHED
    report.save()
    return report


def bulk_cases(report, count, *, agency, start_row=1):
    """``count`` cases like make_case()'s default, written with bulk_create so that hundreds
    take a handful of queries. Derived columns are set as cases.services.derive would set them
    (tests/test_public_list.py checks that against derive itself)."""
    from cases.models import CaseCharge, case_id_for
    from cases.models.detainers import charge_keys
    from cases.services import rollups

    prior, later = category("35"), category("09")
    individuals = Individual.objects.bulk_create(Individual(citizenship="MX") for _ in range(count))
    custody = Arrest.objects.bulk_create(
        Arrest(individual=i, arresting_agency=agency, arrested_on=dt.date(2018, 1, 10), age_at_arrest=30)
        for i in individuals
    )
    subsequent = Arrest.objects.bulk_create(
        Arrest(individual=i, arresting_agency=agency, arrested_on=dt.date(2018, 2, 19)) for i in individuals
    )
    ArrestCharge.objects.bulk_create(
        [ArrestCharge(arrest=a, category=prior, wording="possession", kind=ChargeKind.CHARGE) for a in custody]
        + [ArrestCharge(arrest=a, category=later, wording="murder", kind=ChargeKind.CHARGE) for a in subsequent]
    )
    detainers = Detainer.objects.bulk_create(
        Detainer(
            report=report,
            row=start_row + n,
            case_id=case_id_for(report.slug, start_row + n),
            quarter=report.quarter,
            individual=individual,
            custody_arrest=arrest,
            declining_agency=agency,
            lodged_on=dt.date(2018, 1, 12),
            declined_on=dt.date(2018, 1, 20),
            released_on=dt.date(2018, 1, 20),
            days_to_next_arrest=30,
            is_public=report.status == ReportStatus.PUBLISHED,
            state=agency.state,
            aor=agency.aor,
            citizenship="MX",
            first_prior_code=prior.code,
            first_subsequent_code=later.code,
            agency_name=agency.name,
            agency_slug=agency.slug,
            charges={
                "prior": [[prior.pk, ChargeKind.CHARGE, "possession", "2018-01-10"]],
                "subsequent": [[later.pk, ChargeKind.CHARGE, "murder", "2018-02-19"]],
            },
            prior_charge_codes=prior.code,
            prior_charges_text=f"{prior.code} {prior.name} (charge): possession",
            subsequent_charge_codes=later.code,
            subsequent_charges_text=f"{later.code} {later.name} (charge): murder",
            charge_keys=charge_keys([(prior.pk, CaseCharge.Timing.PRIOR), (later.pk, CaseCharge.Timing.SUBSEQUENT)]),
        )
        for n, (individual, arrest) in enumerate(zip(individuals, custody, strict=True))
    )
    copied = {"is_public": report.status == ReportStatus.PUBLISHED, "quarter": report.quarter}
    CaseCharge.objects.bulk_create(
        [CaseCharge(detainer=d, category=prior, timing=CaseCharge.Timing.PRIOR, **copied) for d in detainers]
        + [CaseCharge(detainer=d, category=later, timing=CaseCharge.Timing.SUBSEQUENT, **copied) for d in detainers]
    )
    rollups.touch(reports=[report.pk])  # bulk_create sends no signals
    return detainers
