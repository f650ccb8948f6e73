"""Re-apply the application role's rights (migrate does it too, through post_migrate)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from pmo.core.dbroles import app_role_name, grant_app_role, role_exists


class Command(BaseCommand):
    help = "Grant the application database role its rights; event tables stay append-only (INSERT, SELECT)."

    def add_arguments(self, parser):
        parser.add_argument("--role", default=None, help="Role name (default: APP_DATABASE_ROLE or pmo_app).")

    def handle(self, *args, role=None, **options):
        role = role or app_role_name()
        with connection.cursor() as cursor:
            if not role_exists(cursor, role):
                raise CommandError(f"Role {role} does not exist: run bin/ensure-database first.")
            tables = grant_app_role(cursor, role)
        self.stdout.write(f"Granted {role}; append-only: {len(tables)} event tables.")
