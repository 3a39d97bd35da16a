"""One process that imports the platform once and forks a fresh Celery worker (or beat) whenever
a live test asks for one: `python -m leerkracht.tests.live.zygote <directory>`.

Why: importing the platform (Django, and the URLconf with its charts and pandas, which the
worker's system checks and the relay's answer links need) costs a worker several seconds of CPU.
A test that kills a worker twice would pay that three times, and a restart would take as long as
the imports. Forked from here, each worker is still a new process in its own session with no
connection and no state of the one before it (nothing here opens a database or broker
connection), exactly as a pool process forked by Celery's prefork pool; it is then an ordinary
`celery -A leerkracht worker` with the arguments the test gave.

Protocol, by files in <directory>: the test writes `<name>.go` (JSON: the arguments after
`celery -A leerkracht`); the zygote forks, writes the child's pid to `<name>.forked` and the
child's output goes to `<name>.log`. The zygote reaps its children and ends when the test process
is gone or `stop` appears; a child dies with the zygote (Linux's parent-death signal), so a test
run that crashed leaves no worker consuming from Redis.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _run_celery(name: str, arguments: list[str], directory: Path) -> None:
    """In the forked child: a session of its own (so the test can SIGKILL its whole group), the
    log as stdout and stderr, then Celery's command line. Never returns."""
    os.setsid()
    with contextlib.suppress(AttributeError, OSError):  # not Linux: the test's teardown still ends every child
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:
        os._exit(1)  # the zygote died before the line above took effect
    log = os.open(directory / f"{name}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    code = 1
    try:
        from celery.__main__ import main as celery_main

        sys.argv = ["celery", "-A", "leerkracht", *arguments]
        celery_main()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def main() -> None:
    directory = Path(sys.argv[1])
    test_process = os.getppid()
    import django

    django.setup()
    # Imported once here, not in every worker: the URLconf (charts, pandas) and Celery's command line.
    from importlib import import_module

    from celery.__main__ import main as _celery_main  # noqa: F401
    from django.conf import settings

    import_module(settings.ROOT_URLCONF)

    print("zygote ready", flush=True)
    forked: set[str] = set()
    while not (directory / "stop").exists() and os.getppid() == test_process:
        for go in sorted(directory.glob("*.go")):
            name = go.stem
            if name in forked:
                continue
            forked.add(name)
            arguments = json.loads(go.read_text())
            pid = os.fork()
            if pid == 0:
                _run_celery(name, arguments, directory)
            partial = directory / f"{name}.forked.partial"
            partial.write_text(str(pid))
            os.replace(partial, directory / f"{name}.forked")
            print(f"forked {name} as {pid}", flush=True)
        try:
            while (reaped := os.waitpid(-1, os.WNOHANG))[0]:
                print(f"reaped {reaped[0]} (status {reaped[1]})", flush=True)
        except ChildProcessError:
            pass
        time.sleep(0.02)


if __name__ == "__main__":
    main()
