"""Input validation for allocations, staffing, the heat map's filters and what-if changes."""

from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import DateInput, StyledForm, VersionedModelForm
from portfolio.models import Portfolio, Programme
from portfolio.resource_models import Resource, Role, Skill
from projects.capacity_selectors import CapacityFilters
from projects.models import Allocation


class AllocationForm(VersionedModelForm):
    """A booking on one project: a resource of the project's pool or a role (a staffing request)."""

    class Meta:
        model = Allocation
        fields = ["resource", "role", "start_date", "end_date", "unit", "percent", "hours_per_week", "note"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(
            portfolio_id=project.portfolio_id, archived_at__isnull=True
        ).select_related("role")
        self.fields["resource"].required = False
        self.fields["resource"].empty_label = _("— none: request the role —")
        self.fields["role"].queryset = Role.objects.all()
        self.fields["role"].required = False
        self.fields["role"].help_text = _("Leave empty to use the resource's role.")
        self.fields["percent"].widget.attrs.update({"step": "5", "min": "0", "max": "100"})
        self.style_fields()

    def _post_clean(self):
        """Field validation only: the service validates the allocation as a whole, with messages
        naming each field (the model's constraints stay as the database's last guard)."""
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self._update_errors(error)

    def add_service_errors(self, error) -> None:
        """A service's ValidationError on the form: a field's message beside it, others on top."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            self.add_error(field if field in self.fields else None, messages)


class StaffForm(StyledForm):
    resource = forms.ModelChoiceField(label=_("Resource"), queryset=Resource.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, allocation: Allocation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(
            portfolio_id=allocation.project.portfolio_id, role_id=allocation.role_id, archived_at__isnull=True
        ).order_by("name")
        if not self.is_bound:
            self.initial["version"] = allocation.version


class CapacityFilterForm(StyledForm):
    """The heat map's filters; invalid values fall back to the defaults (a GET never fails)."""

    view = forms.ChoiceField(
        label=_("View"), choices=[("person", _("By person")), ("role", _("By role"))], required=False
    )
    granularity = forms.ChoiceField(
        label=_("Period"), choices=[("week", _("Weeks")), ("month", _("Months"))], required=False
    )
    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    periods = forms.IntegerField(label=_("Columns"), required=False, min_value=1, max_value=78)
    portfolio = forms.ModelChoiceField(
        label=_("Portfolio"), queryset=Portfolio.objects.none(), required=False
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    department = forms.ChoiceField(label=_("Department"), required=False)
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=Skill.objects.all(), required=False)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), required=False)
    overloaded = forms.BooleanField(label=_("Overloaded only"), required=False)

    def __init__(self, *args, user, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].queryset = Portfolio.objects.visible_to(user).active()
        self.fields["programme"].queryset = (
            Programme.objects.visible_to(user).active().select_related("portfolio")
        )
        self.fields["department"].choices = [("", "—")] + [(d, d) for d in departments]
        self.fields["overloaded"].widget.attrs["class"] = "form-check-input"
        self.fields["periods"].widget.attrs["style"] = "width: 6rem"

    def filters(self) -> CapacityFilters:
        data = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        granularity = data.get("granularity") or "week"
        return CapacityFilters(
            start=data.get("start") or (today.replace(day=1) if granularity == "month" else today),
            periods=data.get("periods") or (6 if granularity == "month" else 12),
            granularity=granularity,
            view=data.get("view") or "person",
            portfolio=data["portfolio"].pk if data.get("portfolio") else None,
            programme=data["programme"].pk if data.get("programme") else None,
            department=data.get("department") or "",
            skill=data["skill"].pk if data.get("skill") else None,
            role=data["role"].pk if data.get("role") else None,
            only_overloaded=bool(data.get("overloaded")),
        )


class CellForm(forms.Form):
    """One heat-map cell: a resource or a role, and a period."""

    resource = forms.IntegerField(required=False)
    role = forms.IntegerField(required=False)
    start = forms.DateField()
    end = forms.DateField()

    def clean(self):
        data = super().clean()
        if not data.get("resource") and not data.get("role"):
            raise forms.ValidationError(_("Give a resource or a role."))
        if (
            data.get("start")
            and data.get("end")
            and (data["end"] < data["start"] or (data["end"] - data["start"]).days > 62)
        ):
            raise forms.ValidationError(_("A cell is at most two months long."))
        return data


class WhatIfForm(StyledForm):
    """Move or resize one allocation in the what-if draft (nothing is saved until confirmed)."""

    allocation = forms.IntegerField(widget=forms.HiddenInput)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput())
    end_date = forms.DateField(label=_("End date"), widget=DateInput())
    percent = forms.DecimalField(label=_("% of capacity"), required=False, max_digits=5, decimal_places=1)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week"), required=False, max_digits=5, decimal_places=1
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        percent, hours = data.get("percent"), data.get("hours_per_week")
        if percent is None and hours is None:
            self.add_error("percent", _("Give a % of capacity or hours per week."))
        if percent is not None and (percent <= 0 or percent > 100):
            self.add_error("percent", _("An allocation is between 0 % (excluded) and 100 % of capacity."))
        if hours is not None and hours <= 0:
            self.add_error("hours_per_week", _("Hours per week must be above 0."))
        return data


def iso(value: date) -> str:
    return value.isoformat()
