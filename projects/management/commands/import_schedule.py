"""Import an MS Project XML or Primavera XER file from the command line (same service as the pages)."""

import json
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Q

from portfolio.models import Portfolio
from projects.imports.common import ScheduleImportError
from projects.imports.schedule import schedule_import_apply, schedule_import_upload
from projects.models import Project


class Command(BaseCommand):
    help = "Preview (--dry-run) or apply a schedule import into a project or a new project."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username of the person importing")
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--project", type=int, help="id of an existing project")
        target.add_argument(
            "--new", metavar="PORTFOLIO:CODE", help="create a project in this portfolio (id or code)"
        )
        parser.add_argument("--category", default="opex", choices=["capex", "opex"])
        parser.add_argument("--dry-run", action="store_true", help="preview only, write nothing")
        parser.add_argument("--rollback", action="store_true", help="apply, then roll back (measurements)")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Unknown user {options['user']}")
        project, new_project = None, None
        if options["project"]:
            project = Project.objects.filter(pk=options["project"]).first()
            if project is None:
                raise CommandError(f"Unknown project {options['project']}")
        else:
            portfolio, _sep, code = options["new"].partition(":")
            found = Portfolio.objects.filter(
                Q(code=portfolio) | Q(pk=int(portfolio) if portfolio.isdigit() else None)
            ).first()
            if found is None:
                raise CommandError(f"Unknown portfolio {portfolio}")
            new_project = {"portfolio": found.pk, "code": code, "name": ""}
        started = time.perf_counter()
        try:
            with transaction.atomic():
                pending, plan = schedule_import_upload(
                    actor=user,
                    filename=options["file"].name,
                    data=options["file"].read_bytes(),
                    project=project,
                    new_project=new_project,
                    cost_category=options["category"],
                )
                parsed = time.perf_counter()
                result = plan.as_json(rows=0)
                if not options["dry_run"]:
                    result = schedule_import_apply(actor=user, schedule_import=pending)
                if options["dry_run"] or options["rollback"]:
                    pending.file.delete(save=False)
                    transaction.set_rollback(True)
        except ScheduleImportError as error:
            raise CommandError(error.message) from None
        result["seconds_parse_and_preview"] = round(parsed - started, 3)
        result["seconds_total"] = round(time.perf_counter() - started, 3)
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
