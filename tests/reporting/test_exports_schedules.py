"""Excel/CSV exports (formatted, formula-safe), schedules edited by PMO officers, reminders."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from pmo.core.models import Notification
from pmo.core.periods import week_start
from pmo.schedule import BEAT_SCHEDULE, install_schedules
from projects.models import Risk, StatusReport
from reporting import distribution, tasks

pytestmark = pytest.mark.django_db

PAYLOADS = ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx"]


def test_xlsx_export_is_formatted_and_never_holds_a_formula(world, client_for):
    for index, payload in enumerate(PAYLOADS):
        Risk.objects.create(project=world.a1, title=payload, probability=3, impact=index % 5 + 1)
    Risk.objects.create(project=world.b1, title="Risque de B", probability=1, impact=1)
    response = client_for("pm_a").get(reverse("reporting:export", kwargs={"name": "risks", "fmt": "xlsx"}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="risks-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["Projet", "Intitulé", "Probabilité (1–5)"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    titles = [row[1].value for row in sheet.iter_rows(min_row=2)]
    # pm_a sees portfolio A only; XML stores a carriage return as a line feed
    assert sorted(titles) == sorted(payload.replace("\r", "\n") for payload in PAYLOADS)
    assert all(row[1].data_type == "s" for row in sheet.iter_rows(min_row=2))
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_matrix_csv_is_french_and_formula_safe(world, client_for):
    world.a1.name = '=HYPERLINK("http://x")'
    world.a1.budget = Decimal("1234567.50")
    world.a1.save()
    response = client_for("pmo_a").get(reverse("reporting:export", kwargs={"name": "matrix", "fmt": "csv"}))
    text = response.content.decode("utf-8-sig")
    header, *rows = text.splitlines()
    assert "Global déclaré" in header or "déclaré" in header
    line = next(row for row in rows if row.startswith("a1;"))
    assert "'=HYPERLINK" in line and "1234567,50" in line


def test_install_schedules_creates_missing_rows_and_keeps_changes(world):
    PeriodicTask.objects.filter(name__in=BEAT_SCHEDULE).delete()
    assert sorted(install_schedules()) == sorted(BEAT_SCHEDULE)
    task = PeriodicTask.objects.get(name="friday-highlight-reports")
    assert (task.crontab.hour, task.crontab.day_of_week, task.task) == (
        "18",
        "5",
        "reporting.weekly_highlights",
    )
    task.enabled = False
    task.save()
    assert install_schedules() == []
    assert PeriodicTask.objects.get(name="friday-highlight-reports").enabled is False
    assert install_schedules(reset=("friday-highlight-reports",)) == ["friday-highlight-reports"]
    assert PeriodicTask.objects.get(name="friday-highlight-reports").enabled is True


def test_pmo_changes_a_schedule_inline_and_bad_crontab_is_refused(world, client_for):
    install_schedules()
    client = client_for("pmo_a")
    url = reverse("schedule-edit", kwargs={"name": "friday-highlight-reports"})
    bad = client.post(
        url, {"minute": "61", "hour": "17", "day_of_week": "5", "day_of_month": "*", "enabled": "on"}
    )
    assert bad.status_code == 422 and "crontab" in bad.content.decode()
    assert PeriodicTask.objects.get(name="friday-highlight-reports").crontab.hour == "18"
    good = client.post(
        url, {"minute": "30", "hour": "17", "day_of_week": "5", "day_of_month": "*", "enabled": "on"}
    )
    assert good.status_code == 200
    task = PeriodicTask.objects.get(name="friday-highlight-reports")
    assert (task.crontab.minute, task.crontab.hour) == ("30", "17")
    page = client.get(reverse("schedules")).content.decode()
    assert "Rapports de synthèse du vendredi" in page or "30 17" in page
    assert client_for("pm_a").get(reverse("schedules")).status_code == 403


def test_reminders_once_per_manager_and_week(world):
    today = timezone.localdate()
    monday = week_start(today)
    world.a2.manager = world.users["pm_a"]
    world.a2.save()
    for project in (world.a1, world.a2, world.b1):
        project.state = "active"
        project.start_date = today - timedelta(days=100)
        project.save()
    StatusReport.objects.create(project=world.b1, period_start=monday, state="submitted", overall="green")
    assert distribution.send_update_reminders(period=today, actor=None) == 1  # pm_a for a1 and a2
    assert distribution.send_update_reminders(period=today, actor=None) == 0  # already reminded
    reminder = Notification.objects.get(recipient=world.users["pm_a"], kind="reminder")
    assert "a1" in reminder.body and "a2" in reminder.body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [world.users["pm_a"].email]
    assert not Notification.objects.filter(recipient=world.users["pm_b"]).exists()


def test_pmo_chases_missing_updates_of_their_portfolio(world, client_for):
    world.a1.state = "active"
    world.a1.save()
    response = client_for("pmo_a").post(
        reverse("reporting:chase-missing"),
        {"portfolio": world.portfolio_a.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "2" in response.content.decode()  # pm_a (a1), a2's manager
    assert Notification.objects.filter(recipient=world.users["pm_a"], kind="reminder").count() == 1
    assert (
        client_for("pmo_b")
        .post(reverse("reporting:chase-missing"), {"portfolio": world.portfolio_a.pk})
        .status_code
        == 404
    )


def test_monthly_packs_only_on_the_first_working_day(world, monkeypatch, time_machine):
    queued = []
    monkeypatch.setattr(
        tasks.services,
        "request_run",
        lambda **kwargs: (queued.append(kwargs["portfolio"].pk), (None, True))[1],
    )
    time_machine.move_to("2026-12-02 07:00:00+01:00")  # a Wednesday, not the first working day
    assert tasks.monthly_steering_packs() == 0
    time_machine.move_to("2026-12-01 07:00:00+01:00")  # Tuesday 1 December
    assert tasks.monthly_steering_packs() == 2
    assert tasks.monthly_steering_packs(portfolio_ids=[world.portfolio_a.pk]) == 1


def test_notification_centre(world, client_for):
    Notification.objects.create(
        recipient=world.users["pm_a"], kind="report", title="Rapport prêt", key="k1", url="/x/"
    )
    client = client_for("pm_a")
    assert ">1<" in client.get(reverse("notifications-badge")).content.decode().replace(" ", "")
    assert "Rapport prêt" in client.get(reverse("notifications")).content.decode()
    item = Notification.objects.get(key="k1")
    response = client.post(reverse("notifications-read"), {"id": item.pk})
    assert response["Location"] == "/x/"
    item.refresh_from_db()
    assert item.read_at is not None
    assert client_for("pm_b").post(reverse("notifications-read"), {"id": item.pk}).status_code == 404
