"""References of tests/access_spec.d/gates.yaml: a1, a2 and b1 on the classic methodology (a1 and b1
in Cadrage with their documents and a gate review awaiting a decision, a2 in Bascule, whose gate
requires no document), a decided review on a1, the classic methodology, its Cadrage stage and two
document types (one with a template)."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from governance.models import GateReview
from portfolio.models import Methodology
from projects.models import Document, DocumentVersion, Project

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _on_stage(project, methodology, name):
    stage = methodology.stages.get(name=name)
    Project.objects.filter(pk=project.pk).update(
        methodology=methodology, current_stage=stage, stage=stage.name
    )
    return stage


def _document(project, document_type, uploader):
    document = Document.objects.create(project=project, document_type=document_type, title=document_type.name)
    version = DocumentVersion(
        document=document,
        number=1,
        original_name=f"{document_type.code}.pdf",
        size=len(PDF),
        sha256="0" * 64,
        content_type="application/pdf",
        uploaded_by=uploader,
    )
    version.file.save("access.pdf", ContentFile(PDF), save=False)
    version.save()
    Document.objects.filter(pk=document.pk).update(current_version=version)
    return document, version


def _review(project, stage, requester, **extra):
    return GateReview.objects.create(
        project=project,
        gate=stage.gate,
        stage=stage,
        requested_by=requester,
        requested_at=timezone.now() - timedelta(days=extra.pop("days", 1)),
        checklist=[{"criterion": c, "answer": "yes", "comment": ""} for c in stage.gate.criteria],
        **extra,
    )


def references(world, refs: dict) -> dict:
    classic = Methodology.objects.get(code="classique")
    cadrage = _on_stage(world.a1, classic, "Cadrage")
    _on_stage(world.b1, classic, "Cadrage")
    _on_stage(world.a2, classic, "Bascule")
    brief = classic.document_types.get(code="note-cadrage")
    brief.template.save("modele.pdf", ContentFile(PDF), save=False)
    brief.template_name = "modele-note-cadrage.pdf"
    brief.save()
    document_a1, version_a1 = _document(world.a1, brief, world.users["pm_a"])
    document_b1, version_b1 = _document(world.b1, brief, world.users["pm_b"])
    decided = _review(
        world.a1,
        cadrage,
        world.users["pm_a"],
        days=30,
        state=GateReview.State.DECIDED,
        decision=GateReview.Decision.RECYCLE,
        rationale="Business case incomplet.",
        decided_by=world.users["sponsor"],
        decided_at=timezone.now() - timedelta(days=28),
    )
    review_a1 = _review(world.a1, cadrage, world.users["pm_a"])
    review_a1.documents.set([version_a1])
    review_b1 = _review(world.b1, cadrage, world.users["pm_b"])
    return {
        "methodology_classic": classic,
        "stage_cadrage": cadrage,
        "document_type_brief": brief,
        "document_type_plain": classic.document_types.get(code="pv-recette"),
        "document_a1": document_a1,
        "document_b1": document_b1,
        "version_a1": version_a1,
        "version_b1": version_b1,
        "gate_review_a1": review_a1,
        "gate_review_b1": review_b1,
        "gate_review_decided_a1": decided,
    }
