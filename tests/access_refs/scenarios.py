"""References of tests/access_spec.d/scenarios.yaml: a scenario of portfolio A (run, so that it can
be committed) and one of portfolio B."""

from django.utils import timezone

from governance import scenario_services as services


def references(world, refs: dict) -> dict:
    year = timezone.localdate().year + 1
    scenario_a = services.scenario_create(
        actor=world.users["pmo_a"],
        portfolio=world.portfolio_a,
        data={"name": "Scénario A", "first_year": year, "years": 1},
    )
    scenario_a = services.scenario_run(actor=world.users["pmo_a"], scenario=scenario_a)
    scenario_b = services.scenario_create(
        actor=world.users["pmo_b"],
        portfolio=world.portfolio_b,
        data={"name": "Scénario B", "first_year": year, "years": 1},
    )
    return {"scenario_a": scenario_a, "scenario_b": scenario_b, "scenario_year": year}
