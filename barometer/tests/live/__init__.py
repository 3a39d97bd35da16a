"""Test-only helpers for running the barometer on a real Celery worker and beat (issue 5, "What
must hold" 1 and 2), used by barometer/tests/test_celery_live.py. The worker, beat, zygote,
settings and mail capture are shared with the other apps' live tests (leerkracht/tests/live/);
here only what is the barometer's own:

- `processes`: the shared live worker and beat with the barometer's tick every second;
- `mail`: reading the captured invitations and reminders (Message-ID, answer link);
- `answering`: answering the questionnaire from an e-mail link through the form, like a person.

Production code never imports any of this.
"""
