"""Input validation for portfolio and programme pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import DateInput, StyledForm, VersionedModelForm
from pmo.core.roles import Role
from portfolio.models import Membership, Portfolio, Programme

# The tolerances every project of the portfolio gets unless its stage or itself overrides them (the
# benefit tolerance is with the strategy settings).
PORTFOLIO_TOLERANCE_FIELDS = (
    "cost_tolerance_pct",
    "time_tolerance_days",
    "risk_red_score",
    "risk_amber_score",
    "scope_tolerance_pct",
    "quality_tolerance_pct",
)


class PortfolioForm(VersionedModelForm):
    class Meta:
        model = Portfolio
        fields = [
            "code",
            "name",
            "description",
            "currency",
            "fiscal_year_start_month",
            "allocation_mode",
            *PORTFOLIO_TOLERANCE_FIELDS,
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The code is a natural key used by imports and integrations: fixed once created.
            del self.fields["code"]
        # Optional in the form: a form that does not send it keeps the current mode.
        self.fields["allocation_mode"].required = False
        # The default tolerances too: a form that does not send one keeps the current figure.
        for name in PORTFOLIO_TOLERANCE_FIELDS:
            self.fields[name].required = False
        self.style_fields()

    def clean(self):
        cleaned = super().clean()
        for name in PORTFOLIO_TOLERANCE_FIELDS:
            if name in cleaned and cleaned[name] is None:
                cleaned[name] = getattr(self.instance, name)
        return cleaned

    def clean_allocation_mode(self) -> str:
        return (
            self.cleaned_data.get("allocation_mode")
            or self.instance.allocation_mode
            or Portfolio.AllocationMode.FLEXIBLE
        )


class ProgrammeForm(VersionedModelForm):
    class Meta:
        model = Programme
        fields = [
            "portfolio",
            "code",
            "name",
            "description",
            "manager",
            "sponsor",
            "state",
            "start_date",
            "end_date",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args, portfolios, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["portfolio"]
            del self.fields["code"]
            portfolio_ids = [self.instance.portfolio_id]
        else:
            self.fields["portfolio"].queryset = portfolios
            self.fields["portfolio"].empty_label = None
            portfolio_ids = list(portfolios.values_list("pk", flat=True))
        people = (
            get_user_model()
            .objects.filter(memberships__portfolio_id__in=portfolio_ids, is_active=True)
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["manager"].queryset = people
        self.fields["sponsor"].queryset = people
        self.style_fields()

    def clean(self):
        cleaned = super().clean()
        portfolio = cleaned.get("portfolio") or getattr(self.instance, "portfolio", None)
        for name in ("manager", "sponsor"):
            person = cleaned.get(name)
            if (
                person
                and portfolio
                and not Membership.objects.filter(portfolio=portfolio, user=person).exists()
            ):
                self.add_error(name, _("This person is not a member of the portfolio."))
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date must be on or after the start date."))
        return cleaned


class MembershipForm(StyledForm):
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Person"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.TEAM_MEMBER)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name", "username")
        )
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )
