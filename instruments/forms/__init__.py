"""Forms of the instruments, one module per instrument: import from the instrument's module."""
