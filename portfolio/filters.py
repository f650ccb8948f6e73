"""FilterSets for programme and portfolio lists, shared by pages and API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portfolio.models import Portfolio, Programme


class PortfolioFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Portfolio
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(code__icontains=value) | Q(name__icontains=value))


class ProgrammeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    portfolio = django_filters.NumberFilter(field_name="portfolio_id", label=_("Portfolio"))
    state = django_filters.ChoiceFilter(choices=Programme.State.choices, label=_("State"))
    archived = django_filters.BooleanFilter(method="filter_archived", label=_("Archived"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
            ("portfolio__name", "portfolio"),
            ("state", "state"),
        ),
        label=_("Sort"),
    )

    class Meta:
        model = Programme
        fields = ["q", "portfolio", "state", "archived"]

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
            queryset = queryset.order_by("portfolio__name", "name", "id")
        return queryset
