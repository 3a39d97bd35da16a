"""How fast is the improvement board, compared with the cheapest page the app can serve?

Seeds a team board with a year of use (52 weekly sessions, 9 goal cycles, 10 goals, 300 actions,
500 measurements and their history) into a database that also holds the national-scale demo data,
serves the app with gunicorn as in production, and times, interleaved in the same run:

- the board page (GET),
- the action-move partial (an htmx POST that really writes: the status flips every request),
- a minimal view through the same middleware (session, auth, access query, tenant scope),
- the presentation screen's conditional GET (304 on an unchanged board), when that route exists.

It reports p50/p95 and the ratios to the minimal view, against the issue's budgets: board page
p95 ≤ 5× and partial p95 ≤ 2× the minimal view's p95. A benchmark, not a test: run it by hand.

    uv run python -m bench.board [--rounds 300] [--json]      # see bench/README.md

`python -m bench.board seed-board` is the seeding step; the run starts it as a subprocess with
`DJANGO_SETTINGS_MODULE=bench.settings`.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench.gunicorn_hooks import READY

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/leerkracht_bench"
# Its own Redis database, so the bench's cache and broker keys never meet a development stack's.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
BENCH_SECRET_KEY = "bench-only-not-a-secret-4c1d3b0e9a7f4e2b8d6c5a3f1e0d9c8b7a6f5e4d3c2b1a09"  # noqa: S105
NATIONAL_SCALE = 4250

# The budgets: p95 of the page or partial divided by p95 of the minimal view.
BOARD_BUDGET = 5.0
PARTIAL_BUDGET = 2.0

# What the seeded board holds.
SESSION_WEEKS = 52
CLOSED_CYCLES = 8
GOALS = 10
ACTIONS = 300
OPEN_CYCLE_ACTIONS = 40
MEASURED_WEEKS = 50  # × GOALS = 500 measurements (one per goal and week)


# --- Seeding the board (runs inside Django, in a subprocess with bench.settings) ---------------

GOAL_TEXTS = [
    ("Leerlingen lezen elke dag met plezier", "Groep 5 leest dagelijks 20 minuten stil", "% dat 20 min leest"),
    ("Meer eigenaarschap bij leerlingen", "Leerlingen kiezen zelf hun leerdoel van de week", "% met eigen leerdoel"),
    ("Betere rekenresultaten", "Tafels 1 t/m 10 geautomatiseerd in groep 5", "% foutloos op tafeltoets"),
    ("Rustige start van de dag", "Binnen 5 minuten is iedereen aan het werk", "minuten tot iedereen werkt"),
    ("Feedback die leerlingen verder helpt", "Elke les sluit af met een exitticket", "% lessen met exitticket"),
    ("Leerlingen werken samen", "Coöperatieve werkvormen in elke les", "% lessen met werkvorm"),
    ("Minder verzuim", "Ouders worden dezelfde dag gebeld", "% verzuim dezelfde dag gebeld"),
    ("Begrijpend lezen omhoog", "Teksten met vragen vooraf in groep 6", "score begrijpend lezen"),
    ("Huiswerk wordt gemaakt", "Huiswerk ingeleverd in de eerste les", "% ingeleverd"),
    ("Leerlingen stellen vragen", "Elke les drie leerlingvragen op het bord", "vragen per les"),
]
ACTION_TEXTS = [
    "Exittickets voorbereiden voor de komende week",
    "Leesboeken uit de bibliotheek halen",
    "Collegiaal lesbezoek plannen",
    "Tafeltoets afnemen en resultaten noteren",
    "Ouderbrief over verzuim versturen",
    "Werkvorm uitproberen in groep 6",
    "Instructiemodel bespreken in het team",
    "Lesvoorbereiding delen op het bord",
    "Leerlinggesprekken voeren over leerdoelen",
    "Rooster aanpassen voor stil lezen",
]


def seed_board() -> dict:
    """Build (once) the demo teacher's team board with a year of use; return what the run needs."""
    import django

    django.setup()

    from django.db import transaction

    from instruments.models import Action, ActionStatus, BoardKind, ImprovementBoard
    from instruments.services import board as services
    from leerkracht.tenancy import scopes_disabled
    from schools.demo import DEMO_LERAAR, DEMO_PASSWORD
    from schools.models import School, TeamMembership, User

    with scopes_disabled():
        teacher = User.objects.get(email=DEMO_LERAAR.email)
        membership = TeamMembership.objects.filter(user=teacher).select_related("team").order_by("pk").first()
        if membership is None:
            raise SystemExit(f"{DEMO_LERAAR.email} is in no team: run seed_demo first.")
        team = membership.team
        board = ImprovementBoard.objects.filter(team=team, kind=BoardKind.TEAM).first()
        seeded = board is None or Action.objects.filter(board=board).count() < ACTIONS
        if seeded:
            with transaction.atomic():
                if board is not None:
                    board.delete()  # the bench's own database: a half-used board is rebuilt whole
                board = services.team_board_get_or_create(team=team, user=teacher)
                _fill_board(board=board, teacher=teacher)
        action = (
            Action.objects.filter(board=board, cycle__closed_at__isnull=True)
            .exclude(status=ActionStatus.DONE)
            .order_by("position", "pk")
            .first()
        )
        return {
            "seeded": seeded,
            "email": DEMO_LERAAR.email,
            "password": DEMO_PASSWORD,
            "school_id": board.school_id,
            "board_id": board.pk,
            "action_id": action.pk,
            "action_status": action.status,
            "action_version": action.version,
            "counts": _board_counts(board) | {"schools": School.objects.count(), "users": User.objects.count()},
        }


def _board_counts(board) -> dict[str, int]:
    from instruments.models import Action, Attendance, BoardEvent, BoardSession, Goal, GoalCycle, Measurement

    return {
        "sessions": BoardSession.objects.filter(board=board).count(),
        "attendances": Attendance.objects.filter(session__board=board).count(),
        "cycles": GoalCycle.objects.filter(board=board).count(),
        "goals": Goal.objects.filter(board=board).count(),
        "actions": Action.objects.filter(board=board).count(),
        "open_cycle_actions": Action.objects.filter(board=board, cycle__closed_at__isnull=True).count(),
        "measurements": Measurement.objects.filter(goal__board=board).count(),
        "events": BoardEvent.objects.filter(board=board).count(),
    }


def _fill_board(*, board, teacher) -> None:
    """A year of weekly use. Goals through the service (cheap, and they look as the app makes
    them); the volume with bulk inserts."""
    from django.db.models import F
    from django.utils import timezone

    from instruments.models import (
        Action,
        ActionOwner,
        ActionStatus,
        Attendance,
        BoardEvent,
        BoardSession,
        Entity,
        GoalCycle,
        ImprovementBoard,
        Measurement,
        Mood,
        Obstacle,
        ObstacleStatus,
        Success,
        Verb,
    )
    from instruments.services import board as services
    from leerkracht import clock
    from schools.models import User

    rng = random.Random("leerkracht-bench")  # deterministic: every run builds the same board
    tz = timezone.get_current_timezone()
    this_week = clock.this_week()

    def weeks_ago(n: int) -> dt.date:
        return this_week - dt.timedelta(weeks=n)

    def moment(monday: dt.date, day: int = 1, hour: int = 15, minute: int = 30) -> dt.datetime:
        return dt.datetime.combine(monday + dt.timedelta(days=day), dt.time(hour, minute), tzinfo=tz)

    members = list(User.objects.filter(team_memberships__team_id=board.team_id).order_by("first_name", "pk"))
    school_id = board.school_id
    events: list[BoardEvent] = []

    def event(at, entity, entity_id, verb=Verb.CREATED, field="", label="", new=""):
        events.append(
            BoardEvent(
                school_id=school_id,
                board=board,
                at=at,
                user=rng.choice(members),
                entity=entity,
                entity_id=entity_id,
                verb=verb,
                field=field,
                field_label=label,
                old="—" if field else "",
                new=new,
            )
        )

    # Cycles: eight closed ones over the past year (the first 7 weeks, then 6 each), and the open
    # one the template made, now in its fourth week.
    cycles = []
    start = weeks_ago(SESSION_WEEKS)
    for number in range(1, CLOSED_CYCLES + 1):
        length = 7 if number == 1 else 6
        cycles.append(
            GoalCycle(
                school_id=school_id,
                board=board,
                number=number,
                starts_on=start,
                weeks=length,
                closed_at=moment(start + dt.timedelta(weeks=length - 1), day=3),
                went_well="De acties waren klein genoeg om echt te doen.",
                to_change="Eerder meten, niet pas aan het eind van de cyclus.",
                goals_reached="Twee van de drie doelen gehaald.",
            )
        )
        start += dt.timedelta(weeks=length)
    open_cycle = services.open_cycle(board)
    open_cycle.number, open_cycle.starts_on, open_cycle.weeks = CLOSED_CYCLES + 1, start, 6
    open_cycle.save(update_fields=["number", "starts_on", "weeks"])
    cycles = GoalCycle.objects.bulk_create(cycles) + [open_cycle]
    for cycle in cycles[:-1]:
        event(moment(cycle.starts_on, day=0), Entity.CYCLE, cycle.pk)

    def cycle_of(monday: dt.date) -> GoalCycle:
        return next(c for c in cycles if c.starts_on <= monday <= c.last_week)

    goals = []
    for big_goal, concrete, measure_what in GOAL_TEXTS[:GOALS]:
        baseline = Decimal(rng.randrange(20, 50))
        goals.append(
            services.goal_create(
                board=board,
                user=teacher,
                big_goal=big_goal,
                concrete=concrete,
                measure_what=measure_what,
                measure_how="Turven tijdens de les",
                baseline=baseline,
                target=baseline + rng.randrange(20, 40),
                unit="%",
            )
        )

    # One closed session a week for the past year, with rotating roles and who was there.
    sessions, present_at = [], []
    for n in range(SESSION_WEEKS, 0, -1):
        monday = weeks_ago(n)
        started = moment(monday)
        lead, note_taker, timekeeper = (members[(n + k) % len(members)] for k in range(3))
        present = [m for m in members if rng.random() < 0.85] or members[:1]
        sessions.append(
            BoardSession(
                school_id=school_id,
                board=board,
                cycle=cycle_of(monday),
                week=monday,
                started_at=started,
                closed_at=started + dt.timedelta(minutes=rng.randrange(12, 19)),
                lead=lead,
                note_taker=note_taker,
                timekeeper=timekeeper,
                decisions="Volgende week meten we op dinsdag.",
                snapshot={
                    "week": monday.isoformat(),
                    "cycle": cycle_of(monday).number,
                    "present": [m.full_name for m in present],
                    "checked_in": len(present),
                    "roles": {"lead": lead.full_name, "note_taker": note_taker.full_name},
                },
                version=2,
            )
        )
        present_at.append(present)
    BoardSession.objects.bulk_create(sessions)
    Attendance.objects.bulk_create(
        Attendance(school_id=school_id, session=s, user=m, mood=rng.choice(Mood.values))
        for s, present in zip(sessions, present_at, strict=True)
        for m in present
    )
    for s in sessions:
        event(s.started_at, Entity.SESSION, s.pk)
        event(s.closed_at, Entity.SESSION, s.pk, Verb.CHANGED, "closed_at", "afgesloten", s.week.isoformat())
    session_of_week = {s.week: s for s in sessions}

    measurements = []
    for goal in goals:
        value = float(goal.baseline)
        step = (float(goal.target) - value) / MEASURED_WEEKS
        for n in range(MEASURED_WEEKS, 0, -1):
            value = max(0.0, value + step + rng.uniform(-3, 3))
            measurements.append(
                Measurement(
                    school_id=school_id,
                    goal=goal,
                    week=weeks_ago(n),
                    value=Decimal(f"{value:.1f}"),
                    created_by=rng.choice(members),
                )
            )
    Measurement.objects.bulk_create(measurements)
    for m in measurements:
        label = f"meting {clock.week_label(m.week)}"
        event(moment(m.week, day=2), Entity.MEASUREMENT, m.goal_id, field="value", label=label, new=f"{m.value} %")

    # 300 actions: 40 in the open cycle (what the board shows), the rest spread over the closed
    # ones, mostly done there.
    per_cycle = _spread(ACTIONS - OPEN_CYCLE_ACTIONS, CLOSED_CYCLES) + [OPEN_CYCLE_ACTIONS]
    actions = []
    for cycle, count in zip(cycles, per_cycle, strict=True):
        held = [w for w in clock.weeks_between(cycle.starts_on, cycle.last_week) if w in session_of_week]
        for i in range(count):
            if cycle.is_open:
                status = (ActionStatus.TODO, ActionStatus.DOING, ActionStatus.DONE)[i % 3]
            else:
                left = rng.choice([ActionStatus.TODO, ActionStatus.DOING])
                status = ActionStatus.DONE if rng.random() < 0.85 else left
            agreed = rng.choice(held)
            due_week = cycle.starts_on + dt.timedelta(weeks=rng.randrange(cycle.weeks))
            actions.append(
                Action(
                    school_id=school_id,
                    board=board,
                    cycle=cycle,
                    goal=rng.choice([*goals, None]),
                    title=f"{rng.choice(ACTION_TEXTS)} ({len(actions) + 1})",
                    due_week=due_week,
                    status=status,
                    done_at=moment(max(agreed, due_week), day=4) if status == ActionStatus.DONE else None,
                    session=session_of_week[agreed],
                    created_by=rng.choice(members),
                    position=len(actions) + 1,
                )
            )
    Action.objects.bulk_create(actions)
    owners = min(2, len(members))
    ActionOwner.objects.bulk_create(
        ActionOwner(school_id=school_id, action=a, user=u) for a in actions for u in rng.sample(members, owners)
    )
    for a in actions:
        event(a.session.started_at, Entity.ACTION, a.pk, field="title", label="wat", new=a.title)

    # A few knelpunten and successes, as a board in use has them.
    obstacles = [
        Obstacle(
            school_id=school_id,
            board=board,
            created_by=rng.choice(members),
            title=f"Knelpunt {n + 1}: te weinig tijd voor lesvoorbereiding",
            status=ObstacleStatus.RESOLVED if n >= 5 else ObstacleStatus.PARKED,
            resolution="Besproken met de schoolleider" if n >= 5 else "",
            resolved_at=moment(weeks_ago(n)) if n >= 5 else None,
        )
        for n in range(15)
    ]
    Obstacle.objects.bulk_create(obstacles)
    successes = [
        Success(
            school_id=school_id,
            board=board,
            created_by=rng.choice(members),
            title=f"Succes van week {clock.week_label(weeks_ago(n))}",
            who=rng.choice(members).first_name,
            happened_on=weeks_ago(n) + dt.timedelta(days=2),
        )
        for n in range(1, 31)
    ]
    Success.objects.bulk_create(successes)
    for card, entity in [*((o, Entity.OBSTACLE) for o in obstacles), *((s, Entity.SUCCESS) for s in successes)]:
        event(timezone.now(), entity, card.pk, field="title", label="wat", new=card.title)

    BoardEvent.objects.bulk_create(events, batch_size=1000)
    # The board existed the whole year (its rhythm counts from here); every change bumped it.
    ImprovementBoard.objects.filter(pk=board.pk).update(
        created_at=moment(weeks_ago(SESSION_WEEKS), day=0), revision=F("revision") + len(events)
    )


def _spread(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


# --- Preparing the database and the server ----------------------------------------------------


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class Phases:
    """Wall time of each step of the run, and what it did."""

    seconds: dict[str, float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)

    @contextlib.contextmanager
    def timed(self, name: str) -> Iterator[None]:
        progress(f"· {name} …")
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = time.perf_counter() - start
            note = f" ({self.notes[name]})" if name in self.notes else ""
            progress(f"  {name}: {self.seconds[name]:.1f} s{note}")


def bench_environment(*, database_url: str, redis_url: str, static_root: str) -> dict[str, str]:
    """What production reads from the environment, for a local run (see bench/settings.py)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "leerkracht-bench",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "BENCH_STATIC_ROOT": static_root,
    }


def run_step(environment: dict[str, str], *args: str) -> str:
    """Run a Python step (a management command or our seed step); its output only on failure."""
    result = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-8000:])
        raise SystemExit(f"`python {' '.join(args)}` failed with exit status {result.returncode}.")
    return result.stdout


def ensure_database(database_url: str) -> bool:
    """Create the bench database if it is missing; True when it was created."""
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    if not name:
        raise SystemExit("--database-url names no database.")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    connection = psycopg2.connect(maintenance)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                return False
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            return True
    finally:
        connection.close()


def school_count(database_url: str) -> int:
    import psycopg2

    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM schools_school")
            return cursor.fetchone()[0]
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn as in production (sync workers), on a free local port."""

    def __init__(self, environment: dict[str, str], *, workers: int, log_path: Path):
        self.port = free_port()
        self.workers = workers
        self.log_path = log_path
        self._log = log_path.open("wb")
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "leerkracht.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
            "--no-control-socket",  # several gunicorns (dev, other benches) may run side by side
            "--config",
            "python:bench.gunicorn_hooks",
        ]
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            command, cwd=ROOT, env=environment, stdout=self._log, stderr=subprocess.STDOUT
        )

    def wait_until_ready(self, timeout: float = 90) -> None:
        """Every worker has loaded the app (see bench/gunicorn_hooks.py) and /healthz answers 200."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start-up:\n{self.log_tail()}")
            if self.log_tail(whole=True).count(READY) < self.workers:
                time.sleep(0.2)
                continue
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                body = response.read()
                connection.close()
                if response.status == 200:
                    return
                raise SystemExit(f"/healthz answered {response.status}: {body[:500]!r}")
            time.sleep(0.2)
        raise SystemExit(f"gunicorn was not ready within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, *, whole: bool = False) -> str:
        self._log.flush()
        text = self.log_path.read_text(errors="replace")
        return text if whole else text[-4000:]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # the master stops its workers gracefully
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


# --- The client -------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    seconds: float


class UnexpectedReply(Exception):
    pass


class Browser:
    """One logged-in person with a cookie jar. gunicorn's sync workers close the connection after
    each response, so every request opens one, as it does behind a proxy in production."""

    def __init__(self, port: int):
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, *, form: dict | None = None, headers: dict | None = None) -> Reply:
        body = urlencode(form).encode() if form is not None else None
        head = {"Accept": "text/html", **(headers or {})}
        if body is not None:
            head["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            head["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        start = time.perf_counter()
        self.connection.request(method, path, body=body, headers=head)
        response = self.connection.getresponse()
        data = response.read()
        seconds = time.perf_counter() - start
        for header in response.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, response.msg, data, seconds)

    def expect(self, reply: Reply, status: int, what: str) -> Reply:
        if reply.status != status:
            location = reply.headers.get("Location") or reply.headers.get("HX-Redirect") or ""
            body = reply.body[:1500].decode(errors="replace")
            raise UnexpectedReply(f"{what}: expected {status}, got {reply.status} {location}\n{body}")
        return reply

    def log_in(self, email: str, password: str) -> None:
        self.expect(self.request("GET", "/inloggen/"), 200, "login page")
        reply = self.request(
            "POST",
            "/inloggen/",
            form={"username": email, "password": password, "csrfmiddlewaretoken": self.cookies["csrftoken"]},
            headers={"Referer": f"{self.origin}/inloggen/"},
        )
        self.expect(reply, 302, f"logging in as {email}")
        if "sessionid" not in self.cookies:
            raise UnexpectedReply("logged in, but no session cookie came back")


# --- Measuring --------------------------------------------------------------------------------


@dataclass
class Target:
    """One thing timed: `call` makes one request, checks it and returns it."""

    key: str
    label: str
    call: Callable[[], Reply]
    samples: list[float] = field(default_factory=list)
    size: int = 0

    def summary(self) -> dict[str, float]:
        ms = sorted(s * 1000 for s in self.samples)
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
        return {
            "p50_ms": statistics.median(ms),
            "p95_ms": cuts[94],
            "mean_ms": statistics.fmean(ms),
            "min_ms": ms[0],
            "max_ms": ms[-1],
            "n": len(ms),
            "bytes": self.size,
        }


def interleave(targets: list[Target], *, warmup: int, rounds: int) -> None:
    """Round-robin, with the order rotated each round, so that noise (and whatever a write leaves
    behind for the next request) falls on every target alike. Warm-up rounds are not kept."""
    for round_number in range(warmup + rounds):
        shift = round_number % len(targets)
        for target in targets[shift:] + targets[:shift]:
            reply = target.call()
            target.size = len(reply.body)
            if round_number >= warmup:
                target.samples.append(reply.seconds)


class ActionMove:
    """The action-move partial: flips one action between to do and doing, so each request writes,
    carrying the version the previous answer gave (`data-version` on the card)."""

    def __init__(self, browser: Browser, *, action_id: int, path: str, referer: str, status: str, version: int):
        self.browser, self.path, self.referer = browser, path, referer
        self.status, self.version = status, version
        # The answer may be the card or the whole actions section: read this card's root.
        self.version_re = re.compile(rb'id="action-%d"[^>]*\bdata-version="(\d+)"' % action_id)
        self.versions_read = 0

    def __call__(self) -> Reply:
        self.status = "doing" if self.status == "todo" else "todo"
        headers = {
            "HX-Request": "true",
            "HX-Current-URL": self.referer,
            "X-CSRFToken": self.browser.cookies["csrftoken"],
            "Referer": self.referer,
        }
        form = {"status": self.status, "version": self.version}
        reply = self.browser.expect(
            self.browser.request("POST", self.path, form=form, headers=headers), 200, "action move"
        )
        found = self.version_re.search(reply.body)
        self.versions_read += bool(found)
        self.version = int(found[1]) if found else self.version + 1
        return reply


def measure(server: Server, seed: dict, *, warmup: int, rounds: int) -> dict:
    browser = Browser(server.port)
    browser.log_in(seed["email"], seed["password"])
    school, board = seed["school_id"], seed["board_id"]
    board_path = f"/school/{school}/borden/{board}/"
    referer = browser.origin + board_path

    def get(path: str, what: str, headers: dict | None = None) -> Callable[[], Reply]:
        return lambda: browser.expect(browser.request("GET", path, headers=headers), 200, what)

    minimal = Target("minimal", "minimal view", get("/bench/minimal/", "minimal view"))
    minimal.call()
    targets = [minimal]
    missing = []
    if browser.request("GET", board_path).status == 404:
        missing.append(f"board page GET {board_path} answers 404")
    else:
        targets.append(Target("board", "board page", get(board_path, "board page")))
    move_path = f"{board_path}acties/{seed['action_id']}/status/"
    move = ActionMove(
        browser,
        action_id=seed["action_id"],
        path=move_path,
        referer=referer,
        status=seed["action_status"],
        version=seed["action_version"],
    )
    try:
        move()
        targets.append(Target("move", "action-move partial", move))
    except UnexpectedReply as error:
        if not str(error).startswith("action move: expected 200, got 404"):
            raise
        missing.append(f"action-move partial POST {move_path} answers 404")

    progress(f"  {len(targets)} targets × ({warmup} warm-up + {rounds}) rounds")
    interleave(targets, warmup=warmup, rounds=rounds)
    results = {t.key: {"label": t.label, **t.summary()} for t in targets}
    if "move" in results:
        results["move"]["version_from_answer"] = move.versions_read
    results["presentation"] = measure_presentation(browser, board_path, warmup=warmup, rounds=rounds)
    if results["presentation"].get("status", 200) >= 500:
        progress(f"--- gunicorn log ---\n{server.log_tail()}")
    results["missing"] = missing
    return results


def measure_presentation(browser: Browser, board_path: str, *, warmup: int, rounds: int) -> dict:
    """The presentation screen polls its fragment; an unchanged board must cost a 304. Timed
    interleaved with its own series of the minimal view (the board does not change meanwhile)."""
    path = f"{board_path}presentatie/inhoud/"
    htmx = {"HX-Request": "true"}
    first = browser.request("GET", path, headers=htmx)
    if first.status != 200:
        return {"available": False, "status": first.status, "reason": f"GET {path} answers {first.status}"}
    etag = first.headers.get("ETag")
    if not etag:
        return {"available": False, "reason": f"GET {path} sends no ETag"}
    if browser.request("GET", path, headers={**htmx, "If-None-Match": etag}).status != 304:
        return {"available": False, "reason": f"GET {path} with If-None-Match does not answer 304"}
    minimal = Target(
        "minimal",
        "minimal view",
        lambda: browser.expect(browser.request("GET", "/bench/minimal/"), 200, "minimal view"),
    )
    conditional = Target(
        "presentation_304",
        "presentation fragment, 304",
        lambda: browser.expect(
            browser.request("GET", path, headers={**htmx, "If-None-Match": etag}), 304, "presentation 304"
        ),
    )
    interleave([minimal, conditional], warmup=warmup, rounds=rounds)
    return {
        "available": True,
        "full_bytes": len(first.body),
        "minimal": minimal.summary(),
        "conditional": conditional.summary(),
        "p50_ratio": conditional.summary()["p50_ms"] / minimal.summary()["p50_ms"],
        "p95_ratio": conditional.summary()["p95_ms"] / minimal.summary()["p95_ms"],
    }


# --- Report -----------------------------------------------------------------------------------


def verdicts(results: dict) -> dict:
    base = results["minimal"]
    found = {}
    for key, budget in (("board", BOARD_BUDGET), ("move", PARTIAL_BUDGET)):
        if key not in results:
            continue
        p95_ratio = results[key]["p95_ms"] / base["p95_ms"]
        found[key] = {
            "p50_ratio": results[key]["p50_ms"] / base["p50_ms"],
            "p95_ratio": p95_ratio,
            "budget": budget,
            "pass": p95_ratio <= budget,
        }
    return found


def report(run: dict) -> str:
    results, ratios = run["results"], run["ratios"]
    board_counts = {k: v for k, v in run["seed"]["counts"].items() if k not in {"schools", "users"}}
    lines = [
        f"Board benchmark: {run['rounds']} rounds after {run['warmup']} warm-up, gunicorn {run['workers']} sync "
        f"workers, database {run['database']} ({run['seed']['counts']['schools']:,} schools, "
        f"{run['seed']['counts']['users']:,} users)",
        "Board: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in board_counts.items()),
        "Phases: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in run["phases"].items()),
        "",
        f"{'target':<30}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'bytes':>9}{'p50 ×':>8}{'p95 ×':>8}  budget",
    ]

    def row(label: str, stats: dict, p50x: float, p95x: float, budget: str = "") -> str:
        return (
            f"{label:<30}{stats['p50_ms']:>9.2f}{stats['p95_ms']:>9.2f}{stats['mean_ms']:>9.2f}"
            f"{stats['bytes']:>9}{p50x:>8.2f}{p95x:>8.2f}  {budget}"
        )

    lines.append(row("minimal view", results["minimal"], 1, 1))
    for key in ("board", "move"):
        if key in ratios:
            r = ratios[key]
            verdict = f"p95 ≤ {r['budget']:g}×  {'PASS' if r['pass'] else 'FAIL'}"
            lines.append(row(results[key]["label"], results[key], r["p50_ratio"], r["p95_ratio"], verdict))
    if "move" in results:
        answers = run["warmup"] + run["rounds"] + 1
        lines.append(
            f"{'':<30}(move: version read from the card in {results['move']['version_from_answer']}/{answers} answers)"
        )
    for reason in results["missing"]:
        lines.append(f"{'':<30}not available: {reason}")
    presentation = results["presentation"]
    lines.append("")
    if presentation["available"]:
        lines.append("Presentation screen, conditional GET (own interleaved series):")
        lines.append(row("  minimal view", presentation["minimal"], 1, 1))
        lines.append(
            row("  fragment 304", presentation["conditional"], presentation["p50_ratio"], presentation["p95_ratio"])
            + f"(full fragment {presentation['full_bytes']} bytes)"
        )
    else:
        lines.append(f"Presentation screen 304: not available ({presentation['reason']})")
    return "\n".join(lines)


# --- Entry point ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    phases = Phases()
    static_root = tempfile.mkdtemp(prefix="leerkracht-bench-static-")
    environment = bench_environment(database_url=args.database_url, redis_url=args.redis_url, static_root=static_root)
    server = None
    try:
        with phases.timed("database"):
            phases.notes["database"] = "created" if ensure_database(args.database_url) else "exists"
        with phases.timed("migrate"):
            run_step(environment, "manage.py", "migrate", "--noinput")
        with phases.timed("seed_demo"):
            schools = school_count(args.database_url)
            if schools >= args.schools:
                phases.notes["seed_demo"] = f"skipped, {schools} schools"
            else:
                run_step(environment, "manage.py", "seed_demo", "--schools", str(args.schools))
        with phases.timed("seed board"):
            seed = json.loads(run_step(environment, "-m", "bench.board", "seed-board").strip().splitlines()[-1])
            phases.notes["seed board"] = "seeded" if seed["seeded"] else "skipped, already seeded"
        with phases.timed("collectstatic"):
            run_step(environment, "manage.py", "collectstatic", "--noinput")
        with phases.timed("gunicorn start"):
            server = Server(environment, workers=args.workers, log_path=Path(static_root) / "gunicorn.log")
            server.wait_until_ready()
        with phases.timed("measure"):
            try:
                results = measure(server, seed, warmup=args.warmup, rounds=args.rounds)
            except UnexpectedReply as error:
                raise SystemExit(f"{error}\n--- gunicorn log ---\n{server.log_tail()}") from None
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(static_root, ignore_errors=True)
    outcome = {
        "database": urlsplit(args.database_url).path.lstrip("/"),
        "rounds": args.rounds,
        "warmup": args.warmup,
        "workers": args.workers,
        "phases": {name: round(seconds, 2) for name, seconds in phases.seconds.items()},
        "phase_notes": phases.notes,
        "seed": {key: value for key, value in seed.items() if key != "password"},
        "results": results,
        "ratios": verdicts(results),
    }
    print(report(outcome))
    if args.json:
        print(json.dumps(outcome, indent=2))
    if results["missing"]:
        return 2
    return 0 if all(r["pass"] for r in outcome["ratios"].values()) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.board", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "command", nargs="?", default="run", choices=["run", "seed-board"], help="seed-board: the seeding step alone"
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="created if missing; %(default)s")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="default: %(default)s")
    parser.add_argument("--rounds", type=int, default=300, help="measured rounds (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up rounds, not kept (default %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default %(default)s)")
    parser.add_argument("--schools", type=int, default=NATIONAL_SCALE, help="demo schools (default %(default)s)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON after the table too")
    args = parser.parse_args(argv)
    if args.command == "seed-board":
        if os.environ.get("DJANGO_SETTINGS_MODULE") != "bench.settings":
            parser.error("seed-board is a step of the run, started with the run's environment: use `run`")
        print(json.dumps(seed_board()))
        return 0
    if args.rounds < 2:
        parser.error("--rounds must be at least 2")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
