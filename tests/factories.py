"""Factories shared by every test package (one small module per app would only re-export these)."""

from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from pmo.core.roles import Role
from portfolio.models import Membership, Portfolio, Programme
from projects.models import CostLine, Deliverable, Milestone, Project, ProjectMember, Risk, StatusReport


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.django.Password("correct horse battery staple")


class PortfolioFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Portfolio

    code = factory.Sequence(lambda n: f"pf-{n}")
    name = factory.Sequence(lambda n: f"Portefeuille {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    portfolio = factory.SubFactory(PortfolioFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PROJECT_MANAGER


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    portfolio = factory.SubFactory(PortfolioFactory)
    code = factory.Sequence(lambda n: f"prog-{n}")
    name = factory.Sequence(lambda n: f"Programme {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    portfolio = factory.SubFactory(PortfolioFactory)
    code = factory.Sequence(lambda n: f"prj-{n}")
    name = factory.Sequence(lambda n: f"Projet {n}")
    state = Project.State.ACTIVE
    budget = Decimal("100000.00")


class ProjectMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectMember

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    project_role = "Analyste"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Jalon {n}")
    baseline_date = factory.LazyFunction(lambda: date(2027, 3, 1))
    forecast_date = factory.SelfAttribute("baseline_date")


class CostLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostLine

    project = factory.SubFactory(ProjectFactory)
    month = date(2026, 10, 1)
    category = "opex"
    planned = Decimal("10000.00")


class RiskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Risk

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Risque {n}")
    probability = 3
    impact = 3


class DeliverableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deliverable

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"Livrable {n}")


class StatusReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusReport

    project = factory.SubFactory(ProjectFactory)
    period_start = date(2026, 11, 16)
    overall = quality = cost = schedule = risk = "green"
