"""Demo projects: 30 realistic French projects for the demo, 2,000 for benchmarks (bulk)."""

import random
from datetime import date, timedelta
from decimal import Decimal

from projects.models import Project, ProjectMember

DEMO_PROJECTS = [
    # code, name, portfolio, programme (None: direct), manager, state, stage
    (
        "erp-finance",
        "Refonte ERP Finance",
        "dsi-groupe",
        "modernisation-si",
        "pm1",
        "active",
        "Exécution",
    ),
    (
        "crm-unifie",
        "CRM unifié groupe",
        "dsi-groupe",
        "modernisation-si",
        "pm1",
        "active",
        "Recette",
    ),
    (
        "paie-saas",
        "Migration de la paie en SaaS",
        "dsi-groupe",
        "modernisation-si",
        "pm2",
        "active",
        "Planification",
    ),
    (
        "portail-rh",
        "Portail RH collaborateurs",
        "dsi-groupe",
        "modernisation-si",
        "pm2",
        "on_hold",
        "Exécution",
    ),
    (
        "decom-mainframe",
        "Décommissionnement mainframe",
        "dsi-groupe",
        "modernisation-si",
        "pm1",
        "proposed",
        "Cadrage",
    ),
    ("nis2", "Conformité NIS 2", "dsi-groupe", "cybersecurite", "pm2", "active", "Exécution"),
    (
        "iam",
        "Gestion des identités (IAM)",
        "dsi-groupe",
        "cybersecurite",
        "pm1",
        "active",
        "Exécution",
    ),
    ("soc-24-7", "SOC 24/7 externalisé", "dsi-groupe", "cybersecurite", "pm2", "active", "Bascule"),
    (
        "pca-pra",
        "Plan de reprise d'activité",
        "dsi-groupe",
        "cybersecurite",
        "pm1",
        "closed",
        "Clôture",
    ),
    ("mfa-generalise", "MFA généralisé", "dsi-groupe", "cybersecurite", "pm2", "closed", "Clôture"),
    ("datalake", "Plateforme data groupe", "dsi-groupe", "data-ia", "pm1", "active", "Exécution"),
    (
        "ia-service-client",
        "Assistant IA service client",
        "dsi-groupe",
        "data-ia",
        "pm2",
        "active",
        "Planification",
    ),
    (
        "gouvernance-donnees",
        "Gouvernance des données",
        "dsi-groupe",
        "data-ia",
        "pm1",
        "proposed",
        "Cadrage",
    ),
    (
        "bi-self-service",
        "BI en libre-service",
        "dsi-groupe",
        "data-ia",
        "pm2",
        "cancelled",
        "Cadrage",
    ),
    (
        "poste-travail",
        "Poste de travail nouvelle génération",
        "dsi-groupe",
        None,
        "pm1",
        "active",
        "Exécution",
    ),
    ("teletravail-vpn", "Remplacement du VPN", "dsi-groupe", None, "pm2", "active", "Recette"),
    (
        "mes-site-lyon",
        "MES site de Lyon",
        "transfo-indus",
        "usine-4-0",
        "pm3",
        "active",
        "Exécution",
    ),
    (
        "iot-capteurs",
        "Capteurs IoT lignes 1 à 4",
        "transfo-indus",
        "usine-4-0",
        "pm3",
        "active",
        "Exécution",
    ),
    (
        "jumeau-numerique",
        "Jumeau numérique de l'usine",
        "transfo-indus",
        "usine-4-0",
        "pm1",
        "proposed",
        "Cadrage",
    ),
    (
        "robotisation-conditionnement",
        "Robotisation du conditionnement",
        "transfo-indus",
        "usine-4-0",
        "pm3",
        "active",
        "Planification",
    ),
    (
        "5g-privee",
        "Réseau 5G privé",
        "transfo-indus",
        "usine-4-0",
        "pm1",
        "on_hold",
        "Planification",
    ),
    (
        "maintenance-predictive",
        "Maintenance prédictive",
        "transfo-indus",
        "excellence-ops",
        "pm3",
        "active",
        "Exécution",
    ),
    (
        "lean-atelier",
        "Lean atelier d'assemblage",
        "transfo-indus",
        "excellence-ops",
        "pm3",
        "active",
        "Exécution",
    ),
    (
        "qualite-fournisseurs",
        "Qualité fournisseurs",
        "transfo-indus",
        "excellence-ops",
        "pm1",
        "active",
        "Recette",
    ),
    (
        "smed-presses",
        "SMED sur les presses",
        "transfo-indus",
        "excellence-ops",
        "pm3",
        "closed",
        "Clôture",
    ),
    (
        "energie-sobriete",
        "Plan de sobriété énergétique",
        "transfo-indus",
        "excellence-ops",
        "pm3",
        "active",
        "Exécution",
    ),
    ("securite-site", "Sécurité des sites", "transfo-indus", None, "pm3", "active", "Bascule"),
    ("wms-entrepot", "WMS entrepôt central", "transfo-indus", None, "pm1", "active", "Exécution"),
    (
        "tracabilite-lots",
        "Traçabilité des lots",
        "transfo-indus",
        None,
        "pm3",
        "proposed",
        "Cadrage",
    ),
    (
        "formation-operateurs",
        "Formation des opérateurs",
        "transfo-indus",
        None,
        "pm3",
        "cancelled",
        "Planification",
    ),
]


def seed_projects(*, structure, today: date) -> list[Project]:
    """The 30 demo projects with deterministic dates, budgets and teams (get-or-create by code)."""
    rng = random.Random(20261122)
    users = structure.users
    projects = []
    for index, (code, name, portfolio_code, programme_code, manager, state, stage) in enumerate(
        DEMO_PROJECTS
    ):
        start = today - timedelta(days=rng.randint(60, 540))
        if state in ("closed", "cancelled"):
            end = today - timedelta(days=rng.randint(10, 50))
        elif index % 7 == 0:
            end = today + timedelta(days=rng.randint(5, 28))  # some end soon, for the dashboard
        else:
            end = today + timedelta(days=rng.randint(60, 500))
        if state == "proposed":
            start, end = (
                today + timedelta(days=rng.randint(30, 90)),
                today + timedelta(days=rng.randint(200, 500)),
            )
        project, _created = Project.objects.get_or_create(
            portfolio=structure.portfolios[portfolio_code],
            code=code,
            defaults={
                "name": name,
                "description": f"{name} : projet de démonstration du portefeuille.",
                "programme": structure.programmes.get(programme_code),
                "manager": users[manager],
                "deputy": users["pm2"] if manager == "pm1" and portfolio_code == "dsi-groupe" else None,
                "sponsor": users["sponsor"] if index % 3 else users["exec"],
                "state": state,
                "stage": stage,
                "start_date": start,
                "end_date": end,
                "budget": Decimal(rng.randrange(80, 4000) * 1000),
            },
        )
        projects.append(project)
    for project in projects[:6] + projects[16:19]:
        ProjectMember.objects.get_or_create(
            project=project, user=users["team"], defaults={"project_role": "Analyste métier"}
        )
    return projects


def seed_large_projects(*, portfolios, managers, today: date, count: int = 2000) -> int:
    """`count` projects spread over the benchmark portfolios and programmes (bulk insert)."""
    rng = random.Random(2000)
    states = ["active"] * 7 + ["on_hold", "proposed", "closed"]
    programmes = {p.pk: list(p.programmes.all()) for p in portfolios}
    rows = []
    for i in range(count):
        portfolio = portfolios[i % len(portfolios)]
        start = today - timedelta(days=rng.randint(0, 700))
        rows.append(
            Project(
                portfolio=portfolio,
                programme=rng.choice(programmes[portfolio.pk]) if i % 5 else None,
                code=f"p{i:05d}",
                name=f"Projet benchmark {i:05d}",
                manager=managers[i % len(managers)],
                state=rng.choice(states),
                start_date=start,
                end_date=start + timedelta(days=rng.randint(90, 900)),
                budget=Decimal(rng.randrange(50, 5000) * 1000),
            )
        )
    Project.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
