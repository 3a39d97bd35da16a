"""Captured mail: the worker's e-mail backend writes each message as one .eml file, and the test
reads them back.

The file is written under a temporary name and renamed, so a worker killed while writing leaves
no half message that would count. `delay_before` and `delay_after` make the backend as slow as
a mail server that takes its time before and after accepting a message: a kill can then land
either before a message was handed over (it is not delivered) or after (it was delivered, but the
outbox row was not yet stamped as relayed: the claimed, unconfirmed message of leerkracht/mail.py).
"""

from __future__ import annotations

import os
import time
import uuid
from collections import Counter
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class CapturingEmailBackend(BaseEmailBackend):
    """One file per message in `directory` (test-only code: never configured outside the live tests)."""

    def __init__(self, *, directory: str, delay_before: float = 0.0, delay_after: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.delay_before = delay_before
        self.delay_after = delay_after

    def send_messages(self, messages) -> int:
        for message in messages:
            if self.delay_before:
                time.sleep(self.delay_before)
            data = message.message().as_bytes()
            name = f"{time.time_ns()}-{os.getpid()}-{uuid.uuid4().hex}.eml"
            partial = self.directory / f".{name}.part"
            partial.write_bytes(data)
            os.replace(partial, self.directory / name)  # atomic: a file is a whole message or absent
            if self.delay_after:
                time.sleep(self.delay_after)
        return len(messages)


def read_messages(directory: Path) -> list[tuple[str, EmailMessage]]:
    """Every delivery captured so far, in the order they were handed over: (file name, message)."""
    parser = BytesParser(policy=policy.default)
    return [(path.name, parser.parsebytes(path.read_bytes())) for path in sorted(Path(directory).glob("*.eml"))]


def message_ids_delivered(directory: Path) -> Counter:
    """How often each Message-ID was delivered."""
    return Counter(str(message["Message-ID"]).strip() for _name, message in read_messages(directory))
