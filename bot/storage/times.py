"""How moments are written in the database: ISO 8601 with microseconds, so they sort as text."""

from __future__ import annotations

from datetime import datetime


def iso(moment: datetime) -> str:
    """A moment as stored."""
    return moment.isoformat(timespec="microseconds")
