"""What every chart module shares: the lock around matplotlib's process-global settings.

`matplotlib.rc_context` swaps the global rcParams in and back out; two threads of one gunicorn
worker rendering at once would restore each other's settings half-way through a drawing. Every
module that renders with its own rcParams takes this one lock (the board's goal charts, the
barometer's result charts)."""

from __future__ import annotations

import threading

render_lock = threading.Lock()
