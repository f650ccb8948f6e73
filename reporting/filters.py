"""The dashboard's filters: one FilterSet over the projects of the scope (the portfolio is chosen
apart), its choices read from those projects."""

from dataclasses import dataclass

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.models import Project
from reporting.dashboard import delivery_projects


class DashboardFilter(django_filters.FilterSet):
    """Programme, state, stage and project manager of the dashboard's projects (the portfolio is the
    scope, chosen apart). The choices are the ones present in the scope (`options`). No state chosen
    means the running portfolio (active, on hold): proposed projects are requests not yet approved,
    shown when their state is picked; "all" shows every state."""

    programme = django_filters.ChoiceFilter(field_name="programme_id", label=gettext_lazy("Programme"))
    state = django_filters.ChoiceFilter(
        method="filter_state",
        label=gettext_lazy("State"),
        choices=[("all", gettext_lazy("All states")), *Project.State.choices],
        empty_label=gettext_lazy("Active and on hold"),
    )
    stage = django_filters.ChoiceFilter(field_name="stage", label=gettext_lazy("Stage"))
    manager = django_filters.ChoiceFilter(field_name="manager_id", label=gettext_lazy("Project manager"))

    class Meta:
        model = Project
        fields = ["programme", "state", "stage", "manager"]

    def __init__(self, data=None, queryset=None, *, options: "FilterOptions", **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        fields = self.form.fields
        for name, choices, everything in (
            ("programme", options.programmes, _("All programmes")),
            ("stage", options.stages, _("All stages")),
            ("manager", options.managers, _("All project managers")),
        ):
            fields[name].empty_label = everything
            fields[name].choices = list(choices)

    def filter_state(self, queryset, name, value):
        if value == "all":
            return queryset
        return queryset.filter(state=value)

    @property
    def qs(self):
        queryset = super().qs
        if self.is_bound and self.errors:
            return queryset.none()  # an unknown programme, stage or manager matches nothing
        state = self.form.cleaned_data.get("state") if self.is_bound else None
        if not state:
            queryset = delivery_projects(queryset)
        return queryset


@dataclass(frozen=True)
class FilterOptions:
    """The programmes, stages and project managers present among the scope's projects."""

    programmes: tuple[tuple[str, str], ...]
    stages: tuple[tuple[str, str], ...]
    managers: tuple[tuple[str, str], ...]

    def with_programme(self, programme) -> "FilterOptions":
        """The options with `programme` among the programmes (the scope, even without visible projects)."""
        if any(pk == str(programme.pk) for pk, _name in self.programmes):
            return self
        programmes = tuple(
            sorted((*self.programmes, (str(programme.pk), programme.name)), key=lambda i: i[1].lower())
        )
        return FilterOptions(programmes=programmes, stages=self.stages, managers=self.managers)


def filter_options(*, projects: QuerySet) -> FilterOptions:
    """The filter choices of the given (scoped) projects, in 1 query."""
    programmes: dict[str, str] = {}
    stages: set[str] = set()
    managers: dict[str, str] = {}
    for programme_id, programme, stage, manager_id, first, last, username in (
        projects.filter(archived_at__isnull=True)
        .order_by()
        .values_list(
            "programme_id",
            "programme__name",
            "stage",
            "manager_id",
            "manager__first_name",
            "manager__last_name",
            "manager__username",
        )
        .distinct()
    ):
        if programme_id is not None:
            programmes[str(programme_id)] = programme
        if stage:
            stages.add(stage)
        if manager_id is not None:
            managers[str(manager_id)] = f"{first} {last}".strip() or username
    return FilterOptions(
        programmes=tuple(sorted(programmes.items(), key=lambda item: item[1].lower())),
        stages=tuple((stage, stage) for stage in sorted(stages, key=str.lower)),
        managers=tuple(sorted(managers.items(), key=lambda item: item[1].lower())),
    )
