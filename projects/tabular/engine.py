"""Validate every row of a read file (dry run) and apply it all-or-nothing.

Two passes, never fail-fast: `plan_import` parses and checks every cell of every row of every sheet
(types, bounds, choices, people, projects and the user's right on each, duplicates in the file) and
compares each valid row with the database through its natural key; `apply_import` re-plans inside
one transaction with the rows to change locked, refuses if any error remains, then writes with bulk
inserts/updates (the pghistory triggers audit every row, with the actor and the file in the context).

Natural keys (within the portfolio): project code; milestone = project + source id when given, else
project + name; cost line = project + month + category; risk / issue = project + title; resource =
its name among the portfolio's active resources (a name shared by several is refused). A row whose
key exists is an update (or unchanged); a re-import of the same file therefore changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from pmo.core.audit import audit_context
from pmo.core.periods import week_start
from portfolio.models import Membership, Portfolio, Programme
from portfolio.resource_models import Absence, Resource, ResourceSkill, Role, Skill
from projects.models import Milestone, MilestoneForecast, Project, Risk
from projects.tabular import specs
from projects.tabular.reader import ReadResult, SheetRows
from projects.tabular.specs import CellError, Column, SheetSpec

# The preview shows this many changed rows per sheet and the result keeps this many errors (all
# errors are counted; the API returns every one of them up to this bound).
PREVIEW_ROWS = 200
MAX_ERRORS = 5000
BATCH = 1000
EXCEL_SOURCE = "excel"

Progress = Callable[[int, str], None]


def _noop(_percent: int, _step: str) -> None:
    return None


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    message: str

    def as_json(self) -> dict:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class RowPlan:
    row: int
    values: dict[str, Any]  # field → python value (foreign keys as pk), only the file's columns
    instance: Any | None  # the existing row (update / unchanged)
    action: str  # create / update / unchanged
    changed: list[str] = field(default_factory=list)


@dataclass
class SheetPlan:
    spec: SheetSpec
    title: str
    columns: list[str]
    rows: list[RowPlan] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for r in self.rows if r.action == action)


@dataclass
class Plan:
    sheets: list[SheetPlan]
    errors: list[RowError]
    warnings: list[str]
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.error_count

    def totals(self) -> dict[str, int]:
        return {a: sum(s.count(a) for s in self.sheets) for a in ("create", "update", "unchanged")}


class Context:
    """Everything the checks look up, loaded once per plan (a constant number of queries)."""

    def __init__(self, *, actor, portfolio: Portfolio, lock: bool):
        self.actor = actor
        self.portfolio = portfolio
        self.lock = lock
        self.is_pmo = Portfolio.objects.editable_by(actor).filter(pk=portfolio.pk).exists()
        projects = Project.objects.filter(portfolio=portfolio)
        self.visible = {p.code: p for p in Project.objects.visible_to(actor).filter(portfolio=portfolio)}
        self.editable = set(
            Project.objects.editable_by(actor).filter(portfolio=portfolio).values_list("code", flat=True)
        )
        if lock:
            projects = projects.select_for_update()
        self.projects = {p.code: p for p in projects}
        self.programmes = {p.code.lower(): p.pk for p in Programme.objects.filter(portfolio=portfolio)}
        self.people: dict[str, int] = {}
        users = get_user_model().objects.filter(
            pk__in=Membership.objects.filter(portfolio=portfolio).values("user_id")
        )
        self.usernames: dict[int, str] = {}
        for user in users.only("pk", "username", "email"):
            self.people[user.username.lower()] = user.pk
            if user.email:
                self.people.setdefault(user.email.lower(), user.pk)
            self.usernames[user.pk] = user.username
        # People already linked to the pool (user / manager) stay valid even when not members.
        linked = Resource.objects.filter(portfolio=portfolio).values_list(
            "user__pk", "user__username", "manager__pk", "manager__username"
        )
        for user_pk, username, manager_pk, manager_name in linked:
            for pk, name in ((user_pk, username), (manager_pk, manager_name)):
                if pk is not None:
                    self.people.setdefault(name.lower(), pk)
                    self.usernames.setdefault(pk, name)
        self.roles: dict[str, int] = {}
        for pk, code, name in Role.objects.values_list("pk", "code", "name"):
            self.roles[specs._fold(name)] = pk
            self.roles.setdefault(specs._fold(code), pk)
        self.skills = {specs._fold(name): name for name in Skill.objects.values_list("name", flat=True)}
        self.levels = specs.skill_levels()
        self.resource_of_user: dict[int, int] = {}  # filled when a Ressources sheet is planned
        self.resources: dict[str, Any] = {}  # active resources by name (None: the name is ambiguous)
        for resource in Resource.objects.filter(portfolio=portfolio, archived_at__isnull=True).order_by("pk"):
            self.resources[resource.name] = None if resource.name in self.resources else resource
        self.new_resources: set[str] = set()  # names created by this file's Ressources sheet
        self.new_projects: set[str] = set()  # codes created by this file's Projets sheet


# --- Cells ------------------------------------------------------------------------------------------


def _parse(column: Column, raw, ctx: Context, lookups: dict) -> Any:
    kind = column.kind
    if raw is None:
        return None
    if kind in (specs.TEXT, specs.SLUG):
        text = _text(raw)
        if column.max_length and len(text) > column.max_length:
            raise CellError(f"{len(text)} caractères ; au plus {column.max_length}")
        if kind == specs.SLUG and not _is_slug(text):
            raise CellError(f"« {text} » : lettres, chiffres, tirets et soulignés seulement")
        return text
    if kind in (specs.INT, specs.DECIMAL, specs.MONEY):
        number = specs.parse_decimal(raw, places=0 if kind == specs.INT else 2)
        if column.minimum is not None and number < column.minimum:
            raise CellError(f"{_num(number)} est inférieur au minimum {column.minimum}")
        if column.maximum is not None and number > column.maximum:
            raise CellError(f"{_num(number)} dépasse le maximum {column.maximum}")
        if kind == specs.MONEY and abs(number) >= Decimal("1e12"):
            raise CellError("montant trop grand")
        return int(number) if kind == specs.INT else number
    if kind == specs.DATE:
        return specs.parse_date(raw)
    if kind == specs.MONTH:
        return specs.parse_month(raw)
    if kind == specs.BOOL:
        return specs.parse_bool(raw)
    if kind == specs.CHOICE:
        lookup = lookups[column.field]
        value = lookup.get(specs._fold(_text(raw)))
        if value is None:
            allowed = ", ".join(column.labels().values())
            raise CellError(f"« {_text(raw)} » n'est pas une valeur permise ({allowed})")
        return value
    if kind == specs.PERSON:
        pk = ctx.people.get(_text(raw).lower())
        if pk is None:
            raise CellError(f"« {_text(raw)} » n'est pas membre du portefeuille (identifiant de connexion)")
        return pk
    if kind == specs.PROGRAMME:
        pk = ctx.programmes.get(_text(raw).lower())
        if pk is None:
            raise CellError(f"programme « {_text(raw)} » inconnu dans ce portefeuille")
        return pk
    if kind == specs.ROLE:
        pk = ctx.roles.get(specs._fold(_text(raw)))
        if pk is None:
            raise CellError(f"rôle « {_text(raw)} » inconnu (voir la feuille Listes)")
        return pk
    if kind == specs.SKILLS:
        return specs.parse_skills(_text(raw), ctx.skills, ctx.levels)
    if kind in (specs.PROJECT, specs.RESOURCE):
        return _text(raw)  # resolved by the caller (it may be created by this very file)
    raise AssertionError(kind)  # pragma: no cover


def _text(raw) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, date):
        return raw.strftime("%d/%m/%Y")
    return str(raw).strip()


def _num(value) -> str:
    return str(value).replace(".", ",")


def _is_slug(text: str) -> bool:
    return bool(text) and all(c.isascii() and (c.isalnum() or c in "-_") for c in text)


def _empty_value(spec: SheetSpec, column: Column):
    """What an empty cell means: the model field's empty value (blank text, no date, 0 for money)."""
    if column.kind == specs.SKILLS:
        return ()
    model_field = spec.model._meta.get_field(column.field)
    if column.kind in (specs.TEXT, specs.SLUG):
        return ""
    if column.kind == specs.CHOICE:
        return "" if model_field.blank else model_field.get_default()
    if column.kind == specs.BOOL:
        return False
    if model_field.null:
        return None
    return model_field.get_default()


def _current(instance, name: str):
    if name == "skills" and isinstance(instance, Resource):
        return tuple(sorted((held.skill.name, held.level) for held in instance.skills.all()))
    column_name = instance._meta.get_field(name).attname
    return getattr(instance, column_name)


# --- Planning ---------------------------------------------------------------------------------------


def _existing(spec: SheetSpec, ctx: Context, codes: set[str]):
    """The portfolio's rows of this object for the projects named in the file, by natural key."""
    if spec.name == "projects":
        return {(code,): project for code, project in ctx.projects.items()}, {}
    if spec.name == "resources":
        return _existing_resources(ctx), {}
    if spec.name == "absences":
        return _existing_absences(ctx), {}
    project_ids = {ctx.projects[c].pk: c for c in codes if c in ctx.projects}
    queryset = spec.model.objects.filter(project_id__in=list(project_ids))
    if ctx.lock:
        queryset = queryset.select_for_update()
    by_key: dict[tuple, Any] = {}
    by_alternate: dict[tuple, Any] = {}
    duplicates: set[tuple] = set()
    for row in queryset.order_by("pk"):
        code = project_ids[row.project_id]
        key = (code, *(_current(row, f) for f in spec.key[1:]))
        if key in by_key:
            duplicates.add(key)
        by_key.setdefault(key, row)
        if spec.alternate_key and _current(row, spec.alternate_key[1]):
            by_alternate.setdefault((code, _current(row, spec.alternate_key[1])), row)
    for key in duplicates:
        by_key[key] = None  # ambiguous: several rows share it (reported on the matching file row)
    return by_key, by_alternate


def _existing_resources(ctx: Context) -> dict[tuple, Any]:
    """Active resources of the pool by name (archived ones are out of the file format); also notes
    which user each resource of the pool (archived included) is linked to."""
    queryset = Resource.objects.filter(portfolio=ctx.portfolio)
    if ctx.lock:
        queryset = queryset.select_for_update()
    by_key: dict[tuple, Any] = {}
    duplicates: set[tuple] = set()
    ctx.resource_of_user = {}
    active = []
    for resource in queryset.order_by("pk"):
        if resource.user_id:
            ctx.resource_of_user[resource.user_id] = resource.pk
        if resource.archived_at is None:
            active.append(resource)
    from django.db.models import prefetch_related_objects

    prefetch_related_objects(active, "skills__skill")
    for resource in active:
        key = (resource.name,)
        if key in by_key:
            duplicates.add(key)
        by_key.setdefault(key, resource)
    for key in duplicates:
        by_key[key] = None
    return by_key


def _existing_absences(ctx: Context) -> dict[tuple, Any]:
    names = {r.pk: name for name, r in ctx.resources.items() if r is not None}
    queryset = Absence.objects.filter(resource_id__in=list(names))
    if ctx.lock:
        queryset = queryset.select_for_update()
    by_key: dict[tuple, Any] = {}
    for absence in queryset.order_by("pk"):
        key = (names[absence.resource_id], absence.start_date)
        by_key[key] = None if key in by_key else absence
    return by_key


def _check_resource_user(values: dict, instance, ctx: Context, claimed: dict[int, int], number: int):
    """One resource per user in a portfolio: not another existing resource's, nor another row's."""
    user = values.get("user")
    if not user:
        return {}
    owner = ctx.resource_of_user.get(user)
    if owner is not None and (instance is None or owner != instance.pk):
        return {"user": f"« {ctx.usernames.get(user, user)} » est déjà lié à une autre ressource"}
    if user in claimed:
        return {"user": f"utilisateur déjà lié à la ressource de la ligne {claimed[user]}"}
    claimed[user] = number
    return {}


def _check_dates(spec: SheetSpec, values: dict, project: Project | None, instance) -> dict[str, str]:
    """Register dates may not precede the project start (checked on the dates the file changes)."""
    errors = {}
    start = project.start_date if project is not None else None
    if start is None or spec.name == "projects":
        return errors
    for name in ("baseline_date", "forecast_date", "due_date"):
        value = values.get(name)
        if not isinstance(value, date) or value >= start:
            continue
        if instance is not None and _current(instance, name) == value:
            continue
        errors[name] = f"date antérieure au début du projet ({start.strftime('%d/%m/%Y')})"
    return errors


def plan_import(
    *, actor, portfolio: Portfolio, read: ReadResult, lock: bool = False, progress: Progress = _noop
) -> Plan:
    ctx = Context(actor=actor, portfolio=portfolio, lock=lock)
    errors: list[RowError] = []
    error_count = 0

    def error(sheet: str, row: int, header: str, message: str) -> None:
        nonlocal error_count
        error_count += 1
        if len(errors) < MAX_ERRORS:
            errors.append(RowError(sheet, row, header, message))

    ordered = sorted(read.sheets, key=lambda s: specs.ORDER.index(s.spec.name))
    names = [s.spec.name for s in ordered]
    for name in set(names):
        if names.count(name) > 1:
            error(
                ordered[names.index(name)].title, 1, "", "deux feuilles du même type : regroupez-les en une"
            )
    total = max(1, read.row_count)
    done = 0
    plans: list[SheetPlan] = []
    for sheet in ordered:
        plan = _plan_sheet(sheet, ctx, error)
        plans.append(plan)
        done += len(sheet.rows)
        progress(int(100 * done / total), f"{sheet.title} : {len(sheet.rows)} lignes vérifiées")
    return Plan(sheets=plans, errors=errors, warnings=list(read.warnings), error_count=error_count)


def _plan_sheet(sheet: SheetRows, ctx: Context, error) -> SheetPlan:
    spec = sheet.spec
    columns = [name for name in (c.field for c in spec.columns) if name in sheet.columns.values()]
    plan = SheetPlan(spec=spec, title=sheet.title, columns=columns)
    header_of = {c.field: c.header for c in spec.columns}
    for header, message in sheet.header_errors:
        error(sheet.title, 1, header, message)
    if sheet.header_errors:
        return plan
    if (spec.name == "projects" or spec.name in specs.POOL) and not ctx.is_pmo and sheet.rows:
        what = {"projects": "des projets", "resources": "des ressources"}.get(spec.name, "des absences")
        error(
            sheet.title,
            1,
            header_of[spec.key[0]],
            f"seuls les responsables PMO du portefeuille importent {what}",
        )
        return plan
    lookups = {c.field: c.choice_lookup() for c in spec.columns if c.kind == specs.CHOICE}
    example = _example_values(spec)
    codes = (
        {str(v.get("project") or "").strip() for _n, v in sheet.rows}
        if spec.name not in ("projects", *specs.POOL)
        else set()
    )
    by_key, by_alternate = _existing(spec, ctx, codes)
    seen: dict[tuple, int] = {}
    claimed: dict[int, int] = {}  # user pk → row linking it (resources)
    for number, raw in sheet.rows:
        if example and all(
            specs._fold(_text(raw.get(k))) == specs._fold(_text(v)) for k, v in example.items() if k in raw
        ):
            continue  # the template's example row, left in place
        values: dict[str, Any] = {}
        row_errors: dict[str, str] = {}
        for name in columns:
            column = spec.column(name)
            try:
                value = _parse(column, raw.get(name), ctx, lookups)
            except CellError as problem:
                row_errors[name] = str(problem)
                continue
            if value is None:
                if column.required:
                    row_errors[name] = "valeur obligatoire"
                    continue
                value = _empty_value(spec, column)
            values[name] = value
        project = None
        if spec.name != "projects" and "project" in values:
            code = values["project"]
            project = ctx.projects.get(code)
            if code in ctx.new_projects:
                pass
            elif project is None or code not in ctx.visible:
                row_errors["project"] = f"projet « {code} » inconnu dans ce portefeuille"
            elif code not in ctx.editable:
                row_errors["project"] = f"vous ne pouvez pas modifier le projet « {code} »"
        if spec.name == "absences" and "resource" in values:
            name = values["resource"]
            if name not in ctx.new_resources and ctx.resources.get(name, False) is None:
                row_errors["resource"] = f"plusieurs ressources s'appellent « {name} » : renommez-les d'abord"
            elif name not in ctx.new_resources and name not in ctx.resources:
                row_errors["resource"] = f"ressource « {name} » inconnue dans ce portefeuille"
        instance = None
        if not row_errors:
            key = tuple(values[k] for k in spec.key)
            alternate = None
            if spec.alternate_key and values.get(spec.alternate_key[1]):
                alternate = tuple(values[k] for k in spec.alternate_key)
            marker = alternate or key
            if marker in seen:
                row_errors[spec.key[-1]] = f"doublon de la ligne {seen[marker]} (même clé)"
            else:
                seen[marker] = number
                if alternate and alternate in by_alternate:
                    instance = by_alternate[alternate]
                elif key in by_key:
                    instance = by_key[key]
                    if instance is None:
                        row_errors[spec.key[-1]] = (
                            "plusieurs lignes existantes portent cette clé : précisez la référence source"
                            if spec.alternate_key
                            else "plusieurs lignes existantes portent cette clé : renommez-les d'abord"
                        )
            if spec.name == "projects" and instance is None and not row_errors:
                ctx.new_projects.add(values["code"])
            if spec.name == "resources" and instance is None and not row_errors:
                ctx.new_resources.add(values["name"])
            if (
                spec.name == "projects"
                and instance is not None
                and not row_errors
                and instance.code not in ctx.editable
            ):
                row_errors["code"] = f"vous ne pouvez pas modifier le projet « {instance.code} »"
        if not row_errors:
            merged = dict(values)
            if instance is not None:
                for name in spec.fields:
                    if name not in merged and name not in specs.PARENTS:
                        merged[name] = _current(instance, name)
            if spec.row_checks:
                row_errors.update(spec.row_checks(merged))
            if spec.name == "resources":
                row_errors.update(_check_resource_user(values, instance, ctx, claimed, number))
            row_errors.update(_check_dates(spec, values, project, instance))
        if row_errors:
            for name, message in row_errors.items():
                error(sheet.title, number, header_of.get(name, name), message)
            continue
        changed = []
        if instance is not None:
            for name in columns:
                if name in specs.PARENTS:
                    continue
                if _current(instance, name) != values[name]:
                    changed.append(name)
        action = "create" if instance is None else ("update" if changed else "unchanged")
        plan.rows.append(
            RowPlan(row=number, values=values, instance=instance, action=action, changed=changed)
        )
    return plan


def _example_values(spec: SheetSpec) -> dict[str, Any]:
    """The template's example row as raw cells (written by writer.template_bytes)."""
    from projects.tabular.writer import example_cells

    return example_cells(spec)


# --- Applying ---------------------------------------------------------------------------------------


class ImportRefused(Exception):
    """Applying found errors (the data changed since the preview, or the file was never valid)."""

    def __init__(self, plan: Plan):
        super().__init__(f"{plan.error_count} errors")
        self.plan = plan


def apply_import(
    *, actor, portfolio: Portfolio, read: ReadResult, reason: str, progress: Progress = _noop
) -> Plan:
    """All or nothing: one transaction; the rows to change are locked while planning again."""
    with transaction.atomic():
        plan = plan_import(
            actor=actor, portfolio=portfolio, read=read, lock=True, progress=lambda p, s: progress(p // 5, s)
        )
        if not plan.ok:
            raise ImportRefused(plan)
        total = max(1, sum(len(s.rows) for s in plan.sheets))
        written = [0]

        def advance(count: int, step: str) -> None:
            written[0] += count
            progress(20 + int(80 * written[0] / total), step)

        with audit_context(actor=actor, reason=reason):
            projects = {p.code: p for p in Project.objects.filter(portfolio=portfolio)}
            resources = None
            for sheet in plan.sheets:
                if sheet.spec.name == "absences":
                    resources = {
                        r.name: r
                        for r in Resource.objects.filter(portfolio=portfolio, archived_at__isnull=True)
                    }
                _write_sheet(
                    sheet, portfolio=portfolio, projects=projects, advance=advance, resources=resources
                )
                if sheet.spec.name == "projects":
                    projects = {p.code: p for p in Project.objects.filter(portfolio=portfolio)}
    return plan


def _write_sheet(
    sheet: SheetPlan, *, portfolio: Portfolio, projects: dict, advance, resources: dict | None = None
) -> None:
    spec = sheet.spec
    model = spec.model
    now = timezone.now()
    attnames = {name: model._meta.get_field(name).attname for name in spec.fields if name != "skills"}
    skills: list[tuple[Any, tuple]] = []  # (resource, its skills) for the rows that set them
    creates, updates = [], []
    update_fields: set[str] = set()
    forecasts: list[tuple[Any, date]] = []
    for row in sheet.rows:
        if row.action == "unchanged":
            continue
        values = {attnames[k]: v for k, v in row.values.items() if k not in (*specs.PARENTS, "skills")}
        if spec.name == "absences":
            values["resource_id"] = resources[row.values["resource"]].pk
        elif spec.name not in ("projects", "resources"):
            values["project_id"] = projects[row.values["project"]].pk
        if spec.name == "milestones":
            _milestone_rules(values, row)
        if row.action == "create":
            if spec.name in ("projects", "resources"):
                values["portfolio_id"] = portfolio.pk
            if spec.name == "milestones" and values.get("source_uid"):
                values["source"] = EXCEL_SOURCE
            creates.append(model(**values))
            if "skills" in row.values:
                skills.append((creates[-1], row.values["skills"]))
            continue
        instance = row.instance
        before = {name: getattr(instance, name) for name in values}
        if spec.name == "risks":
            _risk_trend(instance, values, row)
        for name, value in values.items():
            setattr(instance, name, value)
        if hasattr(instance, "version"):
            instance.version += 1
            update_fields.add("version")
        instance.updated_at = now
        update_fields.update(n for n in values if before.get(n) != values[n])
        update_fields.add("updated_at")
        updates.append(instance)
        if "skills" in row.changed:
            skills.append((instance, row.values["skills"]))
        if spec.name == "milestones" and "forecast_date" in row.changed and instance.forecast_date:
            forecasts.append((instance, instance.forecast_date))
    for start in range(0, len(creates), BATCH):
        batch = creates[start : start + BATCH]
        model.objects.bulk_create(batch, batch_size=BATCH)
        advance(len(batch), f"{sheet.title} : {start + len(batch)} créations")
        if spec.name == "milestones":
            forecasts.extend((m, m.forecast_date) for m in batch if m.forecast_date)
    fields = sorted(update_fields - {"id"})
    for start in range(0, len(updates), BATCH):
        batch = updates[start : start + BATCH]
        model.objects.bulk_update(batch, fields, batch_size=BATCH)
        advance(len(batch), f"{sheet.title} : {start + len(batch)} mises à jour")
    if skills:
        _write_skills(skills)
    if forecasts:
        period = week_start(timezone.localdate())
        MilestoneForecast.objects.bulk_create(
            [MilestoneForecast(milestone=m, period_start=period, forecast_date=d) for m, d in forecasts],
            update_conflicts=True,
            unique_fields=["milestone", "period_start"],
            update_fields=["forecast_date", "updated_at"],
            batch_size=BATCH,
        )


def _write_skills(rows: list[tuple[Any, tuple]]) -> None:
    """The file's skills become each resource's skills exactly (three queries for the whole sheet)."""
    skill_pk = dict(Skill.objects.values_list("name", "pk"))
    wanted = {(resource.pk, skill_pk[name]): level for resource, held in rows for name, level in held}
    stale = [
        pk
        for pk, resource_id, skill_id in ResourceSkill.objects.filter(
            resource_id__in=[resource.pk for resource, _held in rows]
        ).values_list("pk", "resource_id", "skill_id")
        if (resource_id, skill_id) not in wanted
    ]
    if stale:
        ResourceSkill.objects.filter(pk__in=stale).delete()
    if wanted:
        ResourceSkill.objects.bulk_create(
            [ResourceSkill(resource_id=r, skill_id=s, level=level) for (r, s), level in wanted.items()],
            update_conflicts=True,
            unique_fields=["resource", "skill"],
            update_fields=["level", "updated_at"],
            batch_size=BATCH,
        )


def _milestone_rules(values: dict, row: RowPlan) -> None:
    """As the register form: an actual date on a planned milestone marks it achieved."""
    status = values.get("status", row.instance.status if row.instance else Milestone.Status.PLANNED)
    if values.get("actual_date") and status == Milestone.Status.PLANNED:
        values["status"] = Milestone.Status.ACHIEVED


def _risk_trend(instance: Risk, values: dict, row: RowPlan) -> None:
    """A changed score moves the trend (as the register form) when the file has no trend column; when it
    has one, the file's trend is the data (an export imported again restores it exactly)."""
    if "trend" in row.values:
        return
    old = instance.probability * instance.impact
    new = values.get("probability", instance.probability) * values.get("impact", instance.impact)
    if new != old:
        values["trend"] = Risk.Trend.UP if new > old else Risk.Trend.DOWN


# --- Presentation -----------------------------------------------------------------------------------


def display(
    column: Column, value, ctx_names: dict[int, str] | None = None, roles: dict[int, str] | None = None
) -> str:
    """A value as the file would show it (dates dd/mm/yyyy, decimals with a comma, labels)."""
    if value is None or value == "":
        return ""
    if column.kind == specs.CHOICE:
        return column.labels().get(value, str(value))
    if column.kind == specs.SKILLS:
        return specs.format_skills(value)
    if column.kind == specs.ROLE and roles is not None:
        return roles.get(value, str(value))
    if column.kind == specs.BOOL:
        return "Oui" if value else "Non"
    if column.kind == specs.MONTH:
        return value.strftime("%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return f"{value:,.2f}".replace(",", "\u202f").replace(".", ",")
    if column.kind == specs.PERSON and ctx_names is not None:
        return ctx_names.get(value, str(value))
    return str(value)


def plan_json(plan: Plan, *, usernames: dict[int, str] | None = None, rows: int = PREVIEW_ROWS) -> dict:
    """Counts per sheet, the first `rows` creations/updates of each sheet (before → after), errors."""
    sheets = []
    roles = (
        dict(Role.objects.values_list("pk", "name"))
        if any(s.spec.name == "resources" for s in plan.sheets)
        else None
    )
    for sheet in plan.sheets:
        changes = []
        for row in sheet.rows:
            if row.action == "unchanged":
                continue
            if len(changes) >= rows:
                break
            cells = []
            for name in sheet.columns:
                column = sheet.spec.column(name)
                before = (
                    display(column, _current(row.instance, name), usernames, roles)
                    if row.instance and name not in specs.PARENTS
                    else ""
                )
                if row.instance is not None and name in specs.PARENTS:
                    before = row.values[name]
                after = display(column, row.values.get(name), usernames, roles)
                cells.append({"before": before, "after": after, "changed": name in row.changed})
            changes.append({"row": row.row, "action": row.action, "cells": cells})
        sheets.append(
            {
                "name": sheet.spec.name,
                "title": sheet.title,
                "headers": [sheet.spec.column(n).header for n in sheet.columns],
                "rows": len(sheet.rows),
                "create": sheet.count("create"),
                "update": sheet.count("update"),
                "unchanged": sheet.count("unchanged"),
                "changes": changes,
                "changes_truncated": sheet.count("create") + sheet.count("update") > len(changes),
            }
        )
    return {
        "sheets": sheets,
        "totals": plan.totals(),
        "error_count": plan.error_count,
        "errors": [e.as_json() for e in plan.errors],
        "warnings": plan.warnings,
    }
