"""Demo data of issue 10 for the demo projects: teams with external people, RACI matrices, stakeholder
registers, communication plans, suppliers, contracts, purchase orders and invoices. Deterministic and
idempotent (get_or_create on natural keys): a second run adds nothing."""

import random
import unicodedata
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from portfolio.models import Supplier
from projects.models import (
    CommunicationItem,
    Contract,
    Project,
    ProjectMember,
    PurchaseOrder,
    RaciActivity,
    RaciAssignment,
    Stakeholder,
    SupplierInvoice,
)

SUPPLIERS = [
    ("Sopra Steria", "326820065", "Laure Fontaine"),
    ("Capgemini", "330703844", "Hugo Lambert"),
    ("Orange Business", "380129866", "Inès Garnier"),
    ("Dell Technologies", "351528229", "Paul Roux"),
    ("Wavestone", "377550249", "Emma Chevalier"),
]
EXTERNALS = [
    ("Karim Benali", "Sopra Steria", "Architecte technique"),
    ("Léa Rousseau", "Wavestone", "Consultante conduite du changement"),
    ("Marc Olivier", "Capgemini", "Chef de projet intégrateur"),
]
STAKEHOLDERS = [
    # name, kind, organisation, role, influence, interest, attitude, expectations, actions
    (
        "Direction financière",
        "internal",
        "Groupe",
        "DAF",
        5,
        3,
        "neutral",
        "Respect du budget et du calendrier de facturation.",
        "Point mensuel sur les engagements.",
    ),
    (
        "Utilisateurs métier",
        "internal",
        "Directions opérationnelles",
        "Utilisateurs clés",
        2,
        5,
        "supporter",
        "Un outil simple, formé avant la bascule.",
        "Ateliers de recette, lettre d'information.",
    ),
    (
        "Délégué à la protection des données",
        "internal",
        "Groupe",
        "DPO",
        4,
        2,
        "critic",
        "Conformité RGPD dès la conception.",
        "Revue d'impact (AIPD) avant la mise en production.",
    ),
    (
        "Représentants du personnel",
        "internal",
        "CSE",
        "Élus",
        3,
        4,
        "critic",
        "Information-consultation avant le déploiement.",
        "Présentation en séance du CSE.",
    ),
    (
        "Éditeur de la solution",
        "external",
        "Éditeur",
        "Responsable de compte",
        3,
        3,
        "champion",
        "Un client de référence.",
        "Comité éditeur trimestriel.",
    ),
    (
        "Auditeurs externes",
        "external",
        "Cabinet d'audit",
        "Associé",
        4,
        1,
        "neutral",
        "Piste d'audit complète.",
        "Envoi des comptes rendus de COPIL.",
    ),
]
COMMUNICATIONS = [
    ("Comité de pilotage", "meeting", "monthly", "Décisions, arbitrages, météo du projet."),
    ("Lettre d'information projet", "newsletter", "biweekly", "Avancement, prochaines étapes, formations."),
    ("Point d'avancement équipe", "meeting", "weekly", "Tour de table, risques, actions."),
    ("Annonce de la mise en production", "email", "once", "Date, impacts et support."),
]


def ascii_folded(text: str) -> str:
    """`éditeur` → `editeur`: an address's local part the e-mail validators accept."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, min(day.day, 28))


def seed_suppliers(*, portfolios) -> dict[int, list[Supplier]]:
    by_portfolio = {}
    for portfolio in portfolios:
        rows = []
        for name, siren, contact in SUPPLIERS:
            supplier, _created = Supplier.objects.get_or_create(
                portfolio=portfolio,
                name=name,
                defaults={
                    "registration_number": siren,
                    "contact_name": contact,
                    "email": f"contact@{name.split()[0].lower()}.example",
                },
            )
            rows.append(supplier)
        by_portfolio[portfolio.pk] = rows
    return by_portfolio


def seed_team_and_procurement(*, projects: list[Project], today: date) -> Counter:
    """Team, RACI, stakeholders and communication plan on every open demo project; contracts,
    orders and invoices on two thirds of them (one expired contract, one overrun, one over-invoiced
    order with its reason), so that every flag of the tabs shows in the demo."""
    counts: Counter = Counter()
    portfolios = {p.portfolio_id: p.portfolio for p in projects}
    suppliers = seed_suppliers(portfolios=portfolios.values())
    open_projects = [p for p in projects if p.state in (Project.State.ACTIVE, Project.State.ON_HOLD)]
    for index, project in enumerate(open_projects):
        rng = random.Random(f"team-{project.code}")
        members = _seed_team(project, rng, counts)
        _seed_raci(project, members, index, counts)
        stakeholders = _seed_stakeholders(project, rng, counts)
        _seed_communications(project, stakeholders, today, index, counts)
        if index % 3 != 2:
            _seed_procurement(project, suppliers[project.portfolio_id], rng, today, index, counts)
    return counts


def _seed_team(project: Project, rng: random.Random, counts: Counter) -> list[ProjectMember]:
    people = [(project.manager, "Chef de projet"), (project.deputy, "Adjoint"), (project.sponsor, "Sponsor")]
    for user, role in people:
        if user is None:
            continue
        _member, created = ProjectMember.objects.get_or_create(
            project=project, user=user, defaults={"project_role": role}
        )
        counts["ProjectMember"] += created
    for name, organisation, role in rng.sample(EXTERNALS, 2):
        _member, created = ProjectMember.objects.get_or_create(
            project=project,
            user=None,
            name=name,
            defaults={"organisation": organisation, "project_role": role},
        )
        counts["ProjectMember"] += created
    return list(ProjectMember.objects.filter(project=project).order_by("pk"))


def _seed_raci(project: Project, members: list[ProjectMember], index: int, counts: Counter) -> None:
    activity, created = RaciActivity.objects.get_or_create(
        project=project, name="Conduite du changement", defaults={"position": 0}
    )
    counts["RaciActivity"] += created
    rows = [("milestone", m.pk) for m in project.milestones.order_by("pk")[:8]]
    rows += [("deliverable", d.pk) for d in project.deliverables.order_by("pk")[:6]]
    rows.append(("activity", activity.pk))
    manager = next((m for m in members if m.user_id == project.manager_id), members[0])
    others = [m for m in members if m.pk != manager.pk]
    for position, (kind, row_id) in enumerate(rows):
        # one row without an Accountable on every other project: the matrix's warning in the demo
        if not (index % 2 == 0 and position == len(rows) - 2):
            counts["RaciAssignment"] += _cell(project, kind, row_id, manager, "A")
        for offset, member in enumerate(others):
            role = "RCI"[(position + offset) % 3]
            counts["RaciAssignment"] += _cell(project, kind, row_id, member, role)


def _cell(project, kind, row_id, member, role) -> int:
    _row, created = RaciAssignment.objects.get_or_create(
        project=project, row_kind=kind, row_id=row_id, member=member, defaults={"role": role}
    )
    return int(created)


def _seed_stakeholders(project: Project, rng: random.Random, counts: Counter) -> list[Stakeholder]:
    rows = []
    for name, kind, organisation, role, influence, interest, attitude, expectations, actions in rng.sample(
        STAKEHOLDERS, 5
    ):
        stakeholder, created = Stakeholder.objects.get_or_create(
            project=project,
            name=name,
            defaults={
                "kind": kind,
                "organisation": organisation,
                "role": role,
                "influence": influence,
                "interest": interest,
                "attitude": attitude,
                "expectations": expectations,
                "engagement_actions": actions,
                "email": f"{ascii_folded(name.split()[0].lower())}@parties-prenantes.example",
                "receives_highlight": influence >= 4,
                "receives_steering": influence == 5,
            },
        )
        counts["Stakeholder"] += created
        rows.append(stakeholder)
    return rows


def _seed_communications(project, stakeholders, today: date, index: int, counts: Counter) -> None:
    for position, (title, channel, frequency, description) in enumerate(COMMUNICATIONS):
        item, created = CommunicationItem.objects.get_or_create(
            project=project,
            title=title,
            defaults={
                "description": description,
                "channel": channel,
                "frequency": frequency,
                "owner": project.manager,
                "next_date": today + timedelta(days=(index * 3 + position * 11) % 45 - 2),
            },
        )
        if created:
            item.stakeholders.set(stakeholders[position : position + 3])
        counts["CommunicationItem"] += created


def _seed_procurement(
    project, suppliers, rng: random.Random, today: date, index: int, counts: Counter
) -> None:
    start = project.start_date or today - timedelta(days=200)
    supplier = suppliers[index % len(suppliers)]
    second = suppliers[(index + 2) % len(suppliers)]
    budget = project.budget or Decimal("100000")
    contract_amount = (budget * Decimal("0.30")).quantize(Decimal("1"))
    contract, created = Contract.objects.get_or_create(
        project=project,
        reference=f"CT-{project.code[:12].upper()}-01",
        defaults={
            "supplier": supplier,
            "title": "Marché d'intégration",
            "amount": contract_amount,
            "category": "capex",
            "start_date": start,
            # every fourth contract has expired without being closed: flagged in the tab
            "end_date": today - timedelta(days=15) if index % 4 == 1 else _add_months(today, 9),
            "status": "committed",
        },
    )
    counts["Contract"] += created
    orders = [
        ("01", supplier, contract, Decimal("0.55"), "received", "Lot 1 : conception et paramétrage", "capex"),
        ("02", supplier, contract, Decimal("0.40"), "committed", "Lot 2 : migration des données", "capex"),
        ("03", second, None, Decimal("0.08"), "committed", "Licences et support annuel", "opex"),
        ("04", second, None, Decimal("0.04"), "draft", "Formation des utilisateurs", "opex"),
    ]
    for suffix, vendor, parent, share, status, description, category in orders:
        base = contract_amount if parent is not None else budget
        order, created = PurchaseOrder.objects.get_or_create(
            project=project,
            reference=f"BC-{project.code[:12].upper()}-{suffix}",
            defaults={
                "supplier": vendor,
                "contract": parent,
                "description": description,
                "amount": (base * share).quantize(Decimal("1")),
                "category": category,
                "order_date": start + timedelta(days=30 * int(suffix)),
                "expected_date": _add_months(today, int(suffix)),
                "status": status,
            },
        )
        counts["PurchaseOrder"] += created
        if status == "draft":
            continue
        paid = Decimal("1.00") if status == "received" else Decimal("0.35")
        # on every fifth project the received lot is invoiced beyond its order (with the reason),
        # which also takes the contract past its amount: the overrun flag
        if status == "received" and index % 5 == 0:
            paid = Decimal("1.60")
        amount = (order.amount * paid).quantize(Decimal("1"))
        if amount <= 0:
            continue
        _invoice, created = SupplierInvoice.objects.get_or_create(
            project=project,
            purchase_order=order,
            number=f"F{rng.randint(10000, 99999)}-{suffix}",
            defaults={
                "invoice_date": min(today, order.order_date + timedelta(days=45)),
                "amount": amount,
                "over_reason": "Avenant n°1 : périmètre étendu validé en COPIL." if paid > 1 else "",
            },
        )
        counts["SupplierInvoice"] += created
