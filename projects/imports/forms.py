"""Upload forms of schedule imports: the file (size checked before it is read) and the target."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import StyledForm
from projects.imports.common import MAX_BYTES
from projects.models import Project
from projects.models.registers import CostCategory

ALLOWED_SUFFIXES = (".xml", ".xer")


class ScheduleUploadForm(StyledForm):
    file = forms.FileField(
        label=_("Schedule file"),
        help_text=_("MS Project XML (.xml) or Primavera P6 (.xer), 20 MB at most."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,.xer"}),
    )
    cost_category = forms.ChoiceField(
        label=_("Cost category"),
        choices=CostCategory.choices,
        initial=CostCategory.OPEX,
        help_text=_("Category of the monthly cost lines when the file is cost-loaded."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Upload an MS Project XML (.xml) or Primavera P6 (.xer) file."))
        return upload


class NewProjectScheduleForm(ScheduleUploadForm):
    portfolio = forms.ModelChoiceField(label=_("Portfolio"), queryset=None)
    code = forms.SlugField(label=_("Code"), max_length=30)
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("Empty: the schedule's name.")
    )

    field_order = ["portfolio", "code", "name", "file", "cost_category"]

    def __init__(self, *args, portfolios, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].queryset = portfolios
        self.order_fields(self.field_order)

    def clean(self):
        data = super().clean()
        portfolio, code = data.get("portfolio"), data.get("code")
        if portfolio and code and Project.objects.filter(portfolio=portfolio, code=code).exists():
            self.add_error("code", _("A project with this code already exists in this portfolio."))
        return data

    def new_project(self) -> dict:
        data = self.cleaned_data
        return {"portfolio": data["portfolio"].pk, "code": data["code"], "name": data["name"]}
