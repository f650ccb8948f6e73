"""Scenario services and the candidates read from the database."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from governance import scenario_services as services
from governance.models import Decision
from governance.scenario_models import Scenario, ScenarioProject
from governance.scenario_selectors import scenario_inputs
from pmo.core.locking import StaleVersionError
from tests.scenarios.conftest import YEAR

pytestmark = pytest.mark.django_db


def test_a_new_scenario_is_prefilled(bench, scenario):
    modes = dict(scenario.entries.values_list("project__code", "mode"))
    assert modes == {
        "a1": "mandatory",
        "a2": "mandatory",
        "p1": "candidate",
        "p2": "candidate",
        "p3": "candidate",
        "p4": "candidate",
    }
    budgets = {(b.year, b.kind): b.amount for b in scenario.budgets.all()}
    # 50 000 + 100 000 + 80 000 + 30 000 + 40 000 planned in CAPEX, rounded up to 10 000
    assert budgets == {(YEAR, "capex"): Decimal(300000), (YEAR, "opex"): Decimal(0)}
    capacity = {(c.role_id, c.quarter): c.days for c in scenario.capacities.all()}
    assert {q for _r, q in capacity} == {f"{YEAR}-T{i}" for i in (1, 2, 3, 4)}
    assert capacity[(bench.dev.pk, f"{YEAR}-T1")] > 50  # one developer full time over a quarter
    assert list(scenario.dependencies.values_list("project__code", "requires__code")) == [("p4", "p3")]


def test_candidates_are_read_from_the_database(bench, scenario):
    inputs = scenario_inputs(scenario)
    by_code = {f.project.code: f for f in inputs.figures}
    assert by_code["p1"].score == 100.0 and by_code["p3"].score == 25.0
    assert by_code["p1"].cost == {(YEAR, "capex"): Decimal(100000)}
    assert by_code["p1"].demand == {(bench.dev.pk, f"{YEAR}-T1"): pytest.approx(20, abs=0.05)}
    assert by_code["a2"].cost == {} and by_code["a2"].score == 0
    assert by_code["p4"].requires == (bench.p3.pk,)
    candidates = {c.label.split(" ")[0]: c for c in inputs.candidates}
    assert candidates["a1"].mandatory and not candidates["p1"].mandatory


def test_candidates_take_a_constant_number_of_queries(bench, scenario, django_assert_max_num_queries):
    from tests.scenarios.conftest import propose

    with django_assert_max_num_queries(12) as few:
        scenario_inputs(scenario)
    for index in range(6):
        project = propose(bench.world, f"q{index}", value=3, capex=1000, days_t1=2, dev=bench.dev)
        ScenarioProject.objects.create(scenario=scenario, project=project)
    with django_assert_max_num_queries(len(few.captured_queries)):
        scenario_inputs(scenario)


def _lower_budget(scenario, amount, actor):
    return services.scenario_update(
        actor=actor, scenario=scenario, version=scenario.version, budgets={(YEAR, "capex"): amount}
    )


def test_run_selects_within_the_budget_and_explains(bench, scenario):
    pmo = bench.world.users["pmo_a"]
    scenario = _lower_budget(scenario, "200000", pmo)
    scenario = services.scenario_run(actor=pmo, scenario=scenario)
    assert scenario.run_status == "optimal"
    selected = set(scenario.entries.filter(selected=True).values_list("project__code", flat=True))
    # a1's 50 000 leaves 150 000: p2 + p3 + p4 (75 + 25 + 75) beat p1 + p3 (100 + 25)
    assert selected == {"a1", "a2", "p2", "p3", "p4"}
    capex = next(u for u in scenario.result["uses"] if u["key"] == [YEAR, "capex"])
    assert capex["used"] <= 200000 and capex["binding"]
    assert scenario.frontier and scenario.solver_seconds is not None
    left = {item["project"]: item for item in scenario.result["left_out"]}
    assert left[bench.p1.pk]["blockers"][0]["kind"] == "budget"


def test_infeasible_names_the_conflicting_limit(bench, scenario):
    pmo = bench.world.users["pmo_a"]
    scenario = _lower_budget(scenario, "30000", pmo)
    scenario = services.scenario_run(actor=pmo, scenario=scenario)
    assert scenario.run_status == "infeasible"
    (problem,) = scenario.result["problems"]
    assert problem["kind"] == "budget" and problem["key"] == [YEAR, "capex"]
    assert problem["over"] == 20000 and problem["projects"] == [bench.world.a1.pk]
    assert scenario.entries.count() == 6  # nothing lost


def test_mandatory_and_excluded_conflict(bench, scenario):
    pmo = bench.world.users["pmo_a"]
    scenario = services.scenario_update(
        actor=pmo,
        scenario=scenario,
        version=scenario.version,
        modes={bench.p4.pk: "mandatory", bench.p3.pk: "excluded"},
    )
    scenario = services.scenario_run(actor=pmo, scenario=scenario)
    assert scenario.run_status == "infeasible"
    assert scenario.result["problems"][0] == {
        "kind": "excluded",
        "project": bench.p3.pk,
        "needed_by": bench.p4.pk,
    }


def test_bad_input_is_named_and_nothing_is_written(bench, scenario):
    pmo = bench.world.users["pmo_a"]
    with pytest.raises(ValidationError) as error:
        services.scenario_update(
            actor=pmo,
            scenario=scenario,
            version=scenario.version,
            data={"name": "Autre"},
            budgets={(YEAR, "capex"): "-5"},
            capacities={(bench.dev.pk, "1999-T1"): "3"},
        )
    assert set(error.value.message_dict) == {f"budget-{YEAR}-capex", f"capacity-{bench.dev.pk}-1999-T1"}
    scenario.refresh_from_db()
    assert scenario.name == "Plan 2027"
    with pytest.raises(StaleVersionError):
        services.scenario_update(
            actor=pmo, scenario=scenario, version=scenario.version - 1, data={"name": "X"}
        )


def test_commit_records_a_decision_and_freezes(bench, scenario):
    pmo = bench.world.users["pmo_a"]
    with pytest.raises(ValidationError):
        services.scenario_commit(actor=pmo, scenario=scenario, version=scenario.version, rationale="Oui")
    scenario = services.scenario_run(actor=pmo, scenario=scenario)
    decision = services.scenario_commit(
        actor=pmo, scenario=scenario, version=scenario.version, rationale="Meilleur score sous budget"
    )
    scenario.refresh_from_db()
    assert scenario.state == Scenario.State.COMMITTED and scenario.committed_by == pmo
    assert decision.scenario == scenario and "p1" in decision.details["selected"]
    assert Decision.objects.visible_to(bench.world.users["executive"]).filter(pk=decision.pk).exists()
    assert not Decision.objects.visible_to(bench.world.users["pm_b"]).filter(pk=decision.pk).exists()
    with pytest.raises(services.ScenarioFrozen):
        _lower_budget(scenario, "1", pmo)
    with pytest.raises(services.ScenarioFrozen):
        services.scenario_run(actor=pmo, scenario=scenario)


def test_large_scenarios_run_in_a_worker(bench, scenario, django_capture_on_commit_callbacks, monkeypatch):
    from governance import tasks

    sent = []
    monkeypatch.setattr(tasks.run_scenario, "delay", lambda pk: sent.append(pk))
    pmo = bench.world.users["pmo_a"]
    with django_capture_on_commit_callbacks(execute=True):
        queued = services.scenario_run(actor=pmo, scenario=scenario, asynchronous=True)
    assert queued.run_status == "queued" and sent == [scenario.pk]
    assert services.run_in_worker(scenario.pk) == "optimal"
    scenario.refresh_from_db()
    assert scenario.run_status == "optimal" and scenario.run_progress == 100
    assert services.run_in_worker(scenario.pk) == "skipped"


def test_a_regulatory_request_is_mandatory_in_a_new_scenario(bench):
    from types import SimpleNamespace

    from governance import intake
    from portfolio.models import StrategicObjective
    from tests.intake.conftest import proposal_data

    world = bench.world
    growth = StrategicObjective.objects.create(
        portfolio=world.portfolio_a, code="croissance", name="Croissance"
    )
    frame = SimpleNamespace(growth=growth, dev=bench.dev, archi=bench.dev)
    efforts = [{"role": bench.dev.pk, "days": "20"}]

    def request(title: str, mandatory: bool):
        data = proposal_data(world, frame, title=title, mandatory=mandatory, efforts=efforts)
        return intake.proposal_create(
            actor=world.users["team"], portfolio=world.portfolio_a, data=data, submit=True
        )

    obligation = request("Mise en conformité DSP3", True)
    ordinary = request("Portail fournisseurs", False)
    scenario = services.scenario_create(
        actor=world.users["pmo_a"], portfolio=world.portfolio_a, data={"name": "Plan", "first_year": YEAR}
    )
    modes = dict(scenario.entries.values_list("project_id", "mode"))
    assert modes[obligation.project_id] == "mandatory"
    assert modes[ordinary.project_id] == "candidate"
    assert modes[bench.p1.pk] == "candidate"
