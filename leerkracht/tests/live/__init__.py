"""Test-only helpers for running the platform on a real Celery worker and beat, shared by the
apps' live tests (barometer/tests/test_celery_live.py, instruments/tests/test_celery_live.py,
leerkracht/tests/test_celery_live.py):

- `settings`: the settings module of beat and the workers (not eager, real Redis, captured mail,
  the beat schedule the test asks for);
- `mail`: the e-mail backend that captures each message as a file (optionally slowly), and the
  reader of what it captured;
- `zygote`: imports the platform once and forks beat and each worker from it;
- `processes`: starting, killing and stopping them from a test, and waiting for what they do.

Production code never imports any of this; it imports no app.
"""
