"""The one-field forms of the two-factor steps."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import StyledForm


class CodeForm(StyledForm):
    """A code from the authenticator app (6 digits), or, where allowed, a backup code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        strip=True,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "autocapitalize": "none",
                "spellcheck": "false",
                "autofocus": True,
            }
        ),
    )

    def __init__(self, *args, allow_backup: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.allow_backup = allow_backup
        if not allow_backup:
            self.fields["code"].widget.attrs["inputmode"] = "numeric"
            self.fields["code"].help_text = _("The 6-digit code shown by your authenticator app.")
        else:
            self.fields["code"].help_text = _(
                "The 6-digit code shown by your authenticator app, or one of your backup codes."
            )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split()).replace("-", "")
        if not self.allow_backup and not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the 6 digits shown by your authenticator app."))
        if not code:
            raise forms.ValidationError(_("Enter a code."))
        return code

    def add_error(self, field, error) -> None:
        """Errors found after validation (a wrong code) are marked on the field too."""
        super().add_error(field, error)
        if field in self.fields:
            attrs = self.fields[field].widget.attrs
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = attrs.get("class", "") + " is-invalid"
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"id_{field}_error"
