"""One edit-conflict protocol for everything two people can edit at once (board cards, lesson
designs, visits and their notes, a class's statements).

Every edit names the `version` it started from. A service that finds the row at another version,
with a value stored since that differs from what this person typed, writes nothing and raises
`EditConflict`: the fields in conflict with both values, who saved the stored version and when,
and that version (saving again from it wins). Plain data only, so a page
(`leerkracht.http.edit_conflict_response`) and an API serializer read the same thing; nothing is
lost, as both versions survive: the stored one in the database, the typed one in the answer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class FieldConflict:
    """One field whose stored value differs from what this person typed, both as people read
    them. `by` and `at` say who saved this field's value and when, where the history knows it
    per field (the board's); otherwise the conflict's `saved_by` and `saved_at` stand for every
    field."""

    field: str
    label: str
    theirs: str
    yours: str
    by: str = ""
    at: dt.datetime | None = None


class EditConflict(Exception):
    """Someone else saved this object after the version an edit started from."""

    def __init__(
        self,
        *,
        version: int,
        fields: Iterable[FieldConflict] = (),
        saved_by: str = "",
        saved_at: dt.datetime | None = None,
    ):
        self.version = version
        self.fields = tuple(fields)
        self.saved_by = saved_by
        self.saved_at = saved_at
        super().__init__(", ".join(f.field for f in self.fields) or f"version {version}")

    def field(self, name: str) -> FieldConflict | None:
        """The conflict in field `name`, if that field is one."""
        return next((f for f in self.fields if f.field == name), None)

    def as_dict(self) -> dict:
        """The conflict as plain data (what a 409 body of the API carries)."""
        return {
            "version": self.version,
            "saved_by": self.saved_by,
            "saved_at": self.saved_at.isoformat() if self.saved_at else None,
            "fields": [{**asdict(f), "at": f.at.isoformat() if f.at else None} for f in self.fields],
        }


def differing(stored: dict[str, str], typed: dict[str, str], labels: dict[str, str]) -> list[FieldConflict]:
    """The fields whose stored and typed values differ (both already as people read them,
    compared without surrounding or repeated white space), in the order of `stored`."""
    return [
        FieldConflict(field=name, label=str(labels[name]), theirs=str(theirs or "—"), yours=str(typed[name] or "—"))
        for name, theirs in stored.items()
        if _normal(theirs) != _normal(typed[name])
    ]


def _normal(text: str) -> str:
    return " ".join(str(text or "").split())
