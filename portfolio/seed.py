"""Demo data for the portfolio structure: people, portfolios, programmes, memberships."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from pmo.core.roles import Role
from portfolio.models import Membership, Portfolio, Programme

DEMO_PEOPLE = [
    # username, first name, last name, role in each demo portfolio (None: not a member)
    ("pmo", "Marc", "Lefèvre", Role.PMO, Role.PMO),
    ("pm1", "Claire", "Martin", Role.PROJECT_MANAGER, Role.PROJECT_MANAGER),
    ("pm2", "Julien", "Bernard", Role.PROJECT_MANAGER, None),
    ("pm3", "Nadia", "Haddad", None, Role.PROJECT_MANAGER),
    ("exec", "Sophie", "Durand", Role.EXECUTIVE, Role.EXECUTIVE),
    ("sponsor", "Philippe", "Moreau", Role.EXECUTIVE, Role.EXECUTIVE),
    ("team", "Thomas", "Petit", Role.TEAM_MEMBER, Role.TEAM_MEMBER),
]

DEMO_PORTFOLIOS = [
    (
        "dsi-groupe",
        "DSI Groupe",
        "Portefeuille des projets de la direction des systèmes d'information du groupe.",
        [
            (
                "modernisation-si",
                "Modernisation du SI",
                "Remplacement des applications historiques.",
            ),
            (
                "cybersecurite",
                "Cybersécurité",
                "Mise en conformité NIS 2 et réduction des risques cyber.",
            ),
            ("data-ia", "Data & IA", "Plateforme de données et cas d'usage d'IA."),
        ],
    ),
    (
        "transfo-indus",
        "Transformation industrielle",
        "Programmes de modernisation des sites de production.",
        [
            ("usine-4-0", "Usine 4.0", "Numérisation des lignes de production."),
            (
                "excellence-ops",
                "Excellence opérationnelle",
                "Lean, qualité et maintenance prédictive.",
            ),
        ],
    ),
]


@dataclass
class StructureSeed:
    users: dict
    portfolios: dict
    programmes: dict


def seed_structure(*, password: str) -> StructureSeed:
    """The demo people, the two portfolios, their five programmes and everyone's roles."""
    user_model = get_user_model()
    hashed = make_password(password)
    users = {}
    for username, first, last, *_roles in DEMO_PEOPLE:
        user, _created = user_model.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.pmo.example",
                "password": hashed,
                "is_staff": username == "pmo",
            },
        )
        users[username] = user
    portfolios, programmes = {}, {}
    for index, (code, name, description, programme_specs) in enumerate(DEMO_PORTFOLIOS):
        portfolio, _ = Portfolio.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        portfolios[code] = portfolio
        for username, _first, _last, *roles in DEMO_PEOPLE:
            if roles[index] is not None:
                Membership.objects.get_or_create(
                    portfolio=portfolio, user=users[username], defaults={"role": roles[index]}
                )
        for prog_code, prog_name, prog_description in programme_specs:
            programme, _ = Programme.objects.get_or_create(
                portfolio=portfolio,
                code=prog_code,
                defaults={
                    "name": prog_name,
                    "description": prog_description,
                    "manager": users["pm1"] if index == 0 else users["pm3"],
                    "sponsor": users["sponsor"],
                },
            )
            programmes[prog_code] = programme
    return StructureSeed(users=users, portfolios=portfolios, programmes=programmes)


def seed_large_structure(
    *, password: str, portfolios: int = 4, programmes_per_portfolio: int = 10, managers: int = 100
):
    """Benchmark structure: 4 portfolios, 40 programmes, 100 project managers (bulk inserts)."""
    user_model = get_user_model()
    hashed = make_password(password)
    existing = set(
        user_model.objects.filter(username__startswith="bench-pm").values_list("username", flat=True)
    )
    user_model.objects.bulk_create(
        [
            user_model(
                username=f"bench-pm{i:03d}",
                first_name="Chef",
                last_name=f"Projet {i:03d}",
                password=hashed,
            )
            for i in range(managers)
            if f"bench-pm{i:03d}" not in existing
        ]
    )
    manager_list = list(user_model.objects.filter(username__startswith="bench-pm").order_by("username"))
    created = Portfolio.objects.bulk_create(
        [Portfolio(code=f"bench-{p}", name=f"Portefeuille benchmark {p + 1}") for p in range(portfolios)]
    )
    Programme.objects.bulk_create(
        [
            Programme(portfolio=portfolio, code=f"prog-{i:02d}", name=f"Programme {p + 1}.{i + 1}")
            for p, portfolio in enumerate(created)
            for i in range(programmes_per_portfolio)
        ]
    )
    members = [
        Membership(portfolio=portfolio, user=manager, role=Role.PROJECT_MANAGER)
        for portfolio in created
        for manager in manager_list
    ]
    demo = user_model.objects.filter(username__in=["pmo", "exec"])
    members += [
        Membership(
            portfolio=portfolio,
            user=user,
            role=Role.PMO if user.username == "pmo" else Role.EXECUTIVE,
        )
        for portfolio in created
        for user in demo
    ]
    Membership.objects.bulk_create(members, ignore_conflicts=True)
    return created, manager_list
