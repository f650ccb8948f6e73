"""The application's database role: ordinary rights on the app tables, append-only on event tables.

Web, worker and beat connect as a role that is neither superuser nor owner of the tables (migrations
run as the owner), so a compromised or buggy process cannot rewrite the audit trail: on every table
whose name ends in `event` (pghistory's event tables, the security log) it may only INSERT and
SELECT. `bin/ensure-database` creates the role; the grants are re-applied after every `migrate`
(post_migrate, below) because new tables arrive with the migrations.
"""

import sys

from django.conf import settings
from django.db import DatabaseError, connections

DEFAULT_ROLE = "pmo_app"


def app_role_name() -> str:
    return getattr(settings, "APP_DATABASE_ROLE", DEFAULT_ROLE)


def event_tables(cursor) -> list[str]:
    """Tables of the public schema that hold events: append-only for the application role."""
    cursor.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE %s ORDER BY 1",
        ["%event"],
    )
    return [row[0] for row in cursor.fetchall()]


def role_exists(cursor, role: str) -> bool:
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
    return cursor.fetchone() is not None


def grant_app_role(cursor, role: str) -> list[str]:
    """(Re)apply the role's rights on every table and sequence; returns the append-only tables."""
    from psycopg import sql

    name = sql.Identifier(role)
    statements = [
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(name),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(name),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(name),
        sql.SQL("REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {}").format(name),
    ]
    tables = event_tables(cursor)
    statements += [
        sql.SQL("REVOKE UPDATE, DELETE ON {} FROM {}").format(sql.Identifier(table), name) for table in tables
    ]
    for statement in statements:
        cursor.execute(statement)
    return tables


def grant_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate: re-apply the grants when the role exists and we are not connected as it."""
    role = app_role_name()
    with connections[using].cursor() as cursor:
        if connections[using].vendor != "postgresql" or not role_exists(cursor, role):
            return
        cursor.execute("SELECT current_user")
        if cursor.fetchone()[0] == role:
            return
        try:
            grant_app_role(cursor, role)
        except DatabaseError as error:  # migrate ran as a role that does not own the tables
            sys.stderr.write(f"Rights of {role} not re-applied ({error}); run `manage.py grant_app_role`.\n")
