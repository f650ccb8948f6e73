"""Forms of the portfolio's strategy frame (objectives, criteria, appraisal settings)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import VersionedModelForm
from portfolio.models import PortfolioStrategySettings, ScoringCriterion, StrategicObjective


class ObjectiveForm(VersionedModelForm):
    class Meta:
        model = StrategicObjective
        fields = ("code", "name", "description", "weight", "active")
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
        self.fields["active"].widget.attrs["class"] = "form-check-input"


class CriterionForm(VersionedModelForm):
    levels_text = forms.CharField(
        label=_("Description of each level"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One line per level: “1: no measurable value”."),
    )

    class Meta:
        model = ScoringCriterion
        fields = (
            "code",
            "name",
            "description",
            "weight",
            "scale_low",
            "scale_high",
            "lower_is_better",
            "active",
        )
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.level_descriptions:
            self.initial["levels_text"] = "\n".join(
                f"{level}: {text}"
                for level, text in sorted(self.instance.level_descriptions.items(), key=lambda i: int(i[0]))
            )
        self.style_fields()
        for name in ("lower_is_better", "active"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("scale_low"), cleaned.get("scale_high")
        if low is not None and high is not None and high <= low:
            self.add_error("scale_high", _("The top of the scale must be above its bottom."))
        levels = {}
        for number, line in enumerate((cleaned.get("levels_text") or "").splitlines(), 1):
            if not line.strip():
                continue
            level, sep, text = line.partition(":")
            try:
                level_number = int(level.strip())
            except ValueError:
                level_number = None
            if not sep or level_number is None:
                self.add_error("levels_text", _("Line %(n)d: write “level: description”.") % {"n": number})
                continue
            if low is not None and high is not None and not low <= level_number <= high:
                self.add_error(
                    "levels_text",
                    _("Line %(n)d: level %(level)d is outside the scale.")
                    % {"n": number, "level": level_number},
                )
                continue
            levels[str(level_number)] = text.strip()
        cleaned["level_descriptions"] = levels
        return cleaned

    def changed_values(self) -> dict:
        values = super().changed_values()
        values["level_descriptions"] = self.cleaned_data.get("level_descriptions", {})
        return values


class StrategySettingsForm(VersionedModelForm):
    class Meta:
        model = PortfolioStrategySettings
        fields = ("discount_rate", "benefit_tolerance_pct")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
