"""References of tests/access_spec.d/strategy.yaml: the strategy frame of portfolios A and B (A's
criterion with a description of its levels), a score of a1, benefits of a1 (owned by the sponsor),
b1 and the programmes A (owned by the executive) and B, a measurement of a1's benefit."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from portfolio.models import ScoringCriterion, StrategicObjective
from projects.models import Benefit, BenefitMeasurement, ProjectScore


def references(world, refs: dict) -> dict:
    today = timezone.localdate()
    objective_a = StrategicObjective.objects.create(
        portfolio=world.portfolio_a, code="obj-a", name="Objectif A"
    )
    objective_b = StrategicObjective.objects.create(
        portfolio=world.portfolio_b, code="obj-b", name="Objectif B"
    )
    criterion_a = ScoringCriterion.objects.create(
        portfolio=world.portfolio_a,
        code="valeur",
        name="Valeur",
        level_descriptions={"1": "Aucune valeur", "5": "Valeur majeure"},
    )
    criterion_b = ScoringCriterion.objects.create(portfolio=world.portfolio_b, code="valeur", name="Valeur")
    score_a1 = ProjectScore.objects.create(project=world.a1, criterion=criterion_a, value=3)
    common = {
        "category": Benefit.Category.NON_FINANCIAL,
        "measure": "Heures d'arrêt",
        "baseline": Decimal("100"),
        "target": Decimal("50"),
        "expected_date": today + timedelta(days=90),
    }
    benefit_a1 = Benefit.objects.create(
        project=world.a1, description="Moins d'arrêts", owner=world.users["sponsor"], **common
    )
    benefit_b1 = Benefit.objects.create(project=world.b1, description="Moins d'arrêts B", **common)
    benefit_prog_a = Benefit.objects.create(
        programme=world.programme_a,
        description="Délai de clôture divisé par deux",
        owner=world.users["executive"],
        **common,
    )
    benefit_prog_b = Benefit.objects.create(programme=world.programme_b, description="Programme B", **common)
    measurement_a1 = BenefitMeasurement.objects.create(
        benefit=benefit_a1, date=today - timedelta(days=30), value=Decimal("90")
    )
    return {
        "objective_a": objective_a,
        "objective_b": objective_b,
        "criterion_a": criterion_a,
        "criterion_b": criterion_b,
        "score_a1": score_a1,
        "benefit_a1": benefit_a1,
        "benefit_b1": benefit_b1,
        "benefit_prog_a": benefit_prog_a,
        "benefit_prog_b": benefit_prog_b,
        "measurement_a1": measurement_a1,
        "measured_on": (today - timedelta(days=2)).isoformat(),
    }
