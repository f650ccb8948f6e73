"""Demo intake: seven project proposals per demo portfolio, in French, in every state of the
workflow — a draft, submitted ones, two under review (scored and discussed), one approved into the
portfolio (gate 0), one rejected, one parked until a revisit date. Runs after the resource pool is
seeded (the estimates ask for its roles). Idempotent: a portfolio with proposals is left alone."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model

from governance import intake
from governance.intake import pool_roles
from governance.models import ProjectProposal
from portfolio.models import Portfolio, ScoringCriterion, StrategicObjective
from projects.services.strategy import project_scores_set

# title, problem, benefits, requester, mandatory, urgency, months from now, duration (months),
# capex, opex, effort days per role (in pool order), objective codes, target state, scores
# (valeur, alignement, risque, urgence... by criterion code), comments
PROPOSALS = {
    "dsi-groupe": [
        (
            "Coffre-fort numérique des bulletins de paie",
            "Les bulletins de paie sont encore imprimés et envoyés par courrier à 4 000 salariés.",
            "Économie de 60 k€ par an d'impression et d'affranchissement ; bulletins disponibles à J+0.",
            "team",
            False,
            "normal",
            3,
            6,
            "40000",
            "12000",
            (30, 10),
            ("efficacite",),
            "draft",
            {},
            [],
        ),
        (
            "Mise en conformité NIS2 des sites industriels",
            "La directive NIS2 impose la gestion des vulnérabilités et la notification d'incident sous 24 h.",
            "Conformité réglementaire, sanctions évitées, exposition cyber réduite.",
            "pm1",
            True,
            "critical",
            2,
            12,
            "380000",
            "90000",
            (120, 60, 40),
            ("cyber",),
            "submitted",
            {},
            [],
        ),
        (
            "Portail fournisseurs et dématérialisation des factures",
            "80 % des factures fournisseurs arrivent en PDF par courriel et sont ressaisies.",
            "Délai de paiement tenu à 45 jours, 2 ETP de saisie redéployés, obligation e-facture 2026.",
            "team",
            True,
            "high",
            4,
            10,
            "220000",
            "45000",
            (90, 30),
            ("efficacite", "client"),
            "submitted",
            {},
            [],
        ),
        (
            "Chatbot du service client",
            "Le centre d'appels sature en période de facturation : 30 % d'appels abandonnés.",
            "−25 % d'appels de niveau 1, satisfaction client +8 points.",
            "pm2",
            False,
            "high",
            3,
            8,
            "150000",
            "60000",
            (80, 40),
            ("client", "data"),
            "under_review",
            {"valeur": 4, "alignement": 4, "risque": 3, "urgence": 4},
            [
                ("pmo", "Avez-vous chiffré la licence du moteur conversationnel sur trois ans ?"),
                ("pm2", "Oui : incluse dans l'OPEX (20 k€ par an)."),
            ],
        ),
        (
            "Socle de données clients unifié",
            "Chaque application a sa propre base clients ; les doublons faussent le reporting commercial.",
            "Un référentiel client unique, fiabilité du reporting, base du futur CRM.",
            "pm1",
            False,
            "normal",
            5,
            14,
            "310000",
            "70000",
            (100, 80, 20),
            ("data",),
            "under_review",
            {"valeur": 3, "alignement": 5, "risque": 2},
            [("exec", "À rapprocher du projet CRM : même sponsor ?")],
        ),
        (
            "Authentification forte pour tous les accès distants",
            "Les accès VPN reposent sur un simple mot de passe ; deux tentatives d'intrusion ce trimestre.",
            "Risque d'intrusion réduit, exigence de l'assureur cyber satisfaite.",
            "pm2",
            True,
            "critical",
            1,
            5,
            "60000",
            "25000",
            (40, 20),
            ("cyber",),
            "approved",
            {"valeur": 3, "alignement": 5, "risque": 2, "urgence": 5},
            [],
        ),
        (
            "Refonte graphique de l'intranet",
            "L'intranet date de 2015 ; son audience baisse.",
            "Meilleure communication interne.",
            "team",
            False,
            "low",
            2,
            6,
            "90000",
            "15000",
            (50,),
            ("client",),
            "rejected",
            {"valeur": 1, "alignement": 2, "risque": 2, "urgence": 1},
            [],
        ),
        (
            "Migration de la messagerie vers le cloud",
            "Les serveurs de messagerie arrivent en fin de support en 2028.",
            "Fin des coûts de maintenance matériels, haute disponibilité.",
            "pm1",
            False,
            "normal",
            9,
            9,
            "120000",
            "80000",
            (60, 20),
            ("efficacite",),
            "parked",
            {"valeur": 3, "alignement": 3, "risque": 3, "urgence": 2},
            [],
        ),
    ],
    "transfo-indus": [
        (
            "Capteurs énergie sur les lignes de Lyon",
            "La consommation électrique n'est mesurée qu'au compteur général de l'usine.",
            "−8 % de kWh par tonne grâce au pilotage ligne par ligne.",
            "team",
            False,
            "normal",
            4,
            8,
            "140000",
            "20000",
            (40, 20),
            ("energie",),
            "draft",
            {},
            [],
        ),
        (
            "Mise en conformité machines (directive 2023/1230)",
            "Le nouveau règlement machines s'applique en janvier 2027 ; 14 presses ne sont pas conformes.",
            "Conformité réglementaire, sécurité des opérateurs.",
            "pm3",
            True,
            "critical",
            2,
            10,
            "420000",
            "30000",
            (90, 60),
            ("securite",),
            "submitted",
            {},
            [],
        ),
        (
            "Maintenance prédictive des compresseurs",
            "Trois arrêts non planifiés des compresseurs en 2026 ont coûté 900 heures de production.",
            "TRS +3 points, 600 heures d'arrêt évitées par an.",
            "pm1",
            False,
            "high",
            3,
            12,
            "260000",
            "50000",
            (70, 50),
            ("productivite",),
            "under_review",
            {"valeur": 4, "alignement": 4, "risque": 3, "urgence": 3},
            [("pmo", "Le projet de Lyon a déjà équipé deux compresseurs : capitalisez sur son REX.")],
        ),
        (
            "Vision industrielle au contrôle final",
            "Le contrôle visuel manuel laisse passer 0,8 % de défauts d'aspect.",
            "Réclamations qualité divisées par deux.",
            "pm3",
            False,
            "high",
            4,
            9,
            "330000",
            "40000",
            (60, 40),
            ("qualite",),
            "under_review",
            {"valeur": 4, "alignement": 5, "risque": 4},
            [],
        ),
        (
            "Récupération de chaleur des fours",
            "La chaleur fatale des fours de trempe est rejetée à l'atmosphère.",
            "−12 % de gaz consommé ; éligible aux certificats d'économie d'énergie.",
            "pm1",
            False,
            "normal",
            2,
            12,
            "510000",
            "35000",
            (50, 80),
            ("energie",),
            "approved",
            {"valeur": 4, "alignement": 4, "risque": 3, "urgence": 3},
            [],
        ),
        (
            "Nouveau logiciel de paie des intérimaires",
            "Les relevés d'heures des intérimaires sont saisis deux fois.",
            "Gain de 0,5 ETP.",
            "team",
            False,
            "low",
            3,
            6,
            "70000",
            "25000",
            (30,),
            ("productivite",),
            "rejected",
            {"valeur": 2, "alignement": 1, "risque": 2, "urgence": 2},
            [],
        ),
        (
            "Robotisation du conditionnement",
            "Le conditionnement manuel est le goulot de la ligne 3 et la première cause de TMS.",
            "Cadence +15 %, TMS réduits.",
            "pm3",
            False,
            "normal",
            8,
            12,
            "680000",
            "60000",
            (80, 60),
            ("productivite", "securite"),
            "parked",
            {"valeur": 3, "alignement": 4, "risque": 4, "urgence": 2},
            [],
        ),
    ],
}

RATIONALES = {
    "approved": "Aligné sur les objectifs, finançable sur le budget de l'année ; priorité confirmée.",
    "rejected": "Valeur trop faible au regard des priorités ; à reprendre dans un projet plus large.",
    "parked": "Pertinent mais non finançable cette année : à revoir au prochain arbitrage budgétaire.",
}


def _month(today: date, months: int) -> date:
    index = today.year * 12 + today.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def seed_intake(*, today: date) -> dict[str, int]:
    users = {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=["pmo", "pm1", "pm2", "pm3", "exec", "sponsor", "team"]
        )
    }
    counts = {"ProjectProposal": 0}
    for code, rows in PROPOSALS.items():
        portfolio = Portfolio.objects.filter(code=code).first()
        if portfolio is None or ProjectProposal.objects.filter(portfolio=portfolio).exists():
            continue
        roles = list(pool_roles(portfolio.pk))
        objectives = {o.code: o.pk for o in StrategicObjective.objects.filter(portfolio=portfolio)}
        criteria = {c.code: c for c in ScoringCriterion.objects.filter(portfolio=portfolio, active=True)}
        for (
            title,
            problem,
            benefits,
            requester,
            mandatory,
            urgency,
            start_in,
            months,
            capex,
            opex,
            efforts,
            goals,
            state,
            scores,
            comments,
        ) in rows:
            start = _month(today, start_in)
            end = _month(start, months) - timedelta(days=1)
            data = {
                "title": title,
                "problem": problem,
                "expected_benefits": benefits,
                "objectives": [
                    {"objective": objectives[g], "contribution": 3 - i}
                    for i, g in enumerate(goals)
                    if g in objectives
                ],
                "requested_sponsor": users["sponsor"],
                "proposed_manager": users["pm3"] if code == "transfo-indus" else users["pm1"],
                "desired_start": start,
                "desired_end": end,
                "capex": capex,
                "opex": opex,
                "efforts": [
                    {"role": role.pk, "days": str(days)} for role, days in zip(roles, efforts, strict=False)
                ],
                "mandatory": mandatory,
                "urgency": urgency,
            }
            proposal = intake.proposal_create(
                actor=users[requester], portfolio=portfolio, data=data, submit=state != "draft"
            )
            counts["ProjectProposal"] += 1
            if state in ("draft", "submitted"):
                continue
            reviewer = users["pmo"]
            proposal = intake.proposal_start_review(actor=reviewer, proposal=proposal)
            values = {criteria[c].pk: (v, "") for c, v in scores.items() if c in criteria}
            if values:
                project_scores_set(actor=reviewer, project=proposal.project, values=values)
            for author, body in comments:
                intake.proposal_comment(actor=users[author], proposal=proposal, body=body)
            if state == "under_review":
                continue
            decider = users["exec"] if state != "rejected" else users["pmo"]
            intake.proposal_decide(
                actor=decider,
                proposal=proposal,
                outcome=state,
                rationale=RATIONALES[state],
                revisit_on=_month(today, 4) if state == "parked" else None,
            )
    return counts
