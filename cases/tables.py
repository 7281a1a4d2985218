"""django-tables2 tables for the public lists. Every column sorts; empty values sort last."""

import functools
from html import escape

import django_tables2 as tables
from django.db.models import F
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django_countries import countries

from . import lookups, urlmemo
from .fiscal import FiscalQuarter
from .models import Agency, ChargeCategory, ChargeKind, Detainer, Report


def _nulls_last(*fields):
    """An ``order_<column>`` method: order by ``fields``, rows without a value last either way."""

    def order(self, queryset, is_descending):
        ordering = [F(f).desc(nulls_last=True) if is_descending else F(f).asc(nulls_last=True) for f in fields]
        return queryset.order_by(*ordering, "case_id"), True

    return order


KIND_LABELS = {value: label.lower() for value, label in ChargeKind.choices}


def _charges_html(charges, names):
    """``charges`` as stored in ``Detainer.charges``: [category id, kind, wording, date].
    ``names`` maps a category id to its name, already escaped (``CaseTable.category_names_html``)."""
    if not charges:
        return "—"
    items = "".join(f"<li>{names[c[0]]} {_kind_html(c[1])}</li>" for c in charges)
    return SafeString(f'<ul class="charge-list">{items}</ul>')


@functools.lru_cache(maxsize=64)
def _kind_html(kind):
    return f'<span class="kind kind-{escape(kind)}">{escape(KIND_LABELS.get(kind, kind))}</span>'


@functools.lru_cache(maxsize=256)
def _quarter_label(slug):
    return FiscalQuarter.from_slug(slug).label


@functools.lru_cache(maxsize=256)
def _quarter_html(slug):
    return escape(_quarter_label(slug))


@functools.lru_cache(maxsize=2048)
def _country_name(code, language):
    """A country's name in ``language`` (the active one): django-countries takes ~13 µs a call."""
    return countries.name(code) or code


@functools.lru_cache(maxsize=2048)
def _country_html(code, language):
    return escape(_country_name(code, language))


class CaseTable(tables.Table):
    case_id = tables.Column(
        "Case", linkify=True, order_by=("quarter", "report_id", "row"), attrs={"td": {"class": "nowrap"}}
    )
    quarter = tables.Column("Quarter", order_by=("quarter", "case_id"), attrs={"td": {"class": "nowrap"}})
    agency = tables.Column(
        "Declining agency",
        accessor="agency_name",
        order_by=("agency_name", "state", "case_id"),
        linkify=lambda record: urlmemo.slug_url("cases:agency-detail", "slug", record.agency_slug),
    )
    state = tables.Column("State", accessor="state", order_by=("state", "case_id"))
    citizenship = tables.Column("Citizenship", accessor="citizenship", order_by=("citizenship", "case_id"))
    lodged = tables.Column("Lodged", accessor="lodged_on", attrs={"td": {"class": "nowrap"}})
    released = tables.Column("Released", accessor="released_on", attrs={"td": {"class": "nowrap"}})
    prior_charges = tables.Column("Prior charges", accessor="pk", empty_values=())
    subsequent_charges = tables.Column("Subsequent charges", accessor="pk", empty_values=())
    days_to_next_arrest = tables.Column(
        "Days from release to next arrest", attrs={"td": {"class": "number"}, "th": {"class": "number"}}
    )

    order_lodged = _nulls_last("lodged_on")
    order_released = _nulls_last("released_on")
    order_days_to_next_arrest = _nulls_last("days_to_next_arrest")
    # By the lowest NCIC code among the case's prior (or subsequent) charges, a derived column.
    order_prior_charges = _nulls_last("first_prior_code")
    order_subsequent_charges = _nulls_last("first_subsequent_code")

    class Meta:
        model = Detainer
        fields = ()
        empty_text = "No cases match these filters."
        attrs = {"class": "data-table case-table"}

    def render_quarter(self, value):
        return _quarter_label(value)

    def render_citizenship(self, value):
        # The case's copied code, not the individual's CountryField: its choices are slow per cell.
        return _country_name(value, get_language())

    def render_lodged(self, record):
        return str(record.lodged)

    def render_released(self, record):
        return str(record.released)

    def render_prior_charges(self, record):
        return _charges_html(record.charges.get("prior"), self.category_names_html)

    def render_subsequent_charges(self, record):
        return _charges_html(record.charges.get("subsequent"), self.category_names_html)

    def fast_cells(self, record):
        """This row's cells as HTML, escaped, as django-tables2 renders them and the template
        escapes them (tests/test_tables.py compares the two), without its per-cell machinery:
        see the table_body template tag."""
        empty = self.empty_html
        days = record.days_to_next_arrest
        case_url, agency_url = self.url_patterns
        case_id = escape(record.case_id)
        charges = record.charges
        names = self.category_names_html
        return (
            f'<a href="{case_url.replace(urlmemo.PLACEHOLDER, case_id)}">{case_id}</a>',
            _quarter_html(record.quarter),
            f'<a href="{agency_url.replace(urlmemo.PLACEHOLDER, escape(record.agency_slug))}">'
            f"{escape(record.agency_name)}</a>",
            escape(record.state) if record.state else empty,
            _country_html(record.citizenship, get_language()) if record.citizenship else empty,
            escape(self.render_lodged(record)) if record.lodged_on else empty,
            escape(self.render_released(record)) if record.released_on else empty,
            _charges_html(charges.get("prior"), names),
            _charges_html(charges.get("subsequent"), names),
            empty if days is None else str(days),
        )

    @cached_property
    def empty_html(self):
        return str(conditional_escape(self.default))

    @cached_property
    def url_patterns(self):
        """The case and agency URLs with a placeholder (urlmemo.pattern), not reversed per row."""
        return (
            urlmemo.pattern("cases:case-detail", "case_id"),
            urlmemo.pattern("cases:agency-detail", "slug"),
        )

    @cached_property
    def category_names_html(self):
        return {pk: escape(name) for pk, (_code, _slug, name) in lookups.categories().items()}


class AgencyTable(tables.Table):
    name = tables.Column("Agency", linkify=True)
    agency_type = tables.Column("Type")
    state = tables.Column("State")
    aor = tables.Column("AOR", accessor="aor__name", order_by=("aor__name", "name"))
    ori = tables.Column("ORI")
    case_count = tables.Column("Cases", attrs={"td": {"class": "number"}, "th": {"class": "number"}})

    class Meta:
        model = Agency
        fields = ()
        empty_text = "No agency is named in a published case yet."


class ReportTable(tables.Table):
    title = tables.Column("Report", linkify=True)
    kind = tables.Column("Kind")
    quarter = tables.Column("Quarter", order_by=("quarter", "slug"))
    published_on = tables.DateColumn(format="j M Y", verbose_name="Published")
    stated_total = tables.Column("Total stated by the report", attrs={"td": {"class": "number"}})
    case_count = tables.Column("Cases transcribed here", attrs={"td": {"class": "number"}})
    status = tables.Column("Status")

    class Meta:
        model = Report
        fields = ()
        empty_text = "No report has been published yet."

    def render_quarter(self, value):
        return FiscalQuarter.from_slug(value).label


class ChargeCategoryTable(tables.Table):
    code = tables.Column("NCIC code")
    name = tables.Column("Category", linkify=True)
    prior_count = tables.Column("Cases with a prior charge", attrs={"td": {"class": "number"}})
    subsequent_count = tables.Column("Cases with a subsequent charge", attrs={"td": {"class": "number"}})
    case_count = tables.Column("Cases, any arrest", attrs={"td": {"class": "number"}})

    class Meta:
        model = ChargeCategory
        fields = ()
