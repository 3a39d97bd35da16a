"""The Celery app. Reliability defaults live in settings (CELERY_*) and are set once:

- late acks + reject on worker lost: a task whose worker dies is redelivered, not lost; so every
  task must be idempotent (unique constraints plus a status, see STYLE.md "Tasks");
- prefetch 1: a worker busy with a long export does not sit on queued short tasks;
- Redis visibility timeout > the hard time limit + the longest countdown allowed: otherwise
  Redis would hand a still-running task to a second worker;
- tasks are enqueued only after the surrounding transaction commits (`OnCommitTask`), so a
  worker never looks for a row that is not there yet, or acts on a write that was rolled back.

A task that touches a school's rows is a `TenantTask` (`@shared_task(base=TenantTask)`): it opens
the tenant scope of the school (or schools) its arguments name around its body, in one place, as
pretix's tasks open their event. Task bodies never open a scope themselves.
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


class TenantTask(OnCommitTask):
    """A task that touches a school's rows: its body runs inside the tenant scope of exactly the
    schools its keyword arguments name (`school_id`, or `school_ids` for a batch). A call that
    names none is refused: there is no default scope to fall back on."""

    abstract = True

    def __call__(self, *args, **kwargs):
        if "school_id" in kwargs:
            school_ids = [kwargs["school_id"]]
        elif "school_ids" in kwargs:
            school_ids = list(kwargs["school_ids"])
        else:
            raise TypeError(f"{self.name} is a tenant task: call it with school_id= or school_ids=.")
        from leerkracht import tenancy  # models: not importable before Django is set up

        with tenancy.scope(school_ids=school_ids):
            return super().__call__(*args, **kwargs)


app = Celery("leerkracht", task_cls=OnCommitTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
