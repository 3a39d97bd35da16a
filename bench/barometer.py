"""How fast are the barometer's results and its waves, at national scale?

Three measurements, each against the issue's budget, into a database of its own that holds the
national-scale demo data:

A. **Aggregation.** A wave with 1,000,000 anonymous answers (about 90,910 responses × the 11
   items of the shipped impact barometer), spread over the participating schools and their teams.
   Timed in the same run, interleaved: `results_compute(wave_ids=[wave])` in the platform-wide
   tenant scope, followed by the sums to every level above the school (bestuur, region, sector,
   national), against the floor: the plain SQL ``GROUP BY`` of the same rows, fetched whole.
   Budget: the app's best time ≤ 3× the floor's best time.

C. **The national results page over HTTP.** gunicorn as in production, the demo admin logged
   in. A new version of the answers is set as a close or a move of answers sets it (its warming
   task, eager, computes the common snapshots here); then a selection nobody asked for is read
   once cold (page, then its chart and CSV), and the page as an admin opens it, each of its charts
   and its CSV are timed warm, interleaved with the minimal view. Budget: each warm p95 ≤ 5× the
   minimal view's p95.

B. **Enqueueing a wave.** A fixed-date wave for every participating school (~130,000 teachers),
   planned with `wave_plan`, due now. Timed: one `barometer_tick(now=…)` with Celery eager (the
   tasks run in this process), until every teacher has an invitation and every invitation e-mail
   is written to the core's mail outbox (`leerkracht.models.OutboxMessage`). Not timed: the relay
   of the outbox to the mail server (its tasks are counted, not run). Budget: ≤ 60 s.

A benchmark, not a test: run it by hand (see bench/README.md).

    uv run python -m bench.barometer [run|aggregate|results|enqueue|reset] [--json] [--profile]

The exit status is 0 when every measured budget holds, 1 when one fails.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import html
import io
import json
import os
import pstats
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from bench.board import BENCH_SECRET_KEY, Phases, ensure_database, progress, run_step, school_count

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/leerkracht_bench_barometer"
# Its own Redis database: the bench's cache keys never meet a development stack's or the board's.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
# 4,250 schools hold ~113,000 teachers in participating schools (the rest are still in the
# pipeline and not asked); 5,000 give the ~130,000 of the issue.
DEFAULT_SCHOOLS = 5000

AGGREGATION_BUDGET = 3.0  # × the plain GROUP BY, best of the rounds
ENQUEUE_BUDGET = 60.0  # seconds for the tick to open, invite and write every e-mail to the outbox

QUESTIONNAIRE = "impact-barometer"
AGGREGATION_WAVE = "Bench: een miljoen antwoorden"
ENQUEUE_WAVE = "Bench: landelijk meetmoment"
SEED = 0.4242  # PostgreSQL's setseed(): which teachers answer, and what


# --- Environment ------------------------------------------------------------------------------


def bench_environment(*, database_url: str, redis_url: str) -> dict[str, str]:
    """What production reads from the environment, for a local run (bench/settings_barometer.py)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_barometer",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "leerkracht-bench-barometer",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }


def prepare(args: argparse.Namespace, phases: Phases) -> None:
    """Database, migrations and demo data (each skipped when already there); then Django in this
    process, with the same environment."""
    environment = bench_environment(database_url=args.database_url, redis_url=args.redis_url)
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
    os.environ.update(environment)
    import django

    django.setup()
    with phases.timed("analyze"):
        # Fresh planner statistics, as autovacuum keeps them in production: right after a bulk
        # seed PostgreSQL still believes the tables are nearly empty and picks plans that scan.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def published_version():
    from barometer.models import Questionnaire, VersionStatus

    questionnaire = Questionnaire.objects.get(slug=QUESTIONNAIRE)
    return questionnaire.versions.filter(status=VersionStatus.PUBLISHED).order_by("-number").first()


def table(model) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


# --- A. Seeding a million answers ---------------------------------------------------------------

# Who answers: the teachers a wave would invite (schools.selectors.teachers_of_school:
# team members with their lowest team, plus teachers and schoolcoaches without a team) in the
# participating schools (barometer.services.waves.PARTICIPATING_PHASES), one school per teacher
# (an invitation is unique per wave and teacher), a random sample of them.
RESPONSES_SQL = """
INSERT INTO {response} (id, school_id, team_id, wave_id, version_id)
SELECT gen_random_uuid(), school_id, team_id, %(wave)s, %(version)s
FROM (
    SELECT DISTINCT ON (t.user_id) t.school_id, t.team_id
    FROM (
        (SELECT DISTINCT ON (tm.school_id, tm.user_id) tm.school_id, tm.user_id, tm.team_id
        FROM {team_membership} tm JOIN {user} u ON u.id = tm.user_id AND u.is_active
        ORDER BY tm.school_id, tm.user_id, tm.team_id)
        UNION ALL
        SELECT sm.school_id, sm.user_id, NULL
        FROM {school_membership} sm JOIN {user} u ON u.id = sm.user_id AND u.is_active
        WHERE sm.role = ANY(%(roles)s) AND NOT EXISTS (
            SELECT 1 FROM {team_membership} tm WHERE tm.school_id = sm.school_id AND tm.user_id = sm.user_id
        )
    ) t
    JOIN {school} s ON s.id = t.school_id AND s.phase = ANY(%(phases)s) AND s.start_date IS NOT NULL
    ORDER BY t.user_id, t.school_id
) teachers
ORDER BY random()
LIMIT %(responses)s
"""

# Every response answers every item. Values as the kinds store them (agree 0/1, scales 1..5), a
# little better in some schools than in others (a fixed per-school lean from its id), so the
# groups differ as real ones do; the open item has text and no value.
ANSWERS_SQL = """
INSERT INTO {answer} (id, school_id, team_id, wave_id, response_id, question_id, value, text)
SELECT gen_random_uuid(), r.school_id, r.team_id, r.wave_id, r.id, q.id,
    CASE
        WHEN q.kind = 'open' THEN NULL
        WHEN q.kind IN ('agree', 'yes_no') THEN (random() < 0.55 + 0.3 * lean)::int
        ELSE LEAST(5, 1 + floor(random() * 4 + 2 * lean))::int
    END,
    CASE WHEN q.kind = 'open'
        THEN (ARRAY['Fijn dat we samen lessen ontwerpen.', 'Meer tijd voor lesbezoek graag.',
                    'De bordsessies helpen ons team.', 'Het ritme vasthouden is lastig.'])[1 + floor(random() * 4)::int]
        ELSE '' END
FROM (
    SELECT *, ((hashint8(school_id)::bigint %% 1000 + 1000) %% 1000) / 1000.0 AS lean
    FROM {response} WHERE wave_id = %(wave)s
) r
CROSS JOIN (SELECT id, kind FROM {question} WHERE version_id = %(version)s) q
"""


def aggregation_wave(*, answers: int) -> dict:
    """The wave of A with its million answers: seeded once (SQL INSERT … SELECT, not the ORM row
    by row), kept for later runs; reseeded whole when its count differs from what is asked."""
    from django.db import connection, transaction

    from barometer.models import Answer, Question, Response, Wave, WaveTiming
    from barometer.services.waves import PARTICIPATING_PHASES
    from schools.models import School, SchoolMembership, TeamMembership, User
    from schools.selectors import TEACHER_ROLES

    version = published_version()
    items = Question.objects.filter(version=version).count()
    responses = -(-answers // items)  # enough responses for at least `answers` answers
    wave, _created = Wave.objects.get_or_create(
        name=AGGREGATION_WAVE,
        defaults={"version": version, "timing": WaveTiming.FIXED, "fixed_date": dt.date(2025, 6, 20)},
    )
    found = Answer.objects.filter(wave=wave).count()
    seeded = found != responses * items
    if seeded:
        names = {
            "answer": table(Answer),
            "response": table(Response),
            "question": table(Question),
            "school": table(School),
            "team_membership": table(TeamMembership),
            "school_membership": table(SchoolMembership),
            "user": table(User),
        }
        params = {
            "wave": wave.pk,
            "version": version.pk,
            "responses": responses,
            "phases": [str(phase) for phase in PARTICIPATING_PHASES],
            "roles": [str(role) for role in TEACHER_ROLES],
        }
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {names['answer']} WHERE wave_id = %s", [wave.pk])  # noqa: S608
            cursor.execute(f"DELETE FROM {names['response']} WHERE wave_id = %s", [wave.pk])  # noqa: S608
            cursor.execute("SELECT setseed(%s)", [SEED])
            cursor.execute(RESPONSES_SQL.format(**names), params)
            cursor.execute(ANSWERS_SQL.format(**names), params)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {names['response']}")
            cursor.execute(f"VACUUM ANALYZE {names['answer']}")
    _aggregation_moments_closed(wave=wave)
    rows = Answer.objects.filter(wave=wave)
    return {
        "wave_id": wave.pk,
        "seeded": seeded,
        "responses": Response.objects.filter(wave=wave).count(),
        "answers": rows.count(),
        "open_answers": rows.filter(value__isnull=True).count(),
        "items": items,
        "schools": rows.values("school_id").distinct().count(),
        "teams": rows.exclude(team_id=None).values("team_id").distinct().count(),
    }


def _aggregation_moments_closed(*, wave) -> None:
    """Each answering school's moment in A's wave, closed: results count only the answers of a
    closed moment (while one is open, a figure that moves would tell what a colleague answered)."""
    from barometer.models import Answer, WaveSchool, WaveSchoolStatus
    from leerkracht import clock

    opens_at = clock.instant(wave.fixed_date, wave.open_time)
    closes_at = opens_at + dt.timedelta(days=wave.answer_days)
    school_ids = Answer.objects.filter(wave=wave).values_list("school_id", flat=True).distinct().order_by()
    WaveSchool.objects.bulk_create(
        [
            WaveSchool(
                school_id=school_id,
                wave=wave,
                opens_on=wave.fixed_date,
                opens_at=opens_at,
                closes_at=closes_at,
                status=WaveSchoolStatus.CLOSED,
                opened_at=opens_at,
                closed_at=closes_at,
            )
            for school_id in school_ids
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


# --- A. Measuring -------------------------------------------------------------------------------

FLOOR_SQL = (
    "SELECT wave_id, question_id, school_id, team_id, value, count(*) FROM {answer} "
    "WHERE wave_id = %s GROUP BY 1, 2, 3, 4, 5"
)


def measure_aggregation(*, wave_id: int, warmup: int, rounds: int) -> dict:
    """The app's aggregation and the floor, interleaved (the order swapped every round), so that
    noise on a two-core machine falls on both alike."""
    from django.db import connection

    from barometer.models import Answer
    from barometer.selectors.results import Level, results_compute
    from leerkracht import tenancy

    floor_sql = FLOOR_SQL.format(answer=table(Answer))
    sizes: dict[str, int] = {}

    def floor() -> None:
        with connection.cursor() as cursor:
            cursor.execute(floor_sql, [wave_id])
            rows = cursor.fetchall()
        sizes["floor_rows"] = len(rows)
        sizes["floor_scored_answers"] = sum(row[5] for row in rows if row[4] is not None)

    def app() -> None:
        # Platform-wide reads (admins' national figures) run in the all-schools tenant scope.
        with tenancy.scope(school_ids=tenancy.ALL):
            results = results_compute(wave_ids=[wave_id])
            for level in Level.ABOVE_SCHOOL:
                sizes[f"{level}_rows"] = len(results.frame(level))
        sizes["team_rows"] = int(results.teams["shown"].sum())
        sizes["school_rows"] = len(results.shown_schools)
        sizes["cells"] = len(results.teams) + len(results.schools)
        sizes["app_scored_answers"] = int(results.schools["n"].sum())

    load_before = os.getloadavg()[0]
    timings: dict[str, list[float]] = {"floor": [], "app": []}
    calls = {"floor": floor, "app": app}
    for round_number in range(warmup + rounds):
        order = ["floor", "app"] if round_number % 2 == 0 else ["app", "floor"]
        for key in order:
            start = time.perf_counter()
            calls[key]()
            seconds = time.perf_counter() - start
            if round_number >= warmup:
                timings[key].append(seconds)
    best = {key: min(values) for key, values in timings.items()}
    median = {key: statistics.median(values) for key, values in timings.items()}
    ratio = best["app"] / best["floor"]
    # The same rows on both sides: every scored answer counted once by the app (before
    # suppression) as by the floor. A mismatch means the two timed different work.
    same_rows = sizes["app_scored_answers"] == sizes["floor_scored_answers"] > 0
    return {
        "rounds": rounds,
        "warmup": warmup,
        "floor_s": timings["floor"],
        "app_s": timings["app"],
        "best_s": best,
        "median_s": median,
        "ratio_best": ratio,
        "ratio_median": median["app"] / median["floor"],
        "budget": AGGREGATION_BUDGET,
        "same_rows": same_rows,
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "pass": same_rows and ratio <= AGGREGATION_BUDGET,
        "sizes": sizes,
    }


# --- C. The national results page, its charts and its export, over HTTP -----------------------

# p95 of the warm page, each chart and the CSV ÷ p95 of the minimal view, in the same run.
RESULTS_BUDGET = 5.0
CHART_SRC = re.compile(rb'<img src="(/barometer/resultaten/grafiek/[^"]+)"')


def measure_results(args: argparse.Namespace, *, wave_id: int) -> dict:
    """The admin's national results as served by gunicorn: a new version of the answers (as a
    close or a move of answers sets it, with its background warming, eager here), the cold first
    computation of a selection nobody asked for before (timed once), then the warm page, each of
    its charts and the CSV interleaved with the minimal view."""
    from django.core.cache import cache

    from barometer.services import results as results_version
    from bench.board import Browser, Server, Target, UnexpectedReply, interleave
    from schools.demo import DEMO_ADMIN, DEMO_PASSWORD
    from schools.models import Region

    found: dict = {}
    # A new version: every snapshot of the old one is passed over. `results_changed` runs the
    # warm task after the commit; with eager tasks it runs here, now (a worker's time in production).
    cache.delete(results_version.WARM_QUEUED_KEY)
    start = time.perf_counter()
    results_version.results_changed()
    found["warm_s"] = time.perf_counter() - start
    found["version"] = results_version.data_version()

    static_root = tempfile.mkdtemp(prefix="leerkracht-bench-static-")
    environment = {
        **bench_environment(database_url=args.database_url, redis_url=args.redis_url),
        "BENCH_STATIC_ROOT": static_root,
    }
    run_step(environment, "manage.py", "collectstatic", "--noinput")
    server = Server(environment, workers=args.workers, log_path=Path(static_root) / "gunicorn.log")
    try:
        server.wait_until_ready()
        browser = Browser(server.port)
        browser.log_in(DEMO_ADMIN.email, DEMO_PASSWORD)

        def get(path: str, what: str):
            return lambda: browser.expect(browser.request("GET", path), 200, what)

        # Cold: a selection no one asked for (a region, split by bestuur, one item), timed once;
        # then its chart and CSV, which read the snapshot the page left.
        region = Region.objects.order_by("pk").first()
        unseen = f"meetmoment={wave_id}&regio={region.pk}&per=bestuur&vraag=enthusiasm"
        cold = get(f"/barometer/resultaten/?{unseen}", "results page, cold")()
        cold_charts = [html.unescape(src.decode()) for src in CHART_SRC.findall(cold.body)]
        found["cold"] = {
            "selection": unseen,
            "page_s": cold.seconds,
            "chart_s": get(cold_charts[0], "chart of the cold selection")().seconds if cold_charts else None,
            "csv_s": get(f"/barometer/resultaten/export.csv?{unseen}", "CSV of the cold selection")().seconds,
            "page_again_s": get(f"/barometer/resultaten/?{unseen}", "results page, again")().seconds,
        }

        # Warm: the page as an admin opens it (no filters), each of its charts and its CSV.
        page = get("/barometer/resultaten/", "results page")()
        chart_paths = [html.unescape(src.decode()) for src in CHART_SRC.findall(page.body)]
        targets = [
            Target("minimal", "minimal view", get("/bench/minimal/", "minimal view")),
            Target("page", "results page", get("/barometer/resultaten/", "results page")),
            *(
                Target(
                    f"chart:{path.split('/')[-1].split('.svg')[0]}",
                    f"chart {path.split('/')[-1].split('.svg')[0]}",
                    get(path, "chart"),
                )
                for path in chart_paths
            ),
            Target("csv", "CSV export", get("/barometer/resultaten/export.csv", "CSV export")),
        ]
        progress(f"  {len(targets)} targets × ({args.results_warmup} warm-up + {args.results_rounds}) rounds")
        interleave(targets, warmup=args.results_warmup, rounds=args.results_rounds)
    except UnexpectedReply as error:
        raise SystemExit(f"{error}\n--- gunicorn log ---\n{server.log_tail()}") from None
    finally:
        server.stop()
        shutil.rmtree(static_root, ignore_errors=True)
    base = targets[0].summary()
    rows = {}
    for target in targets:
        summary = target.summary()
        summary["p50_ratio"] = summary["p50_ms"] / base["p50_ms"]
        summary["p95_ratio"] = summary["p95_ms"] / base["p95_ms"]
        rows[target.key] = {"label": target.label, **summary}
    judged = [row for key, row in rows.items() if key != "minimal"]
    return {
        **found,
        "charts": len(chart_paths),
        "rounds": args.results_rounds,
        "warmup": args.results_warmup,
        "workers": args.workers,
        "targets": rows,
        "budget": RESULTS_BUDGET,
        "pass": len(chart_paths) > 0 and all(row["p95_ratio"] <= RESULTS_BUDGET for row in judged),
    }


# --- B. The wave for every teacher ------------------------------------------------------------


def enqueue_wave_reset(*, wave_id: int) -> None:
    """Remove what a previous run of B left (outbox, e-mails, invitations, the schools' moments),
    in SQL: the ORM's cascade would load 400,000 objects to delete them.

    The three tables that only B fills are emptied with TRUNCATE, not DELETE and VACUUM ANALYZE:
    that would leave statistics saying "0 rows", the foreign-key checks (planned once per
    connection and cached) would then seq-scan tables that grow to 130,000 rows during the tick,
    and on the development server, which runs without autovacuum, nothing would correct them — a
    quadratic slowdown that production (large, analyzed tables) never sees. After TRUNCATE the
    planner sizes the tables as it goes. When another wave has invitations (not in the bench's
    own database), only B's rows are deleted and the tables keep real statistics."""
    from django.db import connection, transaction

    from barometer.models import Invitation, InvitationEmail, WaveSchool
    from leerkracht.models import OutboxMessage

    outbox, email, invitation, wave_school = (
        table(OutboxMessage),
        table(InvitationEmail),
        table(Invitation),
        table(WaveSchool),
    )
    only_ours = not Invitation.unscoped.exclude(wave_id=wave_id).exists()  # ids only, platform-wide
    with transaction.atomic(), connection.cursor() as cursor:
        if only_ours:
            cursor.execute(f"TRUNCATE {email}, {invitation}")
            # The core's outbox holds other mail too (and other tables point at it): not truncated.
            cursor.execute(f"DELETE FROM {outbox} WHERE kind = %s", ["barometer_invitation"])  # noqa: S608 - fixed SQL
        else:
            messages = (
                f"SELECT e.message_id FROM {email} e "  # noqa: S608 - fixed SQL
                f"JOIN {invitation} i ON i.id = e.invitation_id WHERE i.wave_id = %s AND e.message_id IS NOT NULL"
            )
            # The e-mails point at their messages: read the ids before the e-mails go.
            cursor.execute(f"CREATE TEMPORARY TABLE bench_messages AS {messages}", [wave_id])
            cursor.execute(
                f"DELETE FROM {email} WHERE invitation_id IN (SELECT id FROM {invitation} WHERE wave_id = %s)",  # noqa: S608
                [wave_id],
            )
            cursor.execute(f"DELETE FROM {outbox} WHERE id IN (SELECT message_id FROM bench_messages)")  # noqa: S608
            cursor.execute("DROP TABLE bench_messages")
            cursor.execute(f"DELETE FROM {invitation} WHERE wave_id = %s", [wave_id])  # noqa: S608
        cursor.execute(f"DELETE FROM {wave_school} WHERE wave_id = %s", [wave_id])  # noqa: S608
    with connection.cursor() as cursor:
        # A's closed moments stay in wave_school, so its statistics are real ones.
        for name in (wave_school,) if only_ours else (outbox, email, invitation, wave_school):
            cursor.execute(f"VACUUM ANALYZE {name}")


def enqueue_wave(*, wave_schools: int | None) -> dict:
    """B's wave, reset and planned again: opens today at 00:00 Amsterdam time for every
    participating school (or the first `wave_schools` of them), so the tick finds it due."""
    from django.utils import timezone

    from barometer.models import Wave, WaveSchool, WaveTiming
    from barometer.services.waves import PARTICIPATING_PHASES, wave_plan
    from leerkracht import clock, tenancy
    from schools.models import School
    from schools.selectors import teachers_of_school

    today = timezone.now().astimezone(clock.AMSTERDAM).date()
    wave, _created = Wave.objects.get_or_create(
        name=ENQUEUE_WAVE,
        defaults={"version": published_version(), "timing": WaveTiming.FIXED, "fixed_date": today},
    )
    wave.fixed_date, wave.open_time = today, dt.time(0, 0)
    wave.save(update_fields=["fixed_date", "open_time"])
    enqueue_wave_reset(wave_id=wave.pk)
    opens_at = clock.instant(today, wave.open_time)
    with tenancy.scope(school_ids=tenancy.ALL):
        school_ids = None
        if wave_schools is not None:
            participating = School.objects.filter(phase__in=PARTICIPATING_PHASES, start_date__isnull=False)
            school_ids = list(participating.order_by("pk").values_list("pk", flat=True)[:wave_schools])
        # Planned the moment before it opens, as the daily planning would have done.
        planned = wave_plan(wave=wave, now=opens_at - dt.timedelta(minutes=1), school_ids=school_ids)
        teachers: set[int] = set()
        pairs = 0
        # Who the invite step will ask, by its own selector: each school's teachers, a teacher of
        # two schools once (an invitation is unique per wave and teacher).
        for school_id in WaveSchool.objects.filter(wave=wave).order_by("school_id").values_list("school_id", flat=True):
            found = teachers_of_school(school_id=school_id)
            pairs += len(found)
            teachers.update(found)
    return {
        "wave_id": wave.pk,
        "opens_at": opens_at,
        "wave_schools": planned,
        "teachers": len(teachers),
        "pairs": pairs,
    }


def commit_latency(*, samples: int = 100) -> float:
    """Median milliseconds of a one-row INSERT and its COMMIT: the floor under every transaction
    the wave writes (the commit waits for the WAL to reach the disk). Noted next to B's figure,
    because on a shared machine it moves with what else writes to the same disk."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_commit_probe (id integer)")
    found = []
    for number in range(samples):
        start = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit_probe VALUES (%s)", [number])
        found.append(time.perf_counter() - start)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_commit_probe")
    return statistics.median(found) * 1000


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def process_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process on this machine (/proc), or None."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime and stime are fields 14 and 15 (proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class RelayCounter:
    """Stands in for the outbox relay task while B is timed: the relay hands messages to the mail
    server, which is not what the budget covers. Counts what would have been enqueued."""

    def __init__(self):
        self.calls = 0

    def delay(self, **kwargs) -> None:
        self.calls += 1


class QueryLog:
    """With --profile: wall time per kind of statement (execute_wrapper), to see where the tick
    waits on PostgreSQL and where it runs Python."""

    NORMALISE = re.compile(r"\b\d+\b|'[^']*'|%s(, %s)*")

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = self.NORMALISE.sub("?", sql)[:140]
            self.seconds[key] += time.perf_counter() - start
            self.count[key] += 1

    def top(self, n: int) -> list[dict]:
        ranked = sorted(self.seconds, key=self.seconds.get, reverse=True)[:n]
        return [{"sql": key, "calls": self.count[key], "seconds": round(self.seconds[key], 3)} for key in ranked]


class StepTimers:
    """With --profile: wall time and calls of the steps of the work (a timing wrapper around each
    function where its callers look it up), cheap enough not to change the picture as cProfile
    does. Nested: a step's time includes the steps it calls."""

    # (module, attribute, what it is). The services call each other through these module
    # attributes, so wrapping the attribute times every call.
    STEPS = [
        ("barometer.services.waves", "wave_schools_invite", "invite a batch of schools (incl. its sender, eager)"),
        ("barometer.services.waves", "teachers_by_school", "  the batch's teachers (two queries)"),
        ("barometer.services.waves", "_invitation_row", "  a teacher's nonce and token digest"),
        ("barometer.services.waves", "_insert", "  INSERT … ON CONFLICT … RETURNING (all three tables)"),
        ("barometer.services.waves", "wave_schools_emails_send", "  write the batch's e-mails to the outbox"),
        ("barometer.mail", "invitation_template", "    render the wave's text (once per deadline)"),
        ("barometer.services.waves", "_chunk_send", "    one chunk: locked read, fill in names, insert, mark SENT"),
    ]

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: dict[str, int] = defaultdict(int)

    def patches(self) -> list:
        import importlib
        from unittest import mock

        from django.db import connections

        found = []
        for module_name, attribute, label in self.STEPS:
            module = importlib.import_module(module_name)
            found.append(mock.patch.object(module, attribute, self.timed(label, getattr(module, attribute))))
        # Commits are not statements (execute_wrapper does not see them): time them here.
        wrapper = connections["default"]
        found.append(mock.patch.object(wrapper, "commit", self.timed("commit (fsync of the WAL)", wrapper.commit)))
        return found

    def timed(self, label: str, function):
        def timed_call(*args, **kwargs):
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - start
                self.count[label] += 1

        return timed_call

    def rows(self) -> list[dict]:
        labels = [label for _module, _attribute, label in self.STEPS] + ["commit (fsync of the WAL)"]
        return [
            {"step": label, "calls": self.count[label], "seconds": round(self.seconds[label], 3)}
            for label in labels
            if self.count[label]
        ]


def measure_enqueue(*, wave_schools: int | None, profile: bool, cprofile: bool) -> dict:
    """Time one tick that opens B's wave: with eager tasks it invites every teacher and writes
    every invitation e-mail to the outbox before it returns. Then check that it did."""
    from unittest import mock

    from django.db import connection
    from django.utils import timezone

    from barometer.models import (
        EmailKind,
        EmailStatus,
        Invitation,
        InvitationEmail,
        WaveSchool,
        WaveSchoolStatus,
    )
    from barometer.services.waves import barometer_tick
    from leerkracht import tasks
    from leerkracht.models import OutboxMessage
    from leerkracht.tenancy import scopes_disabled

    plan = enqueue_wave(wave_schools=wave_schools)
    progress(f"  wave planned: {plan['wave_schools']:,} schools, {plan['teachers']:,} teachers to invite")
    commit_ms_before = commit_latency()
    # The tick starts on a fresh connection, as a worker's task does (Celery closes old
    # connections around tasks): nothing planned and cached before it carries into the timing.
    connection.close()
    # The server process that will run the tick's statements (the database is on this machine):
    # its CPU time, with this process's, is what the tick costs whatever else runs here.
    backend = backend_pid()
    backend_cpu_before = process_cpu_s(backend)
    relay = RelayCounter()
    queries = QueryLog() if profile else None
    steps = StepTimers() if profile else None
    profiler = cProfile.Profile() if cprofile else None
    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(tasks, "outbox_relay", relay))
        if queries is not None:
            stack.enter_context(connection.execute_wrapper(queries))
        for patch in steps.patches() if steps is not None else []:
            stack.enter_context(patch)
        now = timezone.now()
        if profiler is not None:
            profiler.enable()
        load_before = os.getloadavg()[0]
        cpu_start, start = time.process_time(), time.perf_counter()
        result = barometer_tick(now=now)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        load_after = os.getloadavg()[0]
        if profiler is not None:
            profiler.disable()
    backend_cpu_after = process_cpu_s(backend) if backend_pid() == backend else None
    backend_cpu = (
        backend_cpu_after - backend_cpu_before
        if backend_cpu_before is not None and backend_cpu_after is not None
        else None
    )
    commit_ms_after = commit_latency()
    wave_id = plan["wave_id"]
    with scopes_disabled():
        invitations = Invitation.objects.filter(wave_id=wave_id)
        emails = InvitationEmail.objects.filter(invitation__wave_id=wave_id, kind=EmailKind.INVITE)
        outbox = OutboxMessage.objects.filter(email__invitation__wave_id=wave_id, email__kind=EmailKind.INVITE)
        found = {
            "opened": len(result.opened),
            "wave_schools_open": WaveSchool.objects.filter(wave_id=wave_id, status=WaveSchoolStatus.OPEN).count(),
            "invitations": invitations.count(),
            "teachers_without_invitation": plan["teachers"] - invitations.values("user_id").distinct().count(),
            "invite_emails": emails.count(),
            "invite_emails_sent": emails.filter(status=EmailStatus.SENT).count(),
            "outbox": outbox.count(),
            "relay_tasks_not_run": relay.calls,
        }
    complete = (
        found["teachers_without_invitation"] == 0
        and found["invitations"] == plan["teachers"]
        and found["invite_emails"] == found["invite_emails_sent"] == found["outbox"] == found["invitations"]
    )
    outcome = {
        **{key: value for key, value in plan.items() if key != "opens_at"},
        "opens_at": plan["opens_at"].isoformat(),
        "seconds": seconds,
        # This process's own CPU time within the wall time: the rest is waiting on PostgreSQL (or,
        # on a busy machine, for a core); the 1-minute load average says which.
        "cpu_s": cpu,
        # The PostgreSQL backend's CPU time for the tick (None when it could not be read): with
        # `cpu_s`, the work itself, apart from waiting for a core on a busy machine.
        "database_cpu_s": backend_cpu,
        "load": [round(load_before, 2), round(load_after, 2)],
        "commit_ms": [round(commit_ms_before, 2), round(commit_ms_after, 2)],
        "per_second": plan["teachers"] / seconds if seconds else 0.0,
        "found": found,
        "complete": complete,
        "budget": ENQUEUE_BUDGET,
        # Only a full national wave is held against the budget; --wave-schools is for profiling.
        "pass": complete and wave_schools is None and seconds <= ENQUEUE_BUDGET,
        "national": wave_schools is None,
        "profiled": profile or cprofile,
    }
    if steps is not None:
        outcome["profile"] = {
            "database_s": sum(queries.seconds.values()),
            "statements": sum(queries.count.values()),
            "top_statements": queries.top(15),
            "steps": steps.rows(),
        }
    if profiler is not None:
        outcome["cprofile"] = cprofile_listing(profiler)
    return outcome


def cprofile_listing(profiler: cProfile.Profile) -> str:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    # Our code and the Django calls it spends its time in, by cumulative time; then by own time.
    stats.sort_stats("cumulative").print_stats(
        r"/barometer/|render_to_string|salted_hmac|query.py.*\((create|first|bulk_create|update)\)|"
        r"base.py.*\((save|commit)\)|compiler.py.*\((as_sql|execute_sql)\)",
        40,
    )
    stats.sort_stats("tottime").print_stats(20)
    return out.getvalue()


# --- Report -----------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(run: dict) -> str:
    lines = [
        f"Barometer benchmark: database {run['database']} ({run['counts']['schools']:,} schools, "
        f"{run['counts']['users']:,} users)",
        "Phases: "
        + ", ".join(
            f"{name} {seconds:.1f} s" + (f" ({run['phase_notes'][name]})" if name in run["phase_notes"] else "")
            for name, seconds in run["phases"].items()
        ),
    ]
    if "aggregation" in run:
        a, seed = run["aggregation"], run["aggregation_seed"]
        sizes = a["sizes"]
        lines += [
            "",
            f"A. Aggregation of {seed['answers']:,} answers ({seed['responses']:,} responses × {seed['items']} items, "
            f"{seed['open_answers']:,} of them open; {seed['schools']:,} schools, {seed['teams']:,} teams), "
            f"best of {a['rounds']} after {a['warmup']} warm-up, interleaved "
            f"(load average {a['load'][0]:.1f} → {a['load'][1]:.1f}):",
            f"  {'':<62}{'best s':>8}{'median s':>10}",
            f"  {'floor: SQL GROUP BY (wave, question, school, team, value)':<62}"
            f"{a['best_s']['floor']:>8.3f}{a['median_s']['floor']:>10.3f}   {sizes['floor_rows']:,} rows fetched",
            f"  {'app: results_compute + every level (scope ALL)':<62}"
            f"{a['best_s']['app']:>8.3f}{a['median_s']['app']:>10.3f}   {sizes['cells']:,} team/school cells",
            f"  ratio app / floor: best {a['ratio_best']:.2f}×, median {a['ratio_median']:.2f}×   "
            f"budget ≤ {a['budget']:g}× (best)  {verdict(a['pass'])}",
            f"  scored answers counted: app {sizes['app_scored_answers']:,}, floor {sizes['floor_scored_answers']:,}"
            + ("" if a["same_rows"] else "  MISMATCH: the two did not read the same rows"),
        ]
    if "enqueue" in run:
        b = run["enqueue"]
        found = b["found"]
        scope = "every participating school" if b["national"] else f"the first {b['wave_schools']:,} schools only"
        lines += [
            "",
            f"B. Enqueue a wave for {b['teachers']:,} teachers ({b['wave_schools']:,} schools, {scope}):",
            "  timed: barometer_tick(now) with Celery eager, from the tick until every teacher has an invitation and",
            "  every invitation e-mail is written to the outbox (OutboxMessage); not timed: relaying the outbox",
            f"  to the mail server ({found['relay_tasks_not_run']:,} relay tasks counted, not run).",
            f"  {b['seconds']:.1f} s ({b['cpu_s']:.1f} s CPU in this process; load average "
            f"{b['load'][0]:.1f} → {b['load'][1]:.1f}), {b['per_second']:,.0f} teachers/s; "
            f"{found['invitations']:,} invitations, {found['outbox']:,} e-mails in the outbox, "
            f"{found['wave_schools_open']:,} schools open"
            + ("" if b["complete"] else "  INCOMPLETE: " + json.dumps(found)),
            (
                f"  CPU: {b['cpu_s']:.1f} s this process + {b['database_cpu_s']:.1f} s its PostgreSQL backend = "
                f"{b['cpu_s'] + b['database_cpu_s']:.1f} s of work (the wall time less waiting for a core and the disk)"
                if b.get("database_cpu_s") is not None
                else "  CPU of the PostgreSQL backend: not readable here (not a local server?)"
            ),
            f"  one-row INSERT + COMMIT on this database: median {b['commit_ms'][0]:.1f} ms before, "
            f"{b['commit_ms'][1]:.1f} ms after (the disk's fsync, under every transaction)",
            (
                f"  budget ≤ {b['budget']:g} s  {verdict(b['pass'])}" + (" (profiled run)" if b["profiled"] else "")
                if b["national"]
                else f"  budget ≤ {b['budget']:g} s: judged on the national wave only (this run: --wave-schools)"
            ),
        ]
        if "profile" in b:
            p = b["profile"]
            per = 1000 / max(1, b["teachers"])
            lines += [
                "",
                f"  Where the time goes (with timing wrappers, so a little slower): {b['seconds']:.1f} s wall, "
                f"{b['cpu_s']:.1f} s CPU here, {p['database_s']:.1f} s in {p['statements']:,} statements",
                f"  {'step':<62}{'calls':>9}{'s':>9}{'ms/teacher':>12}",
                *(
                    f"  {row['step']:<62}{row['calls']:>9,}{row['seconds']:>9.2f}{row['seconds'] * per:>12.2f}"
                    for row in p["steps"]
                ),
                "  statements by total wall time (sent, executed, answered):",
                *(f"  {q['seconds']:>9.2f} s {q['calls']:>8,} × {q['sql']}" for q in p["top_statements"]),
            ]
        if "cprofile" in b:
            lines += ["", "  cProfile (slows Python-heavy code down several times):", b["cprofile"]]
    if "results" in run:
        c = run["results"]
        cold = c["cold"]
        chart_s = f"{cold['chart_s'] * 1000:.0f} ms" if cold["chart_s"] is not None else "no chart"
        lines += [
            "",
            f"C. National results over HTTP (gunicorn, {c['workers']} sync workers), A's wave and the demo's:",
            f"  new version of the answers + background warming of the common snapshots: {c['warm_s']:.1f} s "
            "(eager: in this process)",
            f"  cold, a selection nobody asked for ({cold['selection']}), once: page {cold['page_s']:.2f} s; "
            f"then its chart {chart_s}, CSV {cold['csv_s'] * 1000:.0f} ms, page again "
            f"{cold['page_again_s'] * 1000:.0f} ms",
            f"  warm, interleaved, {c['rounds']} rounds after {c['warmup']} warm-up:",
            f"  {'target':<32}{'p50 ms':>9}{'p95 ms':>9}{'bytes':>10}{'p50 ×':>8}{'p95 ×':>8}",
            *(
                f"  {row['label']:<32}{row['p50_ms']:>9.2f}{row['p95_ms']:>9.2f}{row['bytes']:>10,}"
                f"{row['p50_ratio']:>8.2f}{row['p95_ratio']:>8.2f}"
                for row in c["targets"].values()
            ),
            f"  budget: page, each chart and the CSV p95 ≤ {c['budget']:g}× the minimal view's  {verdict(c['pass'])}",
        ]
    lines += ["", f"Whole run: {run['wall_s']:.0f} s"]
    return "\n".join(lines)


# --- Entry point ------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    from schools.models import School, User

    return {"schools": School.objects.count(), "users": User.objects.count()}


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    phases = Phases()
    prepare(args, phases)
    from leerkracht.tenancy import scopes_disabled

    outcome: dict = {"database": urlsplit(args.database_url).path.lstrip("/")}
    if args.command == "reset":
        with scopes_disabled():
            from barometer.models import Wave

            for wave in Wave.objects.filter(name=ENQUEUE_WAVE):
                enqueue_wave_reset(wave_id=wave.pk)
        progress("B's wave reset (A's answers are kept; they are reseeded when their count differs).")
        return 0
    with scopes_disabled():
        outcome["counts"] = counts()
        if args.command in ("run", "aggregate", "results"):
            with phases.timed("seed answers"):
                outcome["aggregation_seed"] = aggregation_wave(answers=args.answers)
                phases.notes["seed answers"] = "seeded" if outcome["aggregation_seed"]["seeded"] else "kept"
    if args.command in ("run", "aggregate"):
        with phases.timed("measure A"):
            outcome["aggregation"] = measure_aggregation(
                wave_id=outcome["aggregation_seed"]["wave_id"], warmup=args.warmup, rounds=args.rounds
            )
    if args.command in ("run", "results"):
        with phases.timed("measure C"):
            outcome["results"] = measure_results(args, wave_id=outcome["aggregation_seed"]["wave_id"])
    if args.command in ("run", "enqueue"):
        with phases.timed("measure B"):
            # Outside any tenant scope, as the beat task runs it: its sweeps read past the scope on
            # purpose and every follow-up task opens its school's own.
            outcome["enqueue"] = measure_enqueue(
                wave_schools=args.wave_schools, profile=args.profile, cprofile=args.cprofile
            )
    outcome["phases"] = {name: round(seconds, 2) for name, seconds in phases.seconds.items()}
    outcome["phase_notes"] = phases.notes
    outcome["wall_s"] = time.perf_counter() - started
    print(report(outcome))
    if args.json:
        print(json.dumps(outcome, indent=2, default=str))
    verdicts = [outcome[key]["pass"] for key in ("aggregation", "results", "enqueue") if key in outcome]
    return 0 if all(verdicts) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.barometer", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "aggregate", "results", "enqueue", "reset"],
        help="run: A, C and B; aggregate: A; results: C; enqueue: B; reset: remove B's invitations and outbox",
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL, help="created if missing; %(default)s")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="default: %(default)s")
    parser.add_argument("--schools", type=int, default=DEFAULT_SCHOOLS, help="demo schools (default %(default)s)")
    parser.add_argument("--answers", type=int, default=1_000_000, help="answers in A's wave (default %(default)s)")
    parser.add_argument("--rounds", type=int, default=5, help="A: measured rounds, best kept (default %(default)s)")
    parser.add_argument("--warmup", type=int, default=1, help="A: warm-up rounds (default %(default)s)")
    parser.add_argument("--results-rounds", type=int, default=50, help="C: measured rounds (default %(default)s)")
    parser.add_argument("--results-warmup", type=int, default=5, help="C: warm-up rounds (default %(default)s)")
    parser.add_argument("--workers", type=int, default=2, help="C: gunicorn sync workers (default %(default)s)")
    parser.add_argument(
        "--wave-schools", type=int, default=None, help="B: plan the wave for the first N schools only (profiling)"
    )
    parser.add_argument("--profile", action="store_true", help="B: time per step and per SQL statement")
    parser.add_argument("--cprofile", action="store_true", help="B: cProfile listing too (slows Python down)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON after the table too")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
