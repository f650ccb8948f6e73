"""Forms of the methodology pages (PMO officers)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import StyledForm, VersionedModelForm
from portfolio.models import DocumentType, Methodology


class MethodologyForm(VersionedModelForm):
    class Meta:
        model = Methodology
        fields = ["code", "name", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.fields["is_active"].widget.attrs["class"] = "form-check-input"


class StageForm(StyledForm):
    name = forms.CharField(label=_("Stage"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    gate_name = forms.CharField(label=_("Gate at the end of the stage"), max_length=150)
    criteria = forms.CharField(
        label=_("Checklist criteria"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line."),
    )
    required_document_types = forms.ModelMultipleChoiceField(
        label=_("Required documents"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, methodology, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["required_document_types"].queryset = DocumentType.objects.filter(methodology=methodology)
        self.fields["required_document_types"].widget.attrs["class"] = "me-1"


class DocumentTypeForm(StyledForm):
    code = forms.SlugField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    template = forms.FileField(
        label=_("Template"), required=False, help_text=_("Optional; replaces the current template.")
    )
