"""Demo strategy: objectives and a scoring model per demo portfolio, the demo projects scored and
linked to the objectives they serve, and benefits measured over time — some after their project's
closure by their owner, one (predictive maintenance) short of its target beyond the tolerance, which
the tolerance scan then raises as a benefits exception."""

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from portfolio import strategy_services
from portfolio.models import Portfolio, Programme, ScoringCriterion, StrategicObjective
from projects.models import Benefit, Project
from projects.services import strategy as services

OBJECTIVES = {
    "dsi-groupe": [
        (
            "cyber",
            "Réduire le risque cyber",
            "Protéger le groupe contre les attaques et se conformer à NIS2.",
            30,
        ),
        ("efficacite", "Réduire les coûts de fonctionnement", "Simplifier et mutualiser le SI.", 25),
        ("client", "Améliorer l'expérience client", "Des parcours clients unifiés et plus rapides.", 25),
        ("data", "Valoriser les données", "Décider à partir de données fiables et partagées.", 20),
    ],
    "transfo-indus": [
        ("productivite", "Augmenter la productivité des usines", "TRS +10 points en trois ans.", 35),
        ("qualite", "Zéro défaut client", "Diviser par deux les réclamations qualité.", 25),
        ("energie", "Réduire l'empreinte énergétique", "−20 % de kWh par tonne produite.", 20),
        ("securite", "Sécurité des équipes", "Zéro accident avec arrêt.", 20),
    ],
}

# code, name, description, weight, lower_is_better, levels
CRITERIA = [
    (
        "valeur",
        "Valeur financière",
        "Gains attendus rapportés à l'investissement.",
        30,
        False,
        {
            "1": "Aucun gain mesurable",
            "3": "Retour sur investissement en 3 à 5 ans",
            "5": "Retour en moins de 2 ans",
        },
    ),
    (
        "alignement",
        "Alignement stratégique",
        "Contribution aux objectifs du portefeuille.",
        25,
        False,
        {
            "1": "Hors des objectifs",
            "3": "Contribue à un objectif",
            "5": "Indispensable à plusieurs objectifs",
        },
    ),
    (
        "risque",
        "Risque de réalisation",
        "Complexité, dépendances, maturité des technologies.",
        15,
        True,
        {"1": "Projet maîtrisé", "5": "Très incertain"},
    ),
    ("urgence", "Urgence", "Coût du report d'un an.", 15, False, {"1": "Peut attendre", "5": "Immédiat"}),
    (
        "reglementaire",
        "Obligation réglementaire",
        "Exigence légale ou contractuelle.",
        15,
        False,
        {"1": "Aucune", "5": "Obligation avec échéance"},
    ),
]

# Projects scored on part of the criteria only (the ranking marks them incomplete).
PARTLY_SCORED = {"decom-mainframe": 3, "jumeau-numerique": 2}
NOT_SCORED = {"gouvernance-donnees"}


def _jitter(code: str, criterion: str) -> int:
    return int(hashlib.sha256(f"{code}:{criterion}".encode()).hexdigest(), 16) % 3 - 1


def _values(project: Project) -> dict[str, int]:
    """Criterion values around the project's existing strategic score, so the dashboard keeps its shape."""
    base = 1 + 4 * (project.strategic_score or 50) / 100
    values = {}
    for code, *_rest in CRITERIA:
        level = round(base) + _jitter(project.code, code)
        if code == "risque":
            level = 6 - level
        values[code] = min(max(level, 1), 5)
    return values


def _objective_links(project: Project, objectives: list[StrategicObjective]) -> dict[int, int]:
    digest = int(hashlib.sha256(project.code.encode()).hexdigest(), 16)
    links = {}
    for index, objective in enumerate(objectives):
        level = (digest >> (2 * index)) % 4
        links[objective.pk] = level
    if not any(links.values()):
        links[objectives[0].pk] = 2
    return links


def _benefits(today: date) -> list[dict]:
    """Demo benefits: project or programme code, fields, measurements as (days ago, value)."""
    return [
        {
            "project": "maintenance-predictive",
            "description": "Réduction des arrêts non planifiés",
            "category": Benefit.Category.FINANCIAL,
            "measure": "Heures d'arrêt non planifié par mois, ligne 2",
            "unit": "h/mois",
            "baseline": Decimal("120"),
            "target": Decimal("60"),
            "expected_date": today - timedelta(days=40),
            "yearly_value": Decimal("420000"),
            "years": 5,
            "owner": "sponsor",
            "state": Benefit.State.TRACKING,
            "measurements": [(200, "115"), (130, "108"), (70, "101"), (10, "96")],
        },
        {
            "project": "maintenance-predictive",
            "description": "Baisse des pièces de rechange en urgence",
            "category": Benefit.Category.NON_FINANCIAL,
            "measure": "Commandes urgentes de pièces par trimestre",
            "unit": "commandes",
            "baseline": Decimal("45"),
            "target": Decimal("20"),
            "expected_date": today + timedelta(days=120),
            "owner": "pm3",
            "state": Benefit.State.TRACKING,
            "measurements": [(150, "43"), (60, "33"), (5, "27")],
        },
        {
            "project": "mfa-generalise",
            "description": "Comptes à privilèges protégés par MFA",
            "category": Benefit.Category.NON_FINANCIAL,
            "measure": "Part des comptes à privilèges avec MFA",
            "unit": "%",
            "baseline": Decimal("35"),
            "target": Decimal("100"),
            "expected_date": today - timedelta(days=30),
            "owner": "sponsor",
            "state": Benefit.State.REALISED,
            # The project closed a month ago: the last two measurements are the owner's.
            "measurements": [(240, "48"), (150, "70"), (60, "91"), (20, "97"), (3, "99")],
        },
        {
            "project": "smed-presses",
            "description": "Temps de changement de série des presses",
            "category": Benefit.Category.FINANCIAL,
            "measure": "Minutes par changement de série, moyenne mensuelle",
            "unit": "min",
            "baseline": Decimal("90"),
            "target": Decimal("35"),
            "expected_date": today + timedelta(days=20),
            "yearly_value": Decimal("150000"),
            "years": 4,
            "owner": "sponsor",
            "state": Benefit.State.TRACKING,
            "measurements": [(180, "84"), (90, "62"), (25, "48"), (4, "41")],
        },
        {
            "project": "erp-finance",
            "description": "Clôture mensuelle plus rapide",
            "category": Benefit.Category.FINANCIAL,
            "measure": "Jours ouvrés pour clôturer le mois",
            "unit": "jours",
            "baseline": Decimal("9"),
            "target": Decimal("4"),
            "expected_date": today + timedelta(days=200),
            "yearly_value": Decimal("380000"),
            "years": 5,
            "owner": "exec",
            "state": Benefit.State.PLANNED,
            "measurements": [],
        },
        {
            "project": "crm-unifie",
            "description": "Hausse du taux de transformation commerciale",
            "category": Benefit.Category.FINANCIAL,
            "measure": "Taux de transformation des opportunités",
            "unit": "%",
            "baseline": Decimal("18"),
            "target": Decimal("24"),
            "expected_date": today + timedelta(days=420),
            "yearly_value": Decimal("900000"),
            "years": 5,
            "owner": "sponsor",
            "state": Benefit.State.TRACKING,
            "measurements": [(120, "18.2"), (30, "19.1")],
        },
        {
            "programme": "cybersecurite",
            "description": "Moins d'incidents de sécurité majeurs",
            "category": Benefit.Category.NON_FINANCIAL,
            "measure": "Incidents majeurs sur 12 mois glissants",
            "unit": "incidents",
            "baseline": Decimal("12"),
            "target": Decimal("3"),
            "expected_date": today + timedelta(days=300),
            "owner": "sponsor",
            "state": Benefit.State.TRACKING,
            "measurements": [(200, "11"), (100, "9"), (10, "7")],
        },
    ]


def seed_strategy(*, actor, today: date) -> dict[str, int]:
    """Idempotent: a portfolio that already has criteria is left as it is."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["sponsor", "exec", "pm3"])}
    counts = {"objectives": 0, "criteria": 0, "scored": 0, "benefits": 0, "measurements": 0}
    for portfolio in Portfolio.objects.filter(code__in=OBJECTIVES).order_by("code"):
        if portfolio.scoring_criteria.exists():
            continue
        for code, name, description, weight in OBJECTIVES[portfolio.code]:
            strategy_services.strategy_item_create(
                actor=actor,
                model=StrategicObjective,
                portfolio=portfolio,
                data={"code": code, "name": name, "description": description, "weight": Decimal(weight)},
            )
            counts["objectives"] += 1
        for code, name, description, weight, lower, levels in CRITERIA:
            strategy_services.strategy_item_create(
                actor=actor,
                model=ScoringCriterion,
                portfolio=portfolio,
                data={
                    "code": code,
                    "name": name,
                    "description": description,
                    "weight": Decimal(weight),
                    "lower_is_better": lower,
                    "level_descriptions": levels,
                },
            )
            counts["criteria"] += 1
        strategy_services.strategy_settings_update(
            actor=actor,
            portfolio=portfolio,
            version=0,
            data={"discount_rate": Decimal("8"), "benefit_tolerance_pct": Decimal("20")},
        )
        criteria = {c.code: c for c in portfolio.scoring_criteria.all()}
        objectives = list(portfolio.objectives.order_by("code"))
        for project in Project.objects.filter(portfolio=portfolio).order_by("code"):
            services.project_objectives_set(
                actor=actor, project=project, contributions=_objective_links(project, objectives)
            )
            if project.code in NOT_SCORED:
                continue
            values = _values(project)
            keep = PARTLY_SCORED.get(project.code, len(CRITERIA))
            services.project_scores_set(
                actor=actor,
                project=project,
                values={criteria[code].pk: (value, "") for code, value in list(values.items())[:keep]},
            )
            counts["scored"] += 1
    projects = {
        p.code: p for p in Project.objects.filter(code__in=[b.get("project") for b in _benefits(today)])
    }
    programmes = {p.code: p for p in Programme.objects.filter(code="cybersecurite")}
    for spec in _benefits(today):
        spec = dict(spec)
        measurements = spec.pop("measurements")
        owner = users.get(spec.pop("owner"))
        project = projects.get(spec.pop("project", None))
        programme = programmes.get(spec.pop("programme", None))
        if project is None and programme is None:
            continue
        if Benefit.objects.filter(
            project=project, programme=programme, description=spec["description"]
        ).exists():
            continue
        benefit = services.benefit_create(
            actor=actor, project=project, programme=programme, data={**spec, "owner": owner}
        )
        counts["benefits"] += 1
        for days_ago, value in measurements:
            services.measurement_record(
                actor=owner or actor,
                benefit=benefit,
                data={"date": today - timedelta(days=days_ago), "value": Decimal(value)},
            )
            counts["measurements"] += 1
    return counts
