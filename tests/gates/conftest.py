"""Projects on a methodology, documents on them, and per-test media (rolled-back tests leave no file)."""

import pytest

from portfolio.models import Methodology
from projects.models import Project
from projects.services.documents import document_upload

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def on_methodology(
    project: Project, code: str = "classique", stage: str = "Cadrage", state="active"
) -> Project:
    methodology = Methodology.objects.get(code=code)
    current = methodology.stages.get(name=stage)
    Project.objects.filter(pk=project.pk).update(
        methodology=methodology, current_stage=current, stage=current.name, state=state
    )
    return Project.objects.select_related("portfolio", "current_stage", "methodology").get(pk=project.pk)


def upload_required(project: Project, actor, *, gate=None):
    """Upload a PDF for every document type the current gate requires; returns the versions."""
    from governance.gates import current_gate

    gate = gate or current_gate(project)
    return [
        document_upload(
            actor=actor,
            project=project,
            name=f"{document_type.code}.pdf",
            data=PDF,
            document_type=document_type,
            comment="Version initiale",
        )
        for document_type in gate.required_document_types.all()
    ]


def yes_to_all(project: Project) -> list[dict]:
    from governance.gates import current_gate

    return [{"answer": "yes", "comment": ""} for _ in current_gate(project).criteria]


@pytest.fixture
def a1(world):
    return on_methodology(world.a1)
