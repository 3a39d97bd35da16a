"""The Celery app. Reliability defaults live in settings (CELERY_*) and are set once:

- late acks + reject on worker lost: a task whose worker dies is redelivered, not lost; so every
  task must be idempotent (unique constraints plus a status, see STYLE.md "Tasks");
- prefetch 1: a worker busy with a long export does not sit on queued short tasks;
- Redis visibility timeout > the hard time limit + the longest countdown allowed: otherwise
  Redis would hand a still-running task to a second worker;
- tasks are enqueued only after the surrounding transaction commits (`OnCommitTask`), so a
  worker never looks for a row that is not there yet, or acts on a write that was rolled back.
"""

import os

from celery import Celery, Task
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leerkracht.settings.dev")


class OnCommitTask(Task):
    """Every `delay`/`apply_async` waits for the current transaction to commit (immediately
    outside one). The AsyncResult is therefore not returned: our tasks report through the
    database, never through a result backend."""

    def apply_async(self, args=None, kwargs=None, **options):
        countdown = options.get("countdown") or 0
        from django.conf import settings

        if countdown > settings.CELERY_MAX_COUNTDOWN:
            raise ValueError(
                f"countdown {countdown}s exceeds CELERY_MAX_COUNTDOWN; Redis would redeliver "
                "the task before it runs. Schedule it with beat instead."
            )
        parent = super()
        transaction.on_commit(lambda: parent.apply_async(args, kwargs, **options))


app = Celery("leerkracht", task_cls=OnCommitTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
