"""Services of the instruments, one module per instrument. The board's names are re-exported here
because they were first written as one module."""

from instruments.services.board import *  # noqa: F403
