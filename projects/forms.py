"""Input validation for project pages; the views hand cleaned data to projects.services."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import DateInput, StyledForm, VersionedModelForm
from portfolio.models import Portfolio, Programme
from projects.models import Project
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
