"""Form plumbing: the version a form was read at travels with it (optimistic locking)."""

from django import forms
from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _(
    "Someone else changed this record since you opened it. Reload the page to see their change."
)


class StyledFormMixin:
    """Bootstrap classes on every widget; invalid fields marked for sighted and screen-reader users."""

    def style_fields(self) -> None:
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = attrs.get("class", "") + " is-invalid"
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{name}_error"


class StyledForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()


class VersionedModelForm(StyledFormMixin, forms.ModelForm):
    """A ModelForm carrying the record's version in a hidden field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def changed_values(self) -> dict:
        """The cleaned model fields of this form (not the version), ready for a service."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.cleaned_data}

    def add_stale_error(self) -> None:
        self.add_error(None, STALE_MESSAGE)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def save_versioned_form(form: VersionedModelForm, save) -> bool:
    """Hand a valid form's values and version to `save(version=, data=)`; put a stale version or a
    service's validation errors back on the form. True when saved."""
    from django.core.exceptions import ValidationError

    from pmo.core.locking import StaleVersionError

    if not form.is_valid():
        return False
    try:
        save(version=form.cleaned_data.get("version") or 0, data=form.changed_values())
    except StaleVersionError:
        form.add_stale_error()
        return False
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True
