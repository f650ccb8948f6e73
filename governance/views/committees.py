"""Steering committee pages: the committees, one committee with its meetings, one meeting with its
agenda (HTMX fragment: reorder, add, remove, decide), minutes, decisions and actions, its iCal
invitation, and "My actions"."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from governance import committees, control_selectors
from governance.control_forms import (
    ActionForm,
    ActionStatusForm,
    AgendaItemForm,
    CommitteeForm,
    DecideForm,
    MeetingForm,
    MinutesForm,
)
from governance.control_permissions import can_administer_committees, can_manage_committee, can_update_action
from governance.models import Action, AgendaItem, Meeting
from pmo.core.forms import STALE_MESSAGE
from pmo.core.locking import StaleVersionError
from pmo.core.permissions import get_visible_or_404, require
from pmo.core.roles import Role
from portfolio.models import Membership, Portfolio, Programme


@login_required
@require_GET
def committee_list(request):
    return render(
        request,
        "governance/committee_list.html",
        {
            "committees": control_selectors.committee_list(user=request.user),
            "can_create": _administered_portfolios(request.user).exists(),
        },
    )


def _administered_portfolios(user):
    if user.is_superuser:
        return Portfolio.objects.order_by("name")
    return Portfolio.objects.filter(
        pk__in=Membership.objects.filter(user=user, role=Role.PMO).values("portfolio_id")
    ).order_by("name")


def _committee_form(request, *, committee=None, data=None) -> CommitteeForm:
    """The form with choices scoped to the committee's portfolio, or (creation) to the portfolios the
    user administers; the service checks again that the people belong to the chosen portfolio."""
    portfolio_ids = (
        [committee.portfolio_id] if committee else _administered_portfolios(request.user).values("pk")
    )
    people = (
        get_user_model()
        .objects.filter(
            pk__in=Membership.objects.filter(portfolio_id__in=portfolio_ids).values("user_id"), is_active=True
        )
        .order_by("last_name", "first_name", "username")
    )
    return CommitteeForm(
        data,
        instance=committee,
        portfolios=_administered_portfolios(request.user),
        programmes=Programme.objects.filter(portfolio_id__in=portfolio_ids).order_by("name"),
        people=people,
    )


def _committee_form_response(request, form, committee=None, status=200):
    return render(
        request, "governance/committee_form.html", {"form": form, "committee": committee}, status=status
    )


def _save_committee(request, form, committee=None):
    """Hand the cleaned form to the service; its field errors come back on the form (nothing written)."""
    data = dict(form.cleaned_data)
    version = data.pop("version", None)
    try:
        if committee is None:
            portfolio = data.pop("portfolio")
            return committees.committee_create(actor=request.user, portfolio=portfolio, **data)
        return committees.committee_update(
            actor=request.user, committee=committee, data=data, version=version
        )
    except StaleVersionError:
        form.add_error(None, STALE_MESSAGE)
        return None
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            form.add_error(None, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def committee_create(request):
    """PMO officers create a committee of one of their portfolios (or of a programme of it)."""
    require(_administered_portfolios(request.user).exists())
    if request.method == "POST":
        form = _committee_form(request, data=request.POST)
        if form.is_valid():
            committee = _save_committee(request, form)
            if committee is not None:
                messages.success(request, _("Committee created."))
                return redirect(committee.get_absolute_url())
        return _committee_form_response(request, form, status=422)
    return _committee_form_response(request, _committee_form(request))


@login_required
@require_http_methods(["GET", "POST"])
def committee_edit(request, pk):
    committee = control_selectors.committee_get(user=request.user, pk=pk)
    require(can_administer_committees(request.user, committee.portfolio_id))
    if request.method == "POST":
        form = _committee_form(request, committee=committee, data=request.POST)
        if form.is_valid() and _save_committee(request, form, committee) is not None:
            messages.success(request, _("Committee saved."))
            return redirect(committee.get_absolute_url())
        committee.refresh_from_db()
        return _committee_form_response(request, form, committee, status=422)
    return _committee_form_response(request, _committee_form(request, committee=committee), committee)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    """Change a planned (or held, minutes not approved) meeting's date, duration, place and attendees."""
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    committee = meeting.committee
    require(can_manage_committee(request.user, committee))
    require(meeting.state != Meeting.State.MINUTES_APPROVED)
    people = control_selectors.committee_people(committee)
    if request.method == "POST":
        form = MeetingForm(request.POST, instance=meeting, people=people)
        if form.is_valid():
            try:
                committees.meeting_update(
                    actor=request.user,
                    meeting=meeting,
                    version=form.cleaned_data.get("version") or meeting.version,
                    data=form.changed_values(),
                )
            except StaleVersionError:
                form.add_error(
                    None, _("Someone else changed this meeting since you opened it. Reload the page.")
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Meeting updated."))
                return redirect(meeting.get_absolute_url())
        meeting.refresh_from_db()
        return render(request, "governance/meeting_form.html", {"form": form, "meeting": meeting}, status=422)
    form = MeetingForm(instance=meeting, people=people)
    return render(request, "governance/meeting_form.html", {"form": form, "meeting": meeting})


def _committee_context(request, committee, form=None) -> dict:
    manager = can_manage_committee(request.user, committee)
    if manager and form is None:
        start = (timezone.localtime() + timedelta(days=7)).replace(hour=14, minute=0, second=0, microsecond=0)
        form = MeetingForm(
            people=control_selectors.committee_people(committee),
            initial={
                "starts_at": start,
                "place": committee.default_place,
                "attendees": list(committee.members.all()),
            },
        )
    return {
        "committee": committee,
        "members": committee.members.order_by("last_name", "first_name"),
        "meetings": committee.meetings.annotate(
            item_count=Count("items", filter=Q(items__removed=False), distinct=True),
            decision_count=Count("decisions", distinct=True),
        ).order_by("-starts_at"),
        "can_manage": manager,
        "can_administer": can_administer_committees(request.user, committee.portfolio_id),
        "meeting_form": form,
    }


@login_required
@require_GET
def committee_detail(request, pk):
    committee = control_selectors.committee_get(user=request.user, pk=pk)
    return render(request, "governance/committee_detail.html", _committee_context(request, committee))


@login_required
@require_POST
def meeting_create(request, pk):
    """Plan a meeting: its agenda is built at once from the committee's projects."""
    committee = control_selectors.committee_get(user=request.user, pk=pk)
    require(can_manage_committee(request.user, committee))
    form = MeetingForm(request.POST, people=control_selectors.committee_people(committee))
    if form.is_valid():
        meeting = committees.meeting_create(
            actor=request.user,
            committee=committee,
            starts_at=form.cleaned_data["starts_at"],
            duration_minutes=form.cleaned_data["duration_minutes"],
            place=form.cleaned_data["place"],
            attendees=list(form.cleaned_data["attendees"]),
        )
        messages.success(request, _("Meeting planned; its agenda was built from the portfolio's data."))
        return redirect(meeting.get_absolute_url())
    return render(
        request, "governance/committee_detail.html", _committee_context(request, committee, form), status=422
    )


def _agenda_context(
    request, meeting: Meeting, *, errors=None, forms_by_item=None, add_form=None, manager=None
) -> dict:
    if manager is None:
        manager = can_manage_committee(request.user, meeting.committee)
    agenda = control_selectors.meeting_agenda(meeting=meeting)
    decidable = meeting.state != Meeting.State.MINUTES_APPROVED
    forms_by_item = forms_by_item or {}
    for item in agenda:
        outcomes = committees.ITEM_OUTCOMES.get(item.kind, ())
        closed = (item.exception_id and item.exception.state == "closed") or (
            item.change_request_id and item.change_request.is_decided
        )
        item.decide_form = None
        if decidable and outcomes and not closed and not item.decisions.all():
            item.decide_form = forms_by_item.get(item.pk) or DecideForm(
                outcomes=outcomes,
                with_tolerances=item.kind == AgendaItem.Kind.EXCEPTION,
                auto_id=f"id_item{item.pk}_%s",
            )
    projects = committees.committee_projects(meeting.committee).order_by("code")
    return {
        "meeting": meeting,
        "agenda": agenda,
        "can_manage": manager,
        "agenda_editable": manager and meeting.agenda_editable,
        "add_form": add_form
        or (AgendaItemForm(projects=projects) if manager and meeting.agenda_editable else None),
        "agenda_errors": errors or [],
        "decisions": control_selectors.meeting_decisions(meeting=meeting),
    }


def _render_agenda(request, meeting, status=200, **kwargs):
    return render(
        request,
        "governance/partials/meeting_agenda.html",
        _agenda_context(request, meeting, **kwargs),
        status=status,
    )


def _meeting_context(request, meeting: Meeting, *, minutes_form=None, action_form=None) -> dict:
    manager = can_manage_committee(request.user, meeting.committee)
    people = control_selectors.committee_people(meeting.committee)
    projects = committees.committee_projects(meeting.committee).order_by("code")
    actions = list(control_selectors.meeting_actions(meeting=meeting))
    for action in actions:  # the owner, or whoever manages the committee (no query per row)
        action.can_update = manager or action.owner_id == request.user.pk
    return {
        **_agenda_context(request, meeting, manager=manager),
        "attendees": meeting.attendees.order_by("last_name", "first_name"),
        "actions": actions,
        "minutes_form": minutes_form
        or (
            MinutesForm(initial={"minutes": meeting.minutes, "version": meeting.version})
            if manager and meeting.state == Meeting.State.HELD
            else None
        ),
        "action_form": action_form
        or (
            ActionForm(people=people, projects=projects)
            if manager and meeting.state != Meeting.State.MINUTES_APPROVED
            else None
        ),
        "status_choices": Action.Status.choices,
        "today": timezone.localdate(),
    }


@login_required
@require_GET
def meeting_detail(request, pk):
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    return render(request, "governance/meeting_detail.html", _meeting_context(request, meeting))


@login_required
@require_GET
def meeting_agenda_partial(request, pk):
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    return _render_agenda(request, meeting)


@login_required
@require_POST
def agenda_refresh(request, pk):
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    require(can_manage_committee(request.user, meeting.committee))
    try:
        added = committees.agenda_refresh(actor=request.user, meeting=meeting)
    except ValidationError as error:
        return _render_agenda(request, meeting, status=422, errors=error.messages)
    if not request.htmx:
        messages.success(request, _("%(n)s item(s) added to the agenda.") % {"n": len(added)})
        return redirect(meeting.get_absolute_url())
    return _render_agenda(request, meeting)


@login_required
@require_POST
def agenda_item_add(request, pk):
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    require(can_manage_committee(request.user, meeting.committee))
    form = AgendaItemForm(
        request.POST, projects=committees.committee_projects(meeting.committee).order_by("code")
    )
    if form.is_valid():
        try:
            committees.agenda_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not request.htmx:
                return redirect(meeting.get_absolute_url())
            return _render_agenda(request, meeting)
    return _render_agenda(request, meeting, status=422, add_form=form)


def _item(request, pk) -> AgendaItem:
    visible = control_selectors.meeting_list(user=request.user).values("pk")
    return get_visible_or_404(
        AgendaItem.objects.filter(meeting__in=visible).select_related(
            "meeting__committee", "project", "exception__project", "change_request__project"
        ),
        pk=pk,
    )


@login_required
@require_POST
def agenda_item_move(request, pk):
    item = _item(request, pk)
    require(can_manage_committee(request.user, item.meeting.committee))
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        committees.agenda_item_move(actor=request.user, item=item, offset=offset)
    except ValidationError as error:
        return _render_agenda(request, item.meeting, status=422, errors=error.messages)
    if not request.htmx:
        return redirect(item.meeting.get_absolute_url())
    return _render_agenda(request, item.meeting)


@login_required
@require_POST
def agenda_item_remove(request, pk):
    item = _item(request, pk)
    require(can_manage_committee(request.user, item.meeting.committee))
    try:
        committees.agenda_item_remove(actor=request.user, item=item)
    except ValidationError as error:
        return _render_agenda(request, item.meeting, status=422, errors=error.messages)
    if not request.htmx:
        return redirect(item.meeting.get_absolute_url())
    return _render_agenda(request, item.meeting)


@login_required
@require_POST
def agenda_item_decide(request, pk):
    """Decide an item in the meeting: its workflow is applied through its own service (deciders
    only; a refused attempt answers 403 and is recorded)."""
    item = _item(request, pk)
    outcomes = committees.ITEM_OUTCOMES.get(item.kind, ())
    form = DecideForm(
        request.POST,
        outcomes=outcomes,
        with_tolerances=item.kind == AgendaItem.Kind.EXCEPTION,
        auto_id=f"id_item{item.pk}_%s",
    )
    valid = form.is_valid()
    try:
        committees.agenda_item_decide(
            actor=request.user,
            item=item,
            outcome=form.cleaned_data.get("outcome", "") if valid else request.POST.get("outcome", ""),
            rationale=form.cleaned_data.get("rationale", "") if valid else "",
            tolerances=form.tolerances() if valid else None,
            request=request,
        )
    except StaleVersionError:
        form.add_error(None, _("Someone else changed this item since you opened it. Reload the page."))
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            for name, messages_ in error.message_dict.items():
                if name in form.fields and name not in form.errors:
                    form.add_error(name, messages_)
                elif name not in form.fields:
                    form.add_error(None, messages_)
        else:
            form.add_error(None, error)
    else:
        if not request.htmx:
            messages.success(request, _("Decision recorded."))
            return redirect(item.meeting.get_absolute_url())
        response = _render_agenda(request, item.meeting)
        response["HX-Trigger"] = "meeting:decided"
        return response
    return _render_agenda(request, item.meeting, status=422, forms_by_item={item.pk: form})


@login_required
@require_POST
def meeting_hold(request, pk):
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    require(can_manage_committee(request.user, meeting.committee))
    try:
        committees.meeting_hold(actor=request.user, meeting=meeting)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(meeting.get_absolute_url())


@login_required
@require_POST
def meeting_minutes(request, pk):
    """Save the minutes of a held meeting, or (`approve`) save and approve them (frozen)."""
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    require(can_manage_committee(request.user, meeting.committee))
    form = MinutesForm(request.POST)
    if form.is_valid():
        try:
            updated = committees.meeting_update(
                actor=request.user,
                meeting=meeting,
                version=form.cleaned_data.get("version") or meeting.version,
                data={"minutes": form.cleaned_data["minutes"]},
            )
            if "approve" in request.POST:
                committees.meeting_approve_minutes(actor=request.user, meeting=updated)
        except StaleVersionError:
            form.add_error(None, _("Someone else changed this meeting since you opened it. Reload the page."))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Minutes approved.") if "approve" in request.POST else _("Minutes saved.")
            )
            return redirect(meeting.get_absolute_url())
    meeting.refresh_from_db()
    return render(
        request,
        "governance/meeting_detail.html",
        _meeting_context(request, meeting, minutes_form=form),
        status=422,
    )


@login_required
@require_POST
def action_create(request, pk):
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    require(can_manage_committee(request.user, meeting.committee))
    form = ActionForm(
        request.POST,
        people=control_selectors.committee_people(meeting.committee),
        projects=committees.committee_projects(meeting.committee),
    )
    if form.is_valid():
        try:
            committees.action_create(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Action recorded; its owner was notified."))
            return redirect(meeting.get_absolute_url() + "#actions")
    return render(
        request,
        "governance/meeting_detail.html",
        _meeting_context(request, meeting, action_form=form),
        status=422,
    )


@login_required
@require_POST
def action_status(request, pk):
    """The owner (or the committee's managers) moves an action on: open, in progress, done, cancelled."""
    action = get_visible_or_404(
        control_selectors.action_list(user=request.user).select_related("project__portfolio"), pk=pk
    )
    require(can_update_action(request.user, action))
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            committees.action_set_status(
                actor=request.user,
                action=action,
                status=form.cleaned_data["status"],
                version=form.cleaned_data.get("version") or None,
            )
        except StaleVersionError:
            messages.error(
                request, _("Someone else changed this action since you opened it. Reload the page.")
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Action updated."))
    else:
        messages.error(request, _("Choose a valid status."))
    target = request.POST.get("next") or ""
    if target == "mine":
        return redirect("governance:my-actions")
    if action.meeting_id:
        return redirect(action.meeting.get_absolute_url() + "#actions")
    return redirect("governance:my-actions")


@login_required
@require_GET
def meeting_ics(request, pk):
    """The meeting's invitation (.ics) with its attendees and agenda."""
    meeting = control_selectors.meeting_get(user=request.user, pk=pk)
    agenda = control_selectors.meeting_agenda(meeting=meeting)
    body = committees.meeting_ical(
        meeting, agenda=agenda, site_url=request.build_absolute_uri("/").rstrip("/")
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="copil-{meeting.starts_at:%Y%m%d}-{meeting.pk}.ics"'
    )
    return response


@login_required
@require_GET
def my_actions(request):
    """The actions the user owns, open ones first (every committee and project)."""
    actions = list(control_selectors.my_actions(user=request.user))
    for action in actions:
        action.can_update = True  # the owner reports progress on their own actions
    return render(
        request,
        "governance/my_actions.html",
        {"actions": actions, "status_choices": Action.Status.choices, "today": timezone.localdate()},
    )
