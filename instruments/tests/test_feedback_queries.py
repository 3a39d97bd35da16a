"""Stem van de leerling: every page and partial runs a fixed number of queries, whatever the
number of rounds, criteria, answers and inputs (pinned at two data sizes, caches cleared first)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import caches
from django.test import Client, TestCase
from django.utils import timezone

from instruments.models import PendingFeedback, QuestionKind, RoundStatement
from instruments.selectors.feedback import COUNTS_MIN_ANSWERS
from instruments.services import feedback as services
from instruments.tests.factories import week
from leerkracht.clock import week_input_value
from leerkracht.roles import Role

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
QUESTIONS = [
    services.QuestionSpec(kind=QuestionKind.RATING, text="Hoe goed begreep je de uitleg?"),
    services.QuestionSpec(kind=QuestionKind.CHOICE, text="Wat wil je oefenen?", choices=("Breuken", "Procenten")),
    services.QuestionSpec(kind=QuestionKind.TEXT, text="Nog iets?"),
]


@pytest.fixture
def setting(world):
    """The teacher, their class with six criteria and an open round with three questions."""
    teacher = world.users[Role.LERAAR]
    contents = world.instruments[world.home.pk]
    for n in range(5):
        services.feedback_criterion_add(group=contents.group, text=f"Uitspraak {n}")
    feedback_round = services.feedback_round_open(
        school_id=world.home.pk,
        teacher=teacher,
        group=contents.group,
        title="Breuken",
        closes_at=timezone.now() + dt.timedelta(hours=1),
        questions=QUESTIONS,
    )
    return world, teacher, contents, feedback_round


def grow(world, teacher, contents, feedback_round, *, answers: int) -> None:
    """More of everything: rounds (with answers), groups with criteria, answers to the round and
    pupil inputs on the goal."""
    statements = list(RoundStatement.objects.filter(round=feedback_round))
    questions = {q.kind: q for q in feedback_round.questions.all()}
    for n in range(answers):
        with TestCase.captureOnCommitCallbacks(execute=True):  # full pools move, as after a commit
            services.feedback_response_submit(
                feedback_round=feedback_round,
                device_value=f"device-{n}-" + "x" * 30,
                top_ids=[statements[n % 6].pk, statements[(n + 1) % 6].pk],
                tip_id=statements[(n + 2) % 6].pk,
                answers={
                    questions[QuestionKind.RATING].pk: 1 + n % 5,
                    questions[QuestionKind.CHOICE].pk: "Breuken" if n % 2 else "Procenten",
                    questions[QuestionKind.TEXT].pk: f"Antwoord {n}",
                },
            )
    for n in range(3):
        group = services.pupil_group_get_or_create(school_id=world.home.pk, name=f"Groep extra {n}")
        for m in range(5):
            services.feedback_criterion_add(group=group, text=f"Uitspraak {m}")
        extra = services.feedback_round_open(
            school_id=world.home.pk,
            teacher=teacher,
            group=group,
            title=f"Les {n}",
            closes_at=timezone.now() + dt.timedelta(hours=2),
            questions=QUESTIONS[:1],
        )
        services.feedback_round_close(feedback_round=extra)
    board = world.boards[world.home.pk]
    for n in range(4):
        services.pupil_input_record(
            board=board.board,
            goal=board.goal,
            user=teacher,
            group_name=f"Raad {n}",
            week=week(-n),
            pupils=4,
            what_helps="Rust",
            suggestions=f"Idee {n}",
        )


def criterion_path(stem: str, contents, operation: str) -> str:
    return f"{stem}groepen/{contents.group.pk}/criteria/{contents.criterion.pk}/{operation}/"


def requests_for(world, contents, feedback_round) -> dict:
    school = world.home.pk
    board = world.boards[school]
    stem = f"/school/{school}/stem/"
    round_path = f"{stem}{feedback_round.pk}/"
    group = contents.group
    closes = timezone.localtime(timezone.now() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    new_round = {"group": group.name, "title": "Nieuwe les", "closes_at": closes, "max_tops": "2"}
    return {
        "rounds": ("teacher", "get", stem, None, {}),
        "criteria": ("teacher", "get", f"{stem}groepen/{group.pk}/criteria/", None, {}),
        "criteria_partial": ("teacher", "get", f"{stem}groepen/{group.pk}/criteria/", None, HTMX),
        "criterion_add": ("teacher", "post", f"{stem}groepen/{group.pk}/criteria/", {"text": "Nieuw"}, HTMX),
        "criterion_edit_form": (
            "teacher",
            "get",
            f"{stem}groepen/{group.pk}/criteria/{contents.criterion.pk}/",
            None,
            HTMX,
        ),
        "group_open": ("teacher", "post", f"{stem}groepen/", {"group": group.name}, {}),
        "criterion_save": ("teacher", "post", criterion_path(stem, contents, "opslaan"), "save", HTMX),
        "criterion_save_conflict": ("teacher", "post", criterion_path(stem, contents, "opslaan"), "conflict", HTMX),
        "criterion_move": ("teacher", "post", criterion_path(stem, contents, "omlaag"), None, HTMX),
        "criterion_move_up": ("teacher", "post", criterion_path(stem, contents, "omhoog"), "moved_down", HTMX),
        "criterion_archive": ("teacher", "post", criterion_path(stem, contents, "archiveren"), None, HTMX),
        "criterion_restore": ("teacher", "post", criterion_path(stem, contents, "terugzetten"), "archived", HTMX),
        "round_create_form": ("teacher", "get", f"{stem}nieuw/", None, {}),
        "round_create": ("teacher", "post", f"{stem}nieuw/", new_round, {}),
        "round_live": ("teacher", "get", round_path, None, {}),
        "results": ("teacher", "get", f"{round_path}resultaten/", None, HTMX),
        "results_unchanged": ("teacher", "get", f"{round_path}resultaten/", "unchanged", HTMX),
        "projection": ("teacher", "get", f"{round_path}projectie/", None, {}),
        "qr": ("teacher", "get", f"{round_path}qr.svg", None, {}),
        "round_close": ("teacher", "post", "fresh-round", None, HTMX),
        "code_page": ("pupil", "get", "/stem/", None, {}),
        "code_lookup": ("pupil", "get", f"/stem/?code={feedback_round.code.lower()}", None, {}),
        "short_url": ("pupil", "get", f"/s/{feedback_round.code}", None, {}),
        "pupil_page": ("pupil", "get", f"/stem/{feedback_round.code}/", None, {}),
        "pupil_answer": ("pupil", "post", f"/stem/{feedback_round.code}/", "answer", {}),
        "pupil_answer_batch": ("pupil", "post", f"/stem/{feedback_round.code}/", "answer_batch", {}),
        "pupil_input_form": (
            "teacher",
            "get",
            f"/school/{school}/borden/{board.board.pk}/doelen/{board.goal.pk}/leerlingen/",
            None,
            {},
        ),
        "pupil_input_record": (
            "teacher",
            "post",
            f"/school/{school}/borden/{board.board.pk}/doelen/{board.goal.pk}/leerlingen/",
            {"group": "Raad", "week": "", "pupils": "4", "suggestions": "Meer lezen"},
            {},
        ),
    }


# Teacher's requests: session, user and access (one UNION) first, then the round (or group, or
# board) through its access function; full pages add the school switcher's query. A pupil's
# request has no session, user or access queries at all: the round by its code, whether this
# device answered, the statements and the questions; an answer then writes the mark and the
# sealed pool row and, after its commit, reads whether the pool holds a batch (the answer that
# fills a batch moves it: lock, three bulk inserts, a delete). An unchanged results poll is an
# empty 204 after counting the answers (counted and on their way, one query). Closing a round
# also reads whether its pool holds anything to move. Writes inside a transaction count their
# savepoints.
EXPECTED_QUERIES = {
    "rounds": 8,
    "criteria": 7,
    "criteria_partial": 6,
    "criterion_add": 13,
    "criterion_edit_form": 7,
    "group_open": 4,
    "criterion_save": 11,
    "criterion_save_conflict": 11,
    "criterion_move": 11,
    "criterion_move_up": 11,
    "criterion_archive": 8,
    "criterion_restore": 10,
    "round_create_form": 7,
    "round_create": 12,
    "round_live": 9,
    "results": 8,
    "results_unchanged": 5,
    "projection": 9,
    "qr": 4,
    "round_close": 6,
    "code_page": 0,
    "code_lookup": 1,
    "short_url": 1,
    "pupil_page": 4,
    "pupil_answer": 11,
    "pupil_answer_batch": 17,
    "pupil_input_form": 8,
    "pupil_input_record": 10,
}


EXPECTED_STATUS = {
    "round_create": 302,
    "results_unchanged": 204,
    "pupil_answer": 302,
    "pupil_answer_batch": 302,
    "pupil_input_record": 302,
    "group_open": 302,
    "criterion_save_conflict": 409,
    "code_lookup": 302,
    "short_url": 302,
}


def measure(client_for, world, contents, feedback_round, name, django_assert_num_queries, expected, serial):
    who, method, path, data, headers = requests_for(world, contents, feedback_round)[name]
    client = client_for(who)
    if who == "teacher":
        client.get(f"/school/{world.home.pk}/stem/")  # warm-up: the session remembers the school
    if who == "pupil":
        client.get(path)  # the pupil's first visit sets the device cookie
    if data in ("answer", "answer_batch"):
        statements = list(RoundStatement.objects.filter(round=feedback_round).order_by("position"))
        if data == "answer_batch":  # the pool one short of a batch: this answer moves the batch
            pending = PendingFeedback.objects.filter(round=feedback_round).count()
            for n in range(COUNTS_MIN_ANSWERS - 1 - pending):
                services.feedback_response_submit(
                    feedback_round=feedback_round,
                    device_value=f"batch-{serial}-{n}".ljust(40, "x"),
                    top_ids=[statements[0].pk],
                    tip_id=statements[1].pk,
                )
        data = {"tops": [str(statements[0].pk)], "tip": str(statements[1].pk)}
    elif data == "unchanged":  # what the page's poller shows now
        html = client.get(path, **headers).content.decode()
        data = {"gezien": re.search(r"gezien=([\d-]+)", html).group(1)}
    elif name == "pupil_input_record":
        data = {**data, "week": week_input_value(week(0)), "suggestions": f"Idee {serial}", "group": f"Raad {serial}b"}
    elif name == "criterion_add":
        data = {"text": f"Nieuw {serial}"}
    elif data == "moved_down":  # a statement with one above it each time, moved back up
        services.feedback_criterion_move(criterion=contents.criterion, offset=1)
        data = None
    elif data == "archived":  # an archived statement each time, brought back
        services.feedback_criterion_archive(criterion=contents.criterion, archived=True)
        data = None
    elif data in ("save", "conflict"):
        criterion = contents.criterion
        criterion.refresh_from_db()
        version = criterion.version
        if data == "conflict":  # a colleague saves first; this tab started from the older words
            services.feedback_criterion_update(
                criterion=criterion,
                user=world.users[Role.SCHOOLCOACH],
                text=f"Van een collega {serial}",
                version=version,
            )
        data = {"text": f"De uitleg was duidelijk ({serial})", "version": version}
    if path == "fresh-round":  # closing is measured on a round that is still open, each time
        fresh = services.feedback_round_open(
            school_id=world.home.pk,
            teacher=feedback_round.teacher,
            group=contents.group,
            title=f"Om te sluiten {serial}",
            closes_at=timezone.now() + dt.timedelta(hours=1),
            questions=[],
        )
        path = f"/school/{world.home.pk}/stem/{fresh.pk}/sluiten/"
    for cache in caches.all():
        cache.clear()
    # The answer's commit moves a full pool: counted with the request that left it to after commit.
    with django_assert_num_queries(expected) as captured, TestCase.captureOnCommitCallbacks(execute=True):
        response = getattr(client, method)(path, data or {}, **headers)
    assert response.status_code == EXPECTED_STATUS.get(name, 200), (name, response.status_code)
    return len(captured)


@pytest.mark.pins_queries(
    "instruments:feedback_group_open",
    "instruments:feedback_close",
    "instruments:feedback_criterion_save",
    "instruments:feedback_criterion_up",
    "instruments:feedback_criterion_down",
    "instruments:feedback_criterion_archive",
    "instruments:feedback_criterion_restore",
)
@pytest.mark.parametrize("name", list(EXPECTED_QUERIES))
def test_query_count_is_fixed_whatever_the_data(setting, name, django_assert_num_queries):
    world, teacher, contents, feedback_round = setting

    def client_for(who):
        client = Client()
        if who == "teacher":
            client.force_login(teacher)
        return client

    expected = EXPECTED_QUERIES[name]
    measure(client_for, world, contents, feedback_round, name, django_assert_num_queries, expected, 1)
    # Six answers: the answer measured next leaves the pool below a batch again (1 + 6 = two
    # batches and one left, plus this one: two).
    grow(world, teacher, contents, feedback_round, answers=6)
    measure(client_for, world, contents, feedback_round, name, django_assert_num_queries, expected, 2)
