"""gunicorn hooks for `bench/board.py` (loaded with `--config python:bench.gunicorn_hooks`)."""

READY = "bench: worker ready"


def post_worker_init(worker):
    # /healthz answers as soon as one worker is up; timing starts only when every worker has
    # loaded the app, or a late worker's first requests would land among the samples.
    worker.log.warning("%s (pid %s)", READY, worker.pid)
