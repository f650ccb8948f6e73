"""The dashboard's reads: one query each, over a list of project ids, whatever its length."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import BigIntegerField, Count, F, Lookup, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Coalesce

from pmo.core.periods import week_start
from projects.charts import MonthCost, TrendSeries
from projects.models import CostLine, Milestone, MilestoneForecast, Risk, StatusReport
from projects.types import EVM
from reporting.dashboard.types import AXES_AND_OVERALL, SlippingMilestone


def decimal_or_none(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def evm_from_snapshot(evm: dict | None) -> EVM | None:
    """The EVM stored on a report (qcdr.qcdr_as_dict): BAC, PV, EV, AC, CPI, SPI, EAC and VAC (the
    figures the dashboard shows or sums), or None when there is none."""
    if not evm:
        return None
    bac = decimal_or_none(evm.get("bac"))
    if bac is None:
        return None
    return EVM(
        bac=bac,
        pv=decimal_or_none(evm.get("pv")) or Decimal("0"),
        ev=decimal_or_none(evm.get("ev")),
        ac=decimal_or_none(evm.get("ac")) or Decimal("0"),
        cpi=decimal_or_none(evm.get("cpi")),
        spi=decimal_or_none(evm.get("spi")),
        eac=decimal_or_none(evm.get("eac")),
        vac=decimal_or_none(evm.get("vac")),
        commitments=decimal_or_none(evm.get("commitments")) or Decimal("0"),
    )


def count_per_project(queryset: QuerySet):
    """A correlated subquery: how many rows of `queryset` belong to the outer project (0 when none)."""
    return Coalesce(
        Subquery(
            queryset.filter(project_id=OuterRef("pk"))
            .order_by()
            .values("project_id")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        0,
    )


# --- Reads (one query each) ---------------------------------------------------------------------


class _Any(Lookup):
    lookup_name = "dashboard_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]


class _Ids(ArrayField):
    """An array of ids bound as it is: plain ints need no per-element preparation (2,000 ids cost
    2,000 × get_db_prep_value calls otherwise), psycopg adapts the list as one array."""

    def get_db_prep_value(self, value, connection, prepared=False):
        return value


def any_of(field: str, ids: list[int]) -> Lookup:
    """`field = ANY(%s)` with the ids as one array parameter: `IN (%s, %s, …)` with 2,000 placeholders
    costs more to build and parse (in Django, psycopg and PostgreSQL) than the query itself."""
    return _Any(F(field), Value([int(pk) for pk in ids], output_field=_Ids(BigIntegerField())))


def submitted_up_to(as_of: date) -> QuerySet:
    return StatusReport.objects.filter(
        state=StatusReport.State.SUBMITTED, is_current=True, period_start__lte=as_of
    )


def nth_report(as_of: date, index: int, value=None):
    """A correlated subquery: `value` (default: the id) of the outer project's `index`-th latest
    submitted report up to `as_of` (0: the latest). Walks the (project, week) index backwards: no
    scan of the history."""
    reports = submitted_up_to(as_of).filter(project_id=OuterRef("pk")).order_by("-period_start")
    if value is not None:
        reports = reports.annotate(picked=value)
    return Subquery(reports.values("picked" if value is not None else "pk")[index : index + 1])


def reports_by_id(report_ids: list[int]) -> dict[int, dict]:
    """The declared RAG and the stored QCDR snapshot of the given reports, by id (1 query)."""
    return {
        row["pk"]: row
        for row in StatusReport.objects.filter(any_of("pk", report_ids))
        .order_by()
        .annotate(
            snapshot_indicated=KeyTransform("indicated", "indicated"),
            snapshot_evm=KeyTransform("evm", "indicated"),
            snapshot_watermelon=KeyTransform("watermelon_axes", "indicated"),
        )
        .values(
            "pk",
            "period_start",
            "submitted_at",
            *AXES_AND_OVERALL,
            "snapshot_indicated",
            "snapshot_evm",
            "snapshot_watermelon",
        )
    }


def last_weeks_of_months(first: date, as_of: date) -> list[date]:
    """The Monday of the last week starting in each month, from `first` to the week of `as_of`."""
    weeks = []
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    last = week_start(as_of)
    while monday <= last:
        following = monday + timedelta(days=7)
        if following.month != monday.month or following > last:
            weeks.append(monday)
        monday = following
    return weeks


def earned_by_month(
    ids: list[int], months: Sequence[MonthCost], as_of: date, history: int
) -> dict[date, dict[int, Decimal]]:
    """Each project's earned value at its report of the last week of the `history` closed months
    before `as_of` (1 query: probes of the (project, week) index, not a scan of the history: the
    snapshots are read from wide rows, so the months read are bounded)."""
    this_month = as_of.replace(day=1)
    started = [m.month for m in months if m.month < this_month]
    weeks = last_weeks_of_months(started[0], this_month - timedelta(days=1))[-history:] if started else []
    if not weeks or history <= 0:
        return {}
    earned: dict[date, dict[int, Decimal]] = defaultdict(dict)
    for project_id, week, value in (
        submitted_up_to(as_of)
        .filter(any_of("project_id", ids), period_start__in=weeks)
        .order_by()
        .annotate(ev=KeyTextTransform("ev", KeyTransform("evm", "indicated")))
        .values_list("project_id", "period_start", "ev")
    ):
        amount = decimal_or_none(value)
        if amount is not None:
            earned[week.replace(day=1)][project_id] = amount
    return earned


@dataclass(frozen=True)
class OpenThreats:
    """Open threats (risks that are not opportunities): per project (count, top P×I, summed P×I) and
    per (probability, impact) cell over every project (the heat map)."""

    per_project: dict[int, tuple[int, int, int]]
    heat: dict[tuple[int, int], int]


def open_threats(ids: list[int]) -> OpenThreats:
    """The open threats of the given projects, in one query grouped twice (GROUPING SETS): one row per
    project and one per heat-map cell, not one per project and cell (2,000 projects: ~2,000 rows
    instead of ~10,000)."""
    table = Risk._meta.db_table
    per_project: dict[int, tuple[int, int, int]] = {}
    heat: dict[tuple[int, int], int] = {}
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT project_id, probability, impact, count(*), max(probability * impact), "  # noqa: S608
            f"sum(probability * impact) FROM {table} "
            "WHERE project_id = ANY(%s) AND status = %s AND NOT is_opportunity "
            "GROUP BY GROUPING SETS ((project_id), (probability, impact))",
            [list(ids), Risk.Status.OPEN.value],
        )
        for project_id, probability, impact, n, top, exposure in cursor.fetchall():
            if project_id is not None:
                per_project[project_id] = (n, top, exposure)
            else:
                heat[(probability, impact)] = n
    return OpenThreats(per_project=per_project, heat=heat)


def monthly_costs(ids: list[int]) -> tuple[MonthCost, ...]:
    """Planned, actual and forecast cost per month, every project summed (1 query)."""
    return tuple(
        MonthCost(
            month=row["month"],
            planned=row["planned"] or Decimal("0"),
            actual=row["actual"] or Decimal("0"),
            forecast=row["forecast"] or Decimal("0"),
        )
        for row in CostLine.objects.filter(any_of("project_id", ids))
        .order_by()
        .values("month")
        .annotate(planned=Sum("planned"), actual=Sum("actual"), forecast=Sum("forecast"))
        .order_by("month")
    )


def slipping_milestones(ids: list[int], top: int) -> tuple[SlippingMilestone, ...]:
    """The `top` key milestones not yet achieved that slip most against their baseline, with their
    weekly forecasts (1 query: the forecasts of a ranked subquery)."""
    slip = F("forecast_date") - F("baseline_date")
    ranked = (
        Milestone.objects.filter(
            any_of("project_id", ids),
            is_key=True,
            actual_date__isnull=True,
            baseline_date__isnull=False,
            forecast_date__gt=F("baseline_date"),
        )
        .exclude(status=Milestone.Status.CANCELLED)
        .annotate(slip=slip)
        .order_by("-slip", "pk")
        .values("pk")[:top]
    )
    # Value rows, not model instances: a few hundred forecasts, each with its milestone and project.
    series: dict[int, dict] = {}
    for milestone_id, period_start, forecast_date, *milestone in (
        MilestoneForecast.objects.filter(milestone_id__in=ranked)
        .order_by("milestone_id", "period_start")
        .values_list(
            "milestone_id",
            "period_start",
            "forecast_date",
            "milestone__name",
            "milestone__project_id",
            "milestone__project__code",
            "milestone__baseline_date",
            "milestone__actual_date",
            "milestone__forecast_date",
        )
    ):
        entry = series.setdefault(milestone_id, {"milestone": milestone, "points": []})
        entry["points"].append((period_start, forecast_date))
    found = []
    for entry in series.values():
        name, project_id, code, baseline, actual, forecast = entry["milestone"]
        found.append(
            SlippingMilestone(
                series=TrendSeries(
                    name=f"{code} – {name}",
                    points=tuple(entry["points"]),
                    baseline=baseline,
                    actual=actual,
                ),
                project_id=project_id,
                slip_days=(forecast - baseline).days,
            )
        )
    found.sort(key=lambda item: (-item.slip_days, item.series.name))
    return tuple(found)
