"""One FilterSet for the exception lists, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from governance.models import ProjectException, ProjectProposal


class ExceptionFilter(django_filters.FilterSet):
    """State, tolerance, portfolio, programme and project (ids: an invisible one matches nothing)."""

    state = django_filters.MultipleChoiceFilter(choices=ProjectException.State.choices, label=_("State"))
    tolerance = django_filters.MultipleChoiceFilter(
        choices=ProjectException.Tolerance.choices, label=_("Tolerance")
    )
    portfolio = django_filters.NumberFilter(field_name="project__portfolio_id", label=_("Portfolio"))
    programme = django_filters.NumberFilter(field_name="project__programme_id", label=_("Programme"))
    project = django_filters.NumberFilter(field_name="project_id", label=_("Project"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("raised_at", "raised_at"),
            ("project__code", "project"),
            ("tolerance", "tolerance"),
            ("state", "state"),
        ),
        label=_("Sort"),
    )

    class Meta:
        model = ProjectException
        fields = ["state", "tolerance", "portfolio", "programme", "project"]

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("-raised_at", "-id")
        return queryset


class ProposalFilter(django_filters.FilterSet):
    """The intake pipeline's filters, shared by the “Demandes” page and the API: state, urgency,
    mandatory, programme, portfolio and a search in the title and the problem."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    state = django_filters.ChoiceFilter(
        choices=ProjectProposal.State.choices, label=_("State"), empty_label=_("All states")
    )
    urgency = django_filters.ChoiceFilter(
        choices=ProjectProposal.Urgency.choices, label=_("Urgency"), empty_label=_("Any urgency")
    )
    mandatory = django_filters.BooleanFilter(label=_("Regulatory / mandatory"))
    portfolio = django_filters.NumberFilter(field_name="portfolio_id", label=_("Portfolio"))
    programme = django_filters.NumberFilter(field_name="programme_id", label=_("Programme"))

    class Meta:
        model = ProjectProposal
        fields = ["q", "state", "urgency", "mandatory", "portfolio", "programme"]

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__icontains=value) | Q(problem__icontains=value))
