"""The lesson-visit reminder on a real Celery worker and beat, against the real Redis broker and
PostgreSQL (issue 13, "What must hold": one e-mail when a worker is killed between sending and
marking).

The worker is SIGKILLed right after the mail server took the first reminder (the capturing
backend waits after each message, and the kill lands in that wait): before the send was marked.
The daily sweep then comes again (as a broker redelivers a task whose worker died). The reminder
was written to the outbox and marked SENT in one transaction, and the relay claimed the message
before sending it, so nothing sends it twice: the claim's lease has not run out.

Before the outbox the reminder was sent inside the transaction that marked it SENT: the kill
rolled the mark back and the sweep sent it again (two e-mails to the visitor; this test failed).
Needs PostgreSQL and Redis (skipped without them, never in CI's PostgreSQL run)."""

from __future__ import annotations

from collections import Counter

from instruments.models import LessonVisitReminder, ReminderStatus
from instruments.tests.test_lesson_visit import at, schedule
from leerkracht.models import OutboxMessage
from leerkracht.roles import Role
from leerkracht.tests.live.fixtures import live, producer  # noqa: F401 - fixtures
from leerkracht.tests.live.mail import read_messages
from leerkracht.tests.live.processes import wait_for
from schools.services import team_membership_add
from schools.tests.factories import SchoolFactory, SchoolMembershipFactory, TeamFactory, UserFactory

TIMEOUT = 60
SWEEP = "instruments.tasks.lesson_visit_reminders_due"
REMIND = "instruments.tasks.lesson_visit_remind"
RELAY = "leerkracht.tasks.outbox_relay"


def delivered_to(cluster) -> Counter:
    return Counter(str(message["To"]).strip() for _name, message in read_messages(cluster.mail_dir))


def test_a_worker_killed_after_sending_a_reminder_and_before_marking_it_sends_one_email(live, producer):  # noqa: F811
    # The mail server waits 3 s after taking each message: the kill lands in that wait.
    live.env.update(LIVE_MAIL_DELAY_AFTER="3")
    live.start()
    school = SchoolFactory()
    team = TeamFactory(school=school)
    coach = SchoolMembershipFactory(school=school, role=Role.SCHOOLCOACH).user
    jan = team_membership_add(user=UserFactory(first_name="Jan"), team=team).user
    fatma = team_membership_add(user=UserFactory(first_name="Fatma"), team=team).user
    visit = schedule(by=coach, visitor=jan, visited=fatma, starts_at=at(1, 9))
    live.start_worker(pool="solo")
    producer.send_task(SWEEP)

    wait_for(lambda: sum(delivered_to(live).values()) >= 1, timeout=TIMEOUT, what="the first reminder delivered")
    live.kill_worker()
    at_kill = delivered_to(live)
    assert at_kill == Counter({jan.email: 1}), f"killed right after the visitor's reminder was taken: {at_kill}"

    live.start_worker(pool="solo")
    producer.send_task(SWEEP)  # the sweep again, as the broker redelivers a task whose worker died
    reminders = LessonVisitReminder.objects.filter(visit=visit)
    wait_for(
        lambda: (
            delivered_to(live).keys() == {jan.email, fatma.email}
            and set(reminders.values_list("status", flat=True)) == {ReminderStatus.SENT}
            and reminders.count() == 2
        ),
        timeout=TIMEOUT,
        what="both reminders marked and delivered",
    )
    # The restarted worker ran the sweep's reminder task, and the outbox's sweep three times after.
    restarted = live.worker_name
    wait_for(lambda: live.succeeded(REMIND, worker=restarted), timeout=TIMEOUT, what="the reminder task to run again")
    relays_before = len(live.succeeded(RELAY))
    wait_for(lambda: len(live.succeeded(RELAY)) >= relays_before + 3, timeout=TIMEOUT, what="three outbox sweeps")

    assert delivered_to(live) == Counter({jan.email: 1, fatma.email: 1}), "one e-mail each"
    # The visitor's message: claimed and sent, never confirmed (the kill), and not sent again
    # while its claim's lease lasts. Its Message-ID is the delivered one.
    to_jan = OutboxMessage.objects.get(to=jan.email, kind="lesson_visit_reminder")
    assert to_jan.claimed_at is not None and to_jan.relayed_at is None and to_jan.attempts == 1
    ((_name, delivered),) = [item for item in read_messages(live.mail_dir) if str(item[1]["To"]) == jan.email]
    assert str(delivered["Message-ID"]).strip() == to_jan.message_id
    assert OutboxMessage.objects.get(to=fatma.email).relayed_at is not None
