"""The barometer on a real Celery worker and beat, against the real Redis broker and PostgreSQL
(issue 5, "What must hold" 1 and 2).

Beat and the workers are real `celery -A leerkracht` processes (`barometer/tests/live/`) with
their own settings: not eager, the test's Redis as broker, a barometer tick every second, every
e-mail captured as a file. They use the real clock, so to let days pass the test moves the
school's moment back in the database rather than faking time. The worker must see the test's
committed rows in the test database, hence `transactional_db`. Run with `-s` to see the figures
each test prints (steps timed; where each kill landed; duplicate deliveries).

These need PostgreSQL (DATABASE_URL) and Redis (REDIS_URL). Without them they skip with the
reason; in CI's run on PostgreSQL (CI set) they fail instead, never skip.
"""

from __future__ import annotations

import datetime as dt
import importlib
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import pytest
from celery import Celery
from django.apps import apps as django_apps
from django.conf import settings
from django.db.models import F
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from barometer.models import (
    Answer,
    EmailKind,
    EmailStatus,
    Invitation,
    InvitationEmail,
    PendingResponse,
    Question,
    QuestionnaireVersion,
    Response,
    WaveSchool,
    WaveSchoolStatus,
)
from barometer.services import waves
from barometer.tests.factories import WaveFactory
from barometer.tests.live.answering import answer_questionnaire
from barometer.tests.live.mail import Captured, raw_duplicates, read_captured
from barometer.tests.live.processes import LiveCelery, wait_for
from leerkracht import clock
from leerkracht.models import OutboxMessage
from leerkracht.roles import Role
from leerkracht.tests.live.fixtures import live_cluster
from schools.models import Phase
from schools.services import team_membership_add
from schools.tests.factories import SchoolFactory, SchoolMembershipFactory, TeamFactory, UserFactory

TIMEOUT = 60  # seconds for any one thing the worker must do; the whole test takes far less


@pytest.fixture
def reship(django_db_blocker):
    """After the flush that empties a committed test's rows, put back what data migrations load
    and other tests read. Set up before `transactional_db`, so torn down after its flush."""
    yield
    with django_db_blocker.unblock():
        importlib.import_module("barometer.migrations.0002_shipped_questionnaires").ship(django_apps, None)
        importlib.import_module("schools.migrations.0002_regions").add_regions(django_apps, schema_editor=None)


@pytest.fixture
def live(request, reship, transactional_db, tmp_path):
    """A worker and beat of this test (started by the test), always ended before the database is
    flushed; their logs are printed when the test failed."""
    with live_cluster(request, tmp_path, LiveCelery) as cluster:
        yield cluster


# --- Set-up, as production builds it ----------------------------------------------------------


def shipped_version() -> QuestionnaireVersion:
    # The flush of an earlier committed test may have removed the shipped questionnaires.
    importlib.import_module("barometer.migrations.0002_shipped_questionnaires").ship(django_apps, None)
    return QuestionnaireVersion.objects.get(questionnaire__slug="impact-barometer", number=1)


@dataclass
class Staff:
    school: object
    teams: dict  # team name -> [teacher]
    leader: object

    @property
    def teachers(self) -> list:
        return [teacher for members in self.teams.values() for teacher in members]


def staff(*, teams: int, per_team: int) -> Staff:
    """A school in its first year with `teams` teams of `per_team` teachers and a school leader
    (who is not asked: no team)."""
    school = SchoolFactory(phase=Phase.YEAR_1, start_date=dt.date(2025, 9, 1))
    members = {}
    for index in range(teams):
        team = TeamFactory(school=school, name=f"Team {'ABCDEFGH'[index]}")
        members[team.name] = [team_membership_add(user=UserFactory(), team=team).user for _n in range(per_team)]
    leader = SchoolMembershipFactory(school=school, role=Role.SCHOOLLEIDER).user
    return Staff(school=school, teams=members, leader=leader)


def wave_due_in(school, *, seconds: int):
    """A wave of the shipped impact barometer on today's date at an Amsterdam time `seconds` from
    now, planned for the school through `wave_plan`: beat opens it, not the test."""
    moment = (timezone.now() + dt.timedelta(seconds=seconds)).astimezone(clock.AMSTERDAM).replace(microsecond=0)
    wave = WaveFactory(
        version=shipped_version(),
        name="Zes maanden na de start",
        fixed_date=moment.date(),
        open_time=moment.time(),
        answer_days=21,
        reminder_days=7,
    )
    assert waves.wave_plan(wave=wave, school_ids=[school.pk]) == 1
    wave_school = WaveSchool.unscoped.get(wave=wave, school=school)
    assert wave_school.status == WaveSchoolStatus.PLANNED
    return wave, wave_school


def import_the_urlconf() -> None:
    """Import the whole URLconf now, beside the workers' own imports, rather than in the middle of
    the test at the test client's first request (it imports the charts and pandas: seconds)."""
    reverse("barometer_answers:my_invitations")


def days_pass(wave_school, *, days: int) -> None:
    """Move the school's moment `days` back: for the worker (real clock) that many days passed."""
    WaveSchool.unscoped.filter(pk=wave_school.pk).update(
        opens_at=F("opens_at") - dt.timedelta(days=days), closes_at=F("closes_at") - dt.timedelta(days=days)
    )


def deadline_passes(wave_school) -> None:
    WaveSchool.unscoped.filter(pk=wave_school.pk).update(closes_at=timezone.now() - dt.timedelta(seconds=1))


def captured_of(live, kind: str) -> list[Captured]:
    return [item for item in read_captured(live.mail_dir) if item.kind == kind]


def all_relayed(wave, kind: str, count: int) -> bool:
    """`count` e-mails of the kind written to the outbox, and every one handed to the mail server."""
    outbox = OutboxMessage.objects.filter(email__invitation__wave=wave, email__kind=kind)
    return outbox.count() == count and not outbox.filter(relayed_at__isnull=True).exists()


def assert_each_email_once(live, wave, *, kind: str, recipients: set[str]) -> int:
    """Exactly one e-mail of `kind` to each of `recipients` and to nobody else, at every layer:
    one InvitationEmail SENT per invitation, one relayed outbox message each, and in the captured
    mail one distinct Message-ID per recipient (the outbox's). Returns the raw duplicate
    deliveries (a Message-ID handed over more than once)."""
    emails = InvitationEmail.unscoped.filter(invitation__wave=wave, kind=kind)
    assert sorted(emails.values_list("invitation__user__email", flat=True)) == sorted(recipients)
    assert set(emails.values_list("status", flat=True)) == {EmailStatus.SENT}
    assert max(Counter(emails.values_list("invitation_id", flat=True)).values()) == 1
    outbox = OutboxMessage.objects.filter(email__invitation__wave=wave, email__kind=kind)
    assert outbox.count() == len(recipients)
    assert not outbox.filter(relayed_at__isnull=True).exists(), "every outbox message is relayed"
    expected_ids = dict(outbox.values_list("to", "message_id"))

    captured = captured_of(live, kind)
    ids_per_recipient: dict[str, set[str]] = defaultdict(set)
    for item in captured:
        ids_per_recipient[item.to].add(item.message_id)
    assert set(ids_per_recipient) == recipients, "the captured mail reached exactly these people"
    assert {to: ids for to, ids in ids_per_recipient.items() if len(ids) != 1} == {}, "one Message-ID each"
    assert {to: next(iter(ids)) for to, ids in ids_per_recipient.items()} == expected_ids
    return raw_duplicates(captured)


# --- 1. A wave from beat to results ----------------------------------------------------------


class Laps:
    """Seconds since the start of a test at each named step, printed at its end (pytest -s)."""

    def __init__(self):
        self.started = time.monotonic()
        self.steps: list[str] = []

    def __call__(self, step: str) -> None:
        self.steps.append(f"{step} {time.monotonic() - self.started:.1f}s")

    def __str__(self) -> str:
        return ", ".join(self.steps)


def test_a_wave_runs_end_to_end_on_a_real_worker_and_beat(live):
    """Beat opens the wave at its moment (also with the tick delivered three times at once), the
    worker invites the 12 teachers by e-mail, 7 answer from their links, the 5 others get one
    reminder, the wave closes at its deadline, and the school's results show the answers."""
    lap = Laps()
    # Beat and the zygote that forks the workers import the platform while the test seeds.
    live.start()
    import_the_urlconf()
    people = staff(teams=2, per_team=6)
    teachers = {teacher.email: teacher for teacher in people.teachers}
    wave, wave_school = wave_due_in(people.school, seconds=6)
    # A beat tick delivered twice: two more ticks due at the very moment the wave opens, run by
    # the two pool processes at once, beside beat's own ticks.
    # Not the current app: the rest of the suite's tasks must stay eager in this process.
    producer = Celery("live-producer", broker=settings.REDIS_URL, set_as_current=False)
    for _n in range(2):
        producer.send_task("barometer.tasks.barometer_tick", eta=wave_school.opens_at)
    producer.close()
    lap("seeded")
    live.start_worker(pool="prefork", concurrency=2)
    lap("worker ready")

    # The wave opens and every teacher gets one invitation by e-mail.
    wait_for(lambda: all_relayed(wave, EmailKind.INVITE, 12), timeout=TIMEOUT, what="12 relayed invitations")
    wait_for(lambda: len(captured_of(live, EmailKind.INVITE)) >= 12, timeout=TIMEOUT, what="12 invite mails")
    wave_school.refresh_from_db()
    assert wave_school.status == WaveSchoolStatus.OPEN and wave_school.opened_at >= wave_school.opens_at
    assert Invitation.unscoped.filter(wave=wave).count() == 12
    assert assert_each_email_once(live, wave, kind=EmailKind.INVITE, recipients=set(teachers)) == 0
    ticks = wait_for(lambda: len(live.tick_results()) >= 3 and live.tick_results(), timeout=TIMEOUT, what="3 ticks")
    assert sum(tick["opened"] for tick in ticks) == 1, f"opened once over {len(ticks)} ticks: {ticks}"
    lap("invited")

    # Seven teachers answer from the link in their e-mail, in the browser, like a person.
    links = {item.to: item.answer_path for item in captured_of(live, EmailKind.INVITE)}
    team_a, team_b = people.teams["Team A"], people.teams["Team B"]
    answering = team_a[:4] + team_b[:3]
    questions = list(Question.objects.filter(version=wave.version))
    first = questions[0]
    given_first = []
    for number, teacher in enumerate(answering):
        page, posted = answer_questionnaire(
            links[teacher.email],
            choose=lambda name, options, number=number: options[(number + len(name)) % len(options)],
            text="Fijn dat we elke week bij het bord staan.",
        )
        assert set(page.choices) | set(page.texts) == {f"q{question.pk}" for question in questions}
        given_first.append(int(posted[f"q{first.pk}"]))
    answered = Invitation.unscoped.filter(wave=wave, answered_at__isnull=False)
    assert set(answered.values_list("user__email", flat=True)) == {teacher.email for teacher in answering}

    lap("answered")

    # A week passes: the five who did not answer get one reminder, the seven do not.
    days_pass(wave_school, days=wave.reminder_days + 1)
    silent = set(teachers) - {teacher.email for teacher in answering}
    wait_for(lambda: all_relayed(wave, EmailKind.REMINDER, 5), timeout=TIMEOUT, what="5 relayed reminders")
    wait_for(lambda: len(captured_of(live, EmailKind.REMINDER)) >= 5, timeout=TIMEOUT, what="5 reminder mails")
    assert assert_each_email_once(live, wave, kind=EmailKind.REMINDER, recipients=silent) == 0

    lap("reminded")

    # The deadline passes: the wave closes, once.
    deadline_passes(wave_school)
    wait_for(
        lambda: WaveSchool.unscoped.filter(pk=wave_school.pk, status=WaveSchoolStatus.CLOSED).exists(),
        timeout=TIMEOUT,
        what="the wave to close",
    )
    ticks = wait_for(
        lambda: sum(tick["closed"] for tick in live.tick_results()) and live.tick_results(),
        timeout=TIMEOUT,
        what="the closing tick's report",
    )
    assert [sum(tick[key] for tick in ticks) for key in ("opened", "reminded", "closed")] == [1, 1, 1]
    assert len(captured_of(live, EmailKind.REMINDER)) == 5, "no reminder after the first five"
    assert len(captured_of(live, EmailKind.INVITE)) == 12
    lap("closed")
    print(f"\nend-to-end on a real worker and beat, {len(ticks)} ticks: {lap}")

    # Results appear: the close moved the seven pooled answers (a task of its own) into seven
    # anonymous responses with every answer, and the school's results page shows them.
    wait_for(
        lambda: not PendingResponse.unscoped.filter(wave=wave).exists(),
        timeout=TIMEOUT,
        what="the pooled answers to be moved",
    )
    assert Response.unscoped.filter(wave=wave, school=people.school).count() == 7
    answers = Answer.unscoped.filter(wave=wave, school=people.school)
    assert answers.count() == 7 * len(questions)
    assert sorted(answers.filter(question=first).values_list("value", flat=True)) == sorted(given_first)
    client = Client()
    client.force_login(people.leader)
    try:
        url = reverse("barometer:school_results", kwargs={"school_id": people.school.pk}) + f"?meetmoment={wave.pk}"
    except NoReverseMatch:
        pytest.fail("barometer:school_results does not exist (yet): the school's results page is missing")
    page = client.get(url)
    assert page.status_code == 200
    assert first.text in page.content.decode()
    lap("results")
    print(f"and the school's results page: {lap}")


# --- 2. SIGKILL in the middle of sending -----------------------------------------------------


@dataclass(frozen=True)
class AtKill:
    """Where one kind of e-mail stood the moment the worker was killed."""

    written: int  # InvitationEmails SENT, i.e. written to the outbox
    relayed: int  # outbox rows stamped as handed to the mail server
    captured: int  # deliveries the mail server got
    running: list[str]  # tasks the worker had received and never finished

    def __str__(self) -> str:
        return f"written {self.written}, relayed {self.relayed}, delivered {self.captured}, running {self.running}"


def kill_while(live, wave, *, kind: str, total: int, step: str, after: int) -> AtKill:
    """SIGKILL the worker in the middle of one step of sending `total` e-mails of `kind`: while it
    writes them to the outbox (`step="write"`, once `after` are written) or while it hands them to
    the mail server (`step="relay"`, once `after` were delivered). Asserts the step was half-way."""
    outbox = OutboxMessage.objects.filter(email__invitation__wave=wave, email__kind=kind)
    if step == "write":
        sent = InvitationEmail.unscoped.filter(invitation__wave=wave, kind=kind, status=EmailStatus.SENT)
        wait_for(lambda: sent.count() >= after, timeout=TIMEOUT, what=f"{after} {kind} e-mails written", interval=0.01)
    else:
        # The relay of the first chunks runs while later chunks are still being written (one solo
        # worker takes both kinds of task from the queue): wait for all of them in the outbox too,
        # so the worker dies in the relay step, not in what is left of the writing.
        delivered = outbox.filter(relayed_at__isnull=False)
        wait_for(
            lambda: outbox.count() >= total and delivered.count() >= after,
            timeout=TIMEOUT,
            what=f"{total} {kind} e-mails written and {after} relayed",
        )
    worker = live.worker_name
    live.kill_worker()
    state = AtKill(
        written=outbox.count(),
        relayed=outbox.filter(relayed_at__isnull=False).count(),
        captured=len(captured_of(live, kind)),
        running=live.unfinished_tasks(worker),
    )
    if step == "write":
        assert 0 < state.written < total, f"the worker was to die half-way through writing, not at {state}"
    else:
        assert state.written == total and 0 < state.relayed < total, f"not half-way through relaying: {state}"
    return state


def test_a_worker_killed_mid_wave_and_restarted_sends_each_email_exactly_once(live):
    """120 teachers, e-mails in chunks of 10 through a slow mail server. The worker is SIGKILLed
    three times and restarted each time: while it writes the invitations to the outbox, while it
    hands them to the mail server, and while it hands over the reminders. Every teacher ends with
    one invitation and one e-mail of each kind (one Message-ID); a message handed over just before
    a kill, and not yet stamped as relayed, is handed over again under the same Message-ID, which
    the test counts."""
    lap = Laps()
    live.env.update(BAROMETER_EMAIL_CHUNK="10", LIVE_MAIL_DELAY_BEFORE="0.03", LIVE_MAIL_DELAY_AFTER="0.03")
    live.start()
    import_the_urlconf()
    people = staff(teams=4, per_team=30)
    teachers = {teacher.email for teacher in people.teachers}
    wave, wave_school = wave_due_in(people.school, seconds=2)
    lap("seeded")
    # Solo pool: the task runs in the worker's own process, so SIGKILL stops it where it is.
    live.start_worker(pool="solo")
    lap("worker ready")

    kills = {"writing invitations": kill_while(live, wave, kind=EmailKind.INVITE, total=120, step="write", after=15)}
    lap("killed")
    live.start_worker(pool="solo")
    kills["relaying invitations"] = kill_while(live, wave, kind=EmailKind.INVITE, total=120, step="relay", after=55)
    lap("killed")
    live.start_worker(pool="solo")
    lap("restarted")
    wait_for(lambda: all_relayed(wave, EmailKind.INVITE, 120), timeout=TIMEOUT, what="120 relayed invitations")
    lap("invited")

    assert Invitation.unscoped.filter(wave=wave).count() == 120
    assert set(Invitation.unscoped.filter(wave=wave).values_list("user__email", flat=True)) == teachers
    invite_duplicates = assert_each_email_once(live, wave, kind=EmailKind.INVITE, recipients=teachers)
    # A duplicate delivery is possible only for the one message in the relay's hands at a kill.
    assert invite_duplicates <= 1, invite_duplicates

    # Twenty answer; a week passes; the worker dies again while the 100 reminders go out.
    links = {item.to: item.answer_path for item in captured_of(live, EmailKind.INVITE)}
    answering = [teacher for members in people.teams.values() for teacher in members[:5]]
    for teacher in answering:
        answer_questionnaire(links[teacher.email], choose=lambda _name, options: options[-1])
    silent = teachers - {teacher.email for teacher in answering}
    lap("answered")
    days_pass(wave_school, days=wave.reminder_days + 1)
    kills["relaying reminders"] = kill_while(live, wave, kind=EmailKind.REMINDER, total=100, step="relay", after=35)
    lap("killed")
    live.start_worker(pool="solo")
    lap("restarted")
    wait_for(lambda: all_relayed(wave, EmailKind.REMINDER, 100), timeout=TIMEOUT, what="100 relayed reminders")
    lap("reminded")

    assert Invitation.unscoped.filter(wave=wave).count() == 120
    reminder_duplicates = assert_each_email_once(live, wave, kind=EmailKind.REMINDER, recipients=silent)
    assert reminder_duplicates <= 1, reminder_duplicates
    assert assert_each_email_once(live, wave, kind=EmailKind.INVITE, recipients=teachers) == invite_duplicates
    # The moment is still open: the twenty answers wait, sealed, in the pool.
    assert PendingResponse.unscoped.filter(wave=wave).count() == 20
    print("\nkilled mid-wave:", "; ".join(f"{step}: {state}" for step, state in kills.items()))
    print(f"raw duplicate deliveries: invitations {invite_duplicates}, reminders {reminder_duplicates}; {lap}")
