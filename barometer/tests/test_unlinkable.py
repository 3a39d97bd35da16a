"""Barometer answers cannot be joined to the teacher behind them, also inside PostgreSQL
(DESIGN.md §5): not by the transaction id (`xmin`), the physical order (`ctid`), the keys, a
time, or any value shared with the invitation other than school, wave, team and version.

Eight teachers of two teams of the home school answer two moments (two waves) through the real
answer page with their e-mail link; a ninth only saves a draft. The moments are then closed by
the real beat tick. The test knows who wrote what (each open answer carries the teacher's number)
and tries every join a copy of the database would offer; none may single out an invitation.

Transactional, so each submit commits in its own transaction and `xmin` is what production has.
Last, the race between a submit and the close, in two threads: a submit that found the moment
open always commits before the close moves the pool, and one that comes after is refused.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import threading
import time

import pytest
from django.apps import apps
from django.db import connection, models, transaction
from django.test import Client

from barometer.models import Answer, Invitation, Question, Response, WaveSchool
from barometer.services import answers as services
from barometer.services.waves import barometer_tick, wave_schools_close_due
from barometer.tests.test_answers import invite, make_version, make_wave_school
from leerkracht.roles import Role
from leerkracht.tenancy import scopes_disabled
from schools.services import team_membership_add
from schools.tests.factories import UserFactory

pytestmark = [
    pytest.mark.postgresql("xmin and ctid are PostgreSQL's own system columns"),
    pytest.mark.django_db(transaction=True),
]

WORD = "Zonnebloemveld"  # in every open answer and in the draft: it must appear nowhere while pooled
TEACHERS_PER_TEAM = 4


@dataclasses.dataclass
class Answered:
    moments: list[WaveSchool]
    # Per moment: the teachers' numbers in the order they submitted.
    order: dict[int, list[int]]
    teams: dict[int, int]  # teacher number -> team id
    open_question: dict[int, int]  # moment -> its version's open question id
    closes_at: dt.datetime


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def post_data(version, number: int) -> dict[str, str]:
    """A complete form whose open answer says whose it is (only the test knows how to read it)."""
    data = {}
    for question in Question.objects.filter(version=version):
        if question.kind == "open":
            data[f"q{question.pk}"] = f"{WORD} {number}" if question.required else ""
        else:
            data[f"q{question.pk}"] = str(question.options[number % len(question.options)][0])
    return data


def _world():
    from leerkracht.tests.world import build_world

    # The flush ending each transactional test removes the regions a data migration loads.
    importlib.import_module("schools.migrations.0002_regions").add_regions(apps, schema_editor=None)
    return build_world()


@pytest.fixture
def answered(transactional_db) -> Answered:
    world = _world()
    teams = [world.home_team, world.other_home_team]
    teachers = [
        team_membership_add(user=UserFactory(), team=team).user for team in teams for _ in range(TEACHERS_PER_TEAM)
    ]
    moments = [make_wave_school(world.home, make_version()) for _ in range(2)]
    order, open_question = {}, {}
    for index, moment in enumerate(moments):
        version = moment.wave.version
        open_question[moment.pk] = Question.objects.get(version=version, code="belangrijkste").pk
        links = {}
        for number, teacher in enumerate(teachers):
            _invitation, token = invite(moment, teacher, team=teams[number // TEACHERS_PER_TEAM])
            links[number] = f"/barometer/antwoorden/{token}/"
        # Each moment in its own order of answering: teams mixed, not in the order of invitation.
        order[moment.pk] = [3, 5, 0, 6, 1, 7, 2, 4] if index == 0 else [6, 2, 7, 1, 4, 0, 5, 3]
        for number in order[moment.pk]:
            response = Client().post(links[number], post_data(version, number))
            assert response.status_code == 302, response.content.decode()
    # A ninth teacher saves a draft and never submits.
    late = team_membership_add(user=UserFactory(), team=teams[1]).user
    _invitation, token = invite(moments[0], late, team=teams[1])
    saved = Client().post(
        f"/barometer/antwoorden/{token}/",
        {"actie": "opslaan", **{k: v for k, v in post_data(moments[0].wave.version, 99).items() if v}},
    )
    assert saved.status_code == 200
    return Answered(
        moments=moments,
        order=order,
        teams={number: teams[number // TEACHERS_PER_TEAM].pk for number in range(len(teachers))},
        open_question=open_question,
        closes_at=moments[0].closes_at,
    )


def close(answered: Answered) -> None:
    """The deadline passes and the real beat tick closes both moments (its tasks run eagerly)."""
    result = barometer_tick(now=answered.closes_at + dt.timedelta(minutes=1))
    assert sorted(result.closed) == sorted(moment.pk for moment in answered.moments)


def whose(answered: Answered, moment: WaveSchool) -> dict[str, int]:
    """The test's own knowledge: response id -> the number of the teacher who wrote it."""
    texts = Answer.objects.filter(question_id=answered.open_question[moment.pk]).values_list("response_id", "text")
    return {str(response_id): int(text.removeprefix(f"{WORD} ")) for response_id, text in texts}


def responses_of(moment: WaveSchool, *, order: str = "ctid") -> list[tuple]:
    """(id, xmin) of the moment's responses, in `order` (fixed SQL of this test)."""
    return sql(
        f"SELECT id::text, xmin::text::bigint FROM {table(Response)} WHERE wave_id = %s AND school_id = %s "  # noqa: S608
        f"ORDER BY {order}",
        [moment.wave_id, moment.school_id],
    )


def invitation_xids(moment: WaveSchool) -> dict[int, int]:
    rows = sql(
        f"SELECT id, xmin::text::bigint FROM {table(Invitation)} WHERE wave_school_id = %s AND answered_at IS NOT NULL",  # noqa: S608
        [moment.pk],
    )
    return dict(rows)


# --- Transaction ids --------------------------------------------------------------------------


def test_every_answer_of_a_moment_has_one_transaction_id_that_no_invitation_has(answered):
    """All responses and answers of a school's moment were written by one transaction (the
    close's), which marked nobody as answered: equality maps nothing, and ordering or adjacency
    of transaction ids points every response at the same invitation, i.e. at none in particular."""
    close(answered)
    for moment in answered.moments:
        responses = responses_of(moment)
        invitations = invitation_xids(moment)
        assert len(responses) == len(invitations) == 2 * TEACHERS_PER_TEAM
        xids = {xid for _pk, xid in responses}
        assert len(xids) == 1, f"the responses were written by {len(xids)} transactions: {sorted(xids)}"
        (xid,) = xids
        answer_xids = sql(
            f"SELECT DISTINCT xmin::text::bigint FROM {table(Answer)} WHERE wave_id = %s AND school_id = %s",  # noqa: S608
            [moment.wave_id, moment.school_id],
        )
        assert answer_xids == [(xid,)], "the answers share the responses' one transaction"
        assert xid not in set(invitations.values()), "no invitation was marked in the transaction of the answers"
        assert xid > max(invitations.values()), "written after everyone answered, not between them"
        nearest = {min(invitations, key=lambda pk, x=x: (abs(invitations[pk] - x), pk)) for _pk, x in responses}
        assert len(nearest) == 1, "the nearest transaction id is the same invitation for every response"


# --- Physical order, keys, creation order -------------------------------------------------------


def _follows(seen: list[int], submitted: list[int]) -> bool:
    return seen in (submitted, submitted[::-1])


def test_neither_physical_order_nor_key_order_follows_the_order_of_answering(answered):
    """Per moment, the responses read in physical order (ctid), the open answers in physical
    order and the responses in key order give a sequence of teachers; a sequence that is the order
    of answering (or its reverse) would name everyone. Each is a random order, so the assertion
    is over both moments: a fair shuffle gives the order of answering (or its reverse) in both by
    chance with a probability of (2/8!)² ≈ 2.5e-9."""
    close(answered)
    follows: dict[str, list[bool]] = {"responses by ctid": [], "answers by ctid": [], "responses by key": []}
    for moment in answered.moments:
        submitted, owner = answered.order[moment.pk], whose(answered, moment)
        follows["responses by ctid"].append(_follows([owner[pk] for pk, _x in responses_of(moment)], submitted))
        follows["responses by key"].append(
            _follows([owner[pk] for pk, _x in responses_of(moment, order="id")], submitted)
        )
        answers = sql(
            f"SELECT response_id::text FROM {table(Answer)} WHERE question_id = %s ORDER BY ctid",  # noqa: S608
            [answered.open_question[moment.pk]],
        )
        follows["answers by ctid"].append(_follows([owner[pk] for (pk,) in answers], submitted))
    assert {name: all(moment) for name, moment in follows.items()} == dict.fromkeys(follows, False), follows


def test_responses_and_answers_have_no_sequence_and_no_time(answered):
    """No serial key and no sequence owned by the answer tables, and no date or time column: there
    is no creation order to read."""
    close(answered)
    for model in (Response, Answer):
        owned = sql(
            "SELECT s.relname FROM pg_class s JOIN pg_depend d ON d.objid = s.oid "
            "WHERE s.relkind = 'S' AND d.refobjid = %s::regclass",
            [model._meta.db_table],
        )
        assert owned == [], model
        for field in model._meta.concrete_fields:
            assert not isinstance(field, models.DateField | models.TimeField | models.DurationField), field
            assert not isinstance(field, models.AutoField | models.BigAutoField), field


# --- Shared values ----------------------------------------------------------------------------


SHARED = {"school_id", "wave_id", "team_id", "version_id"}


def test_no_value_joins_an_answer_to_an_invitation_but_school_wave_team_and_version(answered):
    """The columns of the answer tables are exactly these; none but school, wave, team and version
    holds a value any invitation holds, and those four narrow a response down to the teachers of
    its team who answered, never to one."""
    close(answered)
    assert [f.column for f in Response._meta.concrete_fields] == ["id", "school_id", "team_id", "wave_id", "version_id"]
    assert [f.column for f in Answer._meta.concrete_fields] == [
        "id", "school_id", "team_id", "wave_id", "response_id", "question_id", "value", "text",
    ]  # fmt: skip
    invitations = list(Invitation.objects.filter(wave_school__in=answered.moments).values())
    theirs = {str(value) for row in invitations for column, value in row.items() if value not in (None, "")}
    rows = list(Response.objects.values()) + list(Answer.objects.values())
    for row in rows:
        for column, value in row.items():
            if column in SHARED or column in ("value", "question_id"):  # what was answered, to which question
                continue
            assert str(value) not in theirs, (column, value)
    answered_invitations = [row for row in invitations if row["answered_at"] is not None]
    assert len({row["answered_at"] for row in answered_invitations}) == 1, "answered: the day only, the same for all"
    for response in Response.objects.values(*SHARED):
        alike = [
            row
            for row in answered_invitations
            if all(row[column] == response[column] for column in SHARED - {"version_id"})
        ]
        assert len(alike) == TEACHERS_PER_TEAM, response


# --- The pool ---------------------------------------------------------------------------------


def test_pooled_answers_are_sealed_until_the_close_and_then_moved_out(answered):
    """While the moments are open, no row of any barometer table holds an answer in plain text:
    the submitted ones wait sealed in the pool, the saved draft is sealed with its link. At the
    close the pool is emptied into the answer tables."""
    pool = apps.get_model("barometer", "PendingResponse")
    assert pool.objects.count() == 2 * 2 * TEACHERS_PER_TEAM
    like = f"%{WORD.lower()}%"
    for model in (pool, Response, Answer, Invitation):
        found = sql(f"SELECT count(*) FROM {table(model)} t WHERE lower(t::text) LIKE %s", [like])  # noqa: S608
        assert found == [(0,)], f"{model.__name__} holds an answer in plain text while the moment is open"
    assert not Response.objects.exists() and not Answer.objects.exists()

    close(answered)
    assert not pool.objects.exists(), "the close moves the whole pool"
    assert Response.objects.count() == 2 * 2 * TEACHERS_PER_TEAM
    written = sql(f"SELECT count(*) FROM {table(Answer)} t WHERE t.text LIKE %s", [f"{WORD} %"])  # noqa: S608
    assert written == [(2 * 2 * TEACHERS_PER_TEAM,)]
    assert Invitation.objects.exclude(draft_sealed="").count() == 0, "the unsent draft is gone with the close"


# --- A submit and the close at the same moment --------------------------------------------------


@dataclasses.dataclass
class One:
    moment: WaveSchool
    invitation: Invitation
    questions: list
    answers: dict


@pytest.fixture
def one(transactional_db) -> One:
    world = _world()
    moment = make_wave_school(world.home, make_version())
    invitation, _token = invite(moment, world.users[Role.LERAAR], team=world.home_team)
    version = moment.wave.version
    answers = {int(name[1:]): value for name, value in post_data(version, 1).items() if value}
    return One(moment, invitation, list(Question.objects.filter(version=version)), answers)


def _in_thread(function, outcome: dict, name: str) -> threading.Thread:
    def run() -> None:
        try:
            with scopes_disabled():
                outcome[name] = function()
        except Exception as error:  # noqa: BLE001 - the test reads what happened
            outcome[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _waits_for_a_lock(thread: threading.Thread) -> bool:
    """Whether another connection of this database waits for a row lock while `thread` runs."""
    for _ in range(100):
        waiting = sql(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        if waiting[0][0]:
            return True
        if not thread.is_alive():
            return False
        time.sleep(0.05)
    return False


def test_a_close_during_a_submit_waits_for_it_and_moves_its_answers(one, monkeypatch):
    """The teacher's submit has found the moment open and holds its locks when the tick closes
    the moment: the close waits for the submit's commit, then moves its answers with the rest. A
    pool row committed after the move would wait in a closed moment (and change its results)."""
    locked, carry_on = threading.Event(), threading.Event()
    lock = services._lock

    def lock_and_pause(invitation, *, now):
        found = lock(invitation, now=now)
        locked.set()
        carry_on.wait(timeout=10)
        return found

    monkeypatch.setattr(services, "_lock", lock_and_pause)
    outcome: dict = {}
    submit = _in_thread(
        lambda: services.response_submit(invitation=one.invitation, questions=one.questions, answers=one.answers),
        outcome,
        "submit",
    )
    assert locked.wait(timeout=10)
    tick = _in_thread(lambda: barometer_tick(now=one.moment.closes_at + dt.timedelta(minutes=1)), outcome, "tick")
    close_waited = _waits_for_a_lock(tick)
    carry_on.set()
    submit.join(timeout=30)
    tick.join(timeout=30)

    assert outcome["submit"] is None, outcome["submit"]
    assert outcome["tick"].closed == [one.moment.pk]
    pool = apps.get_model("barometer", "PendingResponse")
    assert not pool.objects.exists(), "no answer waits in the pool of a closed moment"
    assert Response.objects.count() == 1 and Answer.objects.count() == len(one.answers)
    assert close_waited, "the close waited for the submit's lock on the moment"


def test_a_submit_during_the_close_waits_for_it_and_is_refused(one):
    """The tick has claimed the moment (closed, not yet committed) when the teacher submits: the
    submit waits for the close's commit, then finds the moment closed and writes nothing."""
    claimed, carry_on = threading.Event(), threading.Event()

    def close_and_pause():
        with transaction.atomic():
            closed = wave_schools_close_due(now=one.moment.closes_at + dt.timedelta(minutes=1))
            claimed.set()
            carry_on.wait(timeout=10)
        return closed

    outcome: dict = {}
    close_thread = _in_thread(close_and_pause, outcome, "close")
    assert claimed.wait(timeout=10)
    submit = _in_thread(
        lambda: services.response_submit(invitation=one.invitation, questions=one.questions, answers=one.answers),
        outcome,
        "submit",
    )
    submit_waited = _waits_for_a_lock(submit)
    carry_on.set()
    close_thread.join(timeout=30)
    submit.join(timeout=30)

    assert outcome["close"] == [(one.moment.pk, one.moment.school_id)]
    assert isinstance(outcome["submit"], services.InvitationClosed), outcome["submit"]
    pool = apps.get_model("barometer", "PendingResponse")
    assert not pool.objects.exists(), "nothing pooled after the close"
    assert Invitation.objects.get(pk=one.invitation.pk).answered_at is None
    assert submit_waited, "the submit waited for the close's lock on the moment"
