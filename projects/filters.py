"""One FilterSet for the project list, shared by the HTMX page and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projects.models import Project


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    portfolio = django_filters.NumberFilter(field_name="portfolio_id", label=_("Portfolio"))
    programme = django_filters.NumberFilter(field_name="programme_id", label=_("Programme"))
    manager = django_filters.NumberFilter(field_name="manager_id", label=_("Project manager"))
    # distinct=False: a filter on a column of the project itself never duplicates rows, and DISTINCT over
    # the joined columns made Postgres sort every visible project before paginating.
    state = django_filters.MultipleChoiceFilter(
        choices=Project.State.choices, label=_("State"), distinct=False
    )
    archived = django_filters.BooleanFilter(method="filter_archived", label=_("Archived"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
            ("state", "state"),
            ("start_date", "start_date"),
            ("end_date", "end_date"),
            ("budget", "budget"),
            ("manager__last_name", "manager"),
            ("portfolio__name", "portfolio"),
        ),
        label=_("Sort"),
    )

    class Meta:
        model = Project
        fields = ["q", "portfolio", "programme", "manager", "state", "archived"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=not value)

    @property
    def qs(self):
        queryset = super().qs
        if self.form.cleaned_data.get("archived") is None:
            queryset = queryset.filter(archived_at__isnull=True)
        if not self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by("code", "id")
        return queryset
