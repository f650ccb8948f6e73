"""Forms of change control, committees, decisions, actions and lessons; views hand their
cleaned_data to the services, which validate again and write all or nothing."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from governance import changes
from governance.models import Action, ChangeRequest, Decision, LessonLearned, Meeting, SteeringCommittee
from pmo.core.forms import DateInput, StyledForm, StyledFormMixin, VersionedModelForm
from projects.models.registers import CostCategory


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m", **kwargs)


class ChangeRequestForm(VersionedModelForm):
    """The request and its impacts; one optional new baseline date per milestone of the project
    (`milestone_<id>`); the cost plan changes come in a CostChangeFormSet (prefix "costs")."""

    class Meta:
        model = ChangeRequest
        fields = [
            "title",
            "description",
            "reason",
            "cost_impact",
            "schedule_impact_days",
            "scope_impact",
            "quality_impact",
            "risk_impact",
            "benefits_impact",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields if name.endswith("impact")} | {
            "description": forms.Textarea(attrs={"rows": 4}),
            "reason": forms.Textarea(attrs={"rows": 3}),
            "cost_impact": forms.NumberInput(attrs={"step": "0.01"}),
            "schedule_impact_days": forms.NumberInput(),
        }

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        proposed = {
            row["milestone"]: row["baseline_date"] for row in (self.instance.proposed_milestones or [])
        }
        self.milestones = list(milestones)
        for milestone in self.milestones:
            name = f"milestone_{milestone.pk}"
            self.fields[name] = forms.DateField(
                label=milestone.name,
                required=False,
                widget=DateInput(),
                help_text=milestone.baseline_date.strftime("%d/%m/%Y") if milestone.baseline_date else "",
            )
            if milestone.pk in proposed and not self.is_bound:
                self.initial[name] = proposed[milestone.pk]
        self.style_fields()

    def milestone_fields(self):
        return [self[f"milestone_{m.pk}"] for m in self.milestones]

    def visible_main_fields(self):
        return [self[name] for name in self._meta.fields]

    def proposed_milestones(self) -> list[dict]:
        return [
            {"milestone": m.pk, "baseline_date": self.cleaned_data[f"milestone_{m.pk}"].isoformat()}
            for m in self.milestones
            if self.cleaned_data.get(f"milestone_{m.pk}")
        ]


class CostChangeForm(StyledForm):
    month = forms.DateField(
        label=_("Month"), required=False, widget=MonthInput(), input_formats=["%Y-%m", "%Y-%m-%d"]
    )
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices, required=False)
    amount = forms.DecimalField(
        label=_("Change of the planned amount"), max_digits=14, decimal_places=2, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("amount") not in (None, 0) and not data.get("month"):
            self.add_error("month", _("Give the month of this change."))
        return data


CostChangeFormSet = forms.formset_factory(CostChangeForm, extra=0, max_num=24, validate_max=True)


def cost_formset(change_request: ChangeRequest | None, data=None):
    initial = [
        {"month": row["month"], "category": row["category"], "amount": row["amount"]}
        for row in ((change_request.proposed_costs if change_request else None) or [])
    ]
    formset_class = forms.formset_factory(
        CostChangeForm, extra=max(1, 3 - len(initial)), max_num=24, validate_max=True
    )
    return formset_class(data=data, initial=initial, prefix="costs")


def proposed_costs(formset) -> list[dict]:
    return [
        {
            "month": form.cleaned_data["month"].replace(day=1).isoformat(),
            "category": form.cleaned_data.get("category") or CostCategory.OPEX,
            "amount": str(form.cleaned_data["amount"]),
        }
        for form in formset.forms
        if form.cleaned_data.get("month") and form.cleaned_data.get("amount") not in (None, 0)
    ]


class AssessForm(StyledForm):
    assessment = forms.CharField(
        label=_("Assessment of the impacts"), widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DecideForm(StyledForm):
    """A decision: its outcome among `outcomes`, its rationale, and for "tolerances changed" the new
    tolerances (only those given change)."""

    outcome = forms.ChoiceField(label=_("Decision"))
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, outcomes=changes.CR_OUTCOMES, with_tolerances=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o, Decision.Outcome(o).label) for o in outcomes]
        if with_tolerances:
            self.fields["cost_tolerance_pct"] = forms.DecimalField(
                label=_("New cost tolerance (%)"),
                required=False,
                max_digits=5,
                decimal_places=1,
                min_value=0,
                max_value=500,
            )
            self.fields["time_tolerance_days"] = forms.IntegerField(
                label=_("New time tolerance (working days)"), required=False, min_value=0, max_value=250
            )
            self.fields["risk_red_score"] = forms.IntegerField(
                label=_("New risk score for red"), required=False, min_value=1, max_value=25
            )
            self.fields["risk_amber_score"] = forms.IntegerField(
                label=_("New risk score for amber"), required=False, min_value=1, max_value=25
            )
            for name, label in (
                ("scope_tolerance_pct", _("New scope tolerance (%)")),
                ("quality_tolerance_pct", _("New quality tolerance (%)")),
                ("benefit_tolerance_pct", _("New benefit tolerance (%)")),
            ):
                self.fields[name] = forms.DecimalField(
                    label=label, required=False, max_digits=5, decimal_places=1, min_value=0, max_value=500
                )
        self.style_fields()

    def tolerances(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in changes.TOLERANCE_FIELDS if name in self.fields}


def _people(queryset):
    return forms.ModelMultipleChoiceField(
        label=_("Attendees"),
        queryset=queryset,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )


class MeetingForm(VersionedModelForm):
    class Meta:
        model = Meeting
        fields = ["starts_at", "duration_minutes", "place", "attendees"]
        widgets = {
            "starts_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
        }

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        self.fields["attendees"] = _people(people if people is not None else get_user_model().objects.none())
        self.style_fields()


class CommitteeForm(StyledFormMixin, forms.ModelForm):
    """A committee's portfolio (on creation only, among those the user administers), programme, name,
    chair, usual place and members (among the portfolio's members; the service checks again)."""

    class Meta:
        model = SteeringCommittee
        fields = ["portfolio", "programme", "name", "chair", "members", "default_place"]

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, portfolios, programmes, people, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["portfolio"]
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        else:
            self.fields["portfolio"].queryset = portfolios
            self.fields["portfolio"].empty_label = None
        self.fields["programme"].queryset = programmes
        self.fields["programme"].required = False
        self.fields["chair"].queryset = people
        self.fields["members"] = forms.ModelMultipleChoiceField(
            label=_("Members"),
            queryset=people,
            required=False,
            widget=forms.SelectMultiple(attrs={"size": 8}),
            help_text=_("Chosen among the portfolio's members."),
        )
        self.style_fields()


class MinutesForm(StyledForm):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class AgendaItemForm(StyledForm):
    title = forms.CharField(label=_("Item"), max_length=300)
    detail = forms.CharField(label=_("Detail"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        self.style_fields()


class ActionForm(StyledForm):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput())
    project = forms.ModelChoiceField(label=_("Project"), queryset=None, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, people, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people
        self.fields["project"].queryset = projects
        self.style_fields()


class ActionStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=Action.Status.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class LessonForm(VersionedModelForm):
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separated by commas, e.g. reprise de données, ERP."),
    )

    class Meta:
        model = LessonLearned
        fields = [
            "title",
            "category",
            "project",
            "context",
            "what_happened",
            "recommendation",
            "tags",
            "methodology",
            "stage",
        ]
        widgets = {
            "context": forms.Textarea(attrs={"rows": 3}),
            "what_happened": forms.Textarea(attrs={"rows": 4}),
            "recommendation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(self.instance.tags or [])
        self.style_fields()

    def clean_tags(self):
        return [t.strip() for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]


class LessonSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *LessonLearned.Category.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
