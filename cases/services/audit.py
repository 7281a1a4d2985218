"""The audit trail of one report: every history record of the report, its cases, their
individuals, arrests and charges, and its corrections, since a moment (usually publication)."""

from dataclasses import dataclass, field

from ..models import Arrest, ArrestCharge, Correction, Detainer, Individual, Report

IGNORED_FIELDS = ["updated_at", "created_at"]
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


@dataclass
class AuditEntry:
    when: object
    who: object
    what: str
    action: str
    reason: str
    changes: list = field(default_factory=list)  # (field label, old, new)


def _records(report):
    individual_ids = set(Detainer.history.filter(report_id=report.pk).values_list("individual_id", flat=True))
    arrest_ids = set(Arrest.history.filter(individual_id__in=individual_ids).values_list("id", flat=True))
    return [
        Report.history.filter(id=report.pk),
        Detainer.history.filter(report_id=report.pk),
        Individual.history.filter(id__in=individual_ids),
        Arrest.history.filter(id__in=arrest_ids),
        ArrestCharge.history.filter(arrest_id__in=arrest_ids),
        Correction.history.filter(report_id=report.pk),
    ]


def changes_since(report, since):
    """Every recorded change since ``since``, newest first."""
    entries = []
    for history in _records(report):
        for record in history.filter(history_date__gte=since).select_related("history_user"):
            entry = AuditEntry(
                when=record.history_date,
                who=record.history_user,
                what=f"{record.instance._meta.verbose_name.capitalize()}: {record.instance}",
                action=HISTORY_TYPES.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
            )
            if record.history_type == "~" and record.prev_record is not None:
                delta = record.diff_against(record.prev_record, excluded_fields=IGNORED_FIELDS)
                model = record.instance._meta
                entry.changes = [
                    (
                        model.get_field(c.field).verbose_name,
                        _show(c.old, model.get_field(c.field)),
                        _show(c.new, model.get_field(c.field)),
                    )
                    for c in delta.changes
                ]
                if not entry.changes:
                    continue
            entries.append(entry)
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


def _show(value, model_field):
    if value in (None, ""):
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    return str(value)
