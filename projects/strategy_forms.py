"""Forms of a project's strategy tab: objectives served, scores, benefits and measurements."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import DateInput, StyledForm, VersionedModelForm
from projects.models import Benefit, BenefitMeasurement, ProjectObjective


class ObjectivesForm(StyledForm):
    """One contribution level (0–3) per objective of the portfolio."""

    def __init__(self, *args, objectives, links: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = list(objectives)
        for objective in self.objectives:
            self.fields[f"objective_{objective.pk}"] = forms.TypedChoiceField(
                label=str(objective),
                choices=ProjectObjective.Contribution.choices,
                coerce=int,
                required=False,
                empty_value=0,
                initial=links.get(objective.pk, 0),
            )
        self.style_fields()

    def contributions(self) -> dict[int, int]:
        return {o.pk: self.cleaned_data[f"objective_{o.pk}"] for o in self.objectives}


class ScoresForm(StyledForm):
    """A value on its scale and a comment per active criterion; an empty value clears the score.
    The scale is checked by the service too (an API or a crafted POST gets the same answer)."""

    def __init__(self, *args, criteria, scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            score = scores.get(criterion.pk)
            self.fields[f"value_{criterion.pk}"] = forms.IntegerField(
                label=criterion.name,
                required=False,
                initial=score.value if score else None,
                help_text=_("From %(low)d to %(high)d%(direction)s.")
                % {
                    "low": criterion.scale_low,
                    "high": criterion.scale_high,
                    "direction": _(", lower is better") if criterion.lower_is_better else "",
                },
                widget=forms.NumberInput(attrs={"min": criterion.scale_low, "max": criterion.scale_high}),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Why"),
                required=False,
                initial=score.comment if score else "",
                widget=forms.TextInput(),
            )
        self.style_fields()

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            value = cleaned.get(f"value_{criterion.pk}")
            if value is not None and not criterion.scale_low <= value <= criterion.scale_high:
                self.add_error(
                    f"value_{criterion.pk}",
                    _("%(name)s is scored from %(low)d to %(high)d.")
                    % {"name": criterion.name, "low": criterion.scale_low, "high": criterion.scale_high},
                )
        return cleaned

    def rows(self):
        for criterion in self.criteria:
            yield criterion, self[f"value_{criterion.pk}"], self[f"comment_{criterion.pk}"]

    def values(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (self.cleaned_data.get(f"value_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}", ""))
            for c in self.criteria
        }


class BenefitForm(VersionedModelForm):
    class Meta:
        model = Benefit
        fields = (
            "description",
            "category",
            "measure",
            "unit",
            "baseline",
            "target",
            "owner",
            "expected_date",
            "state",
            "yearly_value",
            "years",
        )
        widgets = {"expected_date": DateInput()}

    def __init__(self, *args, portfolio_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model()
            .objects.filter(memberships__portfolio_id=portfolio_id, is_active=True)
            .order_by("last_name", "first_name")
        )
        self.style_fields()


class MeasurementForm(VersionedModelForm):
    class Meta:
        model = BenefitMeasurement
        fields = ("date", "value", "comment")
        widgets = {"date": DateInput(), "comment": forms.TextInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()
