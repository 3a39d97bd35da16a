"""Inside PostgreSQL no pupil's answer can be joined to the device mark of the pupil who gave it
(DESIGN.md §5): not by transaction id (equal or next to each other), not by physical order, not
by the order in which the rows were written, not by any shared value. A class answers through the
real pupil page, each pupil with their own device cookie, the requests commit for real, and the
teacher closes the round by hand; then every join an administrator with the database could try
is tried.

Eight pupils, so that the batches are 3, 3 and 2 (the remainder at the close): the remainder is
the smallest batch, and a remainder of one would stand alone (README, "How a pupil stays
anonymous"). The batch order comes from the core's shuffle; here it is replaced by a rotation,
which moves every row of a batch from its place, so that "the physical order follows the shuffle,
not the answering" is asserted without luck."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections import defaultdict

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from instruments.models import FeedbackDeviceMark, QuestionKind
from instruments.services import feedback as services
from instruments.tests.test_feedback import answer_data, pupil_path, round_url
from leerkracht import sealed
from leerkracht.roles import Role

pytestmark = [
    pytest.mark.postgresql("transaction ids (xmin) and physical row order (ctid) are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]

PUPILS = 8


def rotate(rows):
    rows[:] = [*rows[1:], *rows[:1]]
    return rows


@pytest.fixture
def feedback_round(world):
    teacher = world.users[Role.LERAAR]
    group = world.instruments[world.home.pk].group
    for text in ["Ik wist wat ik moest doen", "Ik kon vragen stellen", "We werkten samen", "Het tempo was goed"]:
        services.feedback_criterion_add(group=group, text=text)
    services.feedback_criterion_add(group=group, text="Ik heb iets nieuws geleerd")
    return services.feedback_round_open(
        school_id=world.home.pk,
        teacher=teacher,
        group=group,
        title="Breuken vergelijken",
        closes_at=timezone.now() + dt.timedelta(hours=1),
        questions=[
            services.QuestionSpec(kind=QuestionKind.RATING, text="Hoe goed begreep je de uitleg?"),
            services.QuestionSpec(
                kind=QuestionKind.CHOICE, text="Wat wil je nog oefenen?", choices=("Breuken", "Procenten")
            ),
            services.QuestionSpec(kind=QuestionKind.TEXT, text="Wat wil je nog zeggen?"),
        ],
    )


def words_of(n: int) -> str:
    return f"Antwoord van leerling {n} zebra"


def rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def pool_texts(round_id: int) -> list[str]:
    return [text for (text,) in rows("SELECT sealed FROM instruments_pendingfeedback WHERE round_id = %s", [round_id])]


def class_answers(feedback_round, *, watch_pool: bool = False) -> tuple[list[str], set[str]]:
    """Each pupil opens the page on their own device and answers; returns the marks in the order
    the pupils answered, and (when watched) every sealed text the pool held on the way."""
    marks, seen_pool = [], set()
    for n in range(PUPILS):
        device = Client()
        assert device.get(pupil_path(feedback_round)).status_code == 200
        data = answer_data(feedback_round, tops=(n % 6,), tip=(n + 1) % 6, rating=1 + n % 5, text=words_of(n))
        assert device.post(pupil_path(feedback_round), data).status_code == 302
        stored = FeedbackDeviceMark.unscoped.filter(round=feedback_round).values_list("digest", flat=True)
        new = set(stored) - set(marks)
        assert len(new) == 1
        marks.append(new.pop())
        if watch_pool:
            seen_pool.update(pool_texts(feedback_round.pk))
    return marks, seen_pool


def close_by_hand(world, feedback_round) -> None:
    teacher = Client()
    teacher.force_login(world.users[Role.LERAAR])
    assert teacher.post(round_url(feedback_round, "sluiten/")).status_code == 302


def isolated(pairs: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The pairs of a join in which the answer meets only that mark and the mark only that answer:
    the join would name the answer's pupil."""
    marks_of, answers_of = defaultdict(set), defaultdict(set)
    for response, mark in pairs:
        marks_of[response].add(mark)
        answers_of[mark].add(response)
    return {(r, m) for r, m in pairs if marks_of[r] == {m} and answers_of[m] == {r}}


def test_no_join_inside_postgresql_maps_a_pupils_answer_to_their_device_mark(world, feedback_round, monkeypatch):
    monkeypatch.setattr(sealed, "shuffle", rotate)
    marks, _ = class_answers(feedback_round)
    close_by_hand(world, feedback_round)

    round_id = feedback_round.pk
    mark_rows = rows(
        """SELECT digest, xmin::text::bigint FROM instruments_feedbackdevicemark WHERE round_id = %s
            ORDER BY (ctid::text::point)[0], (ctid::text::point)[1]""",
        [round_id],
    )
    assert [digest for digest, _ in mark_rows] == marks, "the marks themselves lie in answering order"
    mark_xmin = dict(mark_rows)
    # Every row of an answer (the response, its tops, its answers) with its response, transaction
    # id and physical place; and every value it holds apart from the school and the round.
    answer_rows = rows(
        """
        SELECT id::text, id::text, xmin::text::bigint, (ctid::text::point)[0], (ctid::text::point)[1], 0
          FROM instruments_feedbackresponse
         WHERE round_id = %s
        UNION ALL
        SELECT t.response_id::text, t.id::text || ' ' || t.statement_id, t.xmin::text::bigint,
               (t.ctid::text::point)[0], (t.ctid::text::point)[1], 1
          FROM instruments_feedbacktop t JOIN instruments_feedbackresponse r ON r.id = t.response_id
         WHERE r.round_id = %s
        UNION ALL
        SELECT a.response_id::text,
               concat_ws(' ', a.id, a.question_id, a.rating, a.choice, a.text),
               a.xmin::text::bigint, (a.ctid::text::point)[0], (a.ctid::text::point)[1], 2
          FROM instruments_feedbackanswer a JOIN instruments_feedbackresponse r ON r.id = a.response_id
         WHERE r.round_id = %s
        """,
        [round_id, round_id, round_id],
    )
    responses = {row[0] for row in answer_rows}
    assert len(responses) == PUPILS, "every answer was moved"
    # Whose answer is whose: only the test knows it, from the words each pupil typed.
    pupil_of_response = {
        response: int(values.split("leerling ")[1].split()[0])
        for response, values, *_ in answer_rows
        if "leerling" in values
    }
    truth = {(response, marks[n]) for response, n in pupil_of_response.items()}

    # Relational joins: none may leave an answer alone with one mark.
    joins = {"xmin equal": {(r, m) for r, _, x, *_ in answer_rows for m, mx in mark_xmin.items() if x == mx}}
    for step in (-2, -1, 1, 2):
        joins[f"xmin {step:+d}"] = {
            (r, m) for r, _, x, *_ in answer_rows for m, mx in mark_xmin.items() if x - mx == step
        }
    joins["xmin within 2"] = set().union(*(joins[f"xmin {step:+d}"] for step in (-2, -1, 1, 2)))
    joins["a shared value"] = {
        (r, m) for r, values, *_ in answer_rows for m in marks if m in values.split() or m in values
    }
    for name, pairs in joins.items():
        assert not isolated(pairs), f"{name} maps {len(isolated(pairs))} answers to one mark each"

    # Order joins pair the k-th answer with the k-th mark: none may pair an answer with its pupil.
    def in_order(kind: int, key) -> list[str]:
        ordered = sorted((row for row in answer_rows if row[5] == kind), key=key)
        return list(dict.fromkeys(row[0] for row in ordered))

    orders = {}
    for kind, table in enumerate(("responses", "tops", "answers")):
        orders[f"physical order of the {table}"] = in_order(kind, lambda row: (row[3], row[4]))
        orders[f"transaction, then physical order of the {table}"] = in_order(
            kind, lambda row: (row[2], row[3], row[4])
        )
    for name, ordered in orders.items():
        assert len(ordered) == PUPILS, name
        right = set(zip(ordered, marks, strict=True)) & truth
        assert not right, f"{name} against the answering order names {len(right)} pupils' answers"

    # The keys follow nothing either: random (version 4) UUIDs, drawn when the batch was written.
    keys = [values.split()[0] for _, values, *_ in answer_rows]
    assert all(uuid.UUID(key).version == 4 for key in keys) and len(set(keys)) == len(keys)

    # What the batches show an administrator: answers in groups of 3, 3 and the remainder 2.
    sizes = defaultdict(set)
    for response, _, xmin, *_ in answer_rows:
        sizes[xmin].add(response)
    assert sorted(len(group) for group in sizes.values()) == [2, 3, 3]
    assert not rows("SELECT 1 FROM instruments_pendingfeedback WHERE round_id = %s", [round_id]), "the pool is empty"


def test_the_pool_holds_what_a_pupil_typed_only_sealed(world, feedback_round, monkeypatch):
    """Every sealed text the pool held while the class answered: none shows a pupil's words, in
    plain or merely base64-encoded; each opens with the server's key. (The batch is made larger
    than the class here, so that every answer is still in the pool when it is looked at.)"""
    monkeypatch.setattr(services, "COUNTS_MIN_ANSWERS", PUPILS + 1)
    _, seen = class_answers(feedback_round, watch_pool=True)
    assert len(seen) == PUPILS, "every answer waited in the pool"
    for text in seen:
        raw = base64.urlsafe_b64decode(text)
        for n in range(PUPILS):
            assert words_of(n) not in text and words_of(n).encode() not in raw and b"zebra" not in raw
        payload = sealed.unseal(text, keys=sealed.server_keys(services.POOL_PURPOSE), purpose=services.POOL_PURPOSE)
        assert "zebra" in str(payload)
