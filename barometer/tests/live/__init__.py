"""Test-only helpers for running the barometer on a real Celery worker and beat (issue 5, "What
must hold" 1 and 2), used by barometer/tests/test_celery_live.py:

- `settings`: the settings module of beat and the workers (not eager, real Redis, 1 s tick,
  captured mail);
- `mail`: the e-mail backend that captures each message as a file (optionally slowly), and the
  reader of what it captured;
- `zygote`: imports the platform once and forks beat and each worker from it;
- `processes`: starting, killing and stopping them from a test, and waiting for what they do;
- `answering`: answering the questionnaire from an e-mail link through the form, like a person.

Production code never imports any of this.
"""
