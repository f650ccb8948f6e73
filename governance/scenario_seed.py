"""Demo portfolio scenarios (issue 7 item 4): per demo portfolio, three project requests for next
year (one a regulatory obligation, mandatory) and two scenarios already run — “budget contraint”,
where next year's CAPEX budget and one role's capacity in one quarter bind, a dependency keeps a
project out with what it needs, and a project is just over the line; and “avec recrutement”, which
hires for that role and lifts the budget a little. Idempotent: a portfolio with scenarios is left
as it is."""

from datetime import date
from decimal import ROUND_CEILING, Decimal

from django.contrib.auth import get_user_model

from governance import scenario_services as services
from governance.scenario_models import ScenarioProject
from governance.scenario_selectors import scenario_inputs
from portfolio.models import Portfolio, ScoringCriterion
from portfolio.resource_models import Role
from projects.models import Allocation, CostLine, Project, ProjectScore

# portfolio → requests: code, name, role code, days in Q1 and Q2, CAPEX, OPEX, criterion values
# (valeur, alignement, risque, urgence, reglementaire), needs (another request's code), mandatory
REQUESTS = {
    "dsi-groupe": [
        (
            "sd-wan",
            "Réseau SD-WAN des agences",
            "architecte",
            45,
            30,
            380000,
            60000,
            (4, 4, 2, 4, 1),
            None,
            False,
        ),
        (
            "visio-agences",
            "Visioconférence dans les agences",
            "developpeur",
            120,
            90,
            520000,
            80000,
            (5, 5, 3, 3, 1),
            "sd-wan",
            False,
        ),
        (
            "archivage-legal",
            "Archivage légal électronique",
            "developpeur",
            40,
            20,
            150000,
            30000,
            (2, 3, 1, 5, 5),
            None,
            True,
        ),
    ],
    "transfo-indus": [
        (
            "jumeau-ligne-2",
            "Jumeau numérique ligne 2",
            "automaticien",
            60,
            50,
            450000,
            40000,
            (5, 4, 4, 3, 1),
            None,
            False,
        ),
        (
            "vision-qualite",
            "Contrôle qualité par vision",
            "ingenieur-process",
            50,
            40,
            260000,
            30000,
            (4, 5, 2, 4, 1),
            "jumeau-ligne-2",
            False,
        ),
        (
            "reach-tracabilite",
            "Traçabilité REACH des substances",
            "ingenieur-process",
            30,
            20,
            120000,
            20000,
            (2, 3, 1, 5, 5),
            None,
            True,
        ),
    ],
}
CRITERIA = ("valeur", "alignement", "risque", "urgence", "reglementaire")
STEP = Decimal(10000)


def _round(amount: Decimal) -> Decimal:
    return (amount / STEP).to_integral_value(rounding=ROUND_CEILING) * STEP


def _requests(portfolio: Portfolio, year: int, manager) -> dict[str, Project]:
    criteria = {c.code: c for c in ScoringCriterion.objects.filter(portfolio=portfolio, code__in=CRITERIA)}
    made = {}
    for code, name, role_code, q1, q2, capex, opex, values, _needs, _mandatory in REQUESTS[portfolio.code]:
        project, created = Project.objects.get_or_create(
            code=code,
            defaults={
                "portfolio": portfolio,
                "name": name,
                "state": Project.State.PROPOSED,
                "manager": manager,
                "budget": Decimal(capex + opex),
                "start_date": date(year, 1, 1),
                "end_date": date(year, 12, 31),
            },
        )
        made[code] = project
        if not created:
            continue
        for month in range(1, 13):
            CostLine.objects.create(
                project=project,
                month=date(year, month, 1),
                category="capex",
                planned=(Decimal(capex) / 12).quantize(Decimal("0.01")),
            )
            CostLine.objects.create(
                project=project,
                month=date(year, month, 1),
                category="opex",
                planned=(Decimal(opex) / 12).quantize(Decimal("0.01")),
            )
        role = Role.objects.filter(code=role_code).first()
        if role is not None:
            for quarter, days in ((1, q1), (2, q2)):
                start = date(year, 3 * quarter - 2, 1)
                end = date(year, 3 * quarter, 30 if quarter == 2 else 31)
                Allocation.objects.create(
                    project=project,
                    role=role,
                    start_date=start,
                    end_date=end,
                    unit="hours",
                    hours_per_week=(Decimal(days) * 7 / 13).quantize(Decimal("0.01")),
                    state="requested",
                    note="Estimation de la demande",
                )
        for criterion_code, value in zip(CRITERIA, values, strict=True):
            if criterion_code in criteria:
                ProjectScore.objects.create(project=project, criterion=criteria[criterion_code], value=value)
    return made


def seed_scenarios(*, actor, today: date) -> dict[str, int]:
    counts = {"Scenario": 0, "requests": 0}
    year = today.year + 1
    manager = get_user_model().objects.filter(username="pm1").first()
    for portfolio in Portfolio.objects.filter(code__in=REQUESTS).order_by("code"):
        if portfolio.scenarios.exists():
            continue
        requests = _requests(portfolio, year, manager)
        counts["requests"] += len(requests)
        base = services.scenario_create(
            actor=actor,
            portfolio=portfolio,
            data={
                "name": f"Plan {year} – budget contraint",
                "description": "Budget CAPEX resserré, capacité actuelle du pool.",
                "first_year": year,
                "years": 2,
            },
            today=today,
        )
        inputs = scenario_inputs(base, today=today)
        mandatory_codes = {c for c, *_rest, m in REQUESTS[portfolio.code] if m}
        modes = {
            f.project.pk: ScenarioProject.Mode.MANDATORY
            for f in inputs.figures
            if f.project.code in mandatory_codes
        }
        pairs = set(base.dependencies.values_list("project_id", "requires_id"))
        for code, *_rest, needs, _m in REQUESTS[portfolio.code]:
            if needs:
                pairs.add((requests[code].pk, requests[needs].pk))
        # the mandatory projects and what they need, transitively
        forced = {f.project.pk for f in inputs.figures if f.entry.mode == "mandatory"} | set(modes)
        grown = True
        while grown:
            extra = {needed for project, needed in pairs if project in forced} - forced
            forced |= extra
            grown = bool(extra)
        # next year's CAPEX: the mandatory projects plus 60 % of what the candidates ask
        key = (year, "capex")
        forced_capex = sum(
            (f.cost.get(key, Decimal(0)) for f in inputs.figures if f.project.pk in forced), Decimal(0)
        )
        asked = sum(
            (f.cost.get(key, Decimal(0)) for f in inputs.figures if f.project.pk not in forced), Decimal(0)
        )
        budgets = {key: _round(forced_capex + asked * Decimal("0.6"))}
        # capacity: never below what the mandatory projects book (the pool may be overbooked
        # already), and the first request's role in Q1 tight: mandatory demand + half the asked.
        capacities = {}
        demand_forced: dict = {}
        demand_asked: dict = {}
        for f in inputs.figures:
            target = demand_forced if f.project.pk in forced else demand_asked
            for k, days in f.demand.items():
                target[k] = target.get(k, 0) + days
        for k, limit in inputs.limits.capacity.items():
            if demand_forced.get(k, 0) > limit:
                capacities[k] = Decimal(int(demand_forced[k] * 1.08) + 1)
        first_role = Role.objects.filter(code=REQUESTS[portfolio.code][1][2]).first()
        tight = (first_role.pk, f"{year}-T1") if first_role else None
        if tight and tight in demand_asked:
            capacities[tight] = Decimal(int(demand_forced.get(tight, 0) + demand_asked[tight] * 0.5))
        for k in demand_asked:
            if k not in inputs.limits.capacity and k not in capacities and k != tight:
                capacities[k] = Decimal(int(demand_forced.get(k, 0) + demand_asked[k]) + 1)
        base = services.scenario_update(
            actor=actor,
            scenario=base,
            version=base.version,
            budgets=budgets,
            capacities=capacities,
            modes=modes,
            dependencies=pairs,
        )
        base = services.scenario_run(actor=actor, scenario=base, asynchronous=False)
        use = next((u for u in base.result.get("uses", []) if u["key"] == [year, "capex"]), None)
        chosen = set(base.result.get("selected", []))
        capex = {
            f.project.pk: f.cost.get(key, Decimal(0)) for f in inputs.figures if f.project.pk not in forced
        }
        kept = [c for pk, c in capex.items() if pk in chosen and c > 0]
        out = [c for pk, c in capex.items() if pk not in chosen and c > 0]
        if use is not None and not use["binding"] and (len(kept) >= 2 or out):
            # next year's CAPEX made binding: half the dearest selected project short, or just
            # short of the cheapest project left out (which is then just over the line)
            used = Decimal(str(use["used"]))
            budgets[key] = (
                _round(used - max(kept) / 2)
                if len(kept) >= 2
                else _round(used + min(out) * Decimal("0.9")) - STEP
            )
            base = services.scenario_update(actor=actor, scenario=base, version=base.version, budgets=budgets)
            services.scenario_run(actor=actor, scenario=base, asynchronous=False)
        hiring = services.scenario_create(
            actor=actor,
            portfolio=portfolio,
            data={
                "name": f"Plan {year} – avec recrutement",
                "description": "Deux recrutements au premier trimestre et +10 % de CAPEX.",
                "first_year": year,
                "years": 2,
            },
            today=today,
        )
        more = dict(capacities)
        if tight and tight in more:
            more[tight] = more[tight] + 120
        hiring = services.scenario_update(
            actor=actor,
            scenario=hiring,
            version=hiring.version,
            budgets={key: _round(budgets[key] * Decimal("1.1"))},
            capacities=more,
            modes=modes,
            dependencies=pairs,
        )
        services.scenario_run(actor=actor, scenario=hiring, asynchronous=False)
        counts["Scenario"] += 2
    return counts
