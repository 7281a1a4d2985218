"""The detainer: one row of a report, the public *case*."""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.base import ModelState
from django.db.models.lookups import Exact
from django.db.models.query import ModelIterable
from simple_history.models import HistoricalRecords

from .. import urlmemo
from ..dates import PartialDate, Precision, month_precision_on_first_q, not_after_q
from ..requestmemo import once
from .agencies import Agency
from .base import IntegerListField
from .people import Arrest, ArrestCharge, Individual
from .reference import ChargeCategory
from .reports import Report, ReportStatus


class DetainerForm(models.TextChoices):
    I247A = "I-247A", "I-247A (since 2 April 2017)"
    I247D = "I-247D", "I-247D (2015–2017)"
    I247N = "I-247N", "I-247N (2015–2017)"
    I247X = "I-247X", "I-247X (2015–2017)"
    I247 = "I-247", "I-247 (to 2015)"


class VerificationStatus(models.TextChoices):
    AS_REPORTED = "as_reported", "As reported"
    DISPUTED = "disputed", "Disputed by agency"
    CORRECTED = "corrected", "Corrected"
    RETRACTED = "retracted", "Retracted"


def case_id_for(report_slug: str, row: int) -> str:
    return f"{report_slug}-{row:02d}"


def public_q():
    """``is_public = true``, written out. Django writes ``filter(is_public=True)`` as a bare
    ``WHERE is_public``, which SQLite cannot match to an index that leads with the column:
    every sorted case list then scanned the table and sorted it in a temporary B-tree.
    PostgreSQL plans both spellings alike."""
    return Exact(F("is_public"), Value(True))


# Searches matching at most this many cases are filtered by a list of their ids (see search).
SEARCH_IDS_LISTED = 20_000

# The columns a case-list row reads (see cases.tables.CaseTable).
LIST_FIELDS = (
    "case_id", "quarter", "report_id", "row", "declining_agency", "state", "citizenship", "agency_name", "agency_slug",
    "lodged_on", "lodged_on_precision", "released_on", "released_on_precision", "days_to_next_arrest", "charges",
)  # fmt: skip


class ListRowIterable(ModelIterable):
    """The cases of a list page, built without ``Model.__init__``: the loaded columns go
    straight into each instance's ``__dict__``, as ``from_db`` would leave them, and a column
    left out still loads on first use (Django's deferred attributes look in ``__dict__``).
    50 rows took 2.0 ms the ORM's way and 1.2 ms this way. Any query with joined rows,
    annotations or known related objects goes the ORM's way."""

    def __iter__(self):
        queryset = self.queryset
        if queryset.query.select_related or queryset.query.annotations or queryset._known_related_objects:
            yield from super().__iter__()
            return
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        start, end = compiler.klass_info["select_fields"][0], compiler.klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in compiler.select[start:end]]
        model = compiler.klass_info["model"]
        for row in compiler.results_iter(results):
            case = model.__new__(model)
            values = case.__dict__
            values.update(zip(names, row[start:end], strict=True))
            case._state = state = ModelState()
            state.adding, state.db = False, db
            case._loaded_pair = (values.get("report_id"), values.get("declining_agency_id"))  # as from_db
            yield case


class DetainerQuerySet(models.QuerySet):
    def cases(self):
        """Detainers listed in a report: the public cases (history-only detainers excluded)."""
        return self.filter(report__isnull=False)

    def published(self):
        """Cases in published reports (``is_public`` is kept in step with the report's status)."""
        return self.filter(public_q())

    def visible_to(self, user):
        """Staff also see cases in draft reports; the public sees published ones only."""
        if getattr(user, "is_staff", False):
            return self.cases()
        return self.published()

    def for_list(self):
        """Everything a case-list row shows, newest quarter first (an order the index
        detainer_pub_newest_idx serves without sorting). The charges come from the derived
        ``charges`` column, so no arrest or charge is loaded, and the agency's name and slug
        from copied columns, so no agency either. (Joined in the same query, SQLite's planner
        started from the agency table and sorted every case; loaded in a second query, the
        agencies cost 1 ms of a 20 ms page at 1,000,000 cases.)"""
        rows = self.order_by("-quarter", "report_id", "row").only(*LIST_FIELDS)
        rows._iterable_class = ListRowIterable
        return rows

    def on_timeline_of(self, individual_id, user):
        """An individual's detainers that this user may see, including those listed in no report.
        ``individual_id`` may be a subquery (see ``for_detail``). A published report is read from
        ``is_public``, as ``published`` does: on the report's status, PostgreSQL plans longer."""
        visible = Q(report__isnull=True) | Q(public_q())
        if getattr(user, "is_staff", False):
            visible = Q()
        return self.filter(visible, individual_id=individual_id).select_related("report", "declining_agency")

    def for_detail(self, case_id, user):
        """The case page's detainers, in one query: case ``case_id`` if ``user`` may see it, with
        every detainer of its individual that the timeline shows (none if the case is hidden).
        The case's custody arrest is taken from the timeline's arrests, which are loaded anyway."""
        individual = self.visible_to(user).filter(case_id=case_id).order_by().values("individual_id")
        return self.on_timeline_of(models.Subquery(individual), user).select_related("individual")

    def search(self, text):
        """Free text: case id, agency name or place, report title, charge wording or category,
        country (see ``search_ids``)."""
        text = (text or "").strip()
        if not text:
            return self
        matched = Detainer.objects.search_ids(text)  # the filters of this queryset apply below
        few = Detainer.objects.listed_search_ids(text, matched)
        return self.filter(pk__in=few if few is not None else matched)

    def listed_search_ids(self, text, matched=None):
        """The ids of the cases ``text`` matches, if at most SEARCH_IDS_LISTED, else None.
        Most searches match a few thousand cases. Their ids, read once per request (the list
        and its facets each build their queryset), serve the count, the page and the facets by
        primary key; given the union instead, PostgreSQL reads the whole cases table to join
        it, once for each of those queries."""
        matched = Detainer.objects.search_ids(text) if matched is None else matched
        few = once(("search-ids", text), lambda: list(matched[: SEARCH_IDS_LISTED + 1]))
        return few if len(few) <= SEARCH_IDS_LISTED else None

    def search_ids(self, text):
        """The ids of the cases that ``text`` matches, as one UNION query. Each kind of match
        is looked up on its own table, once, and every part can use an index (on PostgreSQL,
        trigram indexes for the case id and the wording, migration 0013). Testing each case
        against its individual's charges, row by row, took 15 s at 1,000,000 cases. An
        individual's arrests are all either prior or subsequent for each of their cases, so
        a category named in the text matches through the derived CaseCharge rows."""
        from django_countries import countries

        codes = [code for code, name in countries if text.lower() in name.lower()]
        agencies = Agency.objects.filter(Q(name__icontains=text) | Q(city__icontains=text) | Q(county__icontains=text))
        worded = ArrestCharge.objects.filter(wording__icontains=text).values("arrest__individual")
        cases = self.order_by()
        ids = [
            cases.filter(case_id__icontains=text),
            cases.filter(declining_agency__in=agencies.values("pk")),
            cases.filter(report__in=Report.objects.filter(title__icontains=text).values("pk")),
            cases.filter(individual__in=worded),
        ]
        if codes:
            ids.append(cases.filter(citizenship__in=codes))
        ids = [queryset.values_list("pk", flat=True) for queryset in ids]
        categories = ChargeCategory.objects.filter(name__icontains=text).values("pk")
        ids.append(CaseCharge.objects.filter(category__in=categories).order_by().values_list("detainer", flat=True))
        return ids[0].union(*ids[1:])

    def with_charge(self, categories, timing=None):
        """Cases with any of ``categories`` before release, after it, or (no timing) either."""
        wanted = CaseCharge.objects.filter(detainer=models.OuterRef("pk"), category__in=categories)
        if timing:
            wanted = wanted.filter(timing=timing)
        return self.filter(models.Exists(wanted))

    def with_charge_keys(self, categories, timing=None):
        """``with_charge`` read from the cases' own ``charge_keys`` (PostgreSQL only): the same
        cases, with no probe into the case charges per case. Used for the facet counts, whose
        cases are read anyway (see ``CaseFilter.qs_without``)."""
        keys = [charge_key(getattr(category, "pk", category), timing) for category in categories]
        return self.filter(charge_keys__overlaps=keys)

    def group_counts(self, columns):
        """``{column: [(value, count), ...]}``, largest first, for columns of the case table."""
        from ..grouping import group_counts

        return group_counts(self, columns)

    def facet_counts(self, columns, timings):
        """``(group_counts(columns), charge_group_counts(timings))``, in one statement that
        finds the matching cases once."""
        if columns and timings:
            from ..grouping import case_and_charge_counts

            return case_and_charge_counts(self, columns, timings)
        return (
            self.group_counts(columns) if columns else {},
            self.charge_group_counts(timings) if timings else {},
        )

    def charge_group_counts(self, timings):
        """``{timing: [(category_id, count), ...]}``, largest first; timing None means any arrest.

        Counts cases, not charges: a case with two prior drug charges counts once.
        """
        rows = CaseCharge.objects.filter(detainer__in=self.order_by().values("pk"))
        result = {}
        wanted = [t for t in timings if t is not None]
        if wanted:
            counts = defaultdict(list)
            for row in (
                rows.filter(timing__in=wanted).values("timing", "category_id").annotate(n=models.Count("pk")).order_by()
            ):
                counts[row["timing"]].append((row["category_id"], row["n"]))
            result.update({t: counts[t] for t in wanted})
        if None in timings:
            result[None] = [
                (row["category_id"], row["n"])
                for row in rows.values("category_id").annotate(n=models.Count("detainer", distinct=True)).order_by()
            ]
        for counted in result.values():
            counted.sort(key=lambda row: (-row[1], row[0]))
        return result

    def count_by(self, *fields):
        """``[{field: value, ..., "n": count}]``, largest first: one GROUP BY query."""
        return list(self.order_by().values(*fields).annotate(n=models.Count("pk")).order_by("-n", *fields))

    def quarters(self):
        """The quarters that have cases among these, newest first: one query on the quarter index."""
        return list(self.order_by("-quarter").exclude(quarter="").values_list("quarter", flat=True).distinct())

    def charge_counts_by_quarter(self):
        """Cases per (quarter, timing, charge category) among these cases: one GROUP BY query."""
        return list(
            CaseCharge.objects.filter(detainer__in=self.order_by().values("pk"))
            .values("detainer__quarter", "timing", "category__slug", "category__code", "category__name")
            .annotate(n=models.Count("pk"))
            .order_by("category__code")
        )

    def charge_counts(self, timing=None):
        """Cases per charge category among these cases, optionally only prior or subsequent."""
        rows = CaseCharge.objects.filter(detainer__in=self.order_by().values("pk"))
        if timing:
            # One CaseCharge row per (case, category, timing): counting rows counts cases.
            rows, count = rows.filter(timing=timing), models.Count("pk")
        else:
            count = models.Count("detainer", distinct=True)
        return list(
            rows.values("category__slug", "category__code", "category__name")
            .annotate(n=count)
            .order_by("-n", "category__code")
        )


# Columns an index carries besides its keys, on PostgreSQL (SQLite ignores INCLUDE and builds
# the plain index; see SILENCED_SYSTEM_CHECKS). The facet counts of an agency's cases read
# their citizenship and charge keys from the agency index alone: 2,351 cases of an agency in a
# quarter with a charge, 4.8 ms from the table and 1.9 ms from the index.
PUBLIC_INCLUDES = {"agency": ["citizenship", "charge_keys"]}
PUBLIC_INDEXES = {
    "newest": ["-quarter", "report", "row"],
    "case": ["quarter", "report", "row"],
    "quarter": ["quarter", "case_id"],
    "agency": ["declining_agency", "quarter"],
    "agency_name": ["agency_name", "state", "case_id"],
    "agency_case": ["declining_agency", "case_id"],
    "state": ["state", "case_id"],
    "aor": ["aor", "case_id"],
    "citizenship": ["citizenship", "case_id"],
    "report": ["report", "row"],
    "lodged": ["lodged_on", "case_id"],
    "released": ["released_on", "case_id"],
    "days": ["days_to_next_arrest", "case_id"],
    "prior": ["first_prior_code", "case_id"],
    "later": ["first_subsequent_code", "case_id"],
}


def _date_fields(label):
    return (
        models.DateField(label, null=True, blank=True),
        models.CharField(f"{label} precision", max_length=5, choices=Precision.choices, default=Precision.DAY),
    )


class Detainer(models.Model):
    report = models.ForeignKey(
        Report,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="detainers",
        help_text="Empty for a detainer known only from someone's history, listed in no report.",
    )
    row = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Row number in the report. With the report slug it makes the case id."
    )
    page = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Page in the source document.")
    case_id = models.CharField(max_length=80, unique=True, null=True, editable=False)

    individual = models.ForeignKey(Individual, on_delete=models.PROTECT, related_name="detainers")
    custody_arrest = models.ForeignKey(
        Arrest,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="detainers",
        help_text="The arrest during whose custody the detainer was lodged.",
    )
    declining_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="declined_detainers")

    lodged_on, lodged_on_precision = _date_fields("lodged")
    declined_on, declined_on_precision = _date_fields("declined")
    released_on, released_on_precision = _date_fields("released")

    form = models.CharField("detainer form", max_length=8, choices=DetainerForm.choices, blank=True)
    verification_status = models.CharField(
        max_length=12, choices=VerificationStatus.choices, default=VerificationStatus.AS_REPORTED
    )
    agency_response = models.TextField(blank=True, help_text="The agency's response, quoted or summarised.")

    # Derived by cases.services.derive; never entered. Copies of facts held elsewhere
    # (report, agency, individual, charges) so that every public filter, facet and sort
    # reads one indexed table.
    quarter = models.CharField(max_length=9, blank=True, editable=False)
    days_to_next_arrest = models.IntegerField(null=True, blank=True, editable=False)
    is_public = models.BooleanField(default=False, editable=False, help_text="In a published report.")
    state = models.CharField(max_length=2, blank=True, editable=False)
    aor = models.ForeignKey(
        "FieldOffice", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    citizenship = models.CharField(max_length=2, blank=True, editable=False)
    first_prior_code = models.CharField(max_length=2, null=True, blank=True, editable=False)
    first_subsequent_code = models.CharField(max_length=2, null=True, blank=True, editable=False)
    agency_name = models.CharField(max_length=200, blank=True, editable=False)
    # The agency's slug, for the link in each row of a list: no query for the agencies.
    agency_slug = models.SlugField(max_length=120, blank=True, editable=False, db_index=False)
    # The case's charges before and after release, as the list and the exports show them:
    # {"prior": [[category id, kind, wording, arrest date (ISO, at its precision)], ...],
    #  "subsequent": [...]}, in date order. Category names are looked up when shown.
    charges = models.JSONField(default=dict, blank=True, editable=False)
    # The same charges as the CSV and XLSX exports print them (see derive.charge_columns),
    # so that an export streams stored text instead of rebuilding it for every row.
    prior_charge_codes = models.TextField(blank=True, editable=False)
    prior_charges_text = models.TextField(blank=True, editable=False)
    subsequent_charge_codes = models.TextField(blank=True, editable=False)
    subsequent_charges_text = models.TextField(blank=True, editable=False)
    # The case's CaseCharge rows as keys (``charge_keys``), in the case's own row: the facet
    # counts read them there instead of probing the case charges once per case, and the
    # counted cases' charges are one unnest. PostgreSQL indexes them with GIN (migration 0020).
    charge_keys = IntegerListField(editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DetainerQuerySet.as_manager()
    # The keys are an index, not a fact: the history keeps the charges themselves.
    history = HistoricalRecords(excluded_fields=["charge_keys"])

    class Meta:
        ordering = ["report", "row", "pk"]
        verbose_name = "detainer (case)"
        verbose_name_plural = "detainers (cases)"
        indexes = [
            # No index on quarter alone: PostgreSQL preferred it (the table is stored in quarter
            # order) to the agency index below, and read a whole quarter to find one agency's cases.
            models.Index(fields=["declining_agency", "quarter"], name="detainer_agency_quarter_idx"),
            models.Index(fields=["verification_status"], name="detainer_status_idx"),
            # The public list: every filter and every sort column leads with is_public.
            *(
                models.Index(
                    fields=["is_public", *columns], name=f"detainer_pub_{name}_idx", include=PUBLIC_INCLUDES.get(name)
                )
                for name, columns in PUBLIC_INDEXES.items()
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["report", "row"], name="detainer_unique_row_per_report"),
            models.CheckConstraint(
                condition=Q(report__isnull=True, row__isnull=True) | Q(report__isnull=False, row__isnull=False),
                name="detainer_case_has_row_citation",
            ),
            models.CheckConstraint(
                condition=not_after_q("lodged_on", "declined_on"), name="detainer_lodged_not_after_declined"
            ),
            models.CheckConstraint(
                condition=not_after_q("lodged_on", "released_on"), name="detainer_lodged_not_after_released"
            ),
            *(
                models.CheckConstraint(
                    condition=month_precision_on_first_q(field), name=f"detainer_{field}_month_on_first"
                )
                for field in ("lodged_on", "declined_on", "released_on")
            ),
        ]

    def __str__(self):
        if self.case_id:
            return self.case_id
        return f"Detainer {self.pk or 'new'} (not in a report)"

    def save(self, *args, **kwargs):
        for name in ("lodged_on", "declined_on", "released_on"):
            value = getattr(self, name)
            if value and getattr(self, f"{name}_precision") == Precision.MONTH:
                setattr(self, name, value.replace(day=1))
        if self.report_id and self.row:
            self.case_id = case_id_for(self.report.slug, self.row)
            self.quarter = self.report.quarter
            self.is_public = self.report.status == ReportStatus.PUBLISHED
        else:
            self.case_id = None
            self.quarter = ""
            self.is_public = False
        if self.declining_agency_id:
            agency = self.declining_agency
            self.state, self.aor_id, self.agency_name = agency.state, agency.aor_id, agency.name
            self.agency_slug = agency.slug
        if self.individual_id:
            self.citizenship = str(self.individual.citizenship)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        if not self.case_id:
            return None
        return urlmemo.slug_url("cases:case-detail", "case_id", self.case_id)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Where the case was counted when loaded (see cases.services.rollups).
        instance._loaded_pair = (instance.__dict__.get("report_id"), instance.__dict__.get("declining_agency_id"))
        return instance

    @property
    def lodged(self):
        return PartialDate.of(self.lodged_on, self.lodged_on_precision)

    @property
    def declined(self):
        return PartialDate.of(self.declined_on, self.declined_on_precision)

    @property
    def released(self):
        return PartialDate.of(self.released_on, self.released_on_precision)

    @property
    def release_reference(self):
        """The latest known custody date: released, else declined, else lodged."""
        return self.released or self.declined or self.lodged

    @property
    def citation(self) -> str:
        if not self.report_id:
            return ""
        parts = [self.report.title]
        if self.page:
            parts.append(f"p. {self.page}")
        parts.append(f"row {self.row}")
        return ", ".join(parts)

    def clean(self):
        super().clean()
        errors = {}
        if self.report_id and not self.row:
            errors["row"] = "A case in a report needs its row number, so it can be cited."
        if self.row and not self.report_id:
            errors["report"] = "A row number only makes sense with the report it belongs to."
        lodged, declined, released = self.lodged, self.declined, self.released
        if lodged and declined and lodged.is_certainly_after(declined):
            errors["declined_on"] = f"The decline ({declined}) cannot come before the detainer was lodged ({lodged})."
        if lodged and released and lodged.is_certainly_after(released):
            errors["released_on"] = f"The release ({released}) cannot come before the detainer was lodged ({lodged})."
        if self.custody_arrest_id and self.individual_id:
            arrest = self.custody_arrest
            if arrest.individual_id != self.individual_id:
                errors["custody_arrest"] = "This arrest belongs to a different individual."
            elif lodged and arrest.arrested and arrest.arrested.is_certainly_after(lodged):
                errors["lodged_on"] = (
                    f"The detainer cannot be lodged ({lodged}) before the arrest it was lodged "
                    f"during ({arrest.arrested})."
                )
        if errors:
            raise ValidationError(errors)


class CaseCharge(models.Model):
    """Derived: which charge categories a case has before and after release.

    Rebuilt by cases.services.derive whenever arrests, charges or detainers change,
    so that the prior/subsequent filters are one indexed join.
    """

    class Timing(models.TextChoices):
        PRIOR = "prior", "Prior"
        SUBSEQUENT = "subsequent", "Subsequent"

    detainer = models.ForeignKey(Detainer, on_delete=models.CASCADE, related_name="case_charges")
    category = models.ForeignKey(ChargeCategory, on_delete=models.CASCADE, related_name="case_charges")
    timing = models.CharField(max_length=10, choices=Timing.choices)
    # Copies of the case's own derived columns, so that charge facets within a quarter
    # are an index-only scan.
    is_public = models.BooleanField(default=False)
    quarter = models.CharField(max_length=9, blank=True)

    class Meta:
        ordering = ["detainer", "timing", "category"]
        constraints = [
            models.UniqueConstraint(fields=["detainer", "category", "timing"], name="casecharge_unique"),
        ]
        indexes = [
            models.Index(fields=["category", "timing", "detainer"], name="casecharge_cat_timing_idx"),
            models.Index(
                fields=["is_public", "quarter", "category", "timing", "detainer"], name="casecharge_pub_quarter_idx"
            ),
        ]

    def __str__(self):
        return f"{self.detainer}: {self.timing} {self.category}"


# A case's charge keys: one per CaseCharge row, 3 × category id + 1 (prior) or + 2
# (subsequent), and 3 × category id for a category at any arrest. Every key appears once.
KEY_TIMINGS = {None: 0, CaseCharge.Timing.PRIOR: 1, CaseCharge.Timing.SUBSEQUENT: 2}
TIMINGS_BY_KEY = {offset: timing for timing, offset in KEY_TIMINGS.items()}


def charge_key(category_id, timing=None):
    return 3 * category_id + KEY_TIMINGS[timing]


def charge_keys(pairs):
    """The sorted keys of a case's ``(category_id, timing)`` pairs (its CaseCharge rows)."""
    keys = {charge_key(category_id, timing) for category_id, timing in pairs}
    keys.update(charge_key(category_id) for category_id, _timing in pairs)
    return sorted(keys)


def key_parts(key):
    """``(category_id, timing)`` of a charge key; timing None for any arrest."""
    category_id, offset = divmod(key, 3)
    return category_id, TIMINGS_BY_KEY[offset]
