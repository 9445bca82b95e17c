"""The inbox: updates written as they arrive, before Telegram is told they were received.

A row stays until its update is handled (then it goes: what a person wrote is kept only as long
as needed), or, for one the bot cannot read, stays set aside. The raw update is never logged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.times import iso


def _sender(raw: dict[str, Any]) -> int | None:
    """The id of the person an update comes from, if it says (for export and erasure)."""
    for value in raw.values():
        if isinstance(value, dict):
            person = value.get("from") or value.get("user")
            if isinstance(person, dict) and isinstance(person.get("id"), int):
                return int(person["id"])
    return None


class InboxStore:
    """The `inbox` and `inbox_offset` tables."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, updates: Iterable[dict[str, Any]], now: datetime
    ) -> list[tuple[int, dict[str, Any]]]:
        """Keep these raw updates (one seen before is kept once); (id, update) of each that has
        an id, in order."""
        kept: list[tuple[int, dict[str, Any]]] = []
        for raw in updates:
            update_id = raw.get("update_id")
            if not isinstance(update_id, int) or isinstance(update_id, bool):
                continue
            kept.append((update_id, raw))
            self.db.execute(
                "insert or ignore into inbox (update_id, user_id, raw, received_at)"
                " values (?, ?, ?, ?)",
                [update_id, _sender(raw), json.dumps(raw, ensure_ascii=False), iso(now)],
            )
        if kept:
            self.db.execute(
                "insert into inbox_offset (id, next_offset) values (1, ?) on conflict (id)"
                " do update set next_offset = max(next_offset, excluded.next_offset)",
                [max(update_id for update_id, _ in kept) + 1],
            )
        return kept

    def next_offset(self) -> int | None:
        """The offset to ask Telegram for next: it confirms every update before it."""
        row = self.db.execute("select next_offset from inbox_offset where id = 1").fetchone()
        return int(row[0]) if row else None

    def waiting(self) -> list[tuple[int, dict[str, Any]]]:
        """(update id, raw update) of every update not yet handled nor set aside, in order."""
        rows = self.db.execute(
            "select update_id, raw from inbox where set_aside_at is null order by update_id"
        ).fetchall()
        return [(update_id, json.loads(raw)) for update_id, raw in rows]

    def handled(self, update_id: int) -> None:
        """The update was handled: its row (and what the person wrote in it) goes."""
        self.db.execute("delete from inbox where update_id = ?", [update_id])

    def set_aside(self, update_id: int, now: datetime) -> None:
        """The update cannot be read: it stays, out of the way, for someone to look at."""
        self.db.execute(
            "update inbox set set_aside_at = ? where update_id = ?", [iso(now), update_id]
        )

    def set_aside_count(self) -> int:
        """How many updates are set aside."""
        row = self.db.execute("select count(*) from inbox where set_aside_at is not null")
        return int(row.fetchone()[0])
