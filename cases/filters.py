"""The case-list filters. Several values of one parameter are OR-ed; parameters are AND-ed.

A value that is not understood never empties the list silently: its filter is left
out, and ``problems()`` says which value it was.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django_countries import countries

from . import requestmemo
from .fiscal import FiscalQuarter, InvalidQuarter
from .geo import STATE_NAMES, US_STATES
from .models import Agency, CaseCharge, ChargeCategory, Detainer, FieldOffice, Report
from .models.base import slug_memo_key


class QuarterListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        quarters = []
        for text in value or []:
            if not text:
                continue
            try:
                quarters.append(FiscalQuarter.parse(text))
            except InvalidQuarter:
                raise ValidationError(
                    "“%(value)s” is not a fiscal quarter. Write it like fy2018-q2.", params={"value": text}
                ) from None
        return quarters


class QuarterFilter(django_filters.Filter):
    field_class = QuarterListField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(quarter__in=[quarter.slug for quarter in value])


class SlugChoiceField(forms.ModelMultipleChoiceField):
    """Checks its slugs against the rows the view's canonical-URL check has just read
    (``SlugQuerySet.current_slugs``), when the choices are every row of the model and it
    found every slug: one query per filter fewer. Otherwise it asks the database as usual."""

    def clean(self, value):
        """No value: an empty list, where Django gives ``queryset.none()``. The filter asks
        ``if not value``, and an empty queryset compiles its query to learn that it is
        empty: four unused filters of the case list cost 0.77 ms so."""
        if not self.required and not value:
            return []
        return super().clean(value)

    def _check_values(self, value):
        if self.to_field_name == "slug" and not self.queryset.query.where:
            model = self.queryset.model
            try:
                rows = [requestmemo.recall(slug_memo_key(model, slug)) for slug in frozenset(value)]
            except TypeError:  # not a list of strings: the usual checks say so
                rows = [None]
            if rows and None not in rows:
                return rows
        return super()._check_values(value)


class SlugChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    """Chosen by slug in the URL, filtered by primary key on the case table: no join."""

    field_class = SlugChoiceField

    def get_filter_predicate(self, v):
        return {self.field_name: v.pk}


def _slug_filter(field_name, queryset, noun, **kwargs):
    return SlugChoiceFilter(
        field_name=field_name,
        to_field_name="slug",
        queryset=queryset,
        distinct=False,
        error_messages={"invalid_choice": f"“%(value)s” is not a known {noun}."},
        **kwargs,
    )


def _code_filter(field_name, choices, noun, label):
    # Choices as a callable: each request deep-copies its filters and form fields, and a
    # copied list of some 250 countries cost more than the rest of the filter form.
    choices = tuple(choices)
    return django_filters.MultipleChoiceFilter(
        field_name=field_name,
        label=label,
        choices=lambda: choices,
        distinct=False,
        error_messages={"invalid_choice": f"“%(value)s” is not a {noun}."},
    )


class CaseFilter(django_filters.FilterSet):
    quarter = QuarterFilter(label="Quarter")
    report = _slug_filter("report_id", Report.objects.published(), "published report", label="Report")
    agency = _slug_filter("declining_agency_id", Agency.objects.all(), "agency", label="Declining agency")
    state = _code_filter("state", US_STATES, "two-letter US state code, like CA", "State")
    aor = _slug_filter("aor_id", FieldOffice.objects.all(), "ICE field office (AOR)", label="AOR")
    citizenship = _code_filter("citizenship", list(countries), "two-letter country code, like MX", "Citizenship")
    charge = _slug_filter(
        "charge", ChargeCategory.objects.all(), "charge category", method="filter_charge", label="Charge (any arrest)"
    )
    prior_charge = _slug_filter(
        "prior_charge", ChargeCategory.objects.all(), "charge category", method="filter_charge", label="Prior charge"
    )
    subsequent_charge = _slug_filter(
        "subsequent_charge",
        ChargeCategory.objects.all(),
        "charge category",
        method="filter_charge",
        label="Subsequent charge",
    )
    q = django_filters.CharFilter(method="filter_search", label="Search")

    CHARGE_TIMING = {
        "charge": None,
        "prior_charge": CaseCharge.Timing.PRIOR,
        "subsequent_charge": CaseCharge.Timing.SUBSEQUENT,
    }
    LABEL_PREFIX = {
        "report": "report: ",
        "aor": "AOR: ",
        "citizenship": "citizenship: ",
        "charge": "charge (any arrest): ",
        "prior_charge": "prior charge: ",
        "subsequent_charge": "subsequent charge: ",
    }

    class Meta:
        model = Detainer
        fields = []

    def get_form_class(self):
        """One form class for every request: django-filter builds a new class, with new
        fields, each time (0.17 of the 0.52 ms the form took). The fields never vary, and
        each form still gets its own copies of them."""
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = cls._form_class = super().get_form_class()
        return form_class

    def filter_charge(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.with_charge(list(value), self.CHARGE_TIMING[name])

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def applied(self):
        """The filter values in force, as ``(param, value, label)``, in URL order."""
        if not self.is_bound:
            return []
        self.is_valid()
        result = []
        for name, value in self.form.cleaned_data.items():
            if not value:
                continue
            if name == "q":
                result.append((name, value, f"matching “{value}”"))
            else:
                result.extend((name, *self._describe(name, item)) for item in value)
        return result

    def _describe(self, name, item):
        if name == "quarter":
            return item.slug, item.label
        if name == "state":
            return item, STATE_NAMES[item]
        if name == "citizenship":
            return item, countries.name(item)
        if name == "agency":
            return item.slug, str(item)
        if name == "report":
            return item.slug, item.title
        return item.slug, item.name

    def problems(self):
        """One sentence per parameter whose value was not understood (that filter is not applied)."""
        if not self.is_bound or self.is_valid():
            return []
        return [
            f"{self.filters[name].label or name}: {' '.join(errors)} This filter was not applied."
            for name, errors in self.form.errors.items()
        ]

    def applied_params(self):
        """The parameters with a value in force (understood values only)."""
        return [name for name, value, _label in self.applied()]

    def qs_without(self, param, counting=False):
        """The cases matching every applied filter except ``param``: the base of its facet counts.

        ``counting``: the same cases for a count that reads them anyway. On PostgreSQL a charge
        filter then checks each case's own ``charge_keys`` instead of probing the case charges
        once per case: the facets of a quarter, an agency and a charge took 17 ms that way, and
        7 this way, at 1,000,000 cases."""
        queryset = self.queryset.all()
        if not self.is_bound:
            return queryset
        self.is_valid()
        from_keys = counting and connections[queryset.db].vendor == "postgresql"
        for name, value in self.form.cleaned_data.items():
            if name == param:
                continue
            if from_keys and name in self.CHARGE_TIMING and value:
                queryset = queryset.with_charge_keys(value, self.CHARGE_TIMING[name])
            else:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def sentence(self, count):
        """A plain description of this view, e.g. "12 cases · FY2018 Q2 · subsequent charge: Homicide"."""
        parts = [f"{count:,} case" + ("" if count == 1 else "s")]
        grouped = {}
        for name, _value, label in self.applied():
            grouped.setdefault(name, []).append(label)
        for name, labels in grouped.items():
            parts.append(self.LABEL_PREFIX.get(name, "") + " or ".join(labels))
        return " · ".join(parts)
