"""One FilterSet for the exception lists, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from governance.models import ProjectException


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
