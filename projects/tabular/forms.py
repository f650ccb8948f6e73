"""The upload form of spreadsheet imports: the file (size checked before reading) and, for a CSV, the
object type (guessed from the header when left empty)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import StyledForm
from projects.tabular.safety import MAX_UPLOAD_BYTES

ALLOWED_SUFFIXES = (".xlsx", ".csv", ".txt")

OBJECT_CHOICES = [
    ("", _("Guess from the header")),
    ("projects", _("Projects")),
    ("milestones", _("Milestones")),
    ("cost_lines", _("Cost lines")),
    ("risks", _("Risks")),
    ("issues", _("Issues")),
]


class TabularUploadForm(StyledForm):
    file = forms.FileField(
        label=_("Excel workbook or CSV file"),
        help_text=_(
            "An .xlsx workbook (one sheet per object type) or a CSV file (one object type), 20 MB at most."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )
    object_type = forms.ChoiceField(
        label=_("Objects in a CSV file"), choices=OBJECT_CHOICES, required=False, initial=""
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(_("Upload an Excel workbook (.xlsx) or a CSV file (.csv)."))
        return upload
