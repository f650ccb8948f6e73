"""Demo data of change control, committees and lessons learned, written through the services: change
requests in every state (one approved in last month's COPIL, so a project shows two baselines), one
committee per portfolio with last month's meeting (decisions, minutes, actions) and the next one with
its agenda built from the data, and twenty lessons learned in French. Idempotent: skipped when a
committee exists."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from governance import changes, committees, lessons
from governance.models import AgendaItem, ChangeRequest, Decision, LessonLearned, Meeting, SteeringCommittee
from pmo.core.roles import Role
from portfolio.models import Membership, Portfolio
from projects.models import CostBaseline, CostLine, Milestone, Project

# (project, title, description, reason, cost impact, days, scope, quality, risks, benefits, final state)
CHANGES = [
    (
        "nis2",
        "Extension du périmètre aux filiales européennes",
        "Étendre la mise en conformité NIS 2 aux trois filiales européennes (Espagne, Italie, Pologne).",
        "La transposition nationale impose le périmètre groupe ; audit de l'ANSSI prévu l'an prochain.",
        "60000",
        25,
        "Trois filiales ajoutées : 40 applications et 2 SOC locaux.",
        "Mêmes exigences de preuve qu'en France.",
        "Disponibilité des RSSI locaux ; traduction des procédures.",
        "Évite une sanction pouvant atteindre 2 % du chiffre d'affaires.",
        "approved",
    ),
    (
        "crm-unifie",
        "Intégration du service client (centre d'appels)",
        "Connecter la téléphonie du centre d'appels au CRM unifié (fiche client à l'appel, historique).",
        "Demande du directeur de la relation client après la démonstration du lot 1.",
        "45000",
        20,
        "Ajout du connecteur CTI et de 2 écrans.",
        "Recette de charge sur 300 agents.",
        "Dépendance à l'éditeur de téléphonie.",
        "Temps de traitement des appels réduit de 15 % (estimation métier).",
        "assessed",
    ),
    (
        "wms-entrepot",
        "Ajout de la préparation par lots (batch picking)",
        "Activer le module de préparation par lots du WMS pour les commandes e-commerce.",
        "Volume e-commerce +40 % depuis le cadrage.",
        "30000",
        15,
        "Module batch picking et paramétrage de 3 zones.",
        "Taux d'erreur de préparation < 0,5 %.",
        "Formation des équipes de nuit.",
        "+25 % de lignes préparées par heure.",
        "submitted",
    ),
    (
        "datalake",
        "Ajout d'un catalogue de données",
        "Déployer un catalogue de données pour documenter les jeux publiés sur la plateforme.",
        "Exigence du délégué à la protection des données.",
        "25000",
        10,
        "Catalogue et 50 jeux documentés.",
        "",
        "",
        "Réutilisation des données facilitée.",
        "draft",
    ),
    (
        "teletravail-vpn",
        "Passage à une solution ZTNA complète",
        "Remplacer le VPN par une solution Zero Trust complète plutôt qu'un simple renouvellement.",
        "Recommandation de l'audit de sécurité.",
        "180000",
        60,
        "Refonte de l'accès distant pour 8 000 utilisateurs.",
        "",
        "Projet doublé en durée.",
        "",
        "rejected",
    ),
    (
        "soc-24-7",
        "Ajout de la supervision OT (sites industriels)",
        "Étendre la supervision du SOC aux réseaux industriels (OT) des usines.",
        "Incident de sécurité sur un site concurrent.",
        "70000",
        30,
        "Sondes OT sur 6 sites.",
        "",
        "Compétences OT rares chez le prestataire.",
        "",
        "deferred",
    ),
]

LESSONS = [
    (
        "Reprise de données : prévoir trois répétitions",
        "data",
        ["reprise de données", "erp", "bascule"],
        "Migration de l'ERP financier, 12 ans d'historique.",
        "Deux lots de reprise supplémentaires ont été nécessaires : les données de l'ancien ERP "
        "contenaient 8 % de doublons.",
        "Planifier au moins trois répétitions de reprise avec contrôle de qualité chiffré avant la bascule.",
        "Exécution",
    ),
    (
        "Geler le périmètre avant la recette",
        "scope",
        ["périmètre", "recette"],
        "Projet CRM, 3 directions métier.",
        "Des demandes d'évolution acceptées pendant la recette ont décalé la mise en production "
        "de 6 semaines.",
        "Passer toute évolution en demande de changement après la fin des spécifications ; "
        "arbitrage en COPIL.",
        "Recette",
    ),
    (
        "Sécuriser la disponibilité des référents métier",
        "people",
        ["référents métier", "ressources"],
        "Projet de refonte de la paie.",
        "Les référents métier n'étaient disponibles qu'à 20 % au lieu des 50 % prévus.",
        "Faire signer par le sponsor une lettre d'engagement nominative sur la disponibilité des référents.",
        "Cadrage",
    ),
    (
        "Contrat d'intégrateur : prévoir des pénalités de retard",
        "suppliers",
        ["prestataire", "contrat", "retard"],
        "Intégrateur unique au forfait.",
        "Le prestataire a livré le lot 2 avec deux semaines de retard, sans conséquence contractuelle.",
        "Inclure des pénalités de retard et un jalon de paiement lié à la recette.",
        "Planification",
    ),
    (
        "Réserver l'environnement de recette tôt",
        "testing",
        ["recette", "environnement"],
        "Plusieurs projets partagent l'environnement de recette.",
        "L'environnement a été indisponible deux semaines pendant la recette (conflit de "
        "planning, panne du stockage).",
        "Réserver l'environnement dès la planification et prévoir un environnement de secours.",
        "Recette",
    ),
    (
        "Tester la bascule en répétition générale",
        "technical",
        ["bascule", "mise en production"],
        "Bascule d'un week-end, 200 interfaces.",
        "La première répétition a révélé 14 interfaces oubliées dans le plan de bascule.",
        "Faire une répétition générale complète, chronométrée, avec procédure de retour arrière testée.",
        "Bascule",
    ),
    (
        "Conduite du changement : former avant la mise en service",
        "change",
        ["formation", "conduite du changement"],
        "Déploiement d'un outil à 3 000 utilisateurs.",
        "Les formations ont eu lieu après la mise en service : le support a reçu 4 fois plus "
        "d'appels que prévu.",
        "Terminer les formations la semaine qui précède la mise en service ; relais dans chaque site.",
        "Bascule",
    ),
    (
        "Chiffrer la marge pour risque dès le cadrage",
        "budget",
        ["budget", "provision pour risques"],
        "Budget validé sans provision.",
        "Deux risques matérialisés ont consommé 12 % du budget, sans réserve disponible.",
        "Prévoir une provision pour risques de 10 à 15 % pilotée par le sponsor.",
        "Cadrage",
    ),
    (
        "Licences : anticiper le circuit d'achat",
        "suppliers",
        ["licences", "achats"],
        "Commande de licences logicielles.",
        "Le bon de commande est resté bloqué trois semaines au service achats.",
        "Lancer les achats de licences dès la validation du budget ; suivre la commande en revue "
        "hebdomadaire.",
        "Planification",
    ),
    (
        "Sécurité : associer le RSSI dès la conception",
        "technical",
        ["sécurité", "architecture"],
        "Application exposée sur Internet.",
        "L'audit de sécurité tardif a imposé une refonte de l'authentification.",
        "Faire valider l'architecture par le RSSI avant la fin de la conception.",
        "Planification",
    ),
    (
        "MFA : communiquer par vagues",
        "change",
        ["mfa", "communication", "sécurité"],
        "Généralisation de l'authentification forte.",
        "Le déploiement en une seule vague a saturé le support le premier jour.",
        "Déployer par vagues de 500 utilisateurs avec une communication ciblée la veille.",
        "Clôture",
    ),
    (
        "Jalons clés : suivre la tendance des prévisions",
        "planning",
        ["jalons", "planning", "retard"],
        "Projet à jalons contractuels.",
        "Le glissement du jalon de recette a été vu tardivement : les prévisions étaient mises à "
        "jour mensuellement.",
        "Mettre à jour les prévisions de jalons chaque semaine et regarder la courbe de tendance en COPIL.",
        "Exécution",
    ),
    (
        "Données de référence : nommer un propriétaire",
        "data",
        ["données de référence", "gouvernance des données"],
        "Plateforme de données groupe.",
        "Les référentiels clients divergeaient entre filiales, sans arbitre.",
        "Nommer un propriétaire par donnée de référence avant la construction des flux.",
        "Exécution",
    ),
    (
        "Gouvernance : un COPIL qui décide",
        "governance",
        ["copil", "décision"],
        "Programme de 6 projets.",
        "Les COPIL présentaient l'avancement sans décisions : les arbitrages restaient en suspens.",
        "Construire l'ordre du jour à partir des décisions attendues ; tracer chaque décision et "
        "ses actions.",
        "Exécution",
    ),
    (
        "Prestataire unique : qualifier une alternative",
        "risk",
        ["prestataire", "dépendance"],
        "SOC externalisé.",
        "La défaillance d'un sous-traitant du prestataire a menacé la bascule.",
        "Qualifier un second prestataire et prévoir une clause de réversibilité.",
        "Bascule",
    ),
    (
        "Équipements industriels : marge sur les délais de livraison",
        "planning",
        ["équipements", "livraison"],
        "Ligne de production automatisée.",
        "Les délais fournisseurs ont été de 16 semaines au lieu de 10.",
        "Commander les équipements critiques dès la validation des études de détail, avec marge de 30 %.",
        "Planification",
    ),
    (
        "Sites industriels : planifier les arrêts de production",
        "planning",
        ["arrêt de production", "usine"],
        "Travaux sur site en production.",
        "Les travaux ont dû attendre l'arrêt annuel de l'usine, soit trois mois de décalage.",
        "Caler le planning sur le calendrier des arrêts de production dès le cadrage.",
        "Cadrage",
    ),
    (
        "Recette : critères d'acceptation chiffrés",
        "testing",
        ["recette", "qualité", "critères d'acceptation"],
        "Livrables acceptés sur appréciation.",
        "Des livrables acceptés ont été rejetés par l'exploitation un mois plus tard.",
        "Écrire des critères d'acceptation mesurables pour chaque livrable et les faire signer.",
        "Recette",
    ),
    (
        "Budget : suivre le reste à faire chaque mois",
        "budget",
        ["budget", "reste à faire", "eac"],
        "Projet au forfait et en régie.",
        "Le dépassement n'a été vu qu'à 80 % de consommation.",
        "Réestimer le reste à faire chaque mois et comparer l'EAC au budget en comité de suivi.",
        "Exécution",
    ),
    (
        "Clôture : capitaliser pendant que l'équipe est là",
        "governance",
        ["clôture", "retour d'expérience"],
        "Bilan de projet.",
        "Le bilan a été fait trois mois après la fin : la moitié de l'équipe était partie.",
        "Tenir l'atelier de retour d'expérience dans les deux semaines qui suivent la mise en service.",
        "Clôture",
    ),
]


def _next_weekday(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7 or 7)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _proposal(project: Project, days: int, cost: Decimal, today: date) -> tuple[list, list]:
    """The PM's proposed new baseline: the next key milestones moved by `days` calendar days, and
    the cost impact planned on the next month."""
    milestones = list(
        Milestone.objects.filter(project=project, actual_date__isnull=True, baseline_date__isnull=False)
        .exclude(status=Milestone.Status.CANCELLED)
        .order_by("baseline_date")[:2]
    )
    moved = [
        {
            "milestone": m.pk,
            "baseline_date": (m.baseline_date + timedelta(days=round(days * 1.4))).isoformat(),
        }
        for m in milestones
    ]
    month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    line = CostLine.objects.filter(project=project, month__gte=month).order_by("month").first()
    category = line.category if line else "opex"
    costs = (
        [{"month": (line.month if line else month).isoformat(), "category": category, "amount": str(cost)}]
        if cost
        else []
    )
    return moved, costs


def seed_change_control(*, today: date) -> dict[str, int]:
    """Change requests, committees, meetings, decisions, actions and lessons of the demo."""
    if SteeringCommittee.objects.exists():
        return {}
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["pmo", "exec", "sponsor", "pm1", "pm2", "pm3"])
    }
    projects = {p.code: p for p in Project.objects.select_related("portfolio", "manager", "sponsor")}
    pmo = users["pmo"]
    created: dict[ChangeRequest, str] = {}
    for code, title, description, reason, cost, days, scope, quality, risks, benefits, state in CHANGES:
        project = projects.get(code)
        if project is None or project.manager is None:
            continue
        moved, costs = _proposal(project, days, Decimal(cost), today)
        cr = changes.change_request_create(
            actor=project.manager,
            project=project,
            data={
                "title": title,
                "description": description,
                "reason": reason,
                "cost_impact": Decimal(cost),
                "schedule_impact_days": days,
                "scope_impact": scope,
                "quality_impact": quality,
                "risk_impact": risks,
                "benefits_impact": benefits,
                "proposed_milestones": moved,
                "proposed_costs": costs,
            },
        )
        if state != "draft":
            cr = changes.change_request_submit(actor=project.manager, change_request=cr)
        if state not in ("draft", "submitted"):
            cr = changes.change_request_assess(
                actor=pmo,
                change_request=cr,
                assessment="Impacts vérifiés par le PMO : chiffrage de l'intégrateur et planning recalé.",
            )
        created[cr] = state

    result = {"change requests": len(created), "committees": 0, "meetings": 0, "decisions": 0, "actions": 0}
    for portfolio in Portfolio.objects.order_by("code"):
        members = [
            m.user
            for m in Membership.objects.filter(portfolio=portfolio)
            .exclude(role=Role.TEAM_MEMBER)
            .select_related("user")
        ]
        committee = SteeringCommittee.objects.create(
            portfolio=portfolio,
            name=f"COPIL {portfolio.name}",
            chair=users["exec"],
            default_place="Siège — salle du conseil (3e étage)",
        )
        committee.members.set(members)
        result["committees"] += 1
        ids = list(committees.committee_projects(committee).values_list("pk", flat=True))

        # Last month's meeting: the change requests decided there, minutes approved, actions.
        past = Meeting.objects.create(
            committee=committee, starts_at=_at(today - timedelta(days=28), 14), place=committee.default_place
        )
        past.attendees.set(members)
        decided_here = [
            cr
            for cr, state in created.items()
            if state in ("approved", "rejected", "deferred") and cr.project_id in ids
        ]
        committees._add_proposals(
            past,
            [
                p
                for p in committees.change_request_source(project_ids=ids)
                if p.change_request_id in {cr.pk for cr in decided_here}
            ],
        )
        committees.agenda_item_add(
            actor=pmo,
            meeting=past,
            title="Point budgétaire trimestriel du portefeuille",
            detail="Consommation à fin de trimestre et prévisions de fin d'année.",
        )
        for item in past.items.select_related("change_request__project__sponsor", "meeting__committee"):
            if item.change_request_id:
                cr = item.change_request
                decider = cr.project.sponsor or users["exec"]
                outcome = created[next(c for c in created if c.pk == cr.pk)]
                rationale = {
                    "approved": "Le COPIL valide l'extension : conformité réglementaire non négociable ; "
                    "budget complémentaire pris sur la réserve du portefeuille.",
                    "rejected": "Le COPIL refuse : à présenter comme un projet distinct au prochain "
                    "arbitrage budgétaire.",
                    "deferred": "Décision reportée au prochain COPIL, dans l'attente du chiffrage du second "
                    "prestataire.",
                }[outcome]
                committees.agenda_item_decide(actor=decider, item=item, outcome=outcome, rationale=rationale)
            else:
                committees.agenda_item_decide(
                    actor=users["exec"],
                    item=item,
                    outcome=Decision.Outcome.NOTED,
                    rationale="Consommation conforme ; prévision de fin d'année sous le budget.",
                )
        past_actions = [
            ("Présenter le chiffrage du second prestataire", users["pm2"], today - timedelta(days=3)),
            ("Mettre à jour le plan de charge du portefeuille", pmo, today + timedelta(days=2)),
            (
                "Chiffrer une troisième répétition de reprise de données",
                users["pm1"],
                today + timedelta(days=9),
            ),
        ]
        for title, owner, due in past_actions:
            if Membership.objects.filter(portfolio=portfolio, user=owner).exists():
                committees.action_create(actor=pmo, meeting=past, title=title, owner=owner, due_date=due)
                result["actions"] += 1
        committees.meeting_hold(actor=pmo, meeting=past)
        past.refresh_from_db()
        past = committees.meeting_update(
            actor=pmo,
            meeting=past,
            version=past.version,
            data={
                "minutes": "Présents : voir la liste.\n1. Demandes de changement : décisions au registre.\n"
                "2. Point budgétaire : consommation conforme.\nProchaine séance dans un mois."
            },
        )
        committees.meeting_approve_minutes(actor=users["exec"], meeting=past)
        moment = past.starts_at + timedelta(hours=1)
        Decision.objects.filter(meeting=past).update(decided_at=moment)
        Meeting.objects.filter(pk=past.pk).update(minutes_approved_at=moment + timedelta(days=2))
        ChangeRequest.objects.filter(pk__in=[cr.pk for cr in decided_here]).update(decided_at=moment)
        CostBaseline.objects.filter(
            pk__in=ChangeRequest.objects.filter(pk__in=[cr.pk for cr in decided_here]).values("baseline_id")
        ).update(created_at=moment)
        result["meetings"] += 1
        result["decisions"] += Decision.objects.filter(meeting=past).count()

        # The next meeting, its agenda built from today's data (exceptions, pending changes, red projects).
        committees.meeting_create(
            actor=pmo,
            committee=committee,
            starts_at=_at(_next_weekday(today + timedelta(days=5), 3), 14),
            attendees=members,
        )
        result["meetings"] += 1

    for title, category, tags, context, happened, recommendation, stage in LESSONS:
        source = _lesson_project(projects, category, tags)
        lessons.lesson_create(
            actor=pmo,
            portfolio_id=source.portfolio_id,
            data={
                "title": title,
                "category": category,
                "tags": tags,
                "context": context,
                "what_happened": happened,
                "recommendation": recommendation,
                "stage": stage,
                "methodology": "Classique",
                "project": source,
            },
        )
    result["lessons"] = LessonLearned.objects.count()
    result["agenda items"] = AgendaItem.objects.count()
    return result


LESSON_SOURCES = {
    "data": "erp-finance",
    "scope": "crm-unifie",
    "suppliers": "soc-24-7",
    "technical": "teletravail-vpn",
    "change": "mfa-generalise",
    "planning": "wms-entrepot",
    "risk": "soc-24-7",
    "testing": "crm-unifie",
    "budget": "erp-finance",
    "people": "datalake",
    "governance": "nis2",
}


def _lesson_project(projects: dict, category: str, tags: list[str]) -> Project:
    if "usine" in tags or "équipements" in tags or "arrêt de production" in tags:
        code = "securite-site"
    else:
        code = LESSON_SOURCES.get(category, "erp-finance")
    return projects.get(code) or next(iter(projects.values()))
