"""Demo data: 30 realistic French projects for the demo and 2,000 for benchmarks, with their weekly
history: milestones and their forecast trend, monthly costs, deliverables and their reviews, RAID
registers, and one submitted status report per week whose indicated QCDR comes from the real
selectors and qcdr code. Deterministic (fixed seeds, dates relative to today) and written in bulk."""

import calendar
import contextlib
import itertools
import math
import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal, localcontext

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from psycopg import sql
from psycopg.types.json import Jsonb

from pmo.core.periods import week_start
from projects import qcdr, selectors
from projects.models import (
    Assumption,
    CostBaseline,
    CostBaselineLine,
    CostLine,
    Deliverable,
    DeliverableReview,
    Dependency,
    Issue,
    Milestone,
    MilestoneForecast,
    Project,
    ProjectMember,
    Risk,
    StatusReport,
)
from projects.types import (
    AXES,
    RAG,
    CostFact,
    Declared,
    DeliverableFact,
    MilestoneFact,
    ProjectFacts,
    RiskFact,
    Thresholds,
)

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


# Non-proposed demo projects started at least this long ago, so that they have a full weekly history.
HISTORY_WEEKS = 26
BENCH_HISTORY_WEEKS = 104
BENCH_FORECAST_WEEKS = 26  # benchmark: weekly forecasts of a milestone over its last 26 open weeks
EV_BY_MILESTONES = {"maintenance-predictive"}


def seed_projects(*, structure, today: date) -> list[Project]:
    """The 30 demo projects with deterministic dates, budgets and teams (get-or-create by code).

    Projects with a status history (active, on hold, closed) started early enough to have
    `HISTORY_WEEKS` weekly reports before today (or before their closure)."""
    rng = random.Random(20261122)
    older = random.Random(26)  # a second stream, so the first one gives the same budgets as before
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
        elif state in ("active", "on_hold", "closed"):
            latest_start = min(today, end) - timedelta(weeks=HISTORY_WEEKS + 3)
            if start > latest_start:
                start = latest_start - timedelta(days=older.randint(0, 120))
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
                # the PMO's strategic score (0-100), spread so the dashboard's bubble chart reads
                "strategic_score": 25 + (index * 37) % 71,
                "ev_method": "milestones" if code in EV_BY_MILESTONES else "percent_complete",
            },
        )
        projects.append(project)
    for project in projects[:6] + projects[16:19]:
        ProjectMember.objects.get_or_create(
            project=project, user=users["team"], defaults={"project_role": "Analyste métier"}
        )
    return projects


def seed_large_projects(*, portfolios, managers, today: date, count: int = 2000) -> int:
    """`count` projects spread over the benchmark portfolios and programmes (bulk insert).

    Every project but the proposed ones (1 in 40) has run for more than two years, so that
    `seed_large_history` gives it `BENCH_HISTORY_WEEKS` weekly reports."""
    rng = random.Random(2000)
    states = ["active"] * 32 + ["on_hold"] * 3 + ["closed"] * 4 + ["proposed"]
    programmes = {p.pk: list(p.programmes.all()) for p in portfolios}
    rows = []
    for i in range(count):
        portfolio = portfolios[i % len(portfolios)]
        state = rng.choice(states)
        if state == "proposed":
            start = today + timedelta(days=rng.randint(30, 180))
            end = start + timedelta(days=rng.randint(300, 900))
        elif state == "closed":
            end = today - timedelta(days=rng.randint(7, 180))
            start = end - timedelta(weeks=BENCH_HISTORY_WEEKS + 2, days=rng.randint(0, 300))
        else:
            start = today - timedelta(weeks=BENCH_HISTORY_WEEKS + 2, days=rng.randint(0, 300))
            end = today + timedelta(days=rng.randint(60, 700))
        rows.append(
            Project(
                portfolio=portfolio,
                programme=rng.choice(programmes[portfolio.pk]) if i % 5 else None,
                code=f"p{i:05d}",
                name=f"Projet benchmark {i:05d}",
                manager=managers[i % len(managers)],
                state=state,
                start_date=start,
                end_date=end,
                budget=Decimal(rng.randrange(50, 5000) * 1000),
                strategic_score=20 + (i * 37) % 79,
            )
        )
    Project.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- Weekly history: French vocabulary ------------------------------------------------------------

IT_MILESTONES = [
    # name, position in the project's life, key milestone, always present
    ("Cadrage validé", 0.06, True, True),
    ("Conception détaillée validée", 0.22, False, False),
    ("Fin des développements", 0.45, False, False),
    ("Recette", 0.62, True, True),
    ("Mise en production", 0.78, True, True),
    ("Vérification de service régulier", 0.88, False, False),
    ("Bilan de projet", 0.97, False, False),
]
INDUSTRY_MILESTONES = [
    ("Cadrage validé", 0.06, True, True),
    ("Études de détail validées", 0.2, False, False),
    ("Réception des équipements", 0.42, False, False),
    ("Recette", 0.6, True, True),
    ("Mise en service industrielle", 0.76, True, True),
    ("Levée des réserves", 0.88, False, False),
    ("Bilan de projet", 0.97, False, False),
]
BENCH_MILESTONES = [
    ("Cadrage validé", 0.06, True, True),
    ("Conception détaillée validée", 0.25, False, True),
    ("Recette", 0.6, True, True),
    ("Mise en production", 0.78, True, True),
    ("Bilan de projet", 0.97, False, True),
]
RECETTE = "Recette"

# title, cause, effect, mitigation, response, probability, impact
COMMON_RISKS = [
    (
        "Indisponibilité des utilisateurs clés pendant la recette",
        "Clôture comptable et congés concentrés sur la période de recette.",
        "Recette incomplète et décalage de la mise en production.",
        "Planifier la recette hors clôture et désigner des suppléants par processus.",
        "reduce",
        3,
        3,
    ),
    (
        "Dépassement du budget de prestations",
        "Charge des interfaces sous-estimée lors du chiffrage initial.",
        "Besoin de budget complémentaire en cours d'année.",
        "Revue mensuelle du reste à faire et priorisation du périmètre avec le sponsor.",
        "reduce",
        2,
        4,
    ),
    (
        "Départ d'un expert clé de l'équipe",
        "Forte tension sur le marché des profils expérimentés.",
        "Perte de connaissance et ralentissement de l'équipe.",
        "Binômage systématique et documentation des choix techniques.",
        "reduce",
        2,
        3,
    ),
    (
        "Résistance au changement des équipes métier",
        "Nouveaux processus perçus comme plus contraignants.",
        "Adoption faible après la mise en production.",
        "Plan de conduite du changement et réseau d'ambassadeurs par site.",
        "reduce",
        3,
        2,
    ),
    (
        "Indisponibilité de l'équipe de test",
        "Équipe de test mobilisée sur un autre projet prioritaire.",
        "Campagnes de tests décalées de plusieurs semaines.",
        "Réserver les testeurs au plan de charge et former deux testeurs métier.",
        "reduce",
        2,
        3,
    ),
    (
        "Grève ou mouvement social pendant le déploiement",
        "Négociations annuelles obligatoires en cours.",
        "Interventions sur site reportées.",
        "Aucune action : risque accepté, suivi en comité.",
        "accept",
        1,
        3,
    ),
]
IT_RISKS = [
    (
        "Retard de livraison de l'éditeur",
        "L'éditeur ne livre les correctifs qu'en fin de trimestre.",
        "Tests d'intégration décalés.",
        "Pénalités de retard au contrat et point hebdomadaire avec l'éditeur.",
        "transfer",
        3,
        3,
    ),
    (
        "Qualité insuffisante des données à migrer",
        "Référentiels historiques non nettoyés depuis dix ans.",
        "Rejets massifs lors de la reprise des données.",
        "Chantier de nettoyage avec les métiers et migrations à blanc successives.",
        "reduce",
        3,
        4,
    ),
    (
        "Non-conformité RGPD des environnements de test",
        "Données personnelles copiées en clair depuis la production.",
        "Sanction de la CNIL et atteinte à l'image du groupe.",
        "Anonymisation systématique des jeux de données de test.",
        "avoid",
        2,
        4,
    ),
    (
        "Vulnérabilité critique sur un composant tiers",
        "Composants open source non suivis par la veille sécurité.",
        "Mise en production reportée le temps du correctif.",
        "Analyse de composition logicielle dans la chaîne d'intégration continue.",
        "reduce",
        2,
        3,
    ),
    (
        "Sous-dimensionnement de l'infrastructure",
        "Volumétrie réelle supérieure aux hypothèses de l'appel d'offres.",
        "Temps de réponse dégradés après la bascule.",
        "Tests de charge avant la bascule et réserve de capacité négociée.",
        "reduce",
        2,
        3,
    ),
]
INDUSTRY_RISKS = [
    (
        "Arrêt de production pendant l'installation",
        "Fenêtres d'intervention limitées sur les lignes.",
        "Perte de production et pénalités clients.",
        "Installer pendant les arrêts techniques programmés.",
        "avoid",
        2,
        4,
    ),
    (
        "Délais d'approvisionnement des équipements",
        "Pénurie de composants électroniques chez les fournisseurs.",
        "Installation repoussée d'un trimestre.",
        "Commandes anticipées et second fournisseur qualifié.",
        "reduce",
        3,
        3,
    ),
    (
        "Non-conformité aux exigences HSE",
        "Nouvelles consignes de sécurité machine publiées en cours de projet.",
        "Mise en service refusée par le service HSE.",
        "Revue HSE à chaque jalon et analyse de risques machine.",
        "avoid",
        2,
        4,
    ),
    (
        "Hausse du coût de l'énergie",
        "Volatilité des prix de l'électricité.",
        "Gains du projet inférieurs au business case.",
        "Contrat d'achat d'électricité à prix fixe négocié par les achats.",
        "transfer",
        3,
        2,
    ),
]
OPPORTUNITIES = [
    (
        "Mutualisation des licences avec un autre projet du groupe",
        "Deux projets utilisent le même éditeur.",
        "Économie de 15 % sur les licences.",
        "Négociation conjointe par les achats.",
        "exploit",
        3,
        2,
    ),
    (
        "Subvention France 2030 pour la modernisation industrielle",
        "Appel à projets ouvert jusqu'à la fin du semestre.",
        "Financement d'une partie des investissements.",
        "Dossier de candidature préparé avec la direction financière.",
        "enhance",
        2,
        3,
    ),
    (
        "Réutilisation des API de la plateforme data",
        "Les flux nécessaires existent déjà sur la plateforme.",
        "Développements d'interfaces réduits.",
        "Atelier d'architecture commun.",
        "exploit",
        3,
        2,
    ),
]
STORY_RISKS = {
    "supplier": (
        "Défaillance du prestataire pendant la bascule",
        "Le prestataire a perdu deux analystes seniors sur le périmètre.",
        "Surveillance interrompue pendant la bascule, incidents non détectés.",
        "Clause de réversibilité activée et astreinte interne en doublure.",
        "transfer",
        3,
        4,
    ),
}
RISK_RESCORE = {
    "up": "Nouvelles informations défavorables : risque réévalué à la hausse.",
    "down": "Actions de réduction efficaces : risque réévalué à la baisse.",
}

DELIVERABLES = [
    # name, position in the life, acceptance criteria
    ("Dossier de cadrage", 0.08, "Périmètre, budget et planning validés par le sponsor."),
    ("Spécifications fonctionnelles détaillées", 0.25, "Relues et signées par les référents métier."),
    ("Dossier d'architecture technique", 0.32, "Validé par le comité d'architecture et la sécurité."),
    ("Cahier de recette", 0.5, "Couvre 100 % des exigences bloquantes."),
    ("Procès-verbal de recette", 0.62, "Zéro anomalie bloquante, réserves mineures listées."),
    ("Plan de bascule", 0.72, "Répétition générale réussie, retour arrière documenté."),
    ("Supports de formation", 0.76, "Testés avec un panel d'utilisateurs."),
    ("Dossier d'exploitation", 0.85, "Accepté par la production informatique."),
    ("Rapport de bilan", 0.97, "Présenté en COPIL, leçons apprises capitalisées."),
]
REJECTIONS = [
    "Les exigences de sécurité ne sont pas couvertes : compléter le chapitre 4.",
    "Trop d'anomalies bloquantes ouvertes : reprendre les corrections et relivrer.",
    "Les seuils d'alerte ne couvrent pas les exigences HSE : document à reprendre.",
]
ISSUES = [
    ("Environnement de recette indisponible", "Panne du stockage partagé depuis lundi.", "high"),
    (
        "Anomalie bloquante sur l'interface comptable",
        "Les écritures sont rejetées au-delà de 1 000 lignes.",
        "critical",
    ),
    ("Retard de livraison du lot 2", "Le prestataire annonce deux semaines de retard.", "medium"),
    ("Licences non commandées à temps", "Bon de commande bloqué au service achats.", "medium"),
    (
        "Accès réseau du prestataire non ouverts",
        "Demande d'ouverture de flux en attente à la sécurité.",
        "low",
    ),
    (
        "Capteur défectueux sur la ligne 3",
        "Mesures incohérentes remontées depuis la semaine dernière.",
        "high",
    ),
    ("Référent métier absent trois semaines", "Arrêt maladie non remplacé.", "medium"),
]
RESOLUTIONS = [
    "Contournement mis en place puis correctif livré par l'éditeur.",
    "Escaladé au sponsor : ressources débloquées.",
    "Traité en comité de suivi, plan d'action clos.",
]
ASSUMPTIONS = [
    (
        "Les utilisateurs clés sont disponibles à 50 % pendant la recette",
        "À confirmer par les directeurs métier.",
    ),
    ("L'infrastructure est livrée par la production avant la conception", "Engagement de la DSI au cadrage."),
    (
        "Le périmètre fonctionnel reste stable jusqu'à la mise en production",
        "Toute évolution passe en COPIL.",
    ),
    ("Le budget de l'an prochain est reconduit à l'identique", "Hypothèse du business case."),
    (
        "Les données de référence sont fournies par les métiers",
        "Fichiers attendus au format du modèle d'import.",
    ),
]

AXIS_WORDS = {"quality": "la qualité", "cost": "les coûts", "schedule": "les délais", "risk": "les risques"}
PHASES = [
    # upper bound of percent complete, achievements, next steps
    (
        15,
        [
            "Ateliers de cadrage menés avec les directions métier.",
            "Note de cadrage relue par le sponsor.",
            "Équipe projet constituée et comitologie lancée.",
        ],
        [
            "Finaliser la note de cadrage.",
            "Lancer la consultation des prestataires.",
            "Planifier les ateliers de conception.",
        ],
    ),
    (
        40,
        [
            "Ateliers de conception tenus avec les référents métier.",
            "Spécifications relues : 80 % des exigences validées.",
            "Maquettes présentées aux utilisateurs clés.",
            "Architecture cible validée en comité d'architecture.",
        ],
        [
            "Finaliser les spécifications détaillées.",
            "Préparer l'environnement de développement.",
            "Arbitrer les exigences hors périmètre avec le sponsor.",
        ],
    ),
    (
        70,
        [
            "Paramétrage du socle avancé conformément au plan.",
            "Interfaces avec le SI comptable testées en intégration.",
            "Migration à blanc des données réalisée.",
            "Douze anomalies d'intégration corrigées.",
            "Démonstration de fin de sprint aux métiers.",
        ],
        [
            "Terminer les développements du lot en cours.",
            "Préparer le cahier de recette avec les métiers.",
            "Lancer la deuxième migration à blanc.",
        ],
    ),
    (
        92,
        [
            "Campagne de recette lancée avec les utilisateurs clés.",
            "Anomalies bloquantes de recette corrigées.",
            "Plan de bascule relu avec la production.",
            "Formation des utilisateurs clés démarrée.",
        ],
        [
            "Clore la campagne de recette.",
            "Répéter la bascule en pré-production.",
            "Organiser les sessions de formation.",
        ],
    ),
    (
        101,
        [
            "Bascule réalisée sans incident majeur.",
            "Support renforcé en place pour les premières semaines.",
            "Retours utilisateurs collectés et priorisés.",
        ],
        [
            "Lever les dernières réserves.",
            "Préparer le bilan de projet pour le COPIL.",
            "Transférer le support à l'exploitation.",
        ],
    ),
]
GREEN_OVERALL = [
    "Semaine conforme au plan, pas de point bloquant.",
    "Bonne dynamique de l'équipe, les métiers sont impliqués.",
    "Avancement nominal, comité de suivi tenu avec le sponsor.",
    "Rien à signaler : le projet avance comme prévu.",
]
WATERMELON_TEXTS = {
    "overall": "Tout est sous contrôle, l'équipe reste confiante pour la mise en production.",
    "quality": "Livrables en bonne voie.",
    "cost": "Budget maîtrisé.",
    "schedule": "Planning tenu, pas de glissement à signaler.",
    "risk": "Risques sous contrôle.",
}
HELP_NEEDED = {
    # by the first axis declared red
    "cost": [
        "Arbitrage du sponsor attendu sur le budget complémentaire.",
        "Validation du reste à faire par la DAF.",
    ],
    "schedule": [
        "Renfort de deux testeurs pendant trois semaines.",
        "Validation du nouveau planning par le comité de pilotage.",
    ],
    "risk": [
        "Décision du COPIL sur le plan de réduction du risque.",
        "Activation de la clause de réversibilité.",
    ],
    "quality": ["Relecture prioritaire par les référents métier.", "Arbitrage sur les réserves de recette."],
}


# --- Weekly history: stories ----------------------------------------------------------------------


@dataclass(frozen=True)
class Story:
    """How a project's data, and what its manager declares about it, evolve week after week."""

    kind: str = "healthy"  # healthy, watermelon, slip, cost, risk, quality, on_hold, closed
    # honest, lagging (one week behind the data), cautious (cost and schedule at least amber) or green
    # (the watermelon)
    declared: str = "honest"
    cost_drift: float = 0.0  # extra spend over plan in the months of the drift, at its peak
    spi: float = 1.0  # percent complete against plan once the drift is complete
    slip: int = 0  # calendar days that "Recette" and the milestones after it have slipped in the end
    recette_offset: int | None = None  # baseline of "Recette", in days from today
    drift_weeks: int = 14  # the drift builds up over the weeks before the last report
    last_week: int = 0  # weeks ago of the last report: 0 up to date, 1 this week's due, 3+ stale
    suspended_weeks: int = 0  # on hold since


DEMO_STORIES = {
    # The watermelon: green everywhere while its costs run a quarter over and "Recette" is long overdue.
    "erp-finance": Story(
        kind="watermelon", declared="green", cost_drift=0.9, spi=0.93, recette_offset=-40, drift_weeks=18
    ),
    # Drifting into red, honestly reported a week late: "Recette" slips by seven weeks.
    "crm-unifie": Story(
        kind="slip", declared="lagging", slip=49, recette_offset=-7, spi=0.97, drift_weeks=14
    ),
    "nis2": Story(kind="cost", declared="lagging", cost_drift=0.85, spi=0.96, drift_weeks=20),
    "wms-entrepot": Story(kind="cost", declared="lagging", cost_drift=0.6, drift_weeks=16),
    "mes-site-lyon": Story(kind="slip", slip=21, recette_offset=20, cost_drift=0.2, drift_weeks=10),
    "soc-24-7": Story(kind="risk"),
    "iot-capteurs": Story(kind="quality"),
    # The stale one: last report four weeks ago, cautious about a recette under pressure.
    "teletravail-vpn": Story(declared="cautious", last_week=4),
    # This week's report still due.
    "iam": Story(last_week=1),
    "paie-saas": Story(last_week=1),
    "lean-atelier": Story(last_week=1),
    "portail-rh": Story(kind="on_hold", suspended_weeks=10, drift_weeks=10),
    "5g-privee": Story(kind="on_hold", suspended_weeks=6, drift_weeks=6),
}


def _demo_story(project: Project, cal: "_Calendar") -> Story:
    if project.state == Project.State.CLOSED:
        return Story(kind="closed", last_week=max(1, cal.week_index(project.end_date)))
    if project.state == Project.State.ON_HOLD and project.code not in DEMO_STORIES:
        return Story(kind="on_hold", suspended_weeks=8, drift_weeks=8)
    return DEMO_STORIES.get(project.code, Story())


def _bench_story(project: Project, cal: "_Calendar") -> Story:
    rng = random.Random(f"story:{project.code}")
    if project.state == Project.State.CLOSED:
        return Story(kind="closed", last_week=max(1, cal.week_index(project.end_date)))
    draw = rng.random()
    last_week = 0 if draw < 0.87 else 1 if draw < 0.97 else rng.randint(3, 8)
    declared = "lagging" if rng.random() < 0.5 else "honest"
    if project.state == Project.State.ON_HOLD:
        weeks = rng.randint(4, 20)
        return Story(kind="on_hold", suspended_weeks=weeks, drift_weeks=weeks, last_week=last_week)
    draw = rng.random()
    if draw < 0.1:
        return Story(
            kind="cost",
            declared=declared,
            cost_drift=rng.uniform(0.15, 0.6),
            spi=rng.uniform(0.88, 1.0),
            drift_weeks=rng.randint(8, 30),
            last_week=last_week,
        )
    if draw < 0.2:
        return Story(
            kind="slip",
            declared=declared,
            slip=rng.choice([14, 21, 35, 49, 63]),
            recette_offset=rng.randint(-40, 40),
            drift_weeks=rng.randint(6, 20),
            last_week=last_week,
        )
    if draw < 0.25:
        return Story(kind="risk", declared=declared, last_week=last_week)
    if draw < 0.28:
        return Story(kind="quality", declared=declared, last_week=last_week)
    if draw < 0.31:
        return Story(
            kind="watermelon",
            declared="green",
            cost_drift=rng.uniform(0.4, 0.8),
            spi=0.92,
            recette_offset=-rng.randint(20, 60),
            drift_weeks=rng.randint(10, 24),
            last_week=last_week,
        )
    return Story(last_week=last_week)


# --- Weekly history: calendar and plans -----------------------------------------------------------

ZERO = Decimal("0")
CENT = Decimal("0.01")


def _weekday(day: date, *, forward: bool = True) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1 if forward else -1)
    return day


def _add_months(month: date, count: int) -> date:
    year, index = divmod(month.month - 1 + count, 12)
    return date(month.year + year, index + 1, 1)


def _elapsed(month: date, day: date) -> Decimal:
    """Share of `month` elapsed at `day`, as qcdr.planned_value counts it (whole past months)."""
    days = calendar.monthrange(month.year, month.month)[1]
    if day >= month.replace(day=days):
        return Decimal(1)
    if day < month:
        return ZERO
    return Decimal(day.day) / Decimal(days)


class _Calendar:
    """Weeks counted back from the current ISO week (0), their Mondays, Fridays and submission times."""

    def __init__(self, today: date, now: datetime):
        self.today = today
        self.now = now
        self.monday0 = week_start(today)
        self.zone = timezone.get_current_timezone()
        self._mondays: dict[int, date] = {}
        self._fridays: dict[int, date] = {}

    def monday(self, k: int) -> date:
        day = self._mondays.get(k)
        if day is None:
            day = self._mondays[k] = self.monday0 - timedelta(weeks=k)
        return day

    def as_of(self, k: int) -> date:
        """The week's Friday, or today for the current week when Friday has not come yet."""
        day = self._fridays.get(k)
        if day is None:
            day = self._fridays[k] = min(self.monday(k) + timedelta(days=4), self.today)
        return day

    def week_index(self, day: date) -> int:
        return (self.monday0 - week_start(day)).days // 7

    def weeks_ago(self, day: date) -> float:
        return (self.monday0 - day).days / 7

    def moment(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour + minute // 60, minute % 60), tzinfo=self.zone)

    def submitted_at(self, k: int, minutes: int) -> datetime:
        moment = min(self.moment(self.as_of(k), 15, minutes), self.now - timedelta(minutes=1))
        return moment if moment >= self.moment(self.monday(k), 0) else self.now


@dataclass
class _Milestone:
    name: str
    is_key: bool
    weight: int
    baseline: date
    target: date  # the actual date if achieved, else the forecast as it stands today
    achieved: bool
    frozen: bool = False  # its forecast was never updated (the watermelon's)
    row: Milestone | None = None


@dataclass
class _Cost:
    month: date
    category: str
    planned: Decimal
    spent: Decimal = ZERO  # the whole month's spend; recorded month to date
    actual: Decimal = ZERO
    forecast: Decimal = ZERO

    def __post_init__(self):
        self.days = calendar.monthrange(self.month.year, self.month.month)[1]
        self.end = self.month.replace(day=self.days)

    def share_at(self, day: date) -> float:
        """Share of the month elapsed at `day`, as qcdr.planned_value counts it (whole past months)."""
        if day >= self.end:
            return 1.0
        if day < self.month:
            return 0.0
        return day.day / self.days

    def actual_at(self, day: date) -> Decimal:
        if day >= self.end:
            return self.spent
        if day < self.month:
            return ZERO
        return (self.spent * _elapsed(self.month, day)).quantize(CENT)


@dataclass
class _Risk:
    spec: tuple
    owner: object
    created: date
    probability: int
    impact: int
    is_opportunity: bool = False
    changed: date | None = None
    new_probability: int = 0
    new_impact: int = 0
    closed: date | None = None
    proximity: date | None = None
    row: Risk | None = None

    def at(self, day: date) -> tuple[int, int, bool] | None:
        if self.created > day:
            return None
        if self.changed is not None and self.changed <= day:
            probability, impact = self.new_probability, self.new_impact
        else:
            probability, impact = self.probability, self.impact
        return probability, impact, self.closed is None or self.closed > day


@dataclass
class _Deliverable:
    name: str
    due: date
    criteria: str
    owner: object
    reviews: list = field(default_factory=list)  # (day, state, comment), oldest first
    row: Deliverable | None = None

    def state_at(self, day: date) -> str:
        state = Deliverable.State.PLANNED
        for when, review_state, _comment in self.reviews:
            if when <= day:
                state = review_state
        return state


@dataclass
class _Plan:
    """Everything one project records over its history, built in memory before the bulk inserts."""

    project: Project
    story: Story
    cal: _Calendar
    rng: random.Random
    people: dict
    weeks: list = field(default_factory=list)  # weeks ago, oldest first
    milestones: list = field(default_factory=list)
    costs: list = field(default_factory=list)
    risks: list = field(default_factory=list)
    deliverables: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    assumptions: list = field(default_factory=list)
    percent: dict = field(default_factory=dict)
    submitted: dict = field(default_factory=dict)
    suspended_on: date | None = None

    def progress(self, k: float) -> float:
        """0 before the story's drift starts, 1 from the last report on."""
        start = self.story.last_week + self.story.drift_weeks
        if k >= start:
            return 0.0
        if k <= self.story.last_week:
            return 1.0
        return (start - k) / self.story.drift_weeks

    def forecast_at(self, milestone: _Milestone, k: int) -> date:
        """The forecast of a milestone as its manager recorded it in week k (the MTA series)."""
        day = self.cal.as_of(k)
        if milestone.achieved and milestone.target <= day:
            return milestone.target
        if milestone.frozen:
            return milestone.baseline
        slip = (milestone.target - milestone.baseline).days
        moved = slip * self.progress(k)
        if abs(slip) >= 7:
            moved = round(moved / 7) * 7
        forecast = milestone.baseline + timedelta(days=round(moved))
        if forecast < day:
            forecast = milestone.target if milestone.target >= day else day
        return forecast

    def values_at(self, day: date) -> tuple[float, float]:
        """Planned value and actual cost at `day` (floats: for percent complete and approximations)."""
        pv = ac = 0.0
        for c in self.costs:
            share = c.share_at(day)
            if share:
                pv += c.planned_f * share
                ac += c.spent_f * share
        return pv, ac


def _people(project: Project, users: dict) -> dict:
    owners = [project.manager]
    if project.deputy_id:
        owners.append(project.deputy)
    if "team" in users:
        owners.append(users["team"])
    return {"owners": owners, "reviewer": project.sponsor or users["pmo"], "pmo": users["pmo"]}


def _plan(project: Project, story: Story, cal: _Calendar, people: dict, *, bench: bool) -> _Plan:
    plan = _Plan(
        project=project,
        story=story,
        cal=cal,
        rng=random.Random(f"history:{project.portfolio.code}:{project.code}"),
        people=people,
    )
    if project.state in (Project.State.ACTIVE, Project.State.ON_HOLD, Project.State.CLOSED):
        length = BENCH_HISTORY_WEEKS if bench else HISTORY_WEEKS
        first = week_start(project.start_date)
        plan.weeks = [
            k for k in range(story.last_week + length - 1, story.last_week - 1, -1) if cal.monday(k) >= first
        ]
    if story.kind == "on_hold":
        plan.suspended_on = cal.monday(story.last_week + story.suspended_weeks)
    if bench:
        _plan_milestones(plan, BENCH_MILESTONES, len(BENCH_MILESTONES))
    else:
        industry = project.portfolio.code == "transfo-indus"
        _plan_milestones(plan, INDUSTRY_MILESTONES if industry else IT_MILESTONES, plan.rng.randint(4, 7))
    _plan_costs(plan, bench=bench)
    _plan_percent(plan)
    _plan_risks(plan, bench=bench)
    if plan.weeks:
        _plan_deliverables(plan, 2 if bench else plan.rng.randint(2, 5))
        _plan_issues(plan, 3 if bench else plan.rng.randint(0, 2) + (story.kind != "healthy"))
        if not bench:
            _plan_assumptions(plan)
    return plan


def _plan_milestones(plan: _Plan, template: list, count: int) -> None:
    project, story, cal, rng = plan.project, plan.story, plan.cal, plan.rng
    closed = story.kind == "closed"
    optional = [t for t in template if not t[3] and not (closed and t[0] == "Bilan de projet")]
    chosen = set(rng.sample(optional, max(0, min(len(optional), count - (len(template) - len(optional))))))
    specs = [t for t in template if t[3] or t in chosen or (closed and t[0] == "Bilan de projet")]
    life = (project.end_date - project.start_date).days
    baselines = [_weekday(project.start_date + timedelta(days=round(life * t[1]))) for t in specs]
    names = [t[0] for t in specs]
    if story.recette_offset is not None and RECETTE in names:
        r = names.index(RECETTE)
        anchor = _weekday(cal.today + timedelta(days=story.recette_offset))
        for i in range(len(specs)):
            if i < r:
                baselines[i] = min(baselines[i], anchor - timedelta(days=21 * (r - i)))
            elif i == r:
                baselines[i] = anchor
            else:
                baselines[i] = max(baselines[i], anchor + timedelta(days=21 * (i - r)))
        baselines = [_weekday(max(b, project.start_date + timedelta(days=7))) for b in baselines]
    # Earned-value weights in proportion to the share of the life each milestone closes; sum 100.
    gaps = [max(t[1] - (specs[i - 1][1] if i else 0), 0.01) for i, t in enumerate(specs)]
    weights = [int(100 * g / sum(gaps)) for g in gaps]
    weights[weights.index(max(weights))] += 100 - sum(weights)
    drift_from = cal.monday(story.last_week + story.drift_weeks)
    closing = _weekday(min(project.end_date, cal.today - timedelta(days=1)), forward=False)
    for i, (name, _frac, is_key, _always) in enumerate(specs):
        baseline = baselines[i]
        frozen = story.declared == "green" and baseline >= drift_from
        if frozen:
            slip = 0
        elif plan.suspended_on is not None and baseline >= plan.suspended_on:
            slip = story.suspended_weeks * 7 + 21
        elif story.slip and RECETTE in names and i >= names.index(RECETTE):
            slip = story.slip
        else:
            slip = rng.choice([0, 0, 0, 0, 1, 2, 3, 5, -1, -2])
        target = _weekday(baseline + timedelta(days=slip))
        if closed:
            target = min(target, closing)
        achieved = bool(plan.weeks) and not frozen and target < cal.today
        if not achieved and not frozen and target < cal.today + timedelta(days=7):
            target = _weekday(cal.today + timedelta(days=7 + rng.randint(0, 7)))
        plan.milestones.append(
            _Milestone(
                name=name,
                is_key=is_key,
                weight=weights[i],
                baseline=baseline,
                target=target,
                achieved=achieved,
                frozen=frozen,
            )
        )


def _plan_costs(plan: _Plan, *, bench: bool) -> None:
    """Monthly CAPEX and OPEX planned over the life (a 12-month spend window for the benchmark),
    the month's spend for past months and the month to date, the forecast for the months to come."""
    project, story, cal, rng = plan.project, plan.story, plan.cal, plan.rng
    first, last = project.start_date.replace(day=1), project.end_date.replace(day=1)
    current = cal.today.replace(day=1)
    if bench:
        soon = _add_months(current, rng.randint(2, 8))
        window_end = last if story.kind == "closed" else min(last, soon)
        window_start = max(first, _add_months(window_end, -11))
        months = [_add_months(window_start, i) for i in range(12)]
        shape = [0.4 + math.sin(math.pi * (i + 0.5) / 12) for i in range(12)]
        total = sum(shape)
        lines = [(m, "capex" if i < 9 else "opex", shape[i] / total) for i, m in enumerate(months)]
    else:
        months = []
        month = first
        while month <= last:
            months.append(month)
            month = _add_months(month, 1)
        count = len(months)
        capex_share = rng.uniform(0.55, 0.8)
        shape = [0.4 + math.sin(math.pi * (i + 0.5) / count) for i in range(count)]
        total = sum(shape)
        lines = []
        for i, m in enumerate(months):
            lines.append((m, "capex", capex_share * shape[i] / total))
            lines.append((m, "opex", (1 - capex_share) / count))
    budget = int(project.budget)
    planned = [int(budget * share) for _m, _c, share in lines]
    planned[planned.index(max(planned))] += budget - sum(planned)
    expected = 0.0 if story.declared == "green" else story.cost_drift
    for (month, category, _share), amount in zip(lines, planned, strict=True):
        line = _Cost(month=month, category=category, planned=Decimal(amount))
        if plan.weeks and month <= current:
            middle = month + timedelta(days=14)
            if plan.suspended_on is not None and middle >= plan.suspended_on:
                factor = 0.05
            else:
                factor = (
                    1 + rng.uniform(-0.05, 0.05) + story.cost_drift * plan.progress(cal.weeks_ago(middle))
                )
            line.spent = Decimal(round(amount * factor))
            line.actual = line.actual_at(cal.today)
        if month < current:
            line.forecast = line.actual
        elif plan.suspended_on is not None or not plan.weeks:
            line.forecast = line.planned
        else:
            line.forecast = max(line.actual, (line.planned * Decimal(1 + expected)).quantize(CENT))
        line.planned_f, line.spent_f = float(line.planned), float(line.spent)
        plan.costs.append(line)
    plan.costs.sort(key=lambda c: (c.month, c.category))


def _plan_percent(plan: _Plan) -> None:
    """Percent complete as reported each week: the plan's progress (PV / BAC) times the story's SPI."""
    story, cal, rng = plan.story, plan.cal, plan.rng
    budget = float(plan.project.budget)
    reached = 0.0
    for k in plan.weeks:
        day = cal.as_of(k)
        if plan.suspended_on is not None and cal.monday(k) >= plan.suspended_on:
            value = reached
        else:
            pv, _ac = plan.values_at(day)
            on_plan = pv / budget * 100 if budget else 0.0
            value = on_plan * (1 + (story.spi - 1) * plan.progress(k) + rng.uniform(-0.015, 0.015))
        value = min(100.0, max(reached, value))
        if story.kind == "closed" and k == plan.weeks[-1]:
            value = 100.0
        reached = value
        plan.percent[k] = Decimal(f"{value:.1f}")


def _plan_risks(plan: _Plan, *, bench: bool) -> None:
    project, story, cal, rng = plan.project, plan.story, plan.cal, plan.rng
    owners = plan.people["owners"]
    industry = not bench and project.portfolio.code == "transfo-indus"
    pool = COMMON_RISKS + (INDUSTRY_RISKS if industry else IT_RISKS)
    count = 7 if bench else rng.randint(3, 8) if plan.weeks else rng.randint(2, 3)
    specs = rng.sample(pool, min(count, len(pool)))
    if story.kind == "risk":
        specs[0] = STORY_RISKS["supplier"]
    if not bench and plan.weeks and rng.random() < 0.35:
        specs[-1] = rng.choice(OPPORTUNITIES)
    # The top open threat stays amber at most unless the story says otherwise; most healthy projects
    # (and the watermelon, green until its data turns) keep only small risks.
    calm = story.kind == "watermelon" or (story.kind in ("healthy", "closed") and rng.random() < 0.6)
    cap = 6 if calm else 12
    begin = min(project.start_date, cal.today) if plan.weeks else cal.today - timedelta(days=45)
    for index, spec in enumerate(specs):
        probability = min(5, max(1, spec[5] + rng.choice([-1, 0, 0, 1])))
        impact = spec[6]
        while probability * impact > cap and probability > 1:
            probability -= 1
        if plan.weeks and index and rng.random() < 0.4:
            created = cal.monday(rng.choice(plan.weeks)) + timedelta(days=1)
        else:
            created = begin + timedelta(days=rng.randint(0, 20))
        created = min(created, cal.today)
        risk = _Risk(
            spec=spec,
            owner=rng.choice(owners),
            created=created,
            probability=probability,
            impact=impact,
            is_opportunity=spec in OPPORTUNITIES,
            proximity=cal.today + timedelta(days=rng.randint(14, 150)),
        )
        if story.kind == "risk" and index == 0:
            risk.created = cal.monday(story.last_week + 10) + timedelta(days=1)
            risk.probability, risk.impact = 3, 4
            risk.changed = cal.monday(story.last_week + 3) + timedelta(days=2)
            risk.new_probability, risk.new_impact = 4, 4
        elif plan.weeks and rng.random() < 0.35 and (cal.today - created).days > 21:
            new_probability = min(5, max(1, probability + rng.choice([-1, 1])))
            if new_probability * impact <= cap and new_probability != probability:
                risk.changed = created + timedelta(days=rng.randint(7, (cal.today - created).days - 7))
                risk.new_probability, risk.new_impact = new_probability, impact
        last_change = risk.changed or risk.created
        if plan.weeks and index and rng.random() < 0.2 and (cal.today - last_change).days > 14:
            risk.closed = last_change + timedelta(days=rng.randint(7, (cal.today - last_change).days - 3))
        if story.kind == "closed" and risk.closed is None:
            risk.closed = max(cal.monday(story.last_week), last_change)  # closed with the project
        plan.risks.append(risk)


def _plan_deliverables(plan: _Plan, count: int) -> None:
    project, story, cal, rng = plan.project, plan.story, plan.cal, plan.rng
    owners = plan.people["owners"]
    picks = sorted(rng.sample(DELIVERABLES, count), key=lambda spec: spec[1])
    recette = next((m for m in plan.milestones if m.name == RECETTE), None)
    minutes = DELIVERABLES[4]  # "Procès-verbal de recette": what a slipping "Recette" holds up
    if story.kind == "slip" and minutes not in picks:
        picks = sorted([*picks[:-1], minutes], key=lambda spec: spec[1])
    life = (project.end_date - project.start_date).days
    today = cal.today
    past = [i for i, spec in enumerate(picks) if project.start_date + timedelta(days=life * spec[1]) < today]
    special = picks.index(minutes) if story.kind == "slip" else past[-1] if past else 0
    for index, (name, frac, criteria) in enumerate(picks):
        due = _weekday(project.start_date + timedelta(days=round(life * frac)))
        reviews = []
        if index == special and story.kind == "quality":
            due = _weekday(today - timedelta(days=10), forward=False)
            reviews = [
                (today - timedelta(days=24), Deliverable.State.IN_REVIEW, ""),
                (today - timedelta(days=12), Deliverable.State.REJECTED, rng.choice(REJECTIONS)),
            ]
        elif index == special and story.kind == "watermelon":
            due = _weekday(today - timedelta(days=20), forward=False)
            reviews = [(today - timedelta(days=30), Deliverable.State.IN_REVIEW, "")]
        elif index == special and story.kind == "slip" and recette is not None:
            due = recette.baseline
            if due < today:
                reviews = [(due - timedelta(days=5), Deliverable.State.IN_REVIEW, "")]
        elif due <= today + timedelta(days=2) or story.kind == "closed":
            due = min(due, today)
            if rng.random() < 0.25:
                reviews = [
                    (due - timedelta(days=25), Deliverable.State.IN_REVIEW, ""),
                    (due - timedelta(days=18), Deliverable.State.REJECTED, rng.choice(REJECTIONS)),
                    (due - timedelta(days=10), Deliverable.State.IN_REVIEW, ""),
                    (due - timedelta(days=3), Deliverable.State.ACCEPTED, "Conforme aux critères."),
                ]
            else:
                reviews = [
                    (due - timedelta(days=12), Deliverable.State.IN_REVIEW, ""),
                    (due - timedelta(days=3), Deliverable.State.ACCEPTED, "Validé sans réserve."),
                ]
        elif due <= today + timedelta(days=21):
            reviews = [(today - timedelta(days=rng.randint(1, 5)), Deliverable.State.IN_REVIEW, "")]
        due = max(due, project.start_date)
        reviews = [(max(day, project.start_date), state, comment) for day, state, comment in reviews]
        plan.deliverables.append(
            _Deliverable(name=name, due=due, criteria=criteria, owner=rng.choice(owners), reviews=reviews)
        )


def _plan_issues(plan: _Plan, count: int) -> None:
    cal, rng = plan.cal, plan.rng
    for title, description, severity in rng.sample(ISSUES, min(count, len(ISSUES))):
        created = cal.monday(rng.choice(plan.weeks)) + timedelta(days=rng.randint(0, 4))
        created = min(created, cal.today)
        age = (cal.today - created).days
        status = Issue.Status.OPEN if age < 35 else rng.choice(["resolved", "resolved", "closed", "open"])
        plan.issues.append(
            Issue(
                project=plan.project,
                title=title,
                description=description,
                severity=severity,
                owner=rng.choice(plan.people["owners"]),
                due_date=created + timedelta(days=rng.randint(14, 35)),
                status=status,
                resolution="" if status == Issue.Status.OPEN else rng.choice(RESOLUTIONS),
                created_at=cal.moment(created, 11),
                updated_at=cal.moment(min(created + timedelta(days=min(age, 20)), cal.today), 17),
            )
        )


def _plan_assumptions(plan: _Plan) -> None:
    cal, rng = plan.cal, plan.rng
    for title, description in rng.sample(ASSUMPTIONS, rng.randint(1, 3)):
        created = max(plan.project.start_date, cal.today - timedelta(days=300)) + timedelta(days=7)
        due = created + timedelta(days=rng.randint(60, 240))
        status = (
            Assumption.Status.OPEN
            if due > cal.today
            else rng.choice([Assumption.Status.CONFIRMED] * 3 + [Assumption.Status.INVALIDATED])
        )
        plan.assumptions.append(
            Assumption(
                project=plan.project,
                title=title,
                description=description,
                owner=rng.choice(plan.people["owners"]),
                due_date=due,
                status=status,
                created_at=cal.moment(created, 10),
                updated_at=cal.moment(min(due, cal.today), 10),
            )
        )


# --- Weekly history: the reports and what they say --------------------------------------------------


def _facts_at(plan: _Plan, base: ProjectFacts, k: int) -> ProjectFacts:
    """The facts of the selector, taken back to week k: forecasts, spend, risks and deliverables
    as they stood that Friday, with that week's percent complete and submission date."""
    day = plan.cal.as_of(k)
    milestones = tuple(
        MilestoneFact(
            name=fact.name,
            baseline=fact.baseline,
            forecast=plan.forecast_at(m, k),
            actual=m.target if m.achieved and m.target <= day else None,
            is_key=fact.is_key,
            weight=fact.weight,
            cancelled=fact.cancelled,
        )
        for fact, m in zip(base.milestones, plan.milestones, strict=True)
    )
    costs = tuple(
        CostFact(month=fact.month, planned=fact.planned, actual=line.actual_at(day), forecast=fact.forecast)
        for fact, line in zip(base.costs, plan.costs, strict=True)
    )
    risks = []
    for fact, risk in zip(base.risks, plan.risks, strict=True):
        state = risk.at(day)
        if state is not None:
            risks.append(
                RiskFact(
                    title=fact.title,
                    probability=state[0],
                    impact=state[1],
                    is_open=state[2],
                    is_opportunity=fact.is_opportunity,
                )
            )
    deliverables = tuple(
        DeliverableFact(name=fact.name, due=fact.due, state=d.state_at(day))
        for fact, d in zip(base.deliverables, plan.deliverables, strict=True)
    )
    return ProjectFacts(
        budget=base.budget,
        percent_complete=plan.percent[k],
        ev_method=base.ev_method,
        milestones=milestones,
        costs=costs,
        risks=tuple(risks),
        deliverables=deliverables,
        last_submitted=plan.submitted[k].astimezone(UTC).date(),
        has_risk_register=bool(risks),
    )


def _approximate_snapshot(plan: _Plan, k: int, thresholds: Thresholds) -> dict:
    """A cheap stand-in for qcdr.compute_qcdr on the benchmark's historical reports, with the same
    rules in floats (working days taken as 5/7 of calendar days) and the same shape as
    qcdr.qcdr_as_dict, marked `approximate`. The latest report of each project gets the real one."""
    day = plan.cal.as_of(k)
    bac = float(plan.project.budget)
    pv, ac = plan.values_at(day)
    ev = bac * float(plan.percent[k]) / 100
    cpi = ev / ac if ac else None
    spi = ev / pv if pv else None
    eac = bac / cpi if cpi else None
    rags, reasons = {}, {}
    if eac is None or not bac:
        rags["cost"], reasons["cost"] = RAG.UNKNOWN, [{"code": "cost_not_computable", "params": {}}]
    else:
        overrun = (eac - bac) / bac * 100
        rags["cost"] = qcdr.by_tolerance(overrun, float(thresholds.cost_tolerance_pct))
        reasons["cost"] = [
            {
                "code": "cost_eac_vs_bac",
                "params": {
                    "eac": f"{eac:.4f}",
                    "bac": f"{bac:.4f}",
                    "overrun_pct": f"{overrun:.1f}",
                    "tolerance_pct": f"{thresholds.cost_tolerance_pct:.4f}",
                },
            }
        ]
    schedule, reasons["schedule"] = [], []
    slips = []
    for m in plan.milestones:
        if m.is_key:
            end = m.target if m.achieved and m.target <= day else max(plan.forecast_at(m, k), day)
            slips.append(((end - m.baseline).days * 5 // 7, m.name))
    if slips:
        slip, name = max(slips)
        schedule.append(qcdr.by_tolerance(slip, thresholds.time_tolerance_days))
        params = {"milestone": name, "days": slip, "tolerance_days": thresholds.time_tolerance_days}
        reasons["schedule"].append({"code": "key_milestone_slip", "params": params})
    if spi is not None:
        limits = (float(thresholds.spi_red_below), float(thresholds.spi_amber_below))
        schedule.append(RAG.RED if spi < limits[0] else RAG.AMBER if spi < limits[1] else RAG.GREEN)
        reasons["schedule"].append({"code": "spi", "params": {"spi": f"{spi:.4f}"}})
    rags["schedule"] = qcdr.worst_known(schedule)
    threats = []
    for r in plan.risks:
        state = r.at(day)
        if state is not None and state[2] and not r.is_opportunity:
            threats.append((state[0] * state[1], r.spec[0]))
    if not threats:
        rags["risk"], reasons["risk"] = RAG.GREEN, [{"code": "no_open_threat", "params": {}}]
    else:
        score, title = max(threats)
        rags["risk"] = (
            RAG.RED
            if score >= thresholds.risk_red_score
            else RAG.AMBER
            if score >= thresholds.risk_amber_score
            else RAG.GREEN
        )
        params = {"risk": title, "score": score, "red": thresholds.risk_red_score}
        reasons["risk"] = [{"code": "top_risk", "params": {**params, "amber": thresholds.risk_amber_score}}]
    states = [(d.name, d.due, d.state_at(day)) for d in plan.deliverables]
    rejected = [name for name, _due, state in states if state == Deliverable.State.REJECTED]
    overdue = [name for name, due, state in states if state != Deliverable.State.ACCEPTED and due < day]
    accepted = sum(1 for _name, _due, state in states if state == Deliverable.State.ACCEPTED)
    reasons["quality"] = [
        {"code": "deliverables_accepted", "params": {"accepted": accepted, "total": len(states)}}
    ]
    if not states:
        rags["quality"], reasons["quality"] = RAG.UNKNOWN, [{"code": "no_deliverable", "params": {}}]
    elif rejected:
        rags["quality"] = RAG.RED
        params = {"count": len(rejected), "names": ", ".join(rejected)}
        reasons["quality"].insert(0, {"code": "deliverables_rejected", "params": params})
    elif overdue:
        rags["quality"] = RAG.AMBER
        params = {"count": len(overdue), "names": ", ".join(overdue)}
        reasons["quality"].insert(0, {"code": "deliverables_overdue", "params": params})
    else:
        rags["quality"] = RAG.GREEN
    evm = {"bac": bac, "pv": pv, "ev": ev, "ac": ac, "cpi": cpi, "spi": spi, "eac": eac}
    return {
        "declared": {},
        "indicated": {
            **{name: rags[name].value for name in AXES},
            "overall": qcdr.worst(rags.values()).value,
        },
        "reasons": {name: reasons[name] for name in AXES},
        "evm": {name: None if value is None else f"{value:.4f}" for name, value in evm.items()},
        "stale": False,
        "watermelon": False,
        "watermelon_axes": [],
        "approximate": True,
    }


def _declare(story: Story, source: dict) -> Declared:
    """What the manager declares from what the data says (`source`): the watermelon says green."""
    if story.declared == "green":
        return Declared(RAG.GREEN, RAG.GREEN, RAG.GREEN, RAG.GREEN, RAG.GREEN)
    axes = {}
    for name in AXES:
        rag = RAG(source["indicated"][name])
        axes[name] = RAG.GREEN if rag == RAG.UNKNOWN else rag
        if story.declared == "cautious" and name in ("cost", "schedule") and axes[name] == RAG.GREEN:
            axes[name] = RAG.AMBER
    return Declared(**axes, overall=qcdr.worst(axes.values()))


def _plain(value):
    """Decimals as strings with 4 decimals, as in the snapshots qcdr.qcdr_as_dict makes."""
    if isinstance(value, Decimal):
        with localcontext() as context:
            context.prec = max(context.prec, value.adjusted() + 6)
            return str(value.quantize(Decimal("0.0001")))
    return value


def _amount(value) -> str:
    thousands = round(float(value) / 1000)
    return f"{thousands:,}".replace(",", " ") + " k€"


def _decimal_fr(value, digits: int = 1) -> str:
    return f"{float(value):.{digits}f}".replace(".", ",")


def _texts(plan: _Plan, k: int, source: dict, declared: Declared) -> dict:
    """The manager's words for week k, from the figures behind what they declare."""
    story, cal, rng = plan.story, plan.cal, plan.rng
    if story.declared == "green":
        texts = {f"{name}_comment": text for name, text in WATERMELON_TEXTS.items()}
    else:
        params = {r["code"]: r["params"] for name in AXES for r in source["reasons"][name]}
        texts = {
            "quality_comment": _quality_text(declared.quality, params),
            "cost_comment": _cost_text(declared.cost, params, source["evm"]),
            "schedule_comment": _schedule_text(plan, k, declared.schedule, params),
            "risk_comment": _risk_text(declared.risk, params),
            "overall_comment": _overall_text(rng, declared),
        }
    day, monday = cal.as_of(k), cal.monday(k)
    if plan.suspended_on is not None and monday >= plan.suspended_on:
        texts["overall_comment"] = (
            f"Projet suspendu depuis le {plan.suspended_on:%d/%m/%Y} dans l'attente de l'arbitrage "
            "budgétaire du COPIL ; équipe réduite au maintien des acquis."
        )
    if story.kind == "closed" and k == plan.weeks[-1]:
        texts["overall_comment"] = "Projet clôturé : bilan présenté au COPIL, retour d'expérience capitalisé."
    percent = float(plan.percent[k])
    phase = next(p for p in PHASES if percent < p[0])
    done = [m for m in plan.milestones if m.achieved and monday <= m.target <= day]
    upcoming = [m for m in plan.milestones if not (m.achieved and m.target <= day)]
    achievements = [f"Jalon « {m.name} » atteint le {m.target:%d/%m/%Y}." for m in done]
    achievements.append(rng.choice(phase[1]))
    next_steps = []
    if upcoming:
        forecast = plan.forecast_at(upcoming[0], k)
        next_steps.append(f"Préparer le jalon « {upcoming[0].name} » (prévu le {forecast:%d/%m/%Y}).")
    next_steps.append(rng.choice(phase[2]))
    texts["achievements"] = "\n".join(achievements)
    texts["next_steps"] = "\n".join(next_steps)
    red = [name for name in AXES if getattr(declared, name) == RAG.RED]
    texts["help_needed"] = rng.choice(HELP_NEEDED[red[0]]) if red else ""
    return texts


def _quality_text(rag: RAG, params: dict) -> str:
    accepted = params.get("deliverables_accepted", {})
    if rag == RAG.RED and "deliverables_rejected" in params:
        return (
            f"Livrable rejeté : {params['deliverables_rejected']['names']} ; reprise en cours avec l'équipe."
        )
    if rag != RAG.GREEN and "deliverables_overdue" in params:
        return f"Validation en retard : {params['deliverables_overdue']['names']}."
    if accepted and accepted["accepted"]:
        return f"{accepted['accepted']} livrable(s) accepté(s) sur {accepted['total']}, sans réserve."
    return "Pas de livrable à valider à ce stade."


def _cost_text(rag: RAG, params: dict, evm: dict) -> str:
    found = params.get("cost_eac_vs_bac")
    if found is None:
        return "Premières dépenses engagées, pas encore de tendance significative."
    overrun = _decimal_fr(found["overrun_pct"])
    if rag != RAG.GREEN and float(found["overrun_pct"]) <= float(found["tolerance_pct"]):
        return "Dépenses conformes à ce jour, mais des charges supplémentaires sont à prévoir : vigilance."
    if rag == RAG.RED:
        return (
            f"Coût à terminaison estimé à {_amount(found['eac'])} pour un budget de {_amount(found['bac'])} "
            f"(+{overrun} %) : demande de budget complémentaire en préparation."
        )
    if rag == RAG.AMBER:
        return (
            f"Dérive du coût à terminaison de +{overrun} % "
            f"(tolérance {_decimal_fr(found['tolerance_pct'], 0)} %) : revue des prestations engagée."
        )
    return (
        f"Consommé à date : {_amount(evm['ac'])} sur un budget de {_amount(evm['bac'])}, "
        "conforme à la prévision."
    )


def _schedule_text(plan: _Plan, k: int, rag: RAG, params: dict) -> str:
    slip = params.get("key_milestone_slip")
    spi = params.get("spi")
    late = slip is not None and slip["days"] > slip["tolerance_days"]
    if rag == RAG.RED:
        if late:
            return (
                f"Jalon clé « {slip['milestone']} » décalé de {slip['days']} jours ouvrés : "
                "replanification soumise au COPIL."
            )
        return f"Avancement nettement en retard sur le prévisionnel (SPI {_decimal_fr(spi['spi'], 2)})."
    if rag != RAG.GREEN and not late and (spi is None or float(spi["spi"]) >= 0.9):
        return (
            "Jalons tenus à ce jour, mais l'équipe est sous tension : vigilance sur les prochaines semaines."
        )
    if rag == RAG.AMBER:
        if late:
            return (
                f"Le jalon clé « {slip['milestone']} » glisse de {slip['days']} jours ouvrés "
                f"(tolérance {slip['tolerance_days']}) : plan de rattrapage en cours."
            )
        spi_text = _decimal_fr(spi["spi"], 2) if spi else "n/d"
        return f"Avancement en retrait du prévisionnel (SPI {spi_text}), rattrapage prévu."
    day = plan.cal.as_of(k)
    upcoming = [m for m in plan.milestones if not (m.achieved and m.target <= day)]
    if upcoming:
        forecast = plan.forecast_at(upcoming[0], k)
        return f"Jalons tenus ; prochain jalon « {upcoming[0].name} » prévu le {forecast:%d/%m/%Y}."
    return "Tous les jalons sont atteints."


def _risk_text(rag: RAG, params: dict) -> str:
    top = params.get("top_risk")
    if top is None:
        return "Aucun risque ouvert."
    if rag == RAG.RED:
        return f"Risque critique : « {top['risk']} » (score {top['score']}), plan de réduction activé."
    if rag == RAG.AMBER:
        return f"Risque à surveiller : « {top['risk']} » (score {top['score']})."
    return f"Risques sous contrôle ; principal risque : « {top['risk']} » (score {top['score']})."


def _overall_text(rng: random.Random, declared: Declared) -> str:
    if declared.overall == RAG.GREEN:
        return rng.choice(GREEN_OVERALL)
    worst_axes = [AXIS_WORDS[name] for name in AXES if getattr(declared, name) == declared.overall]
    if declared.overall == RAG.AMBER:
        return f"Vigilance sur {' et '.join(worst_axes)} ; plan d'action suivi en comité de projet."
    return f"Projet en difficulté sur {' et '.join(worst_axes)} : arbitrage du sponsor attendu."


def _reports(
    plan: _Plan, base: ProjectFacts | None, thresholds: Thresholds, *, exact: bool
) -> Iterator[dict]:
    """One submitted report per week, as field values. Its `indicated` snapshot comes from
    qcdr.compute_qcdr on the facts of that week (every week for the demo; for the benchmark, the
    latest week only, the others from _approximate_snapshot)."""
    story, cal, rng = plan.story, plan.cal, plan.rng
    project = plan.project
    before, previous = None, None
    for k in plan.weeks:
        plan.submitted[k] = cal.submitted_at(k, rng.randint(0, 150))
    for k in plan.weeks:
        day = cal.as_of(k)
        last = k == plan.weeks[-1]
        if exact or last:
            # The manager declares from what the data indicates; qcdr then compares the declaration
            # with the same indicated QCDR (as the update form's live preview does).
            result = qcdr.compute_qcdr(_facts_at(plan, base, k), Declared(), day, thresholds)
            now = qcdr.qcdr_as_dict(result)
        else:
            result, now = None, _approximate_snapshot(plan, k, thresholds)
        source = before if story.declared == "lagging" and before is not None and not last else now
        declared = _declare(story, source)
        if result is not None:
            snapshot = qcdr.qcdr_as_dict(qcdr.compute_qcdr_with_declared(result, declared))
        else:
            snapshot = dict(now)
            snapshot["declared"] = {name: getattr(declared, name).value for name in (*AXES, "overall")}
            axes = tuple(
                name
                for name in AXES
                if RAG.UNKNOWN not in (getattr(declared, name), RAG(now["indicated"][name]))
                and qcdr.SEVERITY[getattr(declared, name)] < qcdr.SEVERITY[RAG(now["indicated"][name])]
            )
            snapshot["watermelon"], snapshot["watermelon_axes"] = bool(axes), list(axes)
        if (
            previous is not None
            and story.kind == "healthy"
            and previous["overall"] == declared.overall.value
            and rng.random() < 0.25
        ):
            texts = {name: previous[name] for name in TEXT_FIELDS}  # "Rien à signaler"
        else:
            texts = _texts(plan, k, source, declared)
        submitted = plan.submitted[k]
        by = project.deputy_id if project.deputy_id and rng.random() < 0.15 else project.manager_id
        report = {
            "project_id": project.pk,
            "period_start": cal.monday(k),
            "revision": 1,
            "is_current": True,
            "correction_reason": "",
            "state": StatusReport.State.SUBMITTED.value,
            "quality": declared.quality.value,
            "cost": declared.cost.value,
            "schedule": declared.schedule.value,
            "risk": declared.risk.value,
            "overall": declared.overall.value,
            "percent_complete": plan.percent[k],
            "submitted_at": submitted,
            "submitted_by_id": by,
            "indicated": snapshot,
            "version": 2,
            "created_at": min(cal.moment(cal.monday(k), 9, rng.randint(0, 240)), submitted),
            "updated_at": submitted,
            **texts,
        }
        yield report
        before, previous = now, report


TEXT_FIELDS = (
    "overall_comment",
    "quality_comment",
    "cost_comment",
    "schedule_comment",
    "risk_comment",
    "achievements",
    "next_steps",
    "help_needed",
)


# --- Weekly history: bulk writes ---------------------------------------------------------------------

HISTORY_MODELS = (
    Milestone,
    MilestoneForecast,
    CostLine,
    CostBaseline,
    Deliverable,
    DeliverableReview,
    Risk,
    Issue,
    Assumption,
    Dependency,
    StatusReport,
)


@contextlib.contextmanager
def historical_timestamps(models=HISTORY_MODELS):
    """Let bulk writes keep the past created_at / updated_at they are given (no auto_now while seeding)."""
    fields = [m._meta.get_field(name) for m in models for name in ("created_at", "updated_at")]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _write(plans: list[_Plan], *, exact: bool, bulk_copy: bool = False, batch_size: int = 2000) -> Counter:
    """Insert everything the plans hold, model by model, in bulk; then the weekly reports (and
    milestone forecasts) with bulk_create, or with COPY when `bulk_copy` (the benchmark volume)."""
    counts: Counter = Counter()
    if not plans:
        return counts
    cal = plans[0].cal
    pmo = plans[0].people["pmo"]

    def insert(model, rows, *, keys=False):
        """bulk_create, or COPY for the benchmark when the new primary keys are not needed."""
        if bulk_copy and not keys:
            counts[model.__name__] += _copy(model, [_columns(row) for row in rows])
            return rows
        created = model.objects.bulk_create(rows, batch_size=batch_size)
        counts[model.__name__] += len(created)
        return created

    # Milestones, as they stand today.
    rows = []
    for plan in plans:
        for m in plan.milestones:
            m.row = Milestone(
                project=plan.project,
                name=m.name,
                baseline_date=m.baseline,
                forecast_date=m.target,
                actual_date=m.target if m.achieved else None,
                is_key=m.is_key,
                weight=Decimal(m.weight),
                status=Milestone.Status.ACHIEVED if m.achieved else Milestone.Status.PLANNED,
                created_at=cal.moment(plan.project.start_date, 10),
                updated_at=cal.moment(min(m.target, cal.today) if m.achieved else cal.today, 10),
            )
            rows.append(m.row)
    insert(Milestone, rows, keys=True)

    # Monthly cost lines and the baseline they were planned against.
    insert(
        CostLine,
        [
            CostLine(
                project=plan.project,
                month=c.month,
                category=c.category,
                planned=c.planned,
                actual=c.actual,
                forecast=c.forecast,
                created_at=cal.moment(plan.project.start_date, 10),
                updated_at=cal.moment(min(c.month, cal.today), 10),
            )
            for plan in plans
            for c in plan.costs
        ],
    )
    with_history = [plan for plan in plans if plan.weeks]
    baselines = insert(
        CostBaseline,
        keys=True,
        rows=[
            CostBaseline(
                project=plan.project,
                number=1,
                reason="Budget initial validé en comité d'engagement.",
                created_by=pmo,
                total_planned=sum((c.planned for c in plan.costs), ZERO),
                created_at=cal.moment(plan.project.start_date, 9),
                updated_at=cal.moment(plan.project.start_date, 9),
            )
            for plan in with_history
        ],
    )
    insert(
        CostBaselineLine,
        [
            CostBaselineLine(baseline=baseline, month=c.month, category=c.category, planned=c.planned)
            for baseline, plan in zip(baselines, with_history, strict=True)
            for c in plan.costs
        ],
    )

    # Deliverables and every step of their reviews.
    rows = []
    for plan in plans:
        for d in plan.deliverables:
            d.row = Deliverable(
                project=plan.project,
                name=d.name,
                owner=d.owner,
                due_date=d.due,
                acceptance_criteria=d.criteria,
                state=d.state_at(cal.today),
                version=1 + len(d.reviews),
                created_at=cal.moment(plan.project.start_date, 11),
                updated_at=cal.moment(d.reviews[-1][0] if d.reviews else plan.project.start_date, 11),
            )
            rows.append(d.row)
    insert(Deliverable, rows, keys=True)
    insert(
        DeliverableReview,
        [
            DeliverableReview(
                deliverable=d.row,
                state=state,
                comment=comment,
                reviewer=plan.people["reviewer"] if state != Deliverable.State.IN_REVIEW else d.owner,
                created_at=cal.moment(day, 10 + i),
                updated_at=cal.moment(day, 10 + i),
            )
            for plan in plans
            for d in plan.deliverables
            for i, (day, state, comment) in enumerate(d.reviews)
        ],
    )

    # Risks: as first assessed, then re-scored or closed by an update, so the audit trail shows it
    # (the benchmark inserts the final state directly: the updates are the slow part at that volume).
    rows, changed = [], []
    for plan in plans:
        for r in plan.risks:
            title, cause, effect, mitigation, response = r.spec[:5]
            r.row = Risk(
                project=plan.project,
                title=title,
                cause=cause,
                effect=effect,
                mitigation=mitigation,
                response=response,
                is_opportunity=r.is_opportunity,
                probability=r.probability,
                impact=r.impact,
                owner=r.owner,
                proximity_date=r.proximity,
                trend=Risk.Trend.NEW,
                created_at=cal.moment(r.created, 14),
                updated_at=cal.moment(r.created, 14),
            )
            rows.append(r.row)
            if _risk_final_state(r, cal) and not bulk_copy:
                changed.append(r)
            elif bulk_copy:
                _risk_final_state(r, cal, row=r.row)
    insert(Risk, rows)
    for r in changed:
        _risk_final_state(r, cal, row=r.row)
    Risk.objects.bulk_update(
        [r.row for r in changed],
        ["probability", "impact", "trend", "status", "mitigation", "version", "updated_at"],
        batch_size=100,
    )

    insert(Issue, [issue for plan in plans for issue in plan.issues])
    insert(Assumption, [a for plan in plans for a in plan.assumptions])

    # The weekly reports, each with its indicated QCDR, and the milestone forecasts of each week.
    # With COPY, rows are generated while PostgreSQL inserts the previous ones (streamed).
    facts = selectors.facts_for_projects(projects=[plan.project for plan in with_history], as_of=cal.today)
    reports = (
        report
        for plan in with_history
        for report in _reports(
            plan, facts[plan.project.pk], selectors.thresholds_for(plan.project), exact=exact
        )
    )
    forecasts = (
        {
            "milestone_id": m.row.pk,
            "period_start": cal.monday(k),
            "forecast_date": plan.forecast_at(m, k),
            "created_at": plan.submitted[k],
            "updated_at": plan.submitted[k],
        }
        for plan in with_history
        for m in plan.milestones
        for k in _forecast_weeks(plan, m, every_week=exact)
    )
    if bulk_copy:
        counts["StatusReport"] += _copy(StatusReport, reports)
        counts["MilestoneForecast"] += _copy(MilestoneForecast, forecasts)
    else:
        insert(StatusReport, [StatusReport(**report) for report in reports])
        insert(MilestoneForecast, [MilestoneForecast(**forecast) for forecast in forecasts])
    # Each project points at its newest current submitted report, as status_report_submit does.
    Project.objects.filter(pk__in=[plan.project.pk for plan in with_history]).update(
        latest_report=Subquery(
            StatusReport.objects.filter(
                project=OuterRef("pk"), state=StatusReport.State.SUBMITTED, is_current=True
            )
            .order_by("-period_start")
            .values("pk")[:1]
        )
    )
    return counts


def _forecast_weeks(plan: _Plan, milestone: _Milestone, *, every_week: bool) -> list[int]:
    """The weeks whose report records this milestone's forecast: every reported week (as
    status_report_submit does), or for the benchmark its last BENCH_FORECAST_WEEKS weeks while open."""
    if every_week:
        return plan.weeks
    cal = plan.cal
    open_weeks = [k for k in plan.weeks if not (milestone.achieved and milestone.target < cal.monday(k))]
    return open_weeks[-BENCH_FORECAST_WEEKS:]


def _risk_final_state(r: _Risk, cal: _Calendar, *, row: Risk | None = None) -> bool:
    """Whether the risk changed after its first assessment; with `row`, put its final state on it."""
    changed = r.changed is not None or r.closed is not None or (cal.today - r.created).days > 28
    if row is None or not changed:
        return changed
    if r.changed is not None:
        old, new = r.probability * r.impact, r.new_probability * r.new_impact
        row.probability, row.impact = r.new_probability, r.new_impact
        row.trend = Risk.Trend.UP if new > old else Risk.Trend.DOWN
        row.mitigation = f"{row.mitigation}\n{RISK_RESCORE['up' if new > old else 'down']}"
    else:
        row.trend = Risk.Trend.STABLE
    if r.closed is not None:
        row.status = Risk.Status.CLOSED
    row.version = 2
    row.updated_at = cal.moment(max(d for d in (r.changed, r.closed, r.created) if d is not None), 16)
    return changed


def _columns(instance) -> dict:
    """An unsaved instance as the column values COPY writes (no primary key, no generated column)."""
    return {
        f.column: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if not f.primary_key and not f.generated
    }


def _copy(model, rows: Iterable[dict]) -> int:
    """COPY rows (dicts of column values) into the model's table: the benchmark's bulk path. Rows are
    generated as they are streamed, so Python and PostgreSQL work at the same time. Row triggers fire
    as for INSERT; the audit context set by the previous statements of this transaction (pghistory's
    set_config is transaction-local) is attached to each event."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    names = list(first)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(sql.Identifier(n) for n in names)
    )
    count = 0
    with connection.cursor() as cursor:
        # pghistory attaches the audit context to the statements run through Django's cursor (here a
        # no-op SET LOCAL); COPY runs on the raw cursor and its triggers read the same setting.
        cursor.execute("SET LOCAL pmo.seed = 'copy'")
        with cursor.cursor.copy(statement) as copy:
            for row in itertools.chain([first], rows):
                copy.write_row([Jsonb(v) if isinstance(v, dict) else v for v in (row[n] for n in names)])
                count += 1
    return count


def _fresh(projects: list[Project]) -> list[Project]:
    """Projects that have no history yet (running the seed again adds nothing), cancelled ones left out."""
    ids = [p.pk for p in projects]
    seeded = set(Milestone.objects.filter(project_id__in=ids).values_list("project_id", flat=True))
    seeded |= set(StatusReport.objects.filter(project_id__in=ids).values_list("project_id", flat=True))
    return [p for p in projects if p.pk not in seeded and p.state != Project.State.CANCELLED]


def seed_history(*, structure, projects: list[Project], today: date, now: datetime | None = None) -> Counter:
    """26 weeks of history for the demo projects: milestones and their weekly forecasts, monthly
    costs, deliverables and reviews, risks, issues, assumptions, two dependencies and one
    submitted report per week with the QCDR indicated by the data that week."""
    cal = _Calendar(today, now or timezone.now())
    fresh = [p.pk for p in _fresh(projects)]
    projects = list(
        Project.objects.select_related("portfolio", "manager", "deputy", "sponsor").filter(pk__in=fresh)
    )
    plans = [
        _plan(p, _demo_story(p, cal), cal, _people(p, structure.users), bench=False)
        for p in sorted(projects, key=lambda p: p.code)
    ]
    with historical_timestamps():
        counts = _write(plans, exact=True)
        by_code = {plan.project.code: plan for plan in plans}
        dependencies = []
        for needs, on, title, status in DEMO_DEPENDENCIES:
            if needs in by_code and on in by_code:
                target = [m for m in by_code[on].milestones if m.is_key][-1]  # its go-live
                dependencies.append(
                    Dependency(
                        project=by_code[needs].project,
                        title=title,
                        description=f"Dépend du jalon « {target.name} » du projet {on}.",
                        depends_on_project=by_code[on].project,
                        depends_on_milestone=target.row,
                        needed_by=target.target + timedelta(days=30),
                        status=status,
                        created_at=cal.moment(cal.monday(20), 10),
                        updated_at=cal.moment(cal.monday(2), 10),
                    )
                )
        counts["Dependency"] += len(Dependency.objects.bulk_create(dependencies))
    return counts


DEMO_DEPENDENCIES = [
    # project that needs, project it depends on, title, status
    (
        "mes-site-lyon",
        "datalake",
        "Flux des données de production vers la plateforme data groupe",
        Dependency.Status.OPEN,
    ),
    (
        "crm-unifie",
        "erp-finance",
        "Référentiel clients unifié issu de l'ERP Finance",
        Dependency.Status.AT_RISK,
    ),
]


def seed_large_history(
    *, portfolios, users: dict, today: date, now: datetime | None = None, chunk: int = 100
) -> Counter:
    """Two years of weekly history for the benchmark projects, one transaction per `chunk` projects.

    Per project: 5 milestones with weekly forecasts over their last 26 open weeks, 12 monthly
    cost lines (the spend window), 2 deliverables, 7 risks, 3 issues, and a report per week for 104
    weeks. Historical reports carry an approximate snapshot; the latest one of each project the real
    compute_qcdr. Call it outside a transaction: the audit triggers' cost per row grows with the rows
    already written in the same transaction, so each chunk commits; a run that stops half-way is
    resumed by the next one (projects that have a history are skipped)."""
    cal = _Calendar(today, now or timezone.now())
    projects = list(
        Project.objects.filter(portfolio__in=portfolios)
        .select_related("portfolio", "manager")
        .order_by("portfolio_id", "code")
    )
    bench_users = {"pmo": users["pmo"]}
    counts: Counter = Counter()
    with historical_timestamps():
        for index in range(0, len(projects), chunk):
            with transaction.atomic():
                counts += _seed_bench_chunk(projects[index : index + chunk], cal, bench_users)
    return counts


def _seed_bench_chunk(projects: list[Project], cal: _Calendar, users: dict) -> Counter:
    plans = [_plan(p, _bench_story(p, cal), cal, _people(p, users), bench=True) for p in _fresh(projects)]
    counts = _write(plans, exact=False, bulk_copy=True)
    dependencies = []
    for needs, on in zip(plans[::10], plans[1::10], strict=False):
        target = next(m for m in on.milestones if m.name == "Mise en production")
        dependencies.append(
            Dependency(
                project=needs.project,
                title=f"Livraison de {on.project.name}",
                depends_on_project=on.project,
                depends_on_milestone=target.row,
                needed_by=target.target + timedelta(days=14),
                status=Dependency.Status.OPEN,
                created_at=cal.moment(needs.project.start_date, 10),
                updated_at=cal.moment(needs.project.start_date, 10),
            )
        )
    counts["Dependency"] += len(Dependency.objects.bulk_create(dependencies))
    return counts
