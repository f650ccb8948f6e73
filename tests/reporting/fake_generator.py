"""A generator for the run-machinery tests: a real one-page PDF, and switchable failures."""

from reporting.generators import TransientError
from reporting.pdf import html_to_pdf

STATE = {"transient_failures": 0, "permanent": False, "calls": 0}


def generate(run, progress):
    STATE["calls"] += 1
    progress(30, "données")
    if STATE["permanent"]:
        raise ValueError("gabarit introuvable")
    if STATE["transient_failures"] > 0:
        STATE["transient_failures"] -= 1
        raise TransientError("moteur de rendu indisponible")
    content, pages = html_to_pdf(f"<h1>Rapport {run.key}</h1><p>1 234 567 €</p>")
    progress(90, "rendu")
    from reporting.generators import Rendered

    return Rendered(content=content, filename=f"{run.kind}-{run.pk}.pdf", page_count=pages)
