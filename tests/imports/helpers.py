"""Sample files and a tiny MSPDI writer for schedule-import tests."""

from pathlib import Path

SAMPLES = Path(__file__).resolve().parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def mspdi(*tasks: dict, start="2026-01-05T08:00:00", finish="2026-06-30T17:00:00") -> bytes:
    """An MSPDI document: a project summary task (UID 0) and the given tasks. A task is a dict of
    MSPDI element names (UID, Name, OutlineLevel, Summary, Milestone, Duration, Start, Finish,
    ActualFinish, PercentComplete, Cost, ActualCost) plus `baseline` (a dict for baseline 0)."""
    parts = []
    for task in tasks:
        fields = "".join(f"<{k}>{v}</{k}>" for k, v in task.items() if k != "baseline")
        if "baseline" in task:
            base = "".join(f"<{k}>{v}</{k}>" for k, v in task["baseline"].items())
            fields += f"<Baseline><Number>0</Number>{base}</Baseline>"
        parts.append(f"<Task>{fields}</Task>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Project xmlns="http://schemas.microsoft.com/project"><Title>Plan test</Title>'
        f"<StartDate>{start}</StartDate><FinishDate>{finish}</FinishDate><CurrencyCode>EUR</CurrencyCode>"
        "<Tasks><Task><UID>0</UID><Name>Plan test</Name><OutlineLevel>0</OutlineLevel>"
        "<Summary>1</Summary></Task>" + "".join(parts) + "</Tasks></Project>"
    ).encode()


def phase(uid, name, level=1):
    return {"UID": uid, "Name": name, "OutlineLevel": level, "Summary": 1, "Duration": "PT80H0M0S"}


def milestone(uid, name, finish, *, baseline=None, actual=None, percent=0, level=2):
    task = {
        "UID": uid,
        "Name": name,
        "OutlineLevel": level,
        "Summary": 0,
        "Milestone": 1,
        "Duration": "PT0H0M0S",
        "Start": f"{finish}T08:00:00",
        "Finish": f"{finish}T08:00:00",
        "PercentComplete": percent,
    }
    if actual:
        task["ActualFinish"] = f"{actual}T08:00:00"
    if baseline:
        task["baseline"] = {"Start": f"{baseline}T08:00:00", "Finish": f"{baseline}T08:00:00"}
    return task


def work(uid, name, start, finish, *, cost=0, actual_cost=0, baseline_cost=None, level=2):
    task = {
        "UID": uid,
        "Name": name,
        "OutlineLevel": level,
        "Summary": 0,
        "Milestone": 0,
        "Duration": "PT80H0M0S",
        "Start": f"{start}T08:00:00",
        "Finish": f"{finish}T17:00:00",
        "Cost": cost,
        "ActualCost": actual_cost,
    }
    if actual_cost:
        task["ActualStart"] = f"{start}T08:00:00"
    if baseline_cost is not None:
        task["baseline"] = {
            "Start": f"{start}T08:00:00",
            "Finish": f"{finish}T17:00:00",
            "Cost": baseline_cost,
        }
    return task
