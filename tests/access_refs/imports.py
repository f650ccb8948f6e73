"""References of tests/access_spec.d/imports.yaml: a pending schedule import of a1 by pm_a, and
pm_a's calendar token."""

from pathlib import Path

from projects.ical import calendar_token_regenerate
from projects.imports.schedule import schedule_import_upload

SAMPLE = Path(__file__).resolve().parent.parent / "imports" / "samples" / "msproject-sample.xml"


def references(world, refs: dict) -> dict:
    pending, _plan = schedule_import_upload(
        actor=world.users["pm_a"],
        filename="msproject-sample.xml",
        data=SAMPLE.read_bytes(),
        project=world.a1,
    )
    return {
        "schedule_import_a1": pending,
        "calendar_token_pm_a": calendar_token_regenerate(user=world.users["pm_a"]),
    }
