"""Forms of governance pages: the exception report (with its options) and the closing decision."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from governance.models import ExceptionReport, GateReview, ProjectException
from pmo.core.forms import StyledForm, VersionedModelForm

MAX_OPTIONS = 6


class ExceptionReportForm(VersionedModelForm):
    """The report's texts; its options come with it in an OptionFormSet (prefix "options")."""

    class Meta:
        model = ExceptionReport
        fields = ["title", "cause", "consequences", "recommendation", "decision_requested"]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 6}),
            "consequences": forms.Textarea(attrs={"rows": 10}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
            "decision_requested": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class OptionForm(StyledForm):
    """One option of the report and its impact; a row left empty is ignored."""

    title = forms.CharField(label=_("Option"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cost_impact = forms.DecimalField(
        label=_("Cost impact"),
        max_digits=14,
        decimal_places=2,
        required=False,
        localize=True,
        help_text=_("Against the budget (BAC); negative for a saving."),
    )
    schedule_impact_days = forms.IntegerField(
        label=_("Schedule impact (working days)"), required=False, min_value=-1000, max_value=5000
    )
    risk = forms.CharField(label=_("Risks"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        filled = any(
            data.get(name) not in (None, "")
            for name in ("description", "cost_impact", "schedule_impact_days", "risk")
        )
        if filled and not data.get("title"):
            self.add_error("title", _("Give this option a title."))
        return data

    def as_option(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("title"):
            return None
        return {
            "title": data["title"],
            "description": data.get("description") or "",
            "cost_impact": data.get("cost_impact"),
            "schedule_impact_days": data.get("schedule_impact_days"),
            "risk": data.get("risk") or "",
        }


BaseOptionFormSet = forms.formset_factory(OptionForm, extra=0, max_num=MAX_OPTIONS, validate_max=True)


class OptionFormSet(BaseOptionFormSet):
    def options(self) -> list[dict]:
        return [option for form in self.forms if (option := form.as_option()) is not None]


def option_formset(report: ExceptionReport, data=None) -> OptionFormSet:
    """The options of `report` as rows, plus empty rows up to three (one at least), at most six."""
    initial = [
        {
            "title": o.get("title", ""),
            "description": o.get("description", ""),
            "cost_impact": Decimal(o["cost_impact"]) if o.get("cost_impact") not in (None, "") else None,
            "schedule_impact_days": o.get("schedule_impact_days"),
            "risk": o.get("risk", ""),
        }
        for o in (report.options or [])
        if isinstance(o, dict)
    ]
    extra = min(MAX_OPTIONS - len(initial), max(1, 3 - len(initial)))
    formset_class = forms.formset_factory(
        OptionForm, formset=OptionFormSet, extra=max(extra, 0), max_num=MAX_OPTIONS, validate_max=True
    )
    return formset_class(data=data, initial=initial, prefix="options")


class CloseExceptionForm(StyledForm):
    """The decision that closes an exception (sponsor or PMO)."""

    note = forms.CharField(
        label=_("Decision"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was decided, by whom and when (e.g. the steering committee of 12 March)."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RaiseExceptionForm(StyledForm):
    """An exception raised by hand by the project manager or the PMO. For cost, time and risk the
    forecast and the limit may stay empty: the measured figures are used."""

    tolerance = forms.ChoiceField(label=_("Tolerance"), choices=ProjectException.Tolerance.choices)
    summary = forms.CharField(
        label=_("What is forecast to be breached"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    forecast_value = forms.DecimalField(
        label=_("Forecast"), max_digits=14, decimal_places=2, required=False, localize=True
    )
    limit = forms.DecimalField(
        label=_("Limit"), max_digits=14, decimal_places=2, required=False, localize=True
    )


# --- Gate reviews ---------------------------------------------------------------------------------


class GateRequestForm(StyledForm):
    """The request of the current gate: one answer (and comment) per criterion, the linked document
    versions (the current versions of the project's documents; required ones pre-selected)."""

    documents = forms.ModelMultipleChoiceField(
        label=_("Documents submitted to the gate"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comment = forms.CharField(
        label=_("Comment to the deciders"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, gate, versions, initial_versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = gate
        self.fields["documents"].queryset = versions
        self.fields["documents"].label_from_instance = lambda v: (
            f"{v.document.title} — v{v.number} ({v.document.get_status_display()})"
        )
        if not self.is_bound:
            self.initial["documents"] = [v.pk for v in initial_versions]
        for index, criterion in enumerate(gate.criteria):
            self.fields[f"answer_{index}"] = forms.ChoiceField(
                label=criterion,
                choices=[("", "—"), *GateReview.Answer.choices],
                widget=forms.RadioSelect,
            )
            self.fields[f"comment_{index}"] = forms.CharField(
                label=_("Comment"), required=False, max_length=2000
            )
        self.style_fields()
        for index in range(len(gate.criteria)):
            self.fields[f"answer_{index}"].widget.attrs["class"] = "form-check-input"
        self.fields["documents"].widget.attrs["class"] = "form-check-input"

    def criteria_rows(self):
        return [(self[f"answer_{i}"], self[f"comment_{i}"]) for i in range(len(self.gate.criteria))]

    def checklist(self) -> list[dict]:
        return [
            {
                "answer": self.cleaned_data.get(f"answer_{i}", ""),
                "comment": self.cleaned_data.get(f"comment_{i}", ""),
            }
            for i in range(len(self.gate.criteria))
        ]


class GateDecisionForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=GateReview.Decision.choices, widget=forms.RadioSelect
    )
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}))
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for a go with conditions."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].widget.attrs["class"] = "form-check-input"
