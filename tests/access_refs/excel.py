"""References of tests/access_spec.d/excel.yaml: a checked (ready) spreadsheet import of pm_a into
portfolio A, one risk of a1."""

from projects.tabular.services import tabular_import_upload
from tests.tabular.helpers import row, workbook


def references(world, refs: dict) -> dict:
    data = workbook({"risks": [row("risks", project="a1", title="Risque importé", probability=2, impact=3)]})
    job = tabular_import_upload(
        actor=world.users["pm_a"], portfolio=world.portfolio_a, filename="risques.xlsx", data=data
    )
    assert job.state == "ready", job.result
    return {"tabular_import_a": job}
