"""Selectors of the instruments (the reads), one module per instrument: import from the instrument's
module, e.g. `from instruments.selectors import board as selectors`."""
