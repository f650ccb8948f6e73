"""The intake frame on portfolio A of the shared `world`: two objectives, a pool with two roles
(and a role held only in portfolio B's pool), a methodology with two stages as A's default."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from governance import intake
from portfolio.models import Methodology, Resource, ResourceRole, Stage, StrategicObjective

START = date(2027, 1, 1)
END = date(2027, 12, 31)


def make_frame(world) -> SimpleNamespace:
    growth = StrategicObjective.objects.create(
        portfolio=world.portfolio_a, code="croissance", name="Croissance"
    )
    costs = StrategicObjective.objects.create(portfolio=world.portfolio_a, code="couts", name="Coûts")
    foreign = StrategicObjective.objects.create(portfolio=world.portfolio_b, code="b-obj", name="Objectif B")
    dev = ResourceRole.objects.create(code="dev-intake", name="Développeur", cost_rate_per_day=Decimal(500))
    archi = ResourceRole.objects.create(
        code="archi-intake", name="Architecte", cost_rate_per_day=Decimal(800)
    )
    elsewhere = ResourceRole.objects.create(code="juriste-intake", name="Juriste")
    for portfolio, role, name in [
        (world.portfolio_a, dev, "Alice Dev"),
        (world.portfolio_a, archi, "Bruno Archi"),
        (world.portfolio_b, elsewhere, "Chloé Juriste"),
    ]:
        Resource.objects.create(portfolio=portfolio, role=role, name=name)
    methodology = Methodology.objects.create(code="m-intake", name="Méthode intake")
    first = Stage.objects.create(methodology=methodology, order=1, name="Cadrage")
    Stage.objects.create(methodology=methodology, order=2, name="Réalisation")
    world.portfolio_a.default_methodology = methodology
    world.portfolio_a.save(update_fields=["default_methodology"])
    return SimpleNamespace(
        growth=growth, costs=costs, foreign=foreign, dev=dev, archi=archi, elsewhere=elsewhere, first=first
    )


@pytest.fixture
def frame(world):
    return make_frame(world)


def proposal_data(world, frame, **overrides) -> dict:
    data = {
        "title": "Portail fournisseurs",
        "problem": "Les fournisseurs envoient leurs factures par courriel.",
        "expected_benefits": "Moins de saisie, délais de paiement tenus.",
        "objectives": [{"objective": frame.growth.pk, "contribution": 3}],
        "requested_sponsor": world.users["sponsor"].pk,
        "proposed_manager": world.users["pm_a"].pk,
        "programme": world.programme_a.pk,
        "desired_start": START,
        "desired_end": END,
        "capex": "120000",
        "opex": "24000",
        "efforts": [{"role": frame.dev.pk, "days": "200"}, {"role": frame.archi.pk, "days": "20"}],
        "mandatory": False,
        "urgency": "high",
    }
    data.update(overrides)
    return data


def submitted(world, frame, **overrides):
    return intake.proposal_create(
        actor=world.users["team"],
        portfolio=world.portfolio_a,
        data=proposal_data(world, frame, **overrides),
        submit=True,
    )


def under_review(world, frame, **overrides):
    proposal = submitted(world, frame, **overrides)
    return intake.proposal_start_review(actor=world.users["pmo_a"], proposal=proposal)
