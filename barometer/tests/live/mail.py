"""Captured mail: the worker's e-mail backend writes each message as one .eml file, and the test
reads them back.

The file is written under a temporary name and renamed, so a worker killed while writing leaves
no half message that would count. `delay_before` and `delay_after` make the backend as slow as
a mail server that takes its time before and after accepting a message: a kill can then land
while a wave is half-sent, either before a message was handed over (it is not delivered) or after
(it was delivered, but the outbox row was not yet stamped as relayed; the relay will hand it over
again, under the same Message-ID).
"""

from __future__ import annotations

import os
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

MESSAGE_ID = re.compile(r"^<invitation-(?P<invitation>\d+)-(?P<kind>invite|reminder)@leerkracht>$")
ANSWER_LINK = re.compile(r"http://testserver(?P<path>/barometer/antwoorden/[0-9a-f]{40}/)")


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


@dataclass(frozen=True)
class Captured:
    """One captured delivery."""

    message_id: str
    invitation_id: int
    kind: str
    to: str
    subject: str
    answer_path: str


def read_captured(directory: Path) -> list[Captured]:
    """Every delivery captured so far, in the order they were handed over."""
    captured = []
    parser = BytesParser(policy=policy.default)
    for path in sorted(Path(directory).glob("*.eml")):
        message = parser.parsebytes(path.read_bytes())
        message_id = str(message["Message-ID"]).strip()
        match = MESSAGE_ID.match(message_id)
        assert match, f"unexpected Message-ID {message_id!r} in {path.name}"
        link = ANSWER_LINK.search(message.get_body(preferencelist=("plain",)).get_content())
        assert link, f"no answer link in {path.name}"
        captured.append(
            Captured(
                message_id=message_id,
                invitation_id=int(match["invitation"]),
                kind=match["kind"],
                to=str(message["To"]).strip(),
                subject=str(message["Subject"]),
                answer_path=link["path"],
            )
        )
    return captured


def raw_duplicates(captured: list[Captured]) -> int:
    """Deliveries beyond the first of each Message-ID: a message handed over twice."""
    return sum(count - 1 for count in Counter(item.message_id for item in captured).values())
