"""Waves an admin plans: planning (after each startdag or on one date), the preview of the
schools and teachers invited, changing and cancelling until the first moment opens (and a
cancelled wave never opening on the tick), refusals that keep what was typed, access, and
"Herinnering nu versturen": once per person per day, never to who answered, through the outbox.

Services take `now`; the pages use the real clock, so dates here are counted from today."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.utils import timezone

from barometer.models import (
    EmailKind,
    EmailStatus,
    Invitation,
    InvitationEmail,
    Wave,
    WaveSchool,
    WaveSchoolStatus,
    WaveTiming,
)
from barometer.selectors import planning as selectors
from barometer.selectors.planning import WaveSelection
from barometer.services import planning as services
from barometer.services import waves
from barometer.tests.factories import PublishedVersionFactory, QuestionnaireFactory
from leerkracht import clock, tenancy
from leerkracht.models import OutboxMessage
from leerkracht.roles import Role
from schools.access import compute_access
from schools.models import Phase, School, Sector
from schools.services import team_membership_add
from schools.tests.factories import SchoolFactory, SchoolMembershipFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST_URL = "/barometer/meetmomenten/"
NEW_URL = "/barometer/meetmomenten/nieuw/"
REMIND_URL = "/barometer/respons/herinnering/"
AT = dt.time(7, 30)


def today() -> dt.date:
    return timezone.now().astimezone(clock.AMSTERDAM).date()


@pytest.fixture
def all_schools():
    """The admin's scope (every school), as the middleware opens it for an admin's request."""
    with tenancy.scope(school_ids=tenancy.ALL):
        yield


@pytest.fixture
def admin(world):
    return world.users[Role.ADMIN]


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def version():
    return PublishedVersionFactory(questionnaire=QuestionnaireFactory(title="Impact-barometer"))


@pytest.fixture
def draft(version):
    return PublishedVersionFactory(questionnaire=version.questionnaire, number=2, status="draft", published_at=None)


@pytest.fixture
def started(world):
    """Every world school started a month ago (year 1); PO: 1.1.1 (home), 1.2.2, 2.1.1, 2.2.2."""
    start = today() - dt.timedelta(days=30)
    School.unscoped.filter(pk__in=[s.pk for s in world.schools]).update(start_date=start, phase=Phase.YEAR_1)
    return start


class Staff:
    """Teachers on top of the world's (home: the leraar and the schoolcoach; foreign: two), so
    the PO schools count 5 teachers: one teaches at two PO schools and counts once; an inactive
    teacher, a school leader and a teacher of a VO school are not counted."""

    def __init__(self, world):
        po = [s for s in world.schools if s.sector == Sector.PO]
        self.po = po
        self.twice = team_membership_add(user=UserFactory(), team=world.teams[po[1].pk][0]).user
        team_membership_add(user=self.twice, team=world.teams[po[2].pk][0])
        inactive = team_membership_add(user=UserFactory(), team=world.teams[po[1].pk][1]).user
        inactive.is_active = False
        inactive.save(update_fields=["is_active"])
        SchoolMembershipFactory(school=po[2], role=Role.SCHOOLLEIDER)
        vo = next(s for s in world.schools if s.sector == Sector.VO)
        team_membership_add(user=UserFactory(), team=world.teams[vo.pk][0])


@pytest.fixture
def staff(world, started):
    return Staff(world)


def settings_for(published, **overrides) -> services.WaveSettings:
    values = {
        "version": published,
        "name": "Voorjaarsmeting",
        "timing": WaveTiming.FIXED,
        "months_after_start": None,
        "fixed_date": today() + dt.timedelta(days=30),
        "open_time": AT,
        "answer_days": 21,
        "reminder_days": 7,
        "selection": WaveSelection(sectors=(Sector.PO,)),
    }
    values.update(overrides)
    return services.WaveSettings(**values)


def form_data(published, **overrides) -> dict:
    opens = today() + dt.timedelta(days=30)
    data = {
        "name": "Voorjaarsmeting",
        "version": published.pk,
        "timing": WaveTiming.FIXED,
        "fixed_date": opens.isoformat(),
        "open_time": "07:30",
        "closes_on": (opens + dt.timedelta(days=21)).isoformat(),
        "answer_days": "",
        "reminder_days": "7",
        "selection": "kenmerken",
        "sectors": [Sector.PO],
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def moments_of(wave) -> dict[int, WaveSchool]:
    return {ws.school_id: ws for ws in WaveSchool.unscoped.filter(wave=wave)}


def preview_numbers(html: str) -> tuple[int, int]:
    schools = re.search(r'data-preview="schools">([\d.]+)<', html).group(1)
    teachers = re.search(r'data-preview="teachers">([\d.]+)<', html).group(1)
    return int(schools.replace(".", "")), int(teachers.replace(".", ""))


# --- Planning ----------------------------------------------------------------------------------


def test_planning_on_one_date_gives_every_selected_school_that_moment(world, staff, version, admin, all_schools):
    opens = today() + dt.timedelta(days=30)
    wave = services.wave_create(settings=settings_for(version, fixed_date=opens), user=admin)
    moments = moments_of(wave)
    assert set(moments) == {s.pk for s in staff.po}
    for ws in moments.values():
        assert ws.status == WaveSchoolStatus.PLANNED
        assert ws.opens_on == opens
        assert ws.opens_at == clock.instant(opens, AT)
        assert ws.closes_at == clock.instant(opens + dt.timedelta(days=21), AT)
    wave.refresh_from_db()
    assert (wave.timing, wave.fixed_date, wave.months_after_start) == (WaveTiming.FIXED, opens, None)
    assert wave.sectors == [Sector.PO] and wave.created_by == admin


def test_planning_after_each_startdag_skips_a_school_whose_moment_has_passed(
    world, started, version, admin, all_schools
):
    late = world.schools[1]  # VO, started eight months ago: its six-month moment has passed
    School.unscoped.filter(pk=late.pk).update(start_date=today() - dt.timedelta(days=245))
    wave = services.wave_create(
        settings=settings_for(
            version, timing=WaveTiming.RELATIVE, months_after_start=6, fixed_date=None, selection=WaveSelection()
        ),
        user=admin,
    )
    moments = moments_of(wave)
    assert set(moments) == {s.pk for s in world.schools} - {late.pk}
    for ws in moments.values():
        assert ws.opens_on == clock.add_months(started, 6)
    assert Wave.objects.get(pk=wave.pk).fixed_date is None


def test_selection_by_region_phase_or_a_list_of_schools(world, staff, version, admin, all_schools):
    School.unscoped.filter(pk=world.schools[3].pk).update(phase=Phase.YEAR_2)
    School.unscoped.filter(pk=world.schools[2].pk).update(phase=Phase.INTAKE)  # does not take part
    by_region = services.wave_create(
        settings=settings_for(version, selection=WaveSelection(region_ids=(world.regions[0].pk,))), user=admin
    )
    assert set(moments_of(by_region)) == {world.schools[i].pk for i in (0, 1, 3)}
    by_phase = services.wave_create(
        settings=settings_for(version, selection=WaveSelection(phases=(Phase.YEAR_2,))), user=admin
    )
    assert set(moments_of(by_phase)) == {world.schools[3].pk}
    listed = services.wave_create(
        settings=settings_for(version, selection=WaveSelection(school_ids=(world.schools[5].pk, world.schools[6].pk))),
        user=admin,
    )
    assert set(moments_of(listed)) == {world.schools[5].pk, world.schools[6].pk}
    assert selectors.wave_selection_school_ids(wave=listed) == sorted([world.schools[5].pk, world.schools[6].pk])
    with pytest.raises(ValidationError) as refused:
        services.wave_create(
            settings=settings_for(version, selection=WaveSelection(school_ids=(world.schools[2].pk,))), user=admin
        )
    assert "doen niet mee" in refused.value.message_dict["school_codes"][0]


def test_the_plan_page_plans_on_one_date(admin_client, world, staff, version):
    response = admin_client.post(NEW_URL, form_data(version))
    wave = Wave.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{LIST_URL}{wave.pk}/"
    assert (wave.name, wave.timing, wave.answer_days, wave.reminder_days) == ("Voorjaarsmeting", "fixed", 21, 7)
    assert set(moments_of(wave)) == {s.pk for s in staff.po}
    page = admin_client.get(response["Location"]).content.decode()
    assert "Het meetmoment ‘Voorjaarsmeting’ is gepland." in page


def test_the_plan_page_plans_after_each_startdag_for_listed_schools(admin_client, world, staff, version):
    codes = f"{world.schools[1].code.lower()}, {world.schools[5].code}\n"
    data = form_data(
        version,
        timing=WaveTiming.RELATIVE,
        months_after_start="6",
        fixed_date="",
        closes_on="",
        answer_days="14",
        reminder_days="5",
        selection="lijst",
        school_codes=codes,
    )
    response = admin_client.post(NEW_URL, data)
    assert response.status_code == 302
    wave = Wave.objects.get()
    assert (wave.timing, wave.months_after_start, wave.answer_days, wave.reminder_days) == ("relative", 6, 14, 5)
    assert set(moments_of(wave)) == {world.schools[1].pk, world.schools[5].pk}
    assert wave.sectors == [] and list(wave.regions.all()) == []


# --- The preview -------------------------------------------------------------------------------


def test_the_preview_counts_schools_and_teachers_exactly(world, staff, version, all_schools):
    wave = Wave(timing=WaveTiming.FIXED, fixed_date=today() + dt.timedelta(days=30), open_time=AT)
    po = WaveSelection(sectors=(Sector.PO,))
    preview = selectors.wave_preview(
        access=compute_access(world.users[Role.ADMIN]), wave=wave, selection=po, now=timezone.now()
    )
    # Home: the leraar and the schoolcoach; foreign: two; 1.2.2 and 2.1.1 share one teacher.
    assert (preview.matched, preview.schools, preview.teachers) == (4, 4, 5)
    assert preview.first_opens_on == preview.last_opens_on == today() + dt.timedelta(days=30)
    region_1 = WaveSelection(sectors=(Sector.PO,), region_ids=(world.regions[0].pk,))
    preview = selectors.wave_preview(
        access=compute_access(world.users[Role.ADMIN]), wave=wave, selection=region_1, now=timezone.now()
    )
    assert (preview.schools, preview.teachers) == (2, 3)
    # Not an admin: nothing (the page is not theirs either).
    preview = selectors.wave_preview(
        access=compute_access(world.users[Role.SCHOOLCOACH]), wave=wave, selection=po, now=timezone.now()
    )
    assert (preview.schools, preview.teachers) == (0, 0)


def test_the_preview_as_htmx_fragment_and_without_javascript(admin_client, world, staff, version):
    query = {**form_data(version), "sectors": Sector.PO}
    fragment = admin_client.get(NEW_URL, query, **HTMX)
    html = fragment.content.decode()
    assert fragment.status_code == 200 and html.lstrip().startswith('<section id="wave-preview"')
    assert preview_numbers(html) == (4, 5)
    # Region 1 only: two PO schools, three teachers.
    narrower = admin_client.get(NEW_URL, {**query, "regions": world.regions[0].pk}, **HTMX).content.decode()
    assert preview_numbers(narrower) == (2, 3)
    # Relative timing: one school started eight months ago, so its moment has passed.
    School.unscoped.filter(pk=staff.po[1].pk).update(start_date=today() - dt.timedelta(days=245))
    relative = {**query, "timing": "relative", "months_after_start": "6", "answer_days": "21"}
    html = admin_client.get(NEW_URL, relative, **HTMX).content.decode()
    assert preview_numbers(html) == (3, 5), "its teacher also teaches at 2.1.1, so still counts"
    assert "Eén gekozen school krijgt geen moment" in html
    # Without JavaScript: the button posts the form; the page shows the preview and saves nothing.
    page = admin_client.post(NEW_URL, {**form_data(version), "voorbeeld": "1"})
    assert page.status_code == 200 and preview_numbers(page.content.decode()) == (4, 5)
    assert Wave.objects.count() == 0
    # The same URL asked as a page (a reload of what htmx asked) shows the whole page.
    assert "<form" in admin_client.get(NEW_URL, query).content.decode()


def test_the_form_asks_for_the_preview_on_its_own_url_without_the_csrf_token(admin_client, version):
    html = admin_client.get(NEW_URL).content.decode()
    assert f'hx-get="{NEW_URL}"' in html and f'action="{NEW_URL}"' in html
    assert 'hx-params="not csrfmiddlewaretoken"' in html
    assert "style=" not in html and "<script>" not in html


# --- Refusals that keep what was typed ---------------------------------------------------------


def test_an_answer_window_that_ends_before_it_starts_is_refused_keeping_the_input(admin_client, staff, version):
    opens = today() + dt.timedelta(days=30)
    data = form_data(version, name="Mijn meting", closes_on=(opens - dt.timedelta(days=2)).isoformat())
    response = admin_client.post(NEW_URL, data)
    html = response.content.decode()
    assert response.status_code == 422 and Wave.objects.count() == 0
    assert "De antwoordtermijn eindigt op" in html and "voordat hij begint op" in html
    assert 'value="Mijn meting"' in html, "what was typed stays"
    assert f'value="{(opens - dt.timedelta(days=2)).isoformat()}"' in html


def test_the_service_refuses_an_answer_window_that_ends_before_it_starts(staff, version, admin, all_schools):
    with pytest.raises(ValidationError) as refused:
        services.wave_create(settings=settings_for(version, answer_days=0), user=admin)
    assert "eindigen voordat hij begint" in refused.value.message_dict["answer_days"][0]
    with pytest.raises(ValidationError) as refused:
        services.wave_create(settings=settings_for(version, answer_days=7, reminder_days=7), user=admin)
    assert "binnen de antwoordtermijn" in refused.value.message_dict["reminder_days"][0]
    assert Wave.objects.count() == 0


def test_a_version_that_is_not_published_is_refused(admin_client, staff, version, draft, admin, all_schools):
    response = admin_client.post(NEW_URL, form_data(version, version=draft.pk))
    html = response.content.decode()
    assert response.status_code == 422 and Wave.objects.count() == 0
    assert "Kies een gepubliceerde versie van de vragenlijst" in html
    assert f'<option value="{draft.pk}"' not in html, "a draft is not offered"
    with pytest.raises(ValidationError) as refused:
        services.wave_create(settings=settings_for(version, version=draft), user=admin)
    assert "gepubliceerde versie" in refused.value.message_dict["version"][0]


def test_no_schools_is_refused(admin_client, staff, version):
    no_codes = admin_client.post(NEW_URL, form_data(version, selection="lijst", school_codes=" "))
    assert no_codes.status_code == 422 and "Vul minstens één schoolcode in" in no_codes.content.decode()
    unknown = admin_client.post(NEW_URL, form_data(version, selection="lijst", school_codes="99ZZ, 1x"))
    assert unknown.status_code == 422 and "Niet goed: 1X" in unknown.content.decode()
    unknown = admin_client.post(NEW_URL, form_data(version, selection="lijst", school_codes="99ZZ"))
    assert "Deze schoolcodes kennen we niet: 99ZZ." in unknown.content.decode()
    nobody = admin_client.post(NEW_URL, form_data(version, sectors=[Sector.OTHER]))
    html = nobody.content.decode()
    assert nobody.status_code == 422 and "Met deze keuze doet geen enkele school mee" in html
    assert re.search(r'<input type="checkbox" name="sectors" value="other"[^>]*checked', html), "the choice stays"
    assert Wave.objects.count() == 0


def test_a_date_that_has_passed_is_refused(admin_client, staff, version):
    response = admin_client.post(NEW_URL, form_data(version, fixed_date=(today() - dt.timedelta(days=1)).isoformat()))
    assert response.status_code == 422 and "al voorbij" in response.content.decode()


# --- Changing and cancelling -------------------------------------------------------------------


@pytest.fixture
def planned(world, staff, version, admin, all_schools):
    return services.wave_create(settings=settings_for(version), user=admin)


def test_a_planned_wave_can_be_changed_and_is_planned_again(planned, world, version, all_schools):
    later = today() + dt.timedelta(days=40)
    services.wave_update(
        wave=planned,
        settings=settings_for(
            version, name="Later", fixed_date=later, selection=WaveSelection(sectors=(Sector.VO,)), answer_days=14
        ),
    )
    moments = moments_of(planned)
    assert set(moments) == {s.pk for s in world.schools if s.sector == Sector.VO}
    assert {ws.opens_on for ws in moments.values()} == {later}
    planned.refresh_from_db()
    assert (planned.name, planned.answer_days, planned.sectors) == ("Later", 14, [Sector.VO])


def test_the_wave_page_changes_a_planned_wave(admin_client, planned, world, version):
    url = f"{LIST_URL}{planned.pk}/"
    page = admin_client.get(url).content.decode()
    assert 'value="Voorjaarsmeting"' in page and "Wijzigingen opslaan" in page and "Meetmoment annuleren" in page
    response = admin_client.post(url, form_data(version, name="Najaar", sectors=[Sector.MBO]))
    assert response.status_code == 302
    assert set(moments_of(planned)) == {s.pk for s in world.schools if s.sector == Sector.MBO}
    refused = admin_client.post(url, form_data(version, name="", sectors=[Sector.MBO]))
    assert refused.status_code == 422 and "Geef het meetmoment een naam" in refused.content.decode()


def test_a_cancelled_wave_never_opens_on_the_tick(planned, admin, django_capture_on_commit_callbacks, mailoutbox):
    services.wave_cancel(wave=planned, user=admin)
    planned.refresh_from_db()
    assert planned.cancelled_at is not None and planned.cancelled_by == admin
    statuses = set(WaveSchool.unscoped.filter(wave=planned).values_list("status", flat=True))
    assert statuses == {WaveSchoolStatus.CANCELLED}
    opens_at = clock.instant(planned.fixed_date, AT)
    for now in (opens_at, opens_at + dt.timedelta(days=8), opens_at + dt.timedelta(days=30)):
        with django_capture_on_commit_callbacks(execute=True):
            result = waves.barometer_tick(now=now)
        assert result.opened == [] and result.reminded == [] and result.closed == []
    assert set(WaveSchool.unscoped.filter(wave=planned).values_list("status", flat=True)) == {
        WaveSchoolStatus.CANCELLED
    }
    assert not Invitation.unscoped.filter(wave=planned).exists() and mailoutbox == []
    with pytest.raises(ValidationError):
        services.wave_update(wave=planned, settings=settings_for(planned.version))


def test_cancelling_from_the_page(admin_client, planned):
    page = admin_client.get(f"{LIST_URL}{planned.pk}/").content.decode()
    assert f'action="{LIST_URL}{planned.pk}/annuleren/"' in page
    response = admin_client.post(f"{LIST_URL}{planned.pk}/annuleren/")
    assert response.status_code == 302 and response["Location"] == LIST_URL
    listing = admin_client.get(LIST_URL).content.decode()
    assert "is geannuleerd" in listing and "Geannuleerd" in listing
    again = admin_client.post(f"{LIST_URL}{planned.pk}/annuleren/")
    assert again.status_code == 409 and "geannuleerd en verandert niet meer" in again.content.decode()
    # A cancelled wave's moments are not listed on the response page.
    assert "Nog geen meetmomenten" in admin_client.get("/barometer/respons/").content.decode()


def test_after_the_first_moment_opened_a_wave_cannot_change_and_the_page_says_why(
    admin_client, planned, version, admin, django_capture_on_commit_callbacks
):
    opens_at = clock.instant(planned.fixed_date, AT)
    with django_capture_on_commit_callbacks(execute=True):
        assert waves.barometer_tick(now=opens_at).opened
    now = opens_at + dt.timedelta(hours=1)
    with pytest.raises(ValidationError) as refused:
        services.wave_update(wave=planned, settings=settings_for(version, name="Anders"), now=now)
    assert "begon op" in refused.value.messages[0]
    with pytest.raises(ValidationError):
        services.wave_cancel(wave=planned, user=admin, now=now)
    url = f"{LIST_URL}{planned.pk}/"
    page = admin_client.get(url).content.decode()
    assert "Dit meetmoment verandert niet meer" in page and "begon op" in page
    assert "Wijzigingen opslaan" not in page
    assert "Meetmoment annuleren" not in page
    response = admin_client.post(url, form_data(version, name="Anders"))
    assert response.status_code == 409 and "begon op" in response.content.decode()
    assert admin_client.post(url + "annuleren/").status_code == 409
    planned.refresh_from_db()
    assert planned.name == "Voorjaarsmeting" and planned.cancelled_at is None
    assert WaveSchool.unscoped.filter(wave=planned, status=WaveSchoolStatus.OPEN).count() == 4


def test_a_moment_whose_time_has_come_but_did_not_open_yet_also_stops_changes(planned, version, all_schools):
    opens_at = clock.instant(planned.fixed_date, AT)
    with pytest.raises(ValidationError):
        services.wave_update(wave=planned, settings=settings_for(version), now=opens_at)


def test_the_daily_planning_keeps_to_the_selection_and_skips_cancelled_waves(world, staff, version, admin, all_schools):
    selected = services.wave_create(settings=settings_for(version), user=admin)
    cancelled = services.wave_create(settings=settings_for(version, name="Weg"), user=admin)
    services.wave_cancel(wave=cancelled, user=admin)
    newcomer = SchoolFactory(sector=Sector.VO, phase=Phase.YEAR_1, start_date=today())
    waves.waves_plan_all()
    assert set(moments_of(selected)) == {s.pk for s in staff.po}
    assert newcomer.pk not in moments_of(cancelled)


# --- The list of waves -------------------------------------------------------------------------


def test_the_list_shows_each_wave_with_its_state(admin_client, world, staff, version, admin):
    with tenancy.scope(school_ids=tenancy.ALL):
        services.wave_create(settings=settings_for(version, name="Gepland"), user=admin)
        running = services.wave_create(settings=settings_for(version, name="Lopend"), user=admin)
        closed = services.wave_create(settings=settings_for(version, name="Klaar"), user=admin)
        cancelled = services.wave_create(settings=settings_for(version, name="Weg"), user=admin)
        services.wave_cancel(wave=cancelled, user=admin)
    WaveSchool.unscoped.filter(wave=running).update(status=WaveSchoolStatus.OPEN)
    WaveSchool.unscoped.filter(wave=closed).update(status=WaveSchoolStatus.CLOSED)
    html = admin_client.get(LIST_URL).content.decode()
    states = dict(
        re.findall(
            r'<a href="/barometer/meetmomenten/\d+/">([^<]+)</a>.*?<span class="badge[^"]*">([^<]+)</span>', html, re.S
        )
    )
    assert states == {"Gepland": "Gepland", "Lopend": "Loopt", "Klaar": "Afgerond", "Weg": "Geannuleerd"}
    assert f'href="{NEW_URL}"' in html
    assert "Impact-barometer — versie 1" in html


def test_the_planning_is_reached_from_the_response_page(admin_client):
    assert f'href="{LIST_URL}"' in admin_client.get("/barometer/respons/").content.decode()


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", [Role.LERAAR, Role.SCHOOLCOACH, Role.SCHOOLLEIDER, Role.EXPERTCOACH, Role.VERANDERCOACH, Role.BESTUURDER]
)
def test_only_admins_plan_waves_and_send_reminders(client, world, planned, role):
    """The national pages (Capability.NATIONAL_VIEW, platform level): the middleware's 404 for
    everyone else, as on the national overview."""
    client.force_login(world.users[role])
    wave_url = f"{LIST_URL}{planned.pk}/"
    moment = WaveSchool.unscoped.filter(wave=planned).first()
    for url in (LIST_URL, NEW_URL, wave_url):
        assert client.get(url).status_code == 404, url
        assert client.get(url, **HTMX).status_code == 404, url
    for url, data in (
        (NEW_URL, {}),
        (wave_url, {}),
        (wave_url + "annuleren/", {}),
        (REMIND_URL, {"moment": moment.pk}),
    ):
        assert client.post(url, data).status_code == 404, url
    planned.refresh_from_db()
    assert planned.cancelled_at is None


def test_missing_waves_and_moments_are_404_for_an_admin(admin_client):
    assert admin_client.get(f"{LIST_URL}999999/").status_code == 404
    assert admin_client.post(f"{LIST_URL}999999/annuleren/").status_code == 404
    assert admin_client.post(REMIND_URL, {"moment": "999999"}).status_code == 404
    assert admin_client.post(REMIND_URL, {"moment": "abc"}).status_code == 404


# --- Herinnering nu versturen ------------------------------------------------------------------


class OpenMoment:
    """An open moment of the home school with four invited teachers, one of whom answered."""

    def __init__(self, world, version, *, now):
        wave = Wave.objects.create(
            version=version, name="Lopend", timing=WaveTiming.FIXED, fixed_date=now.date() - dt.timedelta(days=2)
        )
        self.wave_school = WaveSchool.unscoped.create(
            school=world.home,
            wave=wave,
            opens_on=now.date() - dt.timedelta(days=2),
            opens_at=now - dt.timedelta(days=2),
            closes_at=now + dt.timedelta(days=19),
            status=WaveSchoolStatus.OPEN,
            opened_at=now - dt.timedelta(days=2),
        )
        self.people = [UserFactory(first_name=name) for name in ("Ann", "Bob", "Cas", "Dee")]
        self.invitations = [
            Invitation.unscoped.create(
                school=world.home,
                wave_school=self.wave_school,
                wave=wave,
                user=person,
                nonce=secrets.token_hex(32),
                token_digest=secrets.token_hex(32),
                answered_at=now - dt.timedelta(days=1) if person.first_name == "Dee" else None,
            )
            for person in self.people
        ]

    def manual(self):
        return InvitationEmail.unscoped.filter(invitation__wave_school=self.wave_school, kind=EmailKind.MANUAL)


NOON = dt.datetime(2026, 12, 7, 11, 0, tzinfo=dt.UTC)  # Monday 12:00 in Amsterdam


@pytest.fixture
def open_moment(world, version):
    return OpenMoment(world, version, now=NOON)


def test_reminding_now_sends_once_per_person_per_day_and_never_to_who_answered(
    open_moment, all_schools, django_capture_on_commit_callbacks, mailoutbox
):
    ws = open_moment.wave_school
    with django_capture_on_commit_callbacks(execute=True):
        first = services.wave_school_remind_now(wave_school_id=ws.pk, now=NOON)
    assert (first.sent, first.unanswered) == (3, 3)
    # Through the outbox: one message per person, marked SENT, relayed after the commit.
    messages = OutboxMessage.objects.filter(email__invitation__wave_school=ws).order_by("to")
    assert sorted(m.to for m in messages) == sorted(p.email for p in open_moment.people[:3])
    assert all(m.relayed_at is not None for m in messages)
    assert set(open_moment.manual().values_list("status", "day")) == {(EmailStatus.SENT, dt.date(2026, 12, 7))}
    assert sorted(m.to[0] for m in mailoutbox) == sorted(p.email for p in open_moment.people[:3])
    assert mailoutbox[0].subject.startswith("Herinnering: ")
    assert mailoutbox[0].extra_headers["Message-ID"].endswith("-manual-20261207@leerkracht>")
    assert "/barometer/antwoorden/" in mailoutbox[0].body, "the relay put the personal link in"

    # A double click, the same day (even late in the evening): nothing more.
    for later in (NOON + dt.timedelta(seconds=1), NOON + dt.timedelta(hours=10, minutes=59)):
        with django_capture_on_commit_callbacks(execute=True):
            again = services.wave_school_remind_now(wave_school_id=ws.pk, now=later)
        assert (again.sent, again.unanswered) == (0, 3)
    assert len(mailoutbox) == 3 and open_moment.manual().count() == 3

    # The next Amsterdam day (23:00 UTC is already Tuesday there): again, but not to who answered since.
    Invitation.unscoped.filter(pk=open_moment.invitations[0].pk).update(answered_at=NOON + dt.timedelta(hours=2))
    tuesday = dt.datetime(2026, 12, 7, 23, 0, tzinfo=dt.UTC)
    with django_capture_on_commit_callbacks(execute=True):
        next_day = services.wave_school_remind_now(wave_school_id=ws.pk, now=tuesday)
    assert (next_day.sent, next_day.unanswered) == (2, 2)
    assert len(mailoutbox) == 5
    assert [m.to[0] for m in mailoutbox].count(open_moment.people[3].email) == 0, "who answered is never reminded"
    assert open_moment.manual().filter(day=dt.date(2026, 12, 8)).count() == 2
    assert not InvitationEmail.unscoped.filter(status=EmailStatus.PENDING).exists()


def test_reminding_now_leaves_the_scheduled_reminder_alone(
    open_moment, all_schools, django_capture_on_commit_callbacks, mailoutbox
):
    ws = open_moment.wave_school
    with django_capture_on_commit_callbacks(execute=True):
        services.wave_school_remind_now(wave_school_id=ws.pk, now=NOON)
    assert not InvitationEmail.unscoped.filter(invitation__wave_school=ws, kind=EmailKind.REMINDER).exists()
    with django_capture_on_commit_callbacks(execute=True):
        waves.wave_school_remind(school_id=ws.school_id, wave_school_id=ws.pk)
    reminders = InvitationEmail.unscoped.filter(invitation__wave_school=ws, kind=EmailKind.REMINDER)
    assert reminders.count() == 3 and len(mailoutbox) == 6


def test_reminding_now_is_refused_for_a_moment_that_is_not_open(open_moment, all_schools):
    ws = open_moment.wave_school
    WaveSchool.unscoped.filter(pk=ws.pk).update(status=WaveSchoolStatus.CLOSED)
    with pytest.raises(ValidationError):
        services.wave_school_remind_now(wave_school_id=ws.pk, now=NOON)
    assert not open_moment.manual().exists()


def test_the_response_page_offers_the_reminder_and_says_what_it_did(
    admin_client, open_moment, django_capture_on_commit_callbacks, mailoutbox
):
    ws = open_moment.wave_school
    html = admin_client.get("/barometer/respons/").content.decode()
    assert f'id="reminder-{ws.pk}"' in html and "Herinnering nu versturen" in html
    assert f'hx-post="{REMIND_URL}"' in html and f'action="{REMIND_URL}"' in html
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(REMIND_URL, {"moment": ws.pk}, **HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200 and fragment.lstrip().startswith(f'<div id="reminder-{ws.pk}">')
    assert "Herinnering verstuurd aan 3 leraren." in fragment and len(mailoutbox) == 3
    with django_capture_on_commit_callbacks(execute=True):
        twice = admin_client.post(REMIND_URL, {"moment": ws.pk}, **HTMX).content.decode()
    assert "kreeg vandaag al een herinnering" in twice and len(mailoutbox) == 3
    # Without JavaScript: back to the overview of the wave, with the message.
    plain = admin_client.post(REMIND_URL, {"moment": ws.pk})
    assert plain.status_code == 302 and plain["Location"] == f"/barometer/respons/?meetmoment={ws.wave_id}"
    assert "kreeg vandaag al een herinnering" in admin_client.get(plain["Location"]).content.decode()
    # A closed moment offers no reminder, and refuses one.
    WaveSchool.unscoped.filter(pk=ws.pk).update(status=WaveSchoolStatus.CLOSED)
    assert "Herinnering nu versturen" not in admin_client.get("/barometer/respons/").content.decode()
    closed = admin_client.post(REMIND_URL, {"moment": ws.pk}, **HTMX)
    assert closed.status_code == 409 and "niet open" in closed.content.decode()


# --- Query counts ------------------------------------------------------------------------------


def grow(version, size: int) -> Wave:
    """`size` more PO schools (started a month ago) with two teams of three teachers, and a
    planned wave for them all."""
    start = today() - dt.timedelta(days=30)
    for _ in range(size):
        school = SchoolFactory(sector=Sector.PO, phase=Phase.YEAR_1, start_date=start)
        for _team in range(2):
            team = TeamFactory(school=school)
            for _ in range(3):
                team_membership_add(user=UserFactory(), team=team)
    with tenancy.scope(school_ids=tenancy.ALL):
        return services.wave_create(settings=settings_for(version, name=f"Meting {size}"), user=None)


# Session and user, then: the list's one query; the plan page's versions and regions (the form's
# choices); the preview's schools and teachers; a wave's page: the wave with its counts, whether
# it may change, its regions and listed schools, then the preview (two) and the form's choices (two).
@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        (LIST_URL, {}, 3),
        (NEW_URL, {}, 4),
        (NEW_URL + "?timing=fixed&fixed_date={opens}&selection=kenmerken&sectors=po", HTMX, 4),
        (NEW_URL + "?timing=relative&months_after_start=6&selection=kenmerken", HTMX, 4),
        ("{wave}", {}, 10),
    ],
)
def test_query_counts_are_fixed_whatever_the_schools_and_teachers(
    admin_client, world, version, django_assert_num_queries, url, headers, expected
):
    opens = (today() + dt.timedelta(days=30)).isoformat()
    for size in (2, 9):
        wave = grow(version, size)
        for cache in caches.all():
            cache.clear()
        with django_assert_num_queries(expected):
            response = admin_client.get(url.format(opens=opens, wave=f"{LIST_URL}{wave.pk}/"), **headers)
        assert response.status_code == 200


@pytest.mark.pins_queries("barometer:reminder_send")
def test_the_reminder_query_count_is_fixed_whatever_the_teachers(
    admin_client, world, version, django_assert_num_queries, django_capture_on_commit_callbacks
):
    for size in (3, 12):
        moment = OpenMoment(world, version, now=timezone.now())
        for _ in range(size):
            Invitation.unscoped.create(
                school=world.home,
                wave_school=moment.wave_school,
                wave=moment.wave_school.wave,
                user=UserFactory(),
                nonce=secrets.token_hex(32),
                token_digest=secrets.token_hex(32),
            )
        # Session, user; the moment; then in one transaction (a savepoint in the test): the open
        # moment with its wave, who has not answered, the claim, the claimed e-mails with their
        # people, the outbox rows, SENT. (A clean-up delete only when someone answered meanwhile.)
        with django_assert_num_queries(11):
            response = admin_client.post(REMIND_URL, {"moment": moment.wave_school.pk}, **HTMX)
        assert response.status_code == 200
        assert f"aan {size + 3} leraren" in response.content.decode()


@pytest.mark.pins_queries("barometer:wave_cancel")
def test_cancelling_a_wave_costs_a_fixed_number_of_queries(admin_client, planned, django_assert_num_queries):
    with django_assert_num_queries(10):
        response = admin_client.post(f"{LIST_URL}{planned.pk}/annuleren/")
    assert response.status_code == 302
