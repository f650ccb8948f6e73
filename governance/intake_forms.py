"""Forms of the project intake: the proposal (its objectives and role efforts as one field each,
built from the portfolio's objectives and pool), the decision, and a comment. They parse input;
the rules are the service's (governance.intake)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from governance.intake import pool_roles
from governance.models import ProjectProposal
from pmo.core.forms import DateInput, StyledForm
from portfolio.models import Programme, StrategicObjective

YEAR_ROWS = 3
CONTRIBUTIONS = [("0", "—"), ("1", _("Low")), ("2", _("Medium")), ("3", _("High"))]


class ProposalForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(label=_("Problem / business need"), widget=forms.Textarea(attrs={"rows": 4}))
    expected_benefits = forms.CharField(
        label=_("Expected benefits"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    requested_sponsor = forms.ModelChoiceField(label=_("Requested sponsor"), queryset=None, required=False)
    proposed_manager = forms.ModelChoiceField(
        label=_("Proposed project manager"), queryset=None, required=False
    )
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None, required=False)
    desired_start = forms.DateField(label=_("Desired start"), widget=DateInput)
    desired_end = forms.DateField(label=_("Desired end"), widget=DateInput)
    capex = forms.DecimalField(
        label=_("Estimated CAPEX (total)"), required=False, max_digits=14, decimal_places=2
    )
    opex = forms.DecimalField(
        label=_("Estimated OPEX (total)"), required=False, max_digits=14, decimal_places=2
    )
    mandatory = forms.BooleanField(label=_("Regulatory / mandatory"), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=ProjectProposal.Urgency.choices, initial="normal")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, portfolio, proposal: ProjectProposal | None = None, **kwargs):
        if proposal is not None and not args and "initial" not in kwargs:
            kwargs["initial"] = self.initial_from(proposal)
        super().__init__(*args, **kwargs)
        members = get_user_model().objects.filter(memberships__portfolio=portfolio, is_active=True).distinct()
        members = members.order_by("last_name", "first_name", "username")
        self.fields["requested_sponsor"].queryset = members
        self.fields["proposed_manager"].queryset = members
        self.fields["programme"].queryset = Programme.objects.filter(portfolio=portfolio).order_by("name")
        self.objectives = list(
            StrategicObjective.objects.filter(portfolio=portfolio, active=True).order_by("code")
        )
        for objective in self.objectives:
            self.fields[f"objective_{objective.pk}"] = forms.TypedChoiceField(
                label=objective.name, choices=CONTRIBUTIONS, coerce=int, required=False, empty_value=0
            )
        self.roles = list(pool_roles(portfolio.pk))
        for role in self.roles:
            self.fields[f"effort_{role.pk}"] = forms.DecimalField(
                label=role.name, required=False, min_value=0, max_digits=8, decimal_places=1
            )
        for index in range(1, YEAR_ROWS + 1):
            self.fields[f"year_{index}"] = forms.IntegerField(
                label=_("Year"), required=False, min_value=2000, max_value=2100
            )
            self.fields[f"year_capex_{index}"] = forms.DecimalField(
                label=_("CAPEX"), required=False, max_digits=14, decimal_places=2
            )
            self.fields[f"year_opex_{index}"] = forms.DecimalField(
                label=_("OPEX"), required=False, max_digits=14, decimal_places=2
            )
        self.style_fields()
        self.fields["mandatory"].widget.attrs["class"] = "form-check-input"
        for index in range(1, YEAR_ROWS + 1):  # the table's inputs have no <label> of their own
            for name, label in (("year", _("Year")), ("year_capex", "CAPEX"), ("year_opex", "OPEX")):
                self.fields[f"{name}_{index}"].widget.attrs["aria-label"] = f"{label} {index}"

    @staticmethod
    def initial_from(proposal: ProjectProposal) -> dict:
        initial = {
            name: getattr(proposal, name)
            for name in ("title", "problem", "expected_benefits", "desired_start", "desired_end")
        }
        initial.update(
            requested_sponsor=proposal.requested_sponsor_id,
            proposed_manager=proposal.proposed_manager_id,
            programme=proposal.programme_id,
            capex=proposal.capex,
            opex=proposal.opex,
            mandatory=proposal.mandatory,
            urgency=proposal.urgency,
            version=proposal.version,
        )
        for row in proposal.objectives:
            initial[f"objective_{row['objective']}"] = str(row["contribution"])
        for row in proposal.efforts:
            initial[f"effort_{row['role']}"] = row["days"]
        for index, row in enumerate(proposal.yearly_costs[:YEAR_ROWS], start=1):
            initial[f"year_{index}"] = row["year"]
            initial[f"year_capex_{index}"] = row["capex"]
            initial[f"year_opex_{index}"] = row["opex"]
        return initial

    def objective_fields(self):
        return [self[f"objective_{o.pk}"] for o in self.objectives]

    def effort_fields(self):
        return [self[f"effort_{r.pk}"] for r in self.roles]

    def year_rows(self):
        return [
            (self[f"year_{i}"], self[f"year_capex_{i}"], self[f"year_opex_{i}"])
            for i in range(1, YEAR_ROWS + 1)
        ]

    def data_for_service(self) -> dict:
        data = self.cleaned_data
        result = {
            name: data.get(name)
            for name in (
                "title",
                "problem",
                "expected_benefits",
                "requested_sponsor",
                "proposed_manager",
                "programme",
                "desired_start",
                "desired_end",
                "mandatory",
                "urgency",
            )
        }
        result["capex"] = data.get("capex") or 0
        result["opex"] = data.get("opex") or 0
        result["objectives"] = [
            {"objective": o.pk, "contribution": data.get(f"objective_{o.pk}")}
            for o in self.objectives
            if data.get(f"objective_{o.pk}")
        ]
        result["efforts"] = [
            {"role": r.pk, "days": str(data[f"effort_{r.pk}"])}
            for r in self.roles
            if data.get(f"effort_{r.pk}")
        ]
        result["yearly_costs"] = [
            {
                "year": data[f"year_{i}"],
                "capex": data.get(f"year_capex_{i}") or 0,
                "opex": data.get(f"year_opex_{i}") or 0,
            }
            for i in range(1, YEAR_ROWS + 1)
            if data.get(f"year_{i}")
        ]
        return result

    def add_service_errors(self, error) -> None:
        """Put each service error on its field (objectives, efforts and years on their first row)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        targets = {
            "objectives": f"objective_{self.objectives[0].pk}" if self.objectives else None,
            "efforts": f"effort_{self.roles[0].pk}" if self.roles else None,
            "yearly_costs": "year_1",
        }
        for name, messages in error.message_dict.items():
            field = targets.get(name, name)
            self.add_error(field if field in self.fields else None, messages)


class ProposalDecideForm(StyledForm):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ProjectProposal.State.APPROVED, _("Approve (gate 0: the project starts)")),
            (ProjectProposal.State.PARKED, _("Park (revisit later)")),
            (ProjectProposal.State.REJECTED, _("Reject")),
        ],
    )
    rationale = forms.CharField(label=_("Rationale"), widget=forms.Textarea(attrs={"rows": 3}))
    revisit_on = forms.DateField(
        label=_("Revisit on"), required=False, widget=DateInput, help_text=_("When parked.")
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ProposalCommentForm(StyledForm):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
