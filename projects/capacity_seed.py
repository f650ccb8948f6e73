"""Demo and benchmark data for resources and capacity: roles, skills, ~60 people in the demo pools
with realistic load (some overloaded, some on leave, a few requests to staff), ~3,000 people with
allocations in the benchmark pools (bulk inserts)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model

from portfolio.models import Portfolio
from portfolio.resource_models import Absence, Resource, ResourceSkill, Role, Skill
from projects.models import Allocation, Project

ROLES = [
    # code, name, standard day rate
    ("chef-de-projet", "Chef de projet", 850),
    ("architecte", "Architecte", 950),
    ("developpeur", "Développeur", 600),
    ("analyste-metier", "Analyste métier", 650),
    ("testeur", "Testeur", 500),
    ("expert-data", "Expert data", 800),
    ("ingenieur-process", "Ingénieur process", 700),
    ("automaticien", "Automaticien", 650),
]
SKILLS = [
    "Java",
    "Python",
    "SAP FI/CO",
    "Salesforce",
    "Power BI",
    "Kubernetes",
    "Sécurité SI",
    "PRINCE2",
    "Agile / Scrum",
    "Tests automatisés",
    "Lean Six Sigma",
    "Automates Siemens",
    "SQL",
    "Azure",
]
FIRST = [
    "Camille",
    "Léa",
    "Hugo",
    "Lucas",
    "Chloé",
    "Manon",
    "Louis",
    "Emma",
    "Jules",
    "Inès",
    "Arthur",
    "Sarah",
    "Nathan",
    "Julie",
    "Antoine",
    "Pauline",
    "Maxime",
    "Laura",
    "Théo",
    "Élodie",
    "Romain",
    "Alice",
    "Nicolas",
    "Mathilde",
    "Quentin",
    "Anaïs",
    "Paul",
    "Céline",
    "Baptiste",
    "Marion",
]
LAST = [
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guerin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clement",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gautier",
    "Roger",
]
DEMO_POOLS = {
    # portfolio code: (people, [(role code, share)], departments)
    "dsi-groupe": (
        40,
        [
            ("chef-de-projet", 5),
            ("architecte", 4),
            ("developpeur", 14),
            ("analyste-metier", 7),
            ("testeur", 6),
            ("expert-data", 4),
        ],
        ["Études", "Infrastructure", "Data", "Sécurité"],
    ),
    "transfo-indus": (
        20,
        [
            ("chef-de-projet", 3),
            ("ingenieur-process", 7),
            ("automaticien", 6),
            ("analyste-metier", 2),
            ("expert-data", 2),
        ],
        ["Méthodes", "Maintenance", "Qualité"],
    ),
}
LIVE_STATES = ("active", "on_hold", "proposed")


def seed_catalogue() -> tuple[dict[str, Role], list[Skill]]:
    roles = {}
    for code, name, rate in ROLES:
        roles[code], _ = Role.objects.get_or_create(
            code=code, defaults={"name": name, "cost_rate_per_day": Decimal(rate)}
        )
    skills = [Skill.objects.get_or_create(name=name)[0] for name in SKILLS]
    return roles, skills


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def seed_demo_capacity(*, users: dict, today: date) -> dict[str, int]:
    """The demo pools (idempotent: skipped when the demo portfolios already have resources)."""
    roles, skills = seed_catalogue()
    rng = random.Random(606)
    counts = {"Resource": 0, "Allocation": 0, "Absence": 0}
    monday = _monday(today)
    for portfolio_code, (size, shares, departments) in DEMO_POOLS.items():
        portfolio = Portfolio.objects.filter(code=portfolio_code).first()
        if portfolio is None or portfolio.resources.exists():
            continue
        role_codes = [code for code, share in shares for _ in range(share)]
        people = []
        for i in range(size):
            role = roles[role_codes[i % len(role_codes)]]
            shift = len(portfolio_code)
            name = f"{FIRST[(i * 7 + shift) % len(FIRST)]} {LAST[(i * 5 + 3 * shift) % len(LAST)]}"
            resource = Resource.objects.create(
                portfolio=portfolio,
                name=name,
                role=role,
                department=departments[i % len(departments)],
                manager=users.get("pmo"),
                cost_rate_per_day=role.cost_rate_per_day + Decimal(rng.randrange(-10, 11) * 10),
                hours_per_week=Decimal("35"),
                working_time_pct=80 if i % 9 == 4 else 100,
                available_from=monday - timedelta(weeks=52) if i % 13 else monday + timedelta(weeks=6),
                available_until=monday + timedelta(weeks=30) if i % 17 == 5 else None,
            )
            for skill in rng.sample(skills, 2):
                ResourceSkill.objects.create(resource=resource, skill=skill, level=rng.randint(1, 4))
            people.append(resource)
        counts["Resource"] += len(people)
        if portfolio_code == "dsi-groupe" and "team" in users:
            analyst = next(p for p in people if p.role.code == "analyste-metier")
            analyst.name, analyst.user = "Thomas Petit", users["team"]
            analyst.save(update_fields=["name", "user"])
        # Leave: summer and end-of-year breaks, a training week.
        for i, person in enumerate(people):
            if i % 3 == 0:
                start = monday + timedelta(weeks=2 + (i % 11))
                Absence.objects.create(
                    resource=person, start_date=start, end_date=start + timedelta(days=11), reason="Congés"
                )
                counts["Absence"] += 1
            if i % 7 == 2:
                start = monday + timedelta(weeks=1 + i % 5)
                Absence.objects.create(
                    resource=person, start_date=start, end_date=start + timedelta(days=4), reason="Formation"
                )
                counts["Absence"] += 1
        projects = list(
            Project.objects.filter(
                portfolio=portfolio, state__in=LIVE_STATES, archived_at__isnull=True
            ).order_by("code")
        )
        by_role: dict[int, list[Resource]] = {}
        for person in people:
            by_role.setdefault(person.role_id, []).append(person)
        load = {p.pk: 0 for p in people}
        for index, project in enumerate(projects):
            start = max(project.start_date or monday, monday - timedelta(weeks=8))
            end = min(project.end_date or monday + timedelta(weeks=40), monday + timedelta(weeks=40))
            if end <= start:
                continue
            wanted = [r for r in shares for _ in range(1 if r[1] < 5 else 2)]
            # every project has a project manager; the other roles rotate from one project to the next
            others = wanted[1:]
            shift = (index * 3) % len(others)
            team = [wanted[0], *(others[shift:] + others[:shift])][: 4 + index % 4]
            for k, (role_code, _share) in enumerate(team):
                role = roles[role_code]
                pool = sorted(by_role.get(role.pk, []), key=lambda p: (load[p.pk], p.pk))
                percent = Decimal(rng.choice([20, 30, 40, 50, 60]))
                first = start + timedelta(weeks=k % 3)
                # Staff within the person's free share (a PMO books people up to ~90 %); what
                # does not fit stays a request for the role, the demand to staff or to hire.
                if pool and load[pool[0].pk] + percent > 90:
                    percent = Decimal(max(0, 90 - load[pool[0].pk]) // 10 * 10)
                if not pool or percent < 10 or (index + k) % 9 == 0:
                    percent = percent if percent >= 10 else Decimal(30)
                    Allocation.objects.create(
                        project=project,
                        role=role,
                        start_date=first,
                        end_date=end,
                        unit="percent",
                        percent=percent,
                        state="requested",
                        requested_by=project.manager,
                        note="À staffer",
                    )
                    counts["Allocation"] += 1
                    continue
                person = pool[0]
                if person.available_from and first < person.available_from:
                    first = person.available_from
                last = min(end, person.available_until) if person.available_until else end
                if last <= first:
                    continue
                load[person.pk] += int(percent)
                Allocation.objects.create(
                    project=project,
                    resource=person,
                    role=role,
                    start_date=first,
                    end_date=last,
                    unit="percent",
                    percent=percent,
                    state="confirmed" if (index + k) % 4 else "requested",
                    requested_by=project.manager,
                    confirmed_by=users.get("pmo") if (index + k) % 4 else None,
                )
                counts["Allocation"] += 1
        # Some people booked twice on the busiest projects: the over-allocations the PMO must see.
        for person in sorted(people, key=lambda p: -load[p.pk])[:5]:
            project = projects[person.pk % len(projects)] if projects else None
            if project is None:
                continue
            Allocation.objects.create(
                project=project,
                resource=person,
                role=person.role,
                start_date=max(monday + timedelta(weeks=2), person.available_from or monday),
                end_date=monday + timedelta(weeks=10),
                unit="hours",
                hours_per_week=Decimal("14"),
                state="requested",
                requested_by=project.manager,
                note="Renfort recette",
            )
            counts["Allocation"] += 1
    return counts


def seed_large_capacity(*, today: date, people: int = 3000) -> dict[str, int]:
    """~3,000 people in the benchmark pools, each on two or three live projects (bulk inserts)."""
    portfolios = list(Portfolio.objects.filter(code__startswith="bench-").order_by("code"))
    if not portfolios or Resource.objects.filter(portfolio__in=portfolios).exists():
        return {}
    roles, _skills = seed_catalogue()
    role_list = list(roles.values())
    rng = random.Random(3000)
    monday = _monday(today)
    per_portfolio = people // len(portfolios)
    rows = [
        Resource(
            portfolio=portfolio,
            name=f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {p}{i:04d}",
            role=role_list[i % len(role_list)],
            department=f"Département {i % 12 + 1:02d}",
            cost_rate_per_day=role_list[i % len(role_list)].cost_rate_per_day,
            working_time_pct=80 if i % 10 == 0 else 100,
        )
        for p, portfolio in enumerate(portfolios)
        for i in range(per_portfolio)
    ]
    Resource.objects.bulk_create(rows, batch_size=1000)
    resources = list(
        Resource.objects.filter(portfolio__in=portfolios).values_list("pk", "portfolio_id", "role_id")
    )
    projects: dict[int, list[tuple[int, date | None, date | None]]] = {}
    for pk, portfolio_id, start, end in Project.objects.filter(
        portfolio__in=portfolios, state="active"
    ).values_list("pk", "portfolio_id", "start_date", "end_date"):
        projects.setdefault(portfolio_id, []).append((pk, start, end))
    allocations, absences = [], []
    for pk, portfolio_id, role_id in resources:
        candidates = projects.get(portfolio_id) or []
        for k in range(2 + pk % 2):
            if not candidates:
                break
            project_id, _start, end = rng.choice(candidates)
            first = monday - timedelta(weeks=rng.randint(0, 12))
            last = min(end or monday + timedelta(weeks=60), monday + timedelta(weeks=rng.randint(20, 60)))
            if last <= first:
                continue
            allocations.append(
                Allocation(
                    project_id=project_id,
                    resource_id=pk,
                    role_id=role_id,
                    start_date=first,
                    end_date=last,
                    unit="percent",
                    percent=Decimal(rng.choice([20, 30, 40, 50, 60])),
                    state="confirmed" if k else "requested",
                )
            )
        if pk % 10 == 0:
            start = monday + timedelta(weeks=rng.randint(1, 40))
            absences.append(
                Absence(
                    resource_id=pk, start_date=start, end_date=start + timedelta(days=13), reason="Congés"
                )
            )
    Allocation.objects.bulk_create(allocations, batch_size=2000)
    Absence.objects.bulk_create(absences, batch_size=2000)
    return {"Resource": len(rows), "Allocation": len(allocations), "Absence": len(absences)}


def seed_capacity(*, size: str, today: date) -> dict[str, int]:
    """The one entry point seed_demo calls: the demo pools, and the benchmark pools when large."""
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["pmo", "team", "pm1", "pm2", "pm3"])
    }
    counts = seed_demo_capacity(users=users, today=today)
    if size == "large":
        counts.update(seed_large_capacity(today=today))
    return counts
