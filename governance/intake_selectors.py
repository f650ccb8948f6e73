"""Reads of the project intake: the portfolio's pipeline (counts per state, each proposal with its
weighted score, its rank in the portfolio's ranking, its estimated cost and effort) and one
proposal's page. Each runs a fixed number of queries whatever the number of proposals."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from governance.models import ProjectProposal, ProposalComment, ProposalTransition
from pmo.core.permissions import get_visible_or_404
from portfolio.models import ScoringCriterion, StrategicObjective
from projects import scoring
from projects.models import Project, ProjectScore
from projects.strategy_selectors import RANKED_STATES, as_criteria

State = ProjectProposal.State


@dataclass(frozen=True)
class PortfolioScores:
    """The weighted score of every project still in play in a portfolio and its rank."""

    scores: dict[int, scoring.Score]
    ranks: dict[int, int]
    ranked: int

    def of(self, project_id: int | None) -> scoring.Score | None:
        return self.scores.get(project_id) if project_id else None


def portfolio_scores(portfolio_id: int) -> PortfolioScores:
    """Weighted scores of the portfolio's scored projects, and the competition ranks of those still in
    play (proposed, active, on hold: a rejected proposal keeps its score, not a rank), whoever reads:
    a proposal's rank is its place in the whole portfolio. Two queries."""
    return scores_of_portfolios([portfolio_id])[portfolio_id]


def scores_of_portfolios(portfolio_ids) -> dict[int, PortfolioScores]:
    """`portfolio_scores` of several portfolios at once, in two queries."""
    portfolio_ids = list(portfolio_ids)
    criteria: dict[int, list] = defaultdict(list)
    for criterion in ScoringCriterion.objects.filter(portfolio_id__in=portfolio_ids, active=True).order_by(
        "code"
    ):
        criteria[criterion.portfolio_id].append(criterion)
    values: dict[int, dict[int, dict[int, Decimal]]] = defaultdict(lambda: defaultdict(dict))
    in_play: set[int] = set()
    for portfolio_id, project_id, state, criterion_id, value in ProjectScore.objects.filter(
        project__portfolio_id__in=portfolio_ids,
        project__archived_at__isnull=True,
        criterion__active=True,
    ).values_list("project__portfolio_id", "project_id", "project__state", "criterion_id", "value"):
        values[portfolio_id][project_id][criterion_id] = Decimal(value)
        if state in RANKED_STATES:
            in_play.add(project_id)
    result = {}
    for portfolio_id in portfolio_ids:
        model = as_criteria(criteria[portfolio_id])
        scores = {pk: scoring.weighted_score(v, model) for pk, v in values[portfolio_id].items()}
        ranks = scoring.ranking({pk: s.value for pk, s in scores.items() if pk in in_play})
        result[portfolio_id] = PortfolioScores(scores, ranks, len(ranks))
    return result


@dataclass
class PipelineRow:
    proposal: ProjectProposal
    score: scoring.Score | None
    rank: int | None


@dataclass(frozen=True)
class Pipeline:
    counts: dict[str, int]
    rows: list[PipelineRow]
    ranked: int
    total_cost: Decimal
    total_days: Decimal


def proposal_queryset(*, user):
    return ProjectProposal.objects.visible_to(user).select_related(
        "portfolio", "project", "requested_by", "requested_sponsor", "proposed_manager", "programme"
    )


def pipeline(*, user, portfolio, queryset=None) -> Pipeline:
    """The proposals of `portfolio` the user may see (`queryset`: already filtered), newest first,
    with the count per state of all of them. Four queries."""
    visible = ProjectProposal.objects.visible_to(user).filter(portfolio=portfolio)
    counts = dict.fromkeys(State.values, 0)
    counts.update(dict(visible.order_by().values_list("state").annotate(n=Count("id"))))
    proposals = list(
        (queryset if queryset is not None else proposal_queryset(user=user)).filter(portfolio=portfolio)
    )
    scores = portfolio_scores(portfolio.pk)
    rows = [PipelineRow(p, scores.of(p.project_id), scores.ranks.get(p.project_id)) for p in proposals]
    return Pipeline(
        counts=counts,
        rows=rows,
        ranked=scores.ranked,
        total_cost=sum((r.proposal.total_cost for r in rows), Decimal(0)),
        total_days=sum((r.proposal.total_days for r in rows), Decimal(0)),
    )


@dataclass(frozen=True)
class PipelineSummary:
    """The open proposals of a scope (submitted, under review, parked) and the budget they request."""

    submitted: int
    under_review: int
    parked: int
    capex: Decimal
    opex: Decimal

    @property
    def count(self) -> int:
        return self.submitted + self.under_review + self.parked

    @property
    def total(self) -> Decimal:
        return self.capex + self.opex


def pipeline_summary(*, user, portfolios, programme=None) -> PipelineSummary:
    """The open proposals of `portfolios` (of `programme` when given) that the user may see, as the
    pipeline page lists them, counted per state with their estimated CAPEX and OPEX; drafts, approved,
    rejected proposals left out. One query."""
    proposals = ProjectProposal.objects.visible_to(user).open().filter(portfolio__in=portfolios)
    if programme is not None:
        proposals = proposals.filter(programme=programme)
    zero = Decimal(0)
    figures = proposals.aggregate(
        submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
        under_review=Count("pk", filter=Q(state=State.UNDER_REVIEW)),
        parked=Count("pk", filter=Q(state=State.PARKED)),
        capex=Sum("capex", default=zero),
        opex=Sum("opex", default=zero),
    )
    return PipelineSummary(**figures)


def proposal_get(*, user, pk) -> ProjectProposal:
    """The proposal if the user may see it, else 404."""
    return get_visible_or_404(proposal_queryset(user=user), pk=pk)


@dataclass(frozen=True)
class ProposalPage:
    proposal: ProjectProposal
    score: scoring.Score | None
    rank: int | None
    ranked: int
    comments: list
    transitions: list
    costs_per_year: list[tuple[int, Decimal, Decimal]]
    project_visible: bool
    objectives: list[tuple[str, int]]


def proposal_page(*, user, proposal: ProjectProposal) -> ProposalPage:
    """Everything the proposal's page shows: its score and rank, thread, history and the estimates
    per year and category."""
    from governance.intake import planned_costs

    scores = portfolio_scores(proposal.portfolio_id)
    per_year: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    if proposal.desired_start and proposal.desired_end:
        for (month, category), amount in planned_costs(proposal).items():
            per_year[month.year][0 if category == "capex" else 1] += amount
    contributions = {row["objective"]: row["contribution"] for row in proposal.objectives}
    names = dict(StrategicObjective.objects.filter(pk__in=list(contributions)).values_list("pk", "name"))
    return ProposalPage(
        objectives=[(names[pk], level) for pk, level in contributions.items() if pk in names],
        proposal=proposal,
        score=scores.of(proposal.project_id),
        rank=scores.ranks.get(proposal.project_id),
        ranked=scores.ranked,
        comments=list(ProposalComment.objects.filter(proposal=proposal).select_related("author")),
        transitions=list(ProposalTransition.objects.filter(proposal=proposal).select_related("actor")),
        costs_per_year=[(year, capex, opex) for year, (capex, opex) in sorted(per_year.items())],
        project_visible=bool(
            proposal.project_id and Project.objects.visible_to(user).filter(pk=proposal.project_id).exists()
        ),
    )


def revisit_due(*, user, today: date):
    """Parked proposals whose “revisit on” date has come."""
    return ProjectProposal.objects.visible_to(user).filter(state=State.PARKED, revisit_on__lte=today)
