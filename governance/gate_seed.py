"""Demo methodologies, documents and gate reviews: the demo projects follow the three standard
methodologies (data & AI projects the agile one, the Usine 4.0 programme PRINCE2, the rest the
classic one), every passed gate has its decided review and approved documents, and a few gates
wait for a decision (one was recycled last month).

Idempotent: a project that already has gate reviews is left as it is.
"""

from datetime import date, datetime, time, timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from governance.gates import notify_deciders
from governance.models import GateReview
from portfolio.methodologies import install_standard, simple_pdf
from portfolio.models import DocumentType, GateDefinition, Methodology, Portfolio, Stage
from projects.models import Document, Project
from projects.services.documents import document_approve, document_upload

AGILE_PROGRAMMES = {"data-ia"}
PRINCE2_PROGRAMMES = {"usine-4-0"}
# The classic stage each demo project named → the same moment in the other methodologies.
EQUIVALENT = {
    "prince2": {
        "Cadrage": "Élaboration",
        "Planification": "Initialisation",
        "Exécution": "Phases de livraison",
        "Recette": "Phases de livraison",
        "Bascule": "Phases de livraison",
        "Clôture": "Clôture",
    },
    "agile": {
        "Cadrage": "Discovery",
        "Planification": "Discovery",
        "Exécution": "Delivery increments",
        "Recette": "Delivery increments",
        "Bascule": "Release",
        "Clôture": "Closure",
    },
}
# Gates awaiting a decision (their documents uploaded) and one recycled last month.
PENDING = ("crm-unifie", "paie-saas", "iot-capteurs", "qualite-fournisseurs")
RECYCLED = "ia-service-client"


def _methodology_code(project: Project) -> str:
    programme = project.programme.code if project.programme_id else ""
    if programme in AGILE_PROGRAMMES:
        return "agile"
    if programme in PRINCE2_PROGRAMMES:
        return "prince2"
    return "classique"


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(10, 0)))


def _template_pdf(document_type: DocumentType) -> bytes:
    return simple_pdf(
        f"Modèle — {document_type.name}",
        [
            document_type.description,
            "",
            "1. Contexte et objectifs",
            "2. Périmètre (inclus / exclus)",
            "3. Parties prenantes et gouvernance",
            "4. Planning et jalons clés",
            "5. Budget et ressources",
            "6. Risques majeurs et mesures",
            "7. Décisions attendues",
            "",
            "Modèle du bureau de projets (PMO) — à compléter par le chef de projet.",
        ],
    )


def seed_templates() -> int:
    """A PDF template for every document type that has none."""
    count = 0
    for document_type in DocumentType.objects.filter(template=""):
        document_type.template.save(
            f"modele-{document_type.code}.pdf", ContentFile(_template_pdf(document_type)), save=False
        )
        document_type.template_name = f"modele-{document_type.code}.pdf"
        document_type.save(update_fields=["template", "template_name", "updated_at"])
        count += 1
    return count


def _document(project: Project, document_type: DocumentType, *, approved: bool, versions: int = 1):
    """Upload the document (through the service: checked, stored under a random name) and approve it."""
    existing = Document.objects.filter(project=project, document_type=document_type).first()
    if existing is not None:
        return existing.current_version
    version = None
    for number in range(1, versions + 1):
        content = simple_pdf(
            f"{document_type.name} — {project.name}",
            [f"Projet {project.code} — version {number}", "", document_type.description],
        )
        version = document_upload(
            actor=project.manager,
            project=project,
            name=f"{document_type.code}-{project.code}-v{number}.pdf",
            data=content,
            comment="Version initiale" if number == 1 else "Prise en compte des remarques du sponsor",
            document=version.document if version else None,
            document_type=document_type if version is None else None,
        )
    if approved:
        document_approve(actor=project.sponsor or project.manager, document=version.document)
    return version


def _review(project, stage, gate, *, requested_at, decision="", decided_by=None, rationale="", versions=()):
    review = GateReview.objects.create(
        project=project,
        gate=gate,
        stage=stage,
        state=GateReview.State.DECIDED if decision else GateReview.State.REQUESTED,
        requested_by=project.manager,
        requested_at=requested_at,
        request_comment="Tous les livrables de la phase sont disponibles." if not decision else "",
        checklist=[
            {
                "criterion": criterion,
                "answer": "yes" if decision != "recycle" or i else "partly",
                "comment": "",
            }
            for i, criterion in enumerate(gate.criteria)
        ],
        decision=decision,
        rationale=rationale,
        decided_by=decided_by,
        decided_at=requested_at + timedelta(days=3) if decision else None,
    )
    review.documents.set([v for v in versions if v is not None])
    return review


def seed_gates(*, today: date) -> dict[str, int]:
    """Put every demo project on its methodology and stage, with its gate history and documents."""
    methodologies = install_standard(
        Methodology=Methodology, Stage=Stage, GateDefinition=GateDefinition, DocumentType=DocumentType
    )
    Portfolio.objects.filter(default_methodology__isnull=True).update(
        default_methodology=methodologies["classique"]
    )
    counts = {"templates": seed_templates(), "reviews": 0, "documents": 0}
    stages = {
        code: list(Stage.objects.filter(methodology=m).select_related("gate").order_by("order"))
        for code, m in methodologies.items()
    }
    for project in (
        Project.objects.filter(portfolio__code__in=["dsi-groupe", "transfo-indus"])
        .select_related("programme", "manager", "sponsor")
        .order_by("code")
    ):
        if project.gate_reviews.exists():
            continue
        code = _methodology_code(project)
        wanted = EQUIVALENT.get(code, {}).get(project.stage, project.stage)
        ordered = stages[code]
        current = next((s for s in ordered if s.name == wanted or s.name.startswith(wanted)), ordered[0])
        Project.objects.filter(pk=project.pk).update(
            methodology=methodologies[code], current_stage=current, stage=current.name
        )
        project.methodology, project.current_stage, project.stage = methodologies[code], current, current.name
        if project.manager is None or project.state == Project.State.PROPOSED and current.order == 1:
            continue
        passed = [s for s in ordered if s.order < current.order]
        if project.state == Project.State.CLOSED:
            passed = ordered
        start = project.start_date or today - timedelta(days=365)
        span = max((min(project.end_date or today, today) - start).days, len(ordered) + 1)
        step = span // (len(ordered) + 1)
        decider = project.sponsor
        # Documents are uploaded while the project is open: closed ones reopen for the seed only.
        state = project.state
        if state in (Project.State.CLOSED, Project.State.CANCELLED):
            Project.objects.filter(pk=project.pk).update(state=Project.State.ACTIVE)
            project.state = Project.State.ACTIVE
        for index, stage in enumerate(passed, start=1):
            gate = stage.gate
            versions = [
                _document(project, t, approved=True, versions=1 + (index % 2))
                for t in gate.required_document_types.all()
            ]
            counts["documents"] += len(versions)
            _review(
                project,
                stage,
                gate,
                requested_at=_at(start + timedelta(days=step * index)),
                decision=GateReview.Decision.GO if index % 3 else GateReview.Decision.GO_WITH_CONDITIONS,
                decided_by=decider,
                rationale=f"Les critères de « {gate.name} » sont remplis ; passage à l'étape suivante.",
                versions=versions,
            )
            if index % 3 == 0:
                GateReview.objects.filter(project=project, stage=stage).update(
                    conditions="Mettre à jour le registre des risques avant le prochain COPIL."
                )
            counts["reviews"] += 1
        if project.code in PENDING or project.code == RECYCLED:
            gate = current.gate
            versions = [
                _document(project, t, approved=project.code != RECYCLED)
                for t in gate.required_document_types.all()
            ]
            counts["documents"] += len(versions)
            if project.code == RECYCLED:
                _review(
                    project,
                    current,
                    gate,
                    requested_at=_at(today - timedelta(days=35)),
                    decision=GateReview.Decision.RECYCLE,
                    decided_by=decider,
                    rationale="Le backlog n'est pas assez mûr : prioriser avec le métier et représenter.",
                    versions=versions,
                )
            else:
                pending = _review(
                    project, current, gate, requested_at=_at(today - timedelta(days=2)), versions=versions
                )
                notify_deciders(pending)
            counts["reviews"] += 1
        if state != project.state:
            Project.objects.filter(pk=project.pk).update(state=state)
    return counts
