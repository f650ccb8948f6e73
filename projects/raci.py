"""The rows of a project's RACI matrix and the matrix itself, read in a constant number of queries.

A row is a deliverable or key activity of the project: its milestones, its deliverables, and free
"key activities". Other apps add row kinds without this app importing them (dependencies point
down): governance registers gate reviews, a documents app registers documents, from their
AppConfig.ready():

    register_row_kind("gate_review", label=_("Gate review"), rows=lambda project: [...])

`rows(project)` returns RowRef objects (one query per kind, whatever the number of rows), and
`exists(project, row_id)` says whether an id is a row of that project (the service checks it).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from portfolio.models import GateDefinition
from projects.models import (
    Deliverable,
    Document,
    Milestone,
    Project,
    ProjectMember,
    RaciActivity,
    RaciAssignment,
    RaciRole,
)


@dataclass(frozen=True)
class RowRef:
    """One row of the matrix: its kind, the id of its object, a label and a date to sort by."""

    kind: str
    id: int
    label: str
    day: date | None = None


@dataclass(frozen=True)
class RowKind:
    kind: str
    label: str | Promise
    rows: Callable[[Project], Iterable[RowRef]]
    order: int = 50


ROW_KINDS: dict[str, RowKind] = {}


def register_row_kind(
    kind: str, *, label, rows: Callable[[Project], Iterable[RowRef]], order: int = 50
) -> None:
    """Make the objects returned by `rows(project)` rows of every project's RACI matrix."""
    ROW_KINDS[kind] = RowKind(kind=kind, label=label, rows=rows, order=order)


def _milestone_rows(project: Project) -> Iterable[RowRef]:
    for m in (
        Milestone.objects.filter(project=project)
        .exclude(status=Milestone.Status.CANCELLED)
        .only("pk", "name", "baseline_date", "forecast_date")
    ):
        yield RowRef("milestone", m.pk, m.name, m.forecast_date or m.baseline_date)


def _deliverable_rows(project: Project) -> Iterable[RowRef]:
    for d in Deliverable.objects.filter(project=project).only("pk", "name", "due_date"):
        yield RowRef("deliverable", d.pk, d.name, d.due_date)


def _activity_rows(project: Project) -> Iterable[RowRef]:
    for a in RaciActivity.objects.filter(project=project).order_by("position", "name"):
        yield RowRef("activity", a.pk, a.name, None)


def _document_rows(project: Project) -> Iterable[RowRef]:
    for d in Document.objects.filter(project=project).order_by("title").only("pk", "title"):
        yield RowRef("document", d.pk, d.title, None)


def _gate_rows(project: Project) -> Iterable[RowRef]:
    """The decision gates of the project's methodology: who prepares, decides, is consulted."""
    if not project.methodology_id:
        return
    for gate in (
        GateDefinition.objects.filter(stage__methodology_id=project.methodology_id)
        .select_related("stage")
        .order_by("stage__order")
    ):
        yield RowRef("gate", gate.pk, gate.name, None)


register_row_kind("milestone", label=_("Milestone"), rows=_milestone_rows, order=10)
register_row_kind("gate", label=_("Decision gate"), rows=_gate_rows, order=15)
register_row_kind("document", label=_("Document"), rows=_document_rows, order=30)
register_row_kind("deliverable", label=_("Deliverable"), rows=_deliverable_rows, order=20)
register_row_kind("activity", label=_("Key activity"), rows=_activity_rows, order=90)


def row_exists(*, project: Project, kind: str, row_id: int) -> bool:
    spec = ROW_KINDS.get(kind)
    return spec is not None and any(ref.id == row_id for ref in spec.rows(project))


@dataclass
class MatrixRow:
    ref: RowRef
    kind_label: str | Promise
    cells: list[tuple[ProjectMember, str]] = field(default_factory=list)  # (member, role or "")

    @property
    def accountable_count(self) -> int:
        return sum(1 for _member, role in self.cells if role == RaciRole.ACCOUNTABLE)

    @property
    def has_responsible(self) -> bool:
        return any(role == RaciRole.RESPONSIBLE for _member, role in self.cells)

    @property
    def dom_id(self) -> str:
        return f"raci-{self.ref.kind}-{self.ref.id}"


@dataclass(frozen=True)
class RaciMatrix:
    members: tuple[ProjectMember, ...]
    rows: tuple[MatrixRow, ...]

    @property
    def rows_without_accountable(self) -> int:
        return sum(1 for row in self.rows if row.accountable_count != 1)


def project_members(*, project: Project):
    """The team, users first by name, then external people; one query."""
    return (
        ProjectMember.objects.filter(project=project)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "name", "pk")
    )


def raci_matrix(*, project: Project, only: tuple[str, int] | None = None) -> RaciMatrix:
    """Rows (every registered kind) × team members with their R/A/C/I, in 2 + one query per row kind
    whatever the number of rows and members. `only=(kind, id)` builds a single row (a cell's save)."""
    members = tuple(project_members(project=project))
    refs: list[tuple[int, RowRef, RowKind]] = []
    kinds = sorted(ROW_KINDS.values(), key=lambda spec: spec.order)
    for spec in kinds:
        if only is not None and spec.kind != only[0]:
            continue
        for ref in spec.rows(project):
            if only is None or ref.id == only[1]:
                refs.append((spec.order, ref, spec))
    refs.sort(key=lambda item: (item[0], item[1].day is None, item[1].day or date.min, item[1].label))
    assignments = RaciAssignment.objects.filter(project=project)
    if only is not None:
        assignments = assignments.filter(row_kind=only[0], row_id=only[1])
    roles = {
        (a.row_kind, a.row_id, a.member_id): a.role
        for a in assignments.only("row_kind", "row_id", "member_id", "role")
    }
    rows = []
    for _order, ref, spec in refs:
        row = MatrixRow(ref=ref, kind_label=spec.label)
        row.cells = [(member, roles.get((ref.kind, ref.id, member.pk), "")) for member in members]
        rows.append(row)
    return RaciMatrix(members=members, rows=tuple(rows))
