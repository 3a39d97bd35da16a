"""A real Celery beat and workers as subprocesses of a live test, and waiting for what they do.

They are `celery -A leerkracht beat` and `celery -A leerkracht worker`, forked by the zygote
(`zygote.py`) which imports the platform once: a worker starts in about a second, and a
"restart" after a kill is a new process in a second rather than after seconds of imports. Each
runs in its own session (process group), so a test can SIGKILL a worker together with its pool
children, and teardown can never leave one behind. All of them run against the test database
and the test's Redis database, from the repository root, with the test's own interpreter.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from django.conf import settings

SETTINGS_MODULE = "leerkracht.tests.live.settings"
READY = re.compile(r"@\S+ ready\.")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def database_url(settings_dict: dict) -> str:
    """The URL of the database the test runs on (pytest-django's test database, not DATABASE_URL's
    own), for the worker's DATABASE_URL."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = settings_dict.get("HOST") or "localhost"
    port = settings_dict.get("PORT") or 5432
    return f"postgresql://{auth}@{host}:{port}/{quote(settings_dict['NAME'], safe='')}"


def wait_for(condition: Callable[[], object], *, timeout: float, what: str, interval: float = 0.05):
    """Poll `condition` until it returns something truthy (and return that); fail after `timeout`
    seconds saying what did not happen."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class LiveCelery:
    """Beat, the zygote and the workers of one test. `stop()` ends all of them; the fixture calls it."""

    def __init__(self, *, directory: Path, database: dict, redis_url: str):
        self.directory = directory
        self.mail_dir = directory / "mail"
        self.mail_dir.mkdir(parents=True, exist_ok=True)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DATABASE_URL": database_url(database),
            "REDIS_URL": redis_url,
            # The worker writes answer links with the server's secret; the test process reads them.
            "SECRET_KEY": settings.SECRET_KEY,
            "LIVE_MAIL_DIR": str(self.mail_dir),
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        self.zygote: subprocess.Popen | None = None
        self.children: dict[str, int | None] = {}  # beat and the workers: name -> pid once forked
        self.worker_name = ""  # the current worker

    def start(self) -> None:
        """Start the zygote (it imports the platform now, beside whatever the test does) and beat.
        Set `env` before this: beat and the workers inherit the zygote's environment."""
        with (self.directory / "zygote.log").open("wb") as out:
            self.zygote = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
                [sys.executable, "-m", "leerkracht.tests.live.zygote", str(self.directory)],
                cwd=settings.BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._fork(
            "beat",
            [
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.directory / 'beat-schedule'}",
                f"--pidfile={self.directory / 'beat.pid'}",
                "--max-interval=1",
            ],
        )

    def _fork(self, name: str, arguments: list[str]) -> None:
        """Ask the zygote for `celery -A leerkracht <arguments>` as a new process (it forks it as soon
        as its own imports are done; `_pid` waits for that)."""
        partial = self.directory / f"{name}.go.partial"  # not *.go: the zygote must not read it half-written
        partial.write_text(json.dumps(arguments))
        os.replace(partial, self.directory / f"{name}.go")
        self.children[name] = None

    def _pid(self, name: str, *, wait: bool = True) -> int | None:
        """The pid of a process asked for, waiting until the zygote has forked it (or not)."""
        if self.children.get(name) is None:
            forked = self.directory / f"{name}.forked"
            if wait:
                wait_for(
                    lambda: forked.exists() or self.zygote.poll() is not None,
                    timeout=90,
                    what=f"the zygote to fork {name}",
                )
                assert self.zygote.poll() is None, f"the zygote exited with {self.zygote.returncode}:\n{self.logs()}"
            if forked.exists():
                self.children[name] = int(forked.read_text())
        return self.children[name]

    def start_worker(self, *, pool: str = "solo", concurrency: int = 1) -> int:
        """Start a new worker and wait until it says it is ready. Returns its pid."""
        number = sum(1 for name in self.children if name.startswith("worker")) + 1
        name = self.worker_name = f"worker-{number}"
        self._fork(
            name,
            [
                "worker",
                "--loglevel=INFO",
                f"--pool={pool}",
                f"--concurrency={concurrency}",
                f"--hostname=live-{number}@%h",
                f"--pidfile={self.directory / f'{name}.pid'}",
                # No cluster chatter: one worker at a time, and it must be ready in a second.
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
        )
        pid = self._pid(name)
        wait_for(lambda: READY.search(self.log(name)) or not alive(pid), timeout=60, what=f"{name} to be ready")
        assert alive(pid), f"{name} exited:\n{self.log(name)}"
        return pid

    def kill_worker(self) -> int:
        """SIGKILL the current worker's whole process group (the worker and any pool child): no
        warm shutdown, no acknowledgement, the task it runs dies where it is. Returns the pid."""
        pid = self._pid(self.worker_name)
        os.killpg(pid, signal.SIGKILL)  # its own session: the group id is its pid
        wait_for(lambda: not alive(pid), timeout=10, what=f"{self.worker_name} to die")  # reaped by the zygote
        return pid

    def stop(self) -> None:
        """End every process: a warm shutdown first, then SIGKILL for what is still there. Beat and
        the workers go first, while the zygote is still there to reap them."""
        # A process asked for and not forked yet is forked by nobody once `stop` is there, or dies
        # with the zygote (parent-death signal).
        children = [pid for name in self.children if (pid := self._pid(name, wait=False)) and alive(pid)]
        for pid in children:
            _signal_group(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in children):
            time.sleep(0.05)
        for pid in children:
            _signal_group(pid, signal.SIGKILL)  # pool children too, whatever their parent did
        if self.zygote is None:
            return
        (self.directory / "stop").touch()
        try:
            self.zygote.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _signal_group(self.zygote.pid, signal.SIGKILL)
            self.zygote.wait(timeout=10)

    def log(self, name: str) -> str:
        path = self.directory / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def worker_log(self) -> str:
        return "".join(self.log(name) for name in self.children if name.startswith("worker"))

    def succeeded(self, task: str, *, worker: str | None = None) -> list[str]:
        """What each run of `task` (its dotted name) that finished returned, from the workers'
        logs (or one worker's), in order."""
        pattern = re.compile(rf"Task {re.escape(task)}\[[^\]]+\] succeeded in [\d.e-]+s: (?P<result>.*)$", re.M)
        text = self.log(worker) if worker else self.worker_log()
        return [match["result"] for match in pattern.finditer(text)]

    def unfinished_tasks(self, name: str) -> list[str]:
        """The tasks a worker's log shows received and never finished: what it was running (or
        had reserved) when it died."""
        text = self.log(name)
        received = re.findall(r"Task (\S+?)\[([0-9a-f-]+)\] received", text)
        finished = set(re.findall(r"Task \S+?\[([0-9a-f-]+)\] (?:succeeded|failed|raised|retry)", text))
        return [task for task, task_id in received if task_id not in finished]

    def logs(self) -> str:
        names = ["zygote", *self.children]
        return "\n".join(f"===== {name} =====\n{self.log(name)}" for name in names)


def _signal_group(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signum)
