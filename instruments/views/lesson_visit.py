"""Pages of the lesson visit instrument: the school's and a person's calendar (week and month),
planning, a visit, rescheduling and cancelling it, whether it took place once its time has come,
its notes and debrief, the schoolcoach's rhythm, and a person's private iCalendar feed.

Access: the middleware checks the capability against the school in the URL; a visit is fetched
through `access_lesson_visit_by_id` (404 for missing, foreign and out of reach alike); its notes
only after `lesson_visit_content_visible` (visitor and visited teacher, nobody else).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from instruments import ical
from instruments import lesson_visit_calendar as visit_calendar
from instruments.access import access_lesson_visit_by_id, lesson_visit_content_visible
from instruments.forms.lesson_visit import (
    GROUPS_DATALIST,
    LessonVisitNotesForm,
    LessonVisitRescheduleForm,
    LessonVisitScheduleForm,
)
from instruments.models import VISIT_DID_NOT_HAPPEN, VisitStatus
from instruments.selectors import lesson_visit as selectors
from instruments.selectors.groups import pupil_groups
from instruments.services import lesson_visit as services
from leerkracht.access import NOT_FOUND_MESSAGE, personal, public, requires
from leerkracht.conflicts import EditConflict
from leerkracht.http import (
    AppRequest,
    add_service_errors,
    edit_conflict_response,
    redirect_after,
    wants_fragment,
)
from leerkracht.roles import Capability
from schools import selectors as school_selectors
from schools.access import school_people_visible

CALENDAR = "instruments/lesson_visit_calendar.html"
DETAIL = "instruments/lesson_visit_detail.html"
FORM = "instruments/lesson_visit_form.html"
NOTES = "instruments/lesson_visit_notes.html"
RHYTHM = "instruments/lesson_visit_rhythm.html"
FEED = "instruments/lesson_visit_feed.html"
PRODID = "-//Stichting leerKRACHT//Lesbezoeken//NL"


def _render(request: AppRequest, template: str, fragment: str, context: dict, *, status: int = 200):
    name = f"{template}#{fragment}" if wants_fragment(request) else template
    return render(request, name, context, status=status)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _school(access, school_id: int):
    # Only full pages show the school (breadcrumb, heading): partials skip the query.
    return SimpleLazyObject(lambda: school_selectors.school_get(access=access, school_id=school_id))


def _visit(request: AppRequest, school_id: int, visit_id: int):
    return access_lesson_visit_by_id(request.access, school_id=school_id, visit_id=visit_id)


def _detail_url(visit) -> str:
    return reverse("instruments:lesson_visit_detail", kwargs={"school_id": visit.school_id, "visit_id": visit.pk})


# --- The calendar ------------------------------------------------------------------------------


@requires(Capability.TEAM_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def lesson_visit_calendar(request: AppRequest, school_id: int):
    """The school's visits in a week or a month (a teacher: their own); ?persoon= narrows it to
    one person. Prev/next swap the calendar in place."""
    access = request.access
    period = visit_calendar.period_of(week=request.GET.get("week", ""), month=request.GET.get("maand", ""))
    sees_people = school_people_visible(access, school_id=school_id)
    wanted = _int(request.GET.get("persoon"))
    people = selectors.lesson_visit_staff(access=access, school_id=school_id) if sees_people else []
    if sees_people:
        person = next((p for p in people if p.pk == wanted), None)
    else:
        # A teacher sees only their own visits anyway; another person's id shows nothing new.
        person = request.user if wanted == access.user_id else None
    # Saturday and Sunday only when asked for (or when a visit falls on one: see calendar_of).
    weekend = request.GET.get("weekend") == "1"
    calendar = selectors.lesson_visit_calendar(
        access=access, school_id=school_id, period=period, person_id=person.pk if person else None, weekend=weekend
    )
    # The week names people only when it holds visits: read who left the school either way, so
    # the page's queries do not depend on the week (the template's {% person %} finds it cached).
    school_selectors.former_staff_ids_of_request(request, school_id=school_id)
    base = reverse("instruments:lesson_visit_calendar", kwargs={"school_id": school_id})
    weekend_query = {"weekend": "1"} if weekend else {}
    person_query = {"persoon": person.pk} if person else {}
    keep = {**person_query, **weekend_query}

    def url(query: dict) -> str:
        return f"{base}?{urlencode({**query, **keep})}"

    context = {
        "school": _school(access, school_id),
        "school_id": school_id,
        "period": period,
        "weeks": calendar.weeks,
        "show_weekend": calendar.show_weekend,
        "weekend_asked": weekend,
        "weekend_url": f"{base}?{urlencode({**period.query, **person_query, **({} if weekend else {'weekend': '1'})})}",
        "visit_count": calendar.visit_count,
        "any_visits": calendar.any_visits,
        "person": person,
        "people": people,
        "sees_people": sees_people,
        "calendar_url": base,
        "previous_url": url(period.previous_query),
        "next_url": url(period.next_query),
        "today_url": url(period.today_query),
        "week_url": url(period.week_query),
        "month_url": url(period.month_query),
        "own_url": f"{base}?{urlencode({**period.query, 'persoon': access.user_id, **weekend_query})}",
        "all_url": f"{base}?{urlencode({**period.query, **weekend_query})}",
    }
    return _render(request, CALENDAR, "calendar", context)


# --- Planning ----------------------------------------------------------------------------------


def _form_context(request: AppRequest, school_id: int, form, **extra) -> dict:
    return {
        "school": _school(request.access, school_id),
        "school_id": school_id,
        "form": form,
        "groups": pupil_groups(school_id=school_id) if "group" in form.fields else [],
        "groups_datalist": GROUPS_DATALIST,
        **extra,
    }


@requires(Capability.TEAM_EDIT)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def lesson_visit_schedule(request: AppRequest, school_id: int):
    """Plan a visit (a teacher: one they take part in; a schoolcoach: anyone's). Invalid input or
    a double booking answers 422 with the form, the reason in Dutch and what was typed."""
    access = request.access
    people = selectors.lesson_visit_staff(access=access, school_id=school_id)
    designs = selectors.lesson_visit_designs(access=access, school_id=school_id)
    staff_ids = {p.pk for p in people}
    initial = {"visitor": access.user_id} if access.user_id in staff_ids else {}
    # ?bezoeker=&bezochte=: plan again for the same two people (after a visit that did not go on).
    for name, param in (("visitor", "bezoeker"), ("visited", "bezochte")):
        if (person_id := _int(request.GET.get(param))) in staff_ids:
            initial[name] = person_id
    if day := _date(request.GET.get("datum")):
        initial["starts_on"] = day
    form = LessonVisitScheduleForm(request.POST or None, people=people, designs=designs, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                visit = services.lesson_visit_schedule(
                    access=access, school_id=school_id, user=request.user, **form.values()
                )
                return redirect_after(request, _detail_url(visit))
            except ValidationError as error:
                add_service_errors(form, error)
        status = 422
    return _render(request, FORM, "visit-form", _form_context(request, school_id, form, mode="schedule"), status=status)


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


# --- One visit ---------------------------------------------------------------------------------


def _detail_context(request: AppRequest, visit, **extra) -> dict:
    access = request.access
    may_record = services.lesson_visit_may_record_outcome(access=access, visit=visit)
    return {
        "school": visit.school,
        "school_id": visit.school_id,
        "visit": visit,
        "content_visible": lesson_visit_content_visible(access, visit),
        # Before its time: move or cancel it. Once its time has come: say whether it took place.
        "can_change": visit.status == VisitStatus.PLANNED
        and not visit.has_begun
        and services.lesson_visit_may_change(access=access, visit=visit),
        "ask_outcome": visit.awaits_outcome and may_record,
        "can_correct_not_held": visit.status == VisitStatus.NOT_HELD and may_record,
        **extra,
    }


@requires(Capability.TEAM_VIEW)
@require_GET
@vary_on_headers("HX-Request")
def lesson_visit_detail(request: AppRequest, school_id: int, visit_id: int):
    """A visit: when, where, who, the focus, and *that* it was observed and debriefed (what was
    written is on the notes page, for the two people involved only)."""
    visit = _visit(request, school_id, visit_id)
    return _render(request, DETAIL, "visit", _detail_context(request, visit))


def _visit_action(request: AppRequest, visit, service, *, then: str | None = None):
    """Run a one-button write on an admitted visit (cancel, held, not held) and answer as the
    detail page does: htmx swaps the visit in place (422 with the reason when refused), a plain
    form redirects. `then` is where to go instead after success (htmx follows it too)."""
    school_id, visit_id = visit.school_id, visit.pk
    error = None
    try:
        visit = service(access=request.access, visit=visit, user=request.user)
    except ValidationError as refused:
        error = " ".join(refused.messages)
    if error is None and then:
        return redirect_after(request, then)
    if not wants_fragment(request) and error is None:
        return redirect(_detail_url(visit))
    visit = _visit(request, school_id, visit_id)
    status = 422 if error else 200
    return _render(request, DETAIL, "visit", _detail_context(request, visit, action_error=error), status=status)


@requires(Capability.TEAM_EDIT)
@require_POST
def lesson_visit_cancel(request: AppRequest, school_id: int, visit_id: int):
    """Cancel a planned visit before its time (who scheduled it, visitor, visited or a
    schoolcoach)."""
    return _visit_action(request, _visit(request, school_id, visit_id), services.lesson_visit_cancel)


@requires(Capability.TEAM_EDIT)
@require_POST
def lesson_visit_mark_held(request: AppRequest, school_id: int, visit_id: int):
    """ "Ja": the visit took place. Its visitor and visited teacher go on to the debrief; a
    schoolcoach (who does not read it) stays on the visit. 403 for a role that may not say so."""
    visit = _visit(request, school_id, visit_id)
    then = None
    if lesson_visit_content_visible(request.access, visit):
        then = reverse("instruments:lesson_visit_notes", kwargs={"school_id": school_id, "visit_id": visit.pk})
    return _visit_action(request, visit, services.lesson_visit_mark_held, then=then)


@requires(Capability.TEAM_EDIT)
@require_POST
def lesson_visit_mark_not_held(request: AppRequest, school_id: int, visit_id: int):
    """ "Nee": the visit did not take place; it stays in the calendar as "niet doorgegaan"."""
    return _visit_action(request, _visit(request, school_id, visit_id), services.lesson_visit_mark_not_held)


@requires(Capability.TEAM_EDIT)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def lesson_visit_reschedule(request: AppRequest, school_id: int, visit_id: int):
    """Move a visit to another day, time or room, with the same checks as planning; 409 with
    what was typed when someone changed it meanwhile."""
    access = request.access
    visit = _visit(request, school_id, visit_id)
    if not services.lesson_visit_may_change(access=access, visit=visit):
        raise PermissionDenied
    start = timezone.localtime(visit.starts_at)
    initial = {
        "starts_on": start.date(),
        "starts_time": start.time(),
        "minutes": visit.duration_minutes,
        "room": visit.room,
    }
    form = LessonVisitRescheduleForm(request.POST or None, initial=initial)
    status, version = 200, visit.version
    if request.method == "POST":
        version = _int(request.POST.get("version"))
        status = 422
        if form.is_valid() and version is not None:
            try:
                services.lesson_visit_reschedule(
                    access=access, visit=visit, user=request.user, version=version, **form.values()
                )
                return redirect_after(request, _detail_url(visit))
            except EditConflict as conflict:
                context = _form_context(request, school_id, form, mode="reschedule", visit=visit)
                context.update(school=visit.school)
                return edit_conflict_response(
                    request,
                    conflict,
                    form=form,
                    page=FORM,
                    fragment=f"{FORM}#visit-form",
                    context=context,
                    title=_("Iemand anders heeft dit lesbezoek intussen veranderd"),
                    anchors={"starts_at": "starts_on"},
                )
            except ValidationError as error:
                add_service_errors(form, error)
    context = _form_context(request, school_id, form, mode="reschedule", visit=visit, version=version)
    context.update(school=visit.school)
    return _render(request, FORM, "visit-form", context, status=status)


# --- Notes and debrief -------------------------------------------------------------------------


@requires(Capability.TEAM_VIEW)
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def lesson_visit_notes(request: AppRequest, school_id: int, visit_id: int):
    """What the visitor observed and the debrief: read and written by the visitor and the
    visited teacher only; everyone else gets the same 404 as for a missing visit."""
    access = request.access
    visit = _visit(request, school_id, visit_id)
    if not lesson_visit_content_visible(access, visit):
        raise Http404(NOT_FOUND_MESSAGE)
    notes = selectors.lesson_visit_notes_get(visit=visit)
    version = notes.version if notes else 0
    initial = {name: getattr(notes, name) for name in services.NOTES_FIELDS} if notes else {}
    form = LessonVisitNotesForm(request.POST or None, initial=initial)
    status, saved = 200, False
    if request.method == "POST":
        version = _int(request.POST.get("version"))
        status = 422
        if form.is_valid() and version is not None:
            try:
                notes = services.lesson_visit_notes_save(
                    access=access, visit=visit, user=request.user, version=version, **form.cleaned_data
                )
                if not wants_fragment(request):
                    return redirect(
                        reverse("instruments:lesson_visit_notes", args=[school_id, visit.pk]) + "?opgeslagen=1"
                    )
                visit = _visit(request, school_id, visit_id)
                form = LessonVisitNotesForm(initial={name: getattr(notes, name) for name in services.NOTES_FIELDS})
                status, version, saved = 200, notes.version, True
            except EditConflict as conflict:
                return edit_conflict_response(
                    request,
                    conflict,
                    form=form,
                    page=NOTES,
                    fragment=f"{NOTES}#notes-form",
                    context=_notes_context(request, visit, form),
                    title=_("Iemand anders heeft dit verslag intussen opgeslagen"),
                )
            except ValidationError as error:
                add_service_errors(form, error)
    context = _notes_context(request, visit, form, version=version, saved=saved)
    return _render(request, NOTES, "notes-form", context, status=status)


def _notes_context(request: AppRequest, visit, form, **extra) -> dict:
    return {
        "school": visit.school,
        "school_id": visit.school_id,
        "visit": visit,
        "form": form,
        "open": visit.status not in VISIT_DID_NOT_HAPPEN and visit.has_begun,
        **extra,
        "saved": extra.get("saved") or request.GET.get("opgeslagen") == "1",
    }


# --- Rhythm ------------------------------------------------------------------------------------


@requires(Capability.SCHOOL_VIEW_PEOPLE)
@require_GET
def lesson_visit_rhythm(request: AppRequest, school_id: int):
    """Per teacher, the visits held in the last eight weeks and planned for the coming four,
    together against one every other week; the furthest behind first (the schoolcoach's list of
    whom to plan next, each behind with a link to the schedule form for them)."""
    access = request.access
    context = {
        "school": _school(access, school_id),
        "school_id": school_id,
        "rows": selectors.lesson_visit_rhythm(access=access, school_id=school_id),
        "target": selectors.RHYTHM_TARGET,
        "weeks": selectors.RHYTHM_WEEKS,
        "ahead": selectors.RHYTHM_AHEAD_WEEKS,
    }
    return render(request, RHYTHM, context)


# --- The private calendar feed -----------------------------------------------------------------


def _feed_urls(request: AppRequest, feed) -> dict:
    """The feed's addresses, only when this request made the feed: afterwards nobody (the
    database included) knows its token."""
    if feed is None or feed.token is None:
        return {}
    https = request.build_absolute_uri(reverse("instruments:lesson_visit_feed", kwargs={"token": feed.token}))
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _feed_answer(request: AppRequest, feed, *, changed: str = "") -> HttpResponse:
    """The feed's section (htmx) or page, never stored by a cache: it may show the address. After
    a change `feed` is what the service answered (none once revoked): no second read."""
    context = {"feed": feed, "urls": _feed_urls(request, feed), "changed": changed}
    response = _render(request, FEED, "feed", context)
    patch_cache_control(response, private=True, no_store=True)
    return response


@personal
@require_GET
@vary_on_headers("HX-Request")
def lesson_visit_feed_manage(request: AppRequest):
    """A person's own calendar feed: whether they have one, and the buttons to make, renew or
    revoke it. The address is shown once, in the answer to the request that made it (also without
    JavaScript: that answer is the page itself, not a redirect, and it is never stored by a cache);
    later the page says that a feed exists and offers to renew it."""
    return _feed_answer(request, selectors.calendar_feed_live(user=request.user))


@personal
@require_POST
@vary_on_headers("HX-Request")
def lesson_visit_feed_create(request: AppRequest):
    """Make the person's feed and show its address once (the live one stays, unshown, if any)."""
    return _feed_answer(request, services.calendar_feed_create(user=request.user), changed="created")


@personal
@require_POST
@vary_on_headers("HX-Request")
def lesson_visit_feed_renew(request: AppRequest):
    """A new address for the person's feed, shown once; the old address stops."""
    return _feed_answer(request, services.calendar_feed_renew(user=request.user), changed="renewed")


@personal
@require_POST
@vary_on_headers("HX-Request")
def lesson_visit_feed_revoke(request: AppRequest):
    """Revoke the person's feed: its address answers like an unknown one from now on."""
    services.calendar_feed_revoke(user=request.user)
    if not wants_fragment(request):
        return redirect("instruments:lesson_visit_feed_manage")
    return _feed_answer(request, None, changed="revoked")


def _event(request: AppRequest, visit, user) -> ical.Event:
    if visit.visitor_id == user.pk:
        summary = _("Lesbezoek bij %(name)s") % {"name": visit.visited_name}
    else:
        summary = _("%(name)s komt kijken in je les") % {"name": visit.visitor_name}
    lines = []
    if visit.focus:
        lines.append(_("Kijkvraag: %(focus)s") % {"focus": visit.focus})
    if visit.group:
        lines.append(_("Groep: %(group)s") % {"group": visit.group.name})
    if visit.lesson_design:
        lines.append(_("Lesontwerp: %(title)s") % {"title": visit.lesson_design.title})
    lines.append(
        _("Bezoeker: %(visitor)s; bezochte leraar: %(visited)s")
        % {
            "visitor": visit.visitor_name,
            "visited": visit.visited_name,
        }
    )
    # Never the notes or the debrief: a calendar app syncs them to places we do not control.
    return ical.Event(
        uid=f"lesbezoek-{visit.pk}@leerkracht.nl",
        starts_at=visit.starts_at,
        ends_at=visit.ends_at,
        summary=summary,
        location=", ".join(part for part in (visit.room, visit.school.name) if part),
        description="\n".join(lines),
        sequence=visit.version - 1,
        # A visit that did not go on leaves the calendar app as one that was cancelled.
        cancelled=visit.status in VISIT_DID_NOT_HAPPEN,
        url=request.build_absolute_uri(_detail_url(visit)),
    )


@public
@require_GET
def lesson_visit_feed(request: AppRequest, token: str):
    """The person's visits in every school they work in as an iCalendar feed a calendar app
    subscribes to (no session: the secret address is the key). Unknown and revoked addresses
    answer the same bare 404."""
    contents = selectors.calendar_feed_contents(token=token)
    if contents is None:
        return HttpResponseNotFound(NOT_FOUND_MESSAGE, content_type="text/plain; charset=utf-8")
    body = ical.calendar(
        prodid=PRODID,
        name=_("Lesbezoeken van %(name)s") % {"name": contents.user.full_name},
        events=[_event(request, visit, contents.user) for visit in contents.visits],
        stamp=timezone.now(),
    )
    response = HttpResponse(body.encode("utf-8"), content_type="text/calendar; charset=utf-8")
    patch_cache_control(response, private=True, max_age=300)
    response["X-Robots-Tag"] = "noindex"
    return response
