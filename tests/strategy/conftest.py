from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from portfolio.models import ScoringCriterion, StrategicObjective
from projects.models import Benefit, BenefitMeasurement

TODAY = timezone.localdate()


def make_model(portfolio) -> SimpleNamespace:
    """Three criteria (value 50, urgency 30, risk 20 lower-is-better) and two objectives."""
    value = ScoringCriterion.objects.create(
        portfolio=portfolio, code="valeur", name="Valeur", weight=Decimal(50)
    )
    urgency = ScoringCriterion.objects.create(
        portfolio=portfolio, code="urgence", name="Urgence", weight=Decimal(30)
    )
    risk = ScoringCriterion.objects.create(
        portfolio=portfolio, code="risque", name="Risque", weight=Decimal(20), lower_is_better=True
    )
    growth = StrategicObjective.objects.create(portfolio=portfolio, code="croissance", name="Croissance")
    costs = StrategicObjective.objects.create(
        portfolio=portfolio, code="couts", name="Coûts", weight=Decimal(2)
    )
    return SimpleNamespace(value=value, urgency=urgency, risk=risk, growth=growth, costs=costs)


@pytest.fixture
def model(world):
    return make_model(world.portfolio_a)


def make_benefit(project, **fields) -> Benefit:
    values = {
        "description": "Moins d'arrêts",
        "category": Benefit.Category.NON_FINANCIAL,
        "measure": "Heures d'arrêt par mois",
        "unit": "h",
        "baseline": Decimal("100"),
        "target": Decimal("50"),
        "expected_date": TODAY - timedelta(days=10),
    }
    values.update(fields)
    return Benefit.objects.create(project=project, **values)


def measure(benefit, days_ago: int, value) -> BenefitMeasurement:
    return BenefitMeasurement.objects.create(
        benefit=benefit, date=TODAY - timedelta(days=days_ago), value=Decimal(value)
    )
