"""Strategy writes: validated first, nothing written on error; scores keep strategic_score in sync;
measurements after closure; the benefits exception raised by the scan."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from governance import services as governance
from governance.models import ProjectException
from portfolio import strategy_services
from portfolio.models import ScoringCriterion, StrategicObjective
from projects.models import Benefit, BenefitMeasurement, Project, ProjectObjective, ProjectScore
from projects.services import strategy as services
from tests.strategy.conftest import TODAY, make_benefit, measure

pytestmark = pytest.mark.django_db


def test_scores_give_the_weighted_score_and_sync_strategic_score(world, model):
    pmo = world.users["pmo_a"]
    score = services.project_scores_set(
        actor=pmo,
        project=world.a1,
        values={model.value.pk: (5, "Gros gains"), model.urgency.pk: (3, ""), model.risk.pk: (2, "")},
    )
    # value 1.0 × 50, urgency 0.5 × 30, risk (lower better) 0.75 × 20 → 80 / 100
    assert score == Decimal("80.0")
    world.a1.refresh_from_db()
    assert world.a1.strategic_score == 80
    row = ProjectScore.objects.get(project=world.a1, criterion=model.value)
    assert (row.value, row.comment, row.scored_by) == (5, "Gros gains", pmo)
    # Clearing a score recomputes on what is left.
    services.project_scores_set(actor=pmo, project=world.a1, values={model.urgency.pk: (None, "")})
    world.a1.refresh_from_db()
    assert world.a1.strategic_score == round((50 + 0.75 * 20) / 70 * 100)


def test_score_outside_the_scale_writes_nothing(world, model):
    before = world.a1.strategic_score
    with pytest.raises(ValidationError) as error:
        services.project_scores_set(
            actor=world.users["pmo_a"],
            project=world.a1,
            values={model.value.pk: (4, ""), model.urgency.pk: (6, "")},
        )
    assert f"criterion_{model.urgency.pk}" in error.value.message_dict
    assert not ProjectScore.objects.exists()
    world.a1.refresh_from_db()
    assert world.a1.strategic_score == before


def test_criterion_of_another_portfolio_is_refused(world, model):
    other = ScoringCriterion.objects.create(portfolio=world.portfolio_b, code="x", name="X")
    with pytest.raises(ValidationError):
        services.project_scores_set(actor=world.users["pmo_a"], project=world.a1, values={other.pk: (3, "")})
    assert not ProjectScore.objects.exists()


def test_negative_weight_is_refused(world):
    with pytest.raises(ValidationError) as error:
        strategy_services.strategy_item_create(
            actor=world.users["pmo_a"],
            model=StrategicObjective,
            portfolio=world.portfolio_a,
            data={"code": "neg", "name": "Négatif", "weight": Decimal("-1")},
        )
    assert "weight" in error.value.message_dict
    assert not StrategicObjective.objects.exists()


def test_duplicate_code_and_inverted_scale_are_refused(world, model):
    with pytest.raises(ValidationError) as error:
        strategy_services.strategy_item_create(
            actor=world.users["pmo_a"],
            model=ScoringCriterion,
            portfolio=world.portfolio_a,
            data={"code": "valeur", "name": "Encore", "scale_low": 5, "scale_high": 1},
        )
    assert {"code", "scale_high"} <= set(error.value.message_dict) or "scale_high" in error.value.message_dict
    assert ScoringCriterion.objects.filter(portfolio=world.portfolio_a).count() == 3


def test_update_is_version_checked(world, model):
    from pmo.core.locking import StaleVersionError

    strategy_services.strategy_item_update(
        actor=world.users["pmo_a"], instance=model.growth, version=1, data={"weight": Decimal("3")}
    )
    with pytest.raises(StaleVersionError):
        strategy_services.strategy_item_update(
            actor=world.users["pmo_a"], instance=model.growth, version=1, data={"weight": Decimal("4")}
        )


def test_objectives_link_update_and_unlink(world, model):
    actor = world.users["pm_a"]
    services.project_objectives_set(
        actor=actor, project=world.a1, contributions={model.growth.pk: 3, model.costs.pk: 1}
    )
    services.project_objectives_set(
        actor=actor, project=world.a1, contributions={model.growth.pk: 2, model.costs.pk: 0}
    )
    assert dict(ProjectObjective.objects.values_list("objective__code", "contribution")) == {"croissance": 2}
    with pytest.raises(ValidationError):
        services.project_objectives_set(actor=actor, project=world.a1, contributions={model.growth.pk: 4})


def test_benefit_validation(world):
    with pytest.raises(ValidationError) as error:
        services.benefit_create(
            actor=world.users["pm_a"],
            project=world.a1,
            data={
                "description": "X",
                "category": Benefit.Category.NON_FINANCIAL,
                "measure": "m",
                "baseline": Decimal("5"),
                "target": Decimal("5"),
                "expected_date": TODAY,
                "yearly_value": Decimal("10"),
                "owner": world.users["pm_b"],
            },
        )
    assert {"target", "yearly_value", "owner"} <= set(error.value.message_dict)
    assert not Benefit.objects.exists()


def test_measurement_after_closure_and_bad_input(world):
    Project.objects.filter(pk=world.a1.pk).update(state=Project.State.CLOSED)
    benefit = make_benefit(world.a1, owner=world.users["sponsor"])
    recorded = services.measurement_record(
        actor=world.users["sponsor"], benefit=benefit, data={"date": TODAY, "value": Decimal("70")}
    )
    assert recorded.recorded_by == world.users["sponsor"]
    with pytest.raises(ValidationError):
        services.measurement_record(
            actor=world.users["sponsor"],
            benefit=benefit,
            data={"date": TODAY + timedelta(days=1), "value": Decimal("60")},
        )
    with pytest.raises(ValidationError):  # one measurement per day
        services.measurement_record(
            actor=world.users["sponsor"], benefit=benefit, data={"date": TODAY, "value": Decimal("60")}
        )
    assert BenefitMeasurement.objects.count() == 1


def test_scan_raises_a_benefits_exception_once(world):
    Project.objects.filter(pk=world.a1.pk).update(state=Project.State.ACTIVE)
    benefit = make_benefit(world.a1, description="Moins d'arrêts")
    measure(benefit, 60, "95")
    measure(benefit, 5, "90")  # 20 % of the way: 80 % short, beyond the default 10 %
    result = governance.scan_project(project=world.a1, as_of=TODAY)
    [raised] = [e for e in result.raised if e.tolerance == ProjectException.Tolerance.BENEFITS]
    assert raised.forecast_value == Decimal("80.00") and raised.limit == Decimal("10")
    assert "Moins d'arrêts" in raised.summary
    assert raised.report.options[0]["title"]
    again = governance.scan_project(project=world.a1, as_of=TODAY)
    assert not [e for e in again.raised if e.tolerance == "benefits"]


def test_scan_leaves_a_benefit_on_track_alone(world):
    Project.objects.filter(pk=world.a1.pk).update(state=Project.State.ACTIVE)
    benefit = make_benefit(world.a1)
    measure(benefit, 5, "52")
    governance.scan_project(project=world.a1, as_of=TODAY)
    assert not ProjectException.objects.filter(tolerance="benefits").exists()
