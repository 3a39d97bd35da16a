"""Services of the instruments (the writes), one module per instrument: import from the instrument's
module, e.g. `from instruments.services import board as services`."""
