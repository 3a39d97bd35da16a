"""The barometer's captured mail, read back from the shared capturing backend
(leerkracht/tests/live/mail.py): each invitation or reminder with its Message-ID and answer link."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from leerkracht.tests.live.mail import read_messages

MESSAGE_ID = re.compile(r"^<invitation-(?P<invitation>\d+)-(?P<kind>invite|reminder)@leerkracht>$")
ANSWER_LINK = re.compile(r"http://testserver(?P<path>/barometer/antwoorden/[0-9a-f]{40}/)")


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
    for name, message in read_messages(directory):
        message_id = str(message["Message-ID"]).strip()
        match = MESSAGE_ID.match(message_id)
        assert match, f"unexpected Message-ID {message_id!r} in {name}"
        link = ANSWER_LINK.search(message.get_body(preferencelist=("plain",)).get_content())
        assert link, f"no answer link in {name}"
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
