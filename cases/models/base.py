"""Shared model pieces: timestamps, and slugs that never break once public."""

import json

from django.db import NotSupportedError, models, transaction

from .. import requestmemo
from ..precompiled import Precompiled

PRECOMPILED_SLUGS = 10  # up to this many slugs of one model: a statement per count, kept
_BY_SLUGS = {}  # (model, number of slugs): Precompiled


class Timestamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class SlugAlias(models.Model):
    """A slug an object used to have. Old links and filter values resolve through it."""

    class Kind(models.TextChoices):
        REPORT = "report", "Report"
        AGENCY = "agency", "Agency"
        CHARGE = "charge", "Charge category"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    slug = models.SlugField(max_length=120)
    object_id = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "slug"], name="slugalias_unique_kind_slug"),
        ]
        verbose_name_plural = "slug aliases"

    def __str__(self):
        return f"{self.kind}: {self.slug} → #{self.object_id}"


class SlugQuerySet(models.QuerySet):
    def resolve_slug(self, slug):
        """Return ``(obj, is_current)`` for a current or former slug, or ``(None, False)``."""
        slug = (slug or "").strip().lower()
        if not slug:
            return None, False
        obj = self.filter(slug=slug).first()
        if obj is not None:
            return obj, True
        alias = SlugAlias.objects.filter(kind=self.model.slug_alias_kind, slug=slug).first()
        if alias is None:
            return None, False
        return self.filter(pk=alias.object_id).first(), False

    def with_slugs(self, slugs):
        """``list(self.filter(slug__in=slugs))``; for the model's plain rows (a list's filter
        values) and a few slugs, compiled once per connection: the ORM took 0.46 ms to build
        the agencies' query of a list that PostgreSQL answered in 0.17."""
        query = self.query
        plain = not (query.where or query.annotations or query.select_related or query.is_sliced or self._db)
        plain = plain and self._fields is None and query.deferred_loading == (frozenset(), True)
        if not slugs or not plain or len(slugs) > PRECOMPILED_SLUGS:
            return list(self.filter(slug__in=slugs)) if slugs else []
        key = (self.model, len(slugs))
        statement = _BY_SLUGS.get(key)
        if statement is None:
            manager = self.model._default_manager
            statement = _BY_SLUGS.setdefault(
                key, Precompiled(self.model, lambda *s: manager.filter(slug__in=s), *[str] * len(slugs))
            )
        return statement.fetch(*slugs)

    def current_slugs(self, slugs):
        """Map each given slug (current or former) to the current slug, dropping unknown ones."""
        wanted = {s.strip().lower() for s in slugs if s and s.strip()}
        rows = self.with_slugs(sorted(wanted))
        if not self.query.where:
            # Every row of the model: a filter's form can take its choices from here (see
            # cases.filters.SlugChoiceField) instead of asking for the same rows again.
            for row in rows:
                requestmemo.remember(slug_memo_key(self.model, row.slug), row)
        found = {row.slug: row.slug for row in rows}
        missing = wanted - found.keys()
        if missing:
            aliases = dict(
                SlugAlias.objects.filter(kind=self.model.slug_alias_kind, slug__in=missing).values_list(
                    "slug", "object_id"
                )
            )
            current = dict(self.filter(pk__in=aliases.values()).values_list("pk", "slug"))
            for old, pk in aliases.items():
                if pk in current:
                    found[old] = current[pk]
        return found


def slug_memo_key(model, slug):
    """Where ``current_slugs`` leaves a row found by its current slug, for this GET request."""
    return ("row-by-slug", model._meta.label, slug)


class SluggedModel(models.Model):
    """Remembers every former slug, so a public link keeps working after a rename."""

    slug_alias_kind: str = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        previous = None
        if self.pk:
            previous = type(self)._base_manager.filter(pk=self.pk).values_list("slug", flat=True).first()
        with transaction.atomic():
            super().save(*args, **kwargs)
            if previous and previous != self.slug:
                SlugAlias.objects.update_or_create(
                    kind=self.slug_alias_kind,
                    slug=previous,
                    defaults={"object_id": self.pk},
                )
                SlugAlias.objects.filter(kind=self.slug_alias_kind, slug=self.slug).delete()


class IntegerListField(models.Field):
    """A list of integers: an ``integer[]`` column on PostgreSQL, which a GIN index serves and
    SQL can unnest; JSON text on SQLite, which has no arrays. Never NULL: empty is ``[]``."""

    description = "A list of integers"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("default", list)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def db_type(self, connection):
        return "integer[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        value = [int(item) for item in value or ()]
        return value if connection.vendor == "postgresql" else json.dumps(value)

    def from_db_value(self, value, expression, connection):
        return json.loads(value) if isinstance(value, str) else value

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return [int(item) for item in value or ()]


@IntegerListField.register_lookup
class Overlaps(models.Lookup):
    """``field__overlaps=[...]``: the list shares an item with these (PostgreSQL's ``&&``,
    which a GIN index serves). Not available on SQLite."""

    lookup_name = "overlaps"

    def get_db_prep_lookup(self, value, connection):
        return "%s", [[int(item) for item in value]]

    def as_sql(self, compiler, connection):
        if connection.vendor != "postgresql":
            raise NotSupportedError("overlaps needs PostgreSQL's arrays")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} && {rhs}::integer[]", [*lhs_params, *rhs_params]
