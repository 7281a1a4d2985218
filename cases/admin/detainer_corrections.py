"""The case (detainer) change form: changing the verification status needs a correction note,
which is saved as a public Correction in the same transaction as the change.

Cases in a published report cannot be deleted here: they are retracted, with a reason.
"""

from django import forms
from django.utils import timezone

from ..models import Correction, Detainer

NOTE_FIELDS = ["correction_what_changed", "correction_reason", "correction_source"]
NEEDED = (
    "Changing the verification status needs a correction note: say what changed, why, "
    "and the source of the correction (for example the agency’s letter)."
)


class DetainerCorrectionForm(forms.ModelForm):
    correction_date = forms.DateField(label="Date of the correction", required=False, initial=timezone.localdate)
    correction_what_changed = forms.CharField(
        label="What changed", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    correction_reason = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    correction_source = forms.CharField(
        label="Source of the correction",
        required=False,
        max_length=300,
        help_text="For example: letter from the agency, 22 Mar 2017; ICE corrected edition.",
    )
    correction_source_url = forms.URLField(label="Source URL", required=False, max_length=500)

    class Meta:
        model = Detainer
        fields = "__all__"  # noqa: DJ007 - the admin's fieldsets choose what is shown

    def clean(self):
        cleaned = super().clean()
        status_changed = self.instance.pk and "verification_status" in self.changed_data
        note_started = any(cleaned.get(name) for name in NOTE_FIELDS)
        if status_changed or note_started:
            for name in NOTE_FIELDS:
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, NEEDED if status_changed else "Complete the correction note, or clear it.")
        return cleaned

    def has_correction(self):
        return any((self.cleaned_data.get(name) or "").strip() for name in NOTE_FIELDS)

    def build_correction(self, detainer, user):
        data = self.cleaned_data
        return Correction(
            detainer=detainer,
            report=detainer.report,
            published_on=data.get("correction_date") or timezone.localdate(),
            what_changed=data["correction_what_changed"].strip(),
            reason=data["correction_reason"].strip(),
            source=data["correction_source"].strip(),
            source_url=data.get("correction_source_url") or "",
            recorded_by=user,
        )


class DetainerCorrectionMixin:
    """For DetainerAdmin: the correction note fieldset, its saving, and no silent deletion."""

    form = DetainerCorrectionForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append(
                (
                    "Correction note",
                    {
                        "fields": [
                            "correction_date",
                            "correction_what_changed",
                            "correction_reason",
                            "correction_source",
                            "correction_source_url",
                        ],
                        "description": "Required when you change the verification status. It is published in the "
                        "corrections log and on the case page.",
                    },
                )
            )
        return fieldsets

    def save_model(self, request, obj, form, change):
        correction = form.build_correction(obj, request.user) if change and form.has_correction() else None
        if correction is not None:
            obj._change_reason = f"Correction: {correction.what_changed}"[:100]
        super().save_model(request, obj, form, change)
        if correction is not None:
            correction.detainer = obj
            correction._change_reason = "Recorded with a change to the case"
            correction.full_clean()
            correction.save()

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.report_id and obj.report.is_published:
            return False  # a published case is retracted, with its reason, never deleted
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk deletion would bypass the per-case check
        return actions
