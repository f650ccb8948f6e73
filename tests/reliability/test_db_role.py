"""RELIABILITY row 18, second half: the application's database role cannot alter the audit trail.

The test connects to the test database as the role (`pmo_app`), as production's web and worker do.
"""

import weakref

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models.signals import post_migrate
from psycopg import sql

from pmo.core import dbroles

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def app_role(world):
    """The role, created as bin/ensure-database does when missing, with its grants applied."""
    role = dbroles.app_role_name()
    with connection.cursor() as cursor:
        if not dbroles.role_exists(cursor, role):
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)).as_string())
    call_command("grant_app_role", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return role


@pytest.fixture
def as_app(app_role):
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=app_role,
        autocommit=True,
    ) as role_connection:
        yield role_connection


def test_the_role_is_not_privileged(as_app, app_role):
    row = as_app.execute(
        "SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = %s",
        [app_role],
    ).fetchone()
    assert row == (False, False, False, False)
    owned = as_app.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user").fetchone()
    assert owned == (0,)


def test_the_app_writes_its_tables_and_the_triggers_record_it(as_app, world):
    before = as_app.execute(
        "SELECT count(*) FROM projects_projectevent WHERE pgh_obj_id = %s", [world.a1.pk]
    ).fetchone()[0]
    updated = as_app.execute(
        "UPDATE projects_project SET description = 'par le rôle applicatif' WHERE id = %s", [world.a1.pk]
    ).rowcount
    after = as_app.execute(
        "SELECT count(*) FROM projects_projectevent WHERE pgh_obj_id = %s", [world.a1.pk]
    ).fetchone()[0]
    assert (updated, after - before) == (1, 1)


REFUSED = [
    "UPDATE {table} SET pgh_label = 'x'",
    "DELETE FROM {table}",
    "TRUNCATE {table}",
    "ALTER TABLE {table} DISABLE TRIGGER ALL",
    "DROP TABLE {table}",
]


def test_the_app_cannot_alter_an_event_table(as_app):
    for statement in REFUSED:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            as_app.execute(statement.format(table="projects_projectevent"))
        message = str(refused.value)
        assert "permission denied" in message or "must be owner" in message, statement


def test_every_event_table_is_append_only_and_every_other_table_writable(as_app, app_role):
    tables = [row[0] for row in as_app.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    events = [t for t in tables if t.endswith("event")]
    assert "projects_statusreportevent" in events and "core_userevent" in events

    def can(table, privilege):
        return as_app.execute(
            "SELECT has_table_privilege(%s, %s, %s)", [app_role, table, privilege]
        ).fetchone()[0]

    for table in events:
        assert [can(table, p) for p in ("SELECT", "INSERT", "UPDATE", "DELETE")] == [
            True,
            True,
            False,
            False,
        ], table
    for table in set(tables) - set(events):
        assert can(table, "UPDATE") and can(table, "DELETE"), table


def test_migrate_reapplies_the_grants(as_app, app_role):
    """New tables come with migrations: the grants run after every migrate (post_migrate)."""
    receivers = [
        entry[1]() if isinstance(entry[1], weakref.ReferenceType) else entry[1]
        for entry in post_migrate.receivers
    ]
    assert dbroles.grant_after_migrate in receivers
    with connection.cursor() as cursor:
        cursor.execute(f'REVOKE ALL ON projects_risk FROM "{app_role}"')
        cursor.execute(f'GRANT UPDATE ON projects_riskevent TO "{app_role}"')
    dbroles.grant_after_migrate(sender=None)

    def can(table, privilege):
        return as_app.execute(
            "SELECT has_table_privilege(%s, %s, %s)", [app_role, table, privilege]
        ).fetchone()[0]

    assert can("projects_risk", "INSERT") and not can("projects_riskevent", "UPDATE")
