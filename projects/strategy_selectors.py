"""Reads of the portfolio strategy on the project side: the ranking (with its sensitivity to the
weights), a project's strategy tab (objectives, scores, benefits, investment figures) and the
portfolio's benefits roll-up. Each runs a fixed number of queries whatever the number of projects."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Prefetch, Q

from portfolio.models import (
    Portfolio,
    PortfolioStrategySettings,
    Programme,
    ScoringCriterion,
    StrategicObjective,
)
from projects import benefits as benefit_rules
from projects import finance, scoring
from projects.models import Benefit, BenefitMeasurement, CostLine, Project, ProjectObjective, ProjectScore

# Projects still competing for the portfolio's money and people.
RANKED_STATES = (Project.State.PROPOSED, Project.State.ACTIVE, Project.State.ON_HOLD)
TOP = 10


def active_criteria(portfolio: Portfolio) -> list[ScoringCriterion]:
    return list(ScoringCriterion.objects.filter(portfolio=portfolio, active=True).order_by("code"))


def as_criteria(criteria) -> list[scoring.Criterion]:
    return [scoring.Criterion(c.pk, c.weight, c.scale_low, c.scale_high, c.lower_is_better) for c in criteria]


def strategy_settings(portfolio: Portfolio) -> PortfolioStrategySettings:
    setting = PortfolioStrategySettings.objects.filter(portfolio=portfolio).first()
    return setting or PortfolioStrategySettings(portfolio=portfolio)


@dataclass
class RankingRow:
    project: Project
    score: Decimal | None
    complete: bool
    scored: int
    rank: int | None
    rank_range: tuple[int, int] | None
    objectives: list[tuple[StrategicObjective, int]] = field(default_factory=list)


@dataclass(frozen=True)
class CriterionSensitivityRow:
    criterion: ScoringCriterion
    share: Decimal | None
    moved: int
    largest_shift: int
    top_changed: bool


@dataclass(frozen=True)
class Ranking:
    criteria: list[ScoringCriterion]
    rows: list[RankingRow]
    sensitivity: list[CriterionSensitivityRow]
    top: int
    total_weight: Decimal


def portfolio_ranking(*, user, portfolio: Portfolio) -> Ranking:
    """The portfolio's projects still in play that the user may read, best weighted score first
    (unscored last), with the sensitivity of the ranking to each criterion's weight (±20 %).
    Four queries: criteria, projects, their scores, their objectives."""
    criteria = active_criteria(portfolio)
    projects = list(
        Project.objects.visible_to(user)
        .filter(portfolio=portfolio, state__in=RANKED_STATES, archived_at__isnull=True)
        .select_related("manager", "programme")
        .order_by("code")
    )
    ids = [p.pk for p in projects]
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for project_id, criterion_id, value in ProjectScore.objects.filter(
        project_id__in=ids, criterion__in=[c.pk for c in criteria]
    ).values_list("project_id", "criterion_id", "value"):
        values[project_id][criterion_id] = Decimal(value)
    served: dict[int, list] = defaultdict(list)
    for link in (
        ProjectObjective.objects.filter(project_id__in=ids, contribution__gt=0, objective__active=True)
        .select_related("objective")
        .order_by("-contribution", "objective__code")
    ):
        served[link.project_id].append((link.objective, link.contribution))
    model = as_criteria(criteria)
    scores = {p.pk: scoring.weighted_score(values.get(p.pk, {}), model) for p in projects}
    ranks = scoring.ranking({pk: s.value for pk, s in scores.items()})
    scored_values = {pk: values[pk] for pk in ranks}
    report = scoring.sensitivity(scored_values, model, top=TOP) if scored_values else None
    rows = [
        RankingRow(
            project=p,
            score=scores[p.pk].value,
            complete=scores[p.pk].complete,
            scored=len(values.get(p.pk, {})),
            rank=ranks.get(p.pk),
            rank_range=report.rank_range.get(p.pk) if report else None,
            objectives=served.get(p.pk, []),
        )
        for p in projects
    ]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.project.code))
    total = sum((c.weight for c in criteria), Decimal(0))
    sensitivity = []
    if report:
        by_key = {c.pk: c for c in criteria}
        for item in report.criteria:
            criterion = by_key[item.key]
            share = (criterion.weight / total * 100).quantize(Decimal("0.1")) if total else None
            sensitivity.append(
                CriterionSensitivityRow(criterion, share, item.moved, item.largest_shift, item.top_changed)
            )
    return Ranking(criteria, rows, sensitivity, TOP, total)


def weighted_score_of(*, project: Project) -> scoring.Score:
    criteria = active_criteria(project.portfolio)
    values = {
        criterion_id: Decimal(value)
        for criterion_id, value in ProjectScore.objects.filter(project=project).values_list(
            "criterion_id", "value"
        )
    }
    return scoring.weighted_score(values, as_criteria(criteria))


# --- A project's strategy tab ------------------------------------------------------------------------


@dataclass
class BenefitRow:
    benefit: Benefit
    measurements: list[BenefitMeasurement]
    latest: BenefitMeasurement | None
    planned_now: Decimal
    realisation_pct: Decimal | None
    shortfall: benefit_rules.Shortfall | None
    beyond_tolerance: bool


@dataclass(frozen=True)
class Investment:
    flows: benefit_rules.CashFlows
    roi: Decimal | None
    npv: Decimal | None
    payback_years: Decimal | None
    discount_rate: Decimal

    @property
    def roi_pct(self) -> Decimal | None:
        return None if self.roi is None else (self.roi * 100).quantize(Decimal("0.1"))

    @property
    def rows(self) -> list[tuple[int, Decimal, Decimal, Decimal]]:
        """(year, cost, benefit, net) per calendar year."""
        zero = Decimal(0)
        return [
            (
                year,
                self.flows.costs.get(year, zero),
                self.flows.benefits.get(year, zero),
                self.flows.benefits.get(year, zero) - self.flows.costs.get(year, zero),
            )
            for year in self.flows.years
        ]


def benefit_fact(benefit: Benefit, measurements, start: date | None) -> benefit_rules.BenefitFact:
    return benefit_rules.BenefitFact(
        key=benefit.pk,
        baseline=benefit.baseline,
        target=benefit.target,
        expected=benefit.expected_date,
        start=start,
        measurements=tuple((m.date, m.value) for m in measurements),
    )


def benefit_start(benefit: Benefit) -> date | None:
    """When its owner (project or programme) starts: where the planned realisation begins."""
    return benefit.project.start_date if benefit.project_id else benefit.programme.start_date


def benefit_rows(benefits, *, as_of: date, tolerance: Decimal) -> list[BenefitRow]:
    """Rows of benefits read with `measurements_list` prefetched and project/programme joined."""
    rows = []
    for benefit in benefits:
        measurements = list(benefit.measurements_list)
        fact = benefit_fact(benefit, measurements, benefit_start(benefit))
        latest = measurements[-1] if measurements else None
        short = benefit_rules.shortfall(fact, as_of) if benefit.state != Benefit.State.ABANDONED else None
        rows.append(
            BenefitRow(
                benefit=benefit,
                measurements=measurements,
                latest=latest,
                planned_now=benefit_rules.planned_at(fact, as_of),
                realisation_pct=benefit_rules.realisation_pct(fact, latest.value) if latest else None,
                shortfall=short,
                beyond_tolerance=short is not None and short.shortfall_pct > tolerance,
            )
        )
    return rows


def _benefits_queryset():
    return Benefit.objects.select_related("owner", "project", "programme").prefetch_related(
        Prefetch(
            "measurements",
            queryset=BenefitMeasurement.objects.select_related("recorded_by").order_by("date", "pk"),
            to_attr="measurements_list",
        )
    )


def project_investment(*, project: Project, benefits, as_of: date, discount_rate: Decimal) -> Investment:
    return investment(
        costs=CostLine.objects.filter(project=project),
        benefits=benefits,
        as_of=as_of,
        discount_rate=discount_rate,
    )


def investment(*, costs, benefits, as_of: date, discount_rate: Decimal) -> Investment:
    """ROI, NPV and payback of the cost lines `costs` (a queryset) against the financial benefits
    among `benefits` (abandoned ones left out)."""
    lines = costs.values_list("month", "actual", "forecast")
    financial = [
        (b.expected_date, b.yearly_value, b.years)
        for b in benefits
        if b.category == Benefit.Category.FINANCIAL and b.yearly_value and b.state != Benefit.State.ABANDONED
    ]
    flows = benefit_rules.cash_flows(lines, financial, as_of)
    series = flows.flows()
    return Investment(
        flows=flows,
        roi=finance.roi(flows.total_costs, flows.total_benefits),
        npv=finance.npv(discount_rate / 100, series) if series else None,
        payback_years=finance.payback_years(series) if series else None,
        discount_rate=discount_rate,
    )


@dataclass(frozen=True)
class ObjectiveRow:
    objective: StrategicObjective
    contribution: int


@dataclass(frozen=True)
class CriterionRow:
    criterion: ScoringCriterion
    score: ProjectScore | None


@dataclass(frozen=True)
class ProjectStrategy:
    objectives: list[ObjectiveRow]
    criteria: list[CriterionRow]
    score: scoring.Score
    benefits: list[BenefitRow]
    investment: Investment
    settings: PortfolioStrategySettings


def project_strategy(*, project: Project, as_of: date) -> ProjectStrategy:
    portfolio = project.portfolio
    settings = strategy_settings(portfolio)
    links = {
        link.objective_id: link.contribution for link in ProjectObjective.objects.filter(project=project)
    }
    objectives = [
        ObjectiveRow(o, links.get(o.pk, 0))
        for o in StrategicObjective.objects.filter(portfolio=portfolio).order_by("code")
        if o.active or links.get(o.pk)
    ]
    criteria = active_criteria(portfolio)
    scores = {
        s.criterion_id: s for s in ProjectScore.objects.filter(project=project).select_related("scored_by")
    }
    score = scoring.weighted_score({pk: Decimal(s.value) for pk, s in scores.items()}, as_criteria(criteria))
    benefits = list(_benefits_queryset().filter(project=project).order_by("expected_date", "pk"))
    return ProjectStrategy(
        objectives=objectives,
        criteria=[CriterionRow(c, scores.get(c.pk)) for c in criteria],
        score=score,
        benefits=benefit_rows(benefits, as_of=as_of, tolerance=settings.benefit_tolerance_pct),
        investment=project_investment(
            project=project, benefits=benefits, as_of=as_of, discount_rate=settings.discount_rate
        ),
        settings=settings,
    )


# --- A programme's benefits ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgrammeBenefits:
    own: list[BenefitRow]  # the programme's own benefits
    of_projects: list[BenefitRow]  # benefits of its projects the user may read
    investment: Investment  # the programme's business case: its projects' costs, all its benefits
    projects: int  # projects of the programme counted in the figures
    hidden_projects: int  # projects of the programme the user may not read, left out
    settings: PortfolioStrategySettings


def programme_benefits(*, user, programme: Programme, as_of: date) -> ProgrammeBenefits:
    """The programme's benefits, its projects' benefits and its business case (ROI, NPV, payback) over
    the projects the user may read. A fixed number of queries whatever the number of projects and
    benefits."""
    settings = strategy_settings(programme.portfolio)
    in_programme = Project.objects.filter(programme=programme)
    visible = list(in_programme.visible_to(user).values_list("pk", flat=True))
    hidden = in_programme.exclude(pk__in=visible).count()
    benefits = list(
        _benefits_queryset()
        .filter(Q(programme=programme) | Q(project__in=visible))
        .order_by("expected_date", "pk")
    )
    rows = benefit_rows(benefits, as_of=as_of, tolerance=settings.benefit_tolerance_pct)
    return ProgrammeBenefits(
        own=[row for row in rows if row.benefit.programme_id],
        of_projects=[row for row in rows if row.benefit.project_id],
        investment=investment(
            costs=CostLine.objects.filter(project__in=visible),
            benefits=benefits,
            as_of=as_of,
            discount_rate=settings.discount_rate,
        ),
        projects=len(visible),
        hidden_projects=hidden,
        settings=settings,
    )


# --- The portfolio's benefits roll-up ----------------------------------------------------------------


@dataclass
class RollupGroup:
    label: str
    programme: object | None
    rows: list[BenefitRow] = field(default_factory=list)

    @property
    def financial_target(self) -> Decimal:
        return sum(
            (r.benefit.yearly_value or 0 for r in self.rows if r.benefit.category == "financial"), Decimal(0)
        )

    def count(self, category: str) -> int:
        return sum(1 for r in self.rows if r.benefit.category == category)

    @property
    def on_track(self) -> int:
        return sum(1 for r in self.rows if r.shortfall is not None and not r.beyond_tolerance)

    @property
    def short(self) -> int:
        return sum(1 for r in self.rows if r.beyond_tolerance)

    @property
    def unmeasured(self) -> int:
        return sum(1 for r in self.rows if r.shortfall is None)


@dataclass(frozen=True)
class CategoryTotal:
    category: str
    label: str
    count: int
    planned_pct: Decimal | None  # mean planned progress now, in % of the way to the targets
    realised_pct: Decimal | None  # mean realisation of the latest measurements
    short: int


@dataclass(frozen=True)
class Rollup:
    groups: list[RollupGroup]
    categories: list[CategoryTotal]
    tolerance: Decimal


def _mean(values) -> Decimal | None:
    values = [v for v in values if v is not None]
    return (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.1")) if values else None


def benefits_rollup(*, user, portfolio: Portfolio, as_of: date) -> Rollup:
    """Benefits of the portfolio the user may read, grouped by programme (projects outside any
    programme last), with planned vs realised per category. Three queries."""
    settings = strategy_settings(portfolio)
    benefits = list(
        _benefits_queryset()
        .visible_to(user)
        .filter(Q(project__portfolio=portfolio) | Q(programme__portfolio=portfolio))
        .select_related("project__programme")
        .order_by("expected_date", "pk")
    )
    rows = benefit_rows(benefits, as_of=as_of, tolerance=settings.benefit_tolerance_pct)
    groups: dict[object, RollupGroup] = {}
    for row in rows:
        benefit = row.benefit
        programme = benefit.programme if benefit.programme_id else benefit.project.programme
        key = programme.pk if programme else None
        if key not in groups:
            groups[key] = RollupGroup(programme.name if programme else "", programme)
        groups[key].rows.append(row)
    ordered = sorted(groups.values(), key=lambda g: (g.programme is None, g.label))
    categories = []
    for value, label in Benefit.Category.choices:
        of = [r for r in rows if r.benefit.category == value]
        planned = []
        for r in of:
            span = r.benefit.target - r.benefit.baseline
            planned.append(((r.planned_now - r.benefit.baseline) / span * 100) if span else None)
        categories.append(
            CategoryTotal(
                value,
                label,
                len(of),
                _mean(planned),
                _mean(r.realisation_pct for r in of),
                sum(1 for r in of if r.beyond_tolerance),
            )
        )
    return Rollup(ordered, categories, settings.benefit_tolerance_pct)


def worst_benefit_shortfalls(*, projects, as_of: date) -> dict[int, tuple[benefit_rules.Shortfall, Decimal]]:
    """For the tolerance scan: each project's worst benefit shortfall (keyed by the benefit's
    description) and its portfolio's benefit tolerance. Abandoned benefits are left out. Three
    queries whatever the number of projects."""
    projects = list(projects)
    benefits = list(
        Benefit.objects.filter(project__in=[p.pk for p in projects])
        .exclude(state=Benefit.State.ABANDONED)
        .prefetch_related(
            Prefetch(
                "measurements",
                queryset=BenefitMeasurement.objects.order_by("date", "pk"),
                to_attr="measurements_list",
            )
        )
    )
    if not benefits:
        return {}
    tolerance = {
        s.portfolio_id: s.benefit_tolerance_pct
        for s in PortfolioStrategySettings.objects.filter(portfolio__in={p.portfolio_id for p in projects})
    }
    default = PortfolioStrategySettings._meta.get_field("benefit_tolerance_pct").default
    by_project = {p.pk: p for p in projects}
    facts: dict[int, list] = defaultdict(list)
    for benefit in benefits:
        fact = benefit_fact(benefit, benefit.measurements_list, by_project[benefit.project_id].start_date)
        facts[benefit.project_id].append(
            benefit_rules.BenefitFact(
                benefit.description, fact.baseline, fact.target, fact.expected, fact.start, fact.measurements
            )
        )
    found = {}
    for project_id, items in facts.items():
        worst = benefit_rules.worst_shortfall(items, as_of)
        if worst is not None:
            found[project_id] = (worst, tolerance.get(by_project[project_id].portfolio_id, default))
    return found
