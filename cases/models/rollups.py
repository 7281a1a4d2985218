"""Rollups: published cases counted by every case-level facet, kept in step with the cases.

Derived, never entered. ``cases.services.rollups`` rebuilds the rows of any (report,
agency) pair whose cases change (and the report-level rows of its report), in the same
transaction, so that facet counts, list counts and statistics are sums over a few
hundred rollup rows instead of counts over every case. Three grains: per report and
agency (CaseRollup, ChargeRollup); per report (CaseReportRollup, ChargeReportRollup),
which answers any count that needs no agency, state or AOR from a few rows per report;
and per agency over every report (CaseAgencyRollup, ChargeAgencyRollup), which answers a
count by agency, state or AOR that names no quarter or report without summing each
agency's rows report by report. ``tests/conftest.py`` checks after every test that they
equal a fresh count.
"""

from django.db import models
from django.db.models import Sum
from django.db.models.functions import Coalesce

from .agencies import Agency
from .reference import ChargeCategory, FieldOffice
from .reports import Report


def _key(model):
    # Plain keys into the counted tables: rollup rows are rebuilt, never edited, and a
    # foreign-key check per row would only slow the rebuild.
    return models.ForeignKey(model, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")


def summed(rows, key, field="cases"):
    """A subquery for ``annotate()``: the sum of ``field`` over rollup ``rows`` (filtered on
    ``key`` by an OuterRef), 0 when there are none."""
    total = rows.order_by().values(key).annotate(n=Sum(field)).values("n")
    return Coalesce(models.Subquery(total), 0)


class RollupQuerySet(models.QuerySet):
    """The counting API of DetainerQuerySet, summing rollup rows instead of counting cases."""

    def count_by(self, *fields):
        """``[{field: value, ..., "n": count}]``, largest first."""
        return list(self.order_by().values(*fields).annotate(n=Sum("cases")).order_by("-n", *fields))

    def total(self):
        return self.aggregate(n=Sum("cases"))["n"] or 0


class ChargeRollupQuerySet(RollupQuerySet):
    def charge_counts(self, timing=None):
        """Cases per charge category: before release, after it, or (no timing) at any arrest."""
        rows = self.filter(timing=timing or "any")
        return list(
            rows.values("category__slug", "category__code", "category__name")
            .annotate(n=Sum("cases"))
            .order_by("-n", "category__code")
        )


class _AgencyColumns(models.Model):
    """The agency of the counted cases, and the state and AOR that follow it."""

    declining_agency = _key(Agency)
    state = models.CharField(max_length=2, blank=True)
    aor = models.ForeignKey(FieldOffice, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")

    class Meta:
        abstract = True


class _CaseCounts(models.Model):
    """Published cases of one citizenship, and how many of them have a charge after release."""

    citizenship = models.CharField(max_length=2, blank=True)
    cases = models.PositiveIntegerField()
    with_subsequent_charge = models.PositiveIntegerField(
        default=0, help_text="Of these, cases with a charge after release."
    )

    objects = RollupQuerySet.as_manager()

    class Meta:
        abstract = True


class CaseRollup(_AgencyColumns, _CaseCounts):
    """Published cases per (report, agency, citizenship); quarter, state and AOR follow."""

    quarter = models.CharField(max_length=9)
    report = _key(Report)

    class Meta:
        indexes = [
            models.Index(fields=["quarter", "declining_agency"], name="caserollup_quarter_idx"),
            models.Index(fields=["declining_agency", "quarter"], name="caserollup_agency_idx"),
            models.Index(fields=["report", "declining_agency"], name="caserollup_report_idx"),
            models.Index(fields=["state"], name="caserollup_state_idx"),
            models.Index(fields=["aor"], name="caserollup_aor_idx"),
            models.Index(fields=["citizenship"], name="caserollup_citizenship_idx"),
        ]

    def __str__(self):
        return f"{self.quarter} agency {self.declining_agency_id} {self.citizenship}: {self.cases}"


class ChargeRollup(_AgencyColumns):
    """Published cases per (report, agency, timing, charge category). Timing ``any`` counts a
    case once if the category is among its charges before or after release."""

    class Timing(models.TextChoices):
        PRIOR = "prior", "Prior"
        SUBSEQUENT = "subsequent", "Subsequent"
        ANY = "any", "Any arrest"

    quarter = models.CharField(max_length=9)
    report = _key(Report)
    timing = models.CharField(max_length=10, choices=Timing.choices)
    category = _key(ChargeCategory)
    cases = models.PositiveIntegerField()

    objects = ChargeRollupQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["timing", "category", "quarter"], name="chargerollup_category_idx"),
            models.Index(fields=["quarter", "timing", "category"], name="chargerollup_quarter_idx"),
            # An agency in a quarter (the list with both filters): 1.3 ms to 0.2 at 1,000,000 cases,
            # where (agency, timing, category) left PostgreSQL to AND two bitmaps.
            models.Index(
                fields=["declining_agency", "quarter", "timing", "category"], name="chargerollup_agency_q_idx"
            ),
            models.Index(fields=["report", "declining_agency"], name="chargerollup_report_idx"),
            models.Index(fields=["state", "timing"], name="chargerollup_state_idx"),
            models.Index(fields=["aor", "timing"], name="chargerollup_aor_idx"),
        ]

    def __str__(self):
        return f"{self.quarter} agency {self.declining_agency_id} {self.timing} {self.category_id}: {self.cases}"


class CaseReportRollup(_CaseCounts):
    """Published cases per (report, citizenship): the rollup for counts that need no agency,
    state or AOR, a few rows per report."""

    quarter = models.CharField(max_length=9)
    report = _key(Report)

    class Meta:
        indexes = [
            models.Index(fields=["quarter", "citizenship"], name="casereportrollup_quarter_idx"),
            models.Index(fields=["report"], name="casereportrollup_report_idx"),
        ]

    def __str__(self):
        return f"{self.quarter} {self.citizenship}: {self.cases}"


class _ReportChargeCounts(models.Model):
    """Published cases per report, timing and charge category (and more, in a subclass)."""

    quarter = models.CharField(max_length=9)
    report = _key(Report)
    timing = models.CharField(max_length=10, choices=ChargeRollup.Timing.choices)
    category = _key(ChargeCategory)
    cases = models.PositiveIntegerField()

    objects = ChargeRollupQuerySet.as_manager()

    class Meta:
        abstract = True


class ChargeReportRollup(_ReportChargeCounts):
    """Published cases per (report, timing, charge category), as ChargeRollup without agencies."""

    class Meta:
        indexes = [
            models.Index(fields=["quarter", "timing", "category"], name="chargereportrollup_quarter_idx"),
            models.Index(fields=["timing", "category", "quarter"], name="chargereportrollup_cat_idx"),
            models.Index(fields=["report"], name="chargereportrollup_report_idx"),
        ]

    def __str__(self):
        return f"{self.quarter} {self.timing} {self.category_id}: {self.cases}"


class ChargeCitizenshipRollup(_ReportChargeCounts):
    """Published cases per (report, citizenship, timing, charge category): what the other
    rollups cannot say, the citizenship of the cases with a charge and the charges of the
    cases of a citizenship. Counted from the charges of the touched reports."""

    citizenship = models.CharField(max_length=2, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["timing", "category", "quarter"], name="chargecitrollup_category_idx"),
            # The counted columns too, so the charges of a citizenship are read from the index alone.
            models.Index(
                fields=["citizenship", "timing", "category", "quarter", "cases"], name="chargecitrollup_cit_cat_idx"
            ),
            models.Index(fields=["report"], name="chargecitrollup_report_idx"),
        ]

    def __str__(self):
        return f"{self.quarter} {self.citizenship} {self.timing} {self.category_id}: {self.cases}"


class CaseAgencyRollup(_AgencyColumns, _CaseCounts):
    """Published cases per (agency, citizenship) over every report: CaseRollup summed across
    reports. State and AOR follow the agency."""

    class Meta:
        indexes = [
            models.Index(fields=["declining_agency"], name="caseagencyrollup_agency_idx"),
            # The counted columns too, so the agencies of a citizenship are read from the index alone.
            models.Index(
                fields=["citizenship", "declining_agency", "state", "aor", "cases"], name="caseagencyrollup_cit_cnt_idx"
            ),
            models.Index(fields=["state"], name="caseagencyrollup_state_idx"),
            models.Index(fields=["aor"], name="caseagencyrollup_aor_idx"),
        ]

    def __str__(self):
        return f"agency {self.declining_agency_id} {self.citizenship}: {self.cases}"


class ChargeAgencyRollup(_AgencyColumns):
    """Published cases per (agency, timing, charge category) over every report: ChargeRollup
    summed across reports."""

    timing = models.CharField(max_length=10, choices=ChargeRollup.Timing.choices)
    category = _key(ChargeCategory)
    cases = models.PositiveIntegerField()

    objects = ChargeRollupQuerySet.as_manager()

    class Meta:
        indexes = [
            # The counted columns too, so the agencies of a charge are read from the index alone.
            models.Index(
                fields=["timing", "category", "declining_agency", "state", "aor", "cases"],
                name="chargeagencyrollup_cat_cnt_idx",
            ),
            models.Index(fields=["declining_agency", "timing", "category"], name="chargeagencyrollup_agency_idx"),
            models.Index(fields=["state"], name="chargeagencyrollup_state_idx"),
            models.Index(fields=["aor"], name="chargeagencyrollup_aor_idx"),
        ]

    def __str__(self):
        return f"agency {self.declining_agency_id} {self.timing} {self.category_id}: {self.cases}"
