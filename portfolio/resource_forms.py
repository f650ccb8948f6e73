"""Input validation for the resource pool pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import DateInput, StyledForm, VersionedModelForm
from portfolio.models import Portfolio
from portfolio.resource_models import Absence, Resource, ResourceSkill, Role, Skill


class ResourceForm(VersionedModelForm):
    skills = forms.CharField(
        label=_("Skills"),
        required=False,
        help_text=_("One per line: skill name, then its level 1 to 4 after a colon (e.g. “Java: 3”)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Resource
        fields = [
            "portfolio",
            "name",
            "user",
            "role",
            "department",
            "manager",
            "cost_rate_per_day",
            "hours_per_week",
            "working_time_pct",
            "available_from",
            "available_until",
        ]
        widgets = {"available_from": DateInput(), "available_until": DateInput()}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name")
        self.fields["user"].queryset = users
        self.fields["manager"].queryset = users
        self.fields["role"].queryset = Role.objects.all()
        if self.instance.pk:
            del self.fields["portfolio"]
            if not self.is_bound:
                self.initial["skills"] = "\n".join(
                    f"{s.skill.name}: {s.level}" for s in self.instance.skills.select_related("skill")
                )
        else:
            self.fields["portfolio"].queryset = Portfolio.objects.editable_by(user).active()
            self.fields["portfolio"].empty_label = None
        self.style_fields()

    def clean_skills(self) -> dict:
        parsed = {}
        names = {s.name.lower(): s for s in Skill.objects.all()}
        for number, line in enumerate(self.cleaned_data["skills"].splitlines(), start=1):
            if not line.strip():
                continue
            name, _sep, level = line.partition(":")
            skill = names.get(name.strip().lower())
            if skill is None:
                raise forms.ValidationError(
                    _("Line %(n)s: unknown skill “%(name)s”.") % {"n": number, "name": name.strip()}
                )
            try:
                value = int(level.strip() or ResourceSkill.Level.PRACTICE)
            except ValueError:
                value = 0
            if value not in ResourceSkill.Level.values:
                raise forms.ValidationError(_("Line %(n)s: the level is 1 to 4.") % {"n": number})
            parsed[skill] = value
        return parsed

    def changed_values(self) -> dict:
        values = super().changed_values()
        values.pop("skills", None)
        return values


class AbsenceForm(forms.ModelForm):
    class Meta:
        model = Absence
        fields = ["start_date", "end_date", "reason"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        return data


class ResourceFilterForm(StyledForm):
    q = forms.CharField(label=_("Search"), required=False)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), required=False)
    department = forms.CharField(label=_("Department"), required=False)
