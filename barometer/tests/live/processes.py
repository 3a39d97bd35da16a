"""The barometer's live worker and beat: the shared ones (leerkracht/tests/live/processes.py)
with beat running the barometer's tick every second beside the outbox's sweep, a short outbox
lease (a message whose relay was killed goes again, under its Message-ID, within the test's
time), and the tick's reports read from the worker's log."""

from __future__ import annotations

import ast

from leerkracht.tests.live.processes import LiveCelery as SharedLiveCelery
from leerkracht.tests.live.processes import in_ci, wait_for

__all__ = ["LiveCelery", "in_ci", "wait_for"]

TICK = "barometer.tasks.barometer_tick"


class LiveCelery(SharedLiveCelery):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.env.update(
            LIVE_BEAT=f"{TICK}={self.env.get('LIVE_TICK_SECONDS', '1')},leerkracht.tasks.outbox_relay=1",
            MAIL_OUTBOX_LEASE_SECONDS="5",
        )

    def tick_results(self) -> list[dict[str, int]]:
        """What every barometer tick that finished reported, from the workers' logs."""
        return [ast.literal_eval(result) for result in self.succeeded(TICK)]
