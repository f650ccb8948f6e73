"""Input validation for project pages; the views hand cleaned data to projects.services."""

import functools
from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import DateInput, StyledForm, VersionedModelForm
from portfolio.models import Portfolio, Programme
from projects.models import Milestone, Project, StatusReport
from projects.models.registers import CostCategory
from projects.permissions import PROJECT_FIELDS


class ProjectForm(VersionedModelForm):
    """Create or edit a project; only the fields the user may change are offered."""

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, editable_fields, portfolios=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name != "version" and name not in editable_fields:
                del self.fields[name]
        if "portfolio" in self.fields:
            self.fields["portfolio"].queryset = (
                portfolios if portfolios is not None else Portfolio.objects.none()
            )
            self.fields["portfolio"].empty_label = None
        if self.instance.portfolio_id:
            portfolio_ids = [self.instance.portfolio_id]
        elif portfolios is not None:
            portfolio_ids = list(portfolios.values_list("pk", flat=True))
        else:
            portfolio_ids = []
        if "programme" in self.fields:
            self.fields["programme"].queryset = Programme.objects.filter(
                portfolio_id__in=portfolio_ids, archived_at__isnull=True
            ).select_related("portfolio")
        people = (
            get_user_model()
            .objects.filter(memberships__portfolio_id__in=portfolio_ids, is_active=True)
            .distinct()
            .order_by("last_name", "first_name")
        )
        for name in ("manager", "deputy", "sponsor"):
            if name in self.fields:
                self.fields[name].queryset = people
        self.style_fields()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start is None and "start_date" not in self.fields:
            start = self.instance.start_date
        if end is None and "end_date" not in self.fields:
            end = self.instance.end_date
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        return cleaned


class ProjectMemberForm(StyledForm):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Person"))
    project_role = forms.CharField(max_length=100, required=False, label=_("Role in the project"))

    def __init__(self, *args, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model()
            .objects.filter(memberships__portfolio_id=project.portfolio_id, is_active=True)
            .order_by("last_name", "first_name")
        )
        self.style_fields()


class StatusReportForm(VersionedModelForm):
    """The weekly update: declared météo and comment per QCDR axis, progress and the narrative."""

    AXES = ("overall", "quality", "cost", "schedule", "risk")

    class Meta:
        model = StatusReport
        fields = [
            "overall",
            "overall_comment",
            "quality",
            "quality_comment",
            "cost",
            "cost_comment",
            "schedule",
            "schedule_comment",
            "risk",
            "risk_comment",
            "percent_complete",
            "achievements",
            "next_steps",
            "help_needed",
        ]
        widgets = {
            **dict.fromkeys(("overall", "quality", "cost", "schedule", "risk"), forms.RadioSelect),
            **{
                f"{axis}_comment": forms.Textarea(attrs={"rows": 1})
                for axis in ("overall", "quality", "cost", "schedule", "risk")
            },
            "achievements": forms.Textarea(attrs={"rows": 2}),
            "next_steps": forms.Textarea(attrs={"rows": 2}),
            "help_needed": forms.Textarea(attrs={"rows": 2}),
            "percent_complete": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for axis in self.AXES:
            self.fields[axis].required = True
        self.style_fields()
        for axis in self.AXES:
            self.fields[axis].widget.attrs.pop("class", None)

    def axis_rows(self):
        return [(self[axis], self[f"{axis}_comment"]) for axis in self.AXES]


class MilestoneQuickForm(StyledForm):
    forecast_date = forms.DateField(required=False, widget=DateInput(), label=_("Forecast date"))
    actual_date = forms.DateField(required=False, widget=DateInput(), label=_("Actual date"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class CostQuickForm(StyledForm):
    """This month's actual and forecast; an empty box means zero."""

    category = forms.ChoiceField(choices=CostCategory.choices, widget=forms.HiddenInput)
    actual = forms.DecimalField(
        min_value=0, max_digits=14, decimal_places=2, required=False, label=_("Actual")
    )
    forecast = forms.DecimalField(
        min_value=0, max_digits=14, decimal_places=2, required=False, label=_("Forecast")
    )

    def clean_actual(self):
        return self.cleaned_data["actual"] or Decimal("0")

    def clean_forecast(self):
        return self.cleaned_data["forecast"] or Decimal("0")


class RiskQuickForm(StyledForm):
    SCALE = [(n, str(n)) for n in range(1, 6)]
    probability = forms.TypedChoiceField(choices=SCALE, coerce=int, label=_("Probability"))
    impact = forms.TypedChoiceField(choices=SCALE, coerce=int, label=_("Impact"))
    version = forms.IntegerField(widget=forms.HiddenInput)


class RiskAddForm(StyledForm):
    SCALE = [(n, str(n)) for n in range(1, 6)]
    title = forms.CharField(max_length=200, label=_("New risk"))
    probability = forms.TypedChoiceField(choices=SCALE, coerce=int, label=_("Probability"), initial=3)
    impact = forms.TypedChoiceField(choices=SCALE, coerce=int, label=_("Impact"), initial=3)


class RegisterRowForm(VersionedModelForm):
    """Base of the register forms (milestones, risks, issues, assumptions, deliverables,
    dependencies): owners limited to the portfolio's members, links to projects the user can see."""

    def __init__(self, *args, user, project: Project, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner" in self.fields:
            self.fields["owner"].queryset = (
                get_user_model()
                .objects.filter(memberships__portfolio_id=project.portfolio_id, is_active=True)
                .distinct()
                .order_by("last_name", "first_name")
            )
        visible = Project.objects.visible_to(user)
        if "depends_on_project" in self.fields:
            self.fields["depends_on_project"].queryset = visible.exclude(pk=project.pk).order_by("code")
        if "depends_on_milestone" in self.fields:
            self.fields["depends_on_milestone"].queryset = (
                Milestone.objects.filter(project__in=visible.values("pk"))
                .select_related("project")
                .order_by("project__code", "name")
            )
            self.fields["depends_on_milestone"].label_from_instance = lambda m: f"{m.project.code} – {m.name}"
        self.style_fields()
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"


def _register_widget(db_field, **kwargs):
    if isinstance(db_field, models.DateField):
        kwargs["widget"] = DateInput()
    elif isinstance(db_field, models.TextField):
        kwargs["widget"] = forms.Textarea(attrs={"rows": 2})
    return db_field.formfield(**kwargs)


@functools.cache
def register_form_class(model: type[models.Model], fields: tuple[str, ...]) -> type[RegisterRowForm]:
    """One form class per register model and field list, built once."""
    return forms.modelform_factory(
        model, form=RegisterRowForm, fields=list(fields), formfield_callback=_register_widget
    )


class DocumentUploadForm(StyledForm):
    """Upload a file: a new version of an existing document, or a new (typed) document."""

    document = forms.ModelChoiceField(
        label=_("Document"),
        queryset=None,
        required=False,
        empty_label=_("— A new document —"),
        help_text=_("Choose a document to upload a new version of it."),
    )
    document_type = forms.ModelChoiceField(
        label=_("Document type"), queryset=None, required=False, empty_label=_("— Other —")
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("By default, the type's name.")
    )
    file = forms.FileField(label=_("File"))
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, project, **kwargs):
        from pmo.core.uploads import ACCEPT_ATTRIBUTE
        from portfolio.models import DocumentType

        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = project.documents.order_by("title")
        self.fields["document_type"].queryset = DocumentType.objects.filter(
            methodology_id=project.methodology_id
        ).order_by("name")
        self.fields["file"].widget.attrs["accept"] = ACCEPT_ATTRIBUTE
