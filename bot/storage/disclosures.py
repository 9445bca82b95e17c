"""Disclosures: what a person told of danger, kept apart from the answers to any question.

A disclosure stays open until the person, asked about it on its own no sooner than two weeks
later, says clearly that it has stopped. Only the category and the times are stored, never
what the person wrote.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlite_utils import Database

from bot.storage.times import iso


@dataclass(frozen=True)
class Disclosure:
    """One open disclosure: its category, when it was made and last asked about again."""

    category: str
    disclosed_at: datetime
    reviewed_at: datetime | None
    stopped: bool = False
    """The person said it has stopped; it holds until the safety questions are answered."""


class DisclosureStore:
    """The `disclosures` table."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def add(
        self, user_id: int, category: str, source: str, run_id: int | None, now: datetime
    ) -> None:
        """Keep a disclosure; `source` is "screen", "safety" or the answer key it came from."""
        self.db.execute(
            "insert into disclosures (user_id, category, source, run_id, disclosed_at)"
            " values (?, ?, ?, ?, ?)",
            [user_id, category, source, run_id, iso(now)],
        )

    def retract(self, user_id: int, source: str, run_id: int) -> None:
        """The person changed that very answer, in the same run, before moving on (/back)."""
        self.db.execute(
            "delete from disclosures where user_id = ? and source = ? and run_id = ?"
            " and cleared_at is null",
            [user_id, source, run_id],
        )

    def open(self, user_id: int) -> list[Disclosure]:
        """The person's disclosures not yet said to have stopped, newest first."""
        rows = self.db.execute(
            "select category, disclosed_at, reviewed_at, stopped_at from disclosures"
            " where user_id = ? and cleared_at is null order by disclosed_at desc, id desc",
            [user_id],
        ).fetchall()
        return [
            Disclosure(
                c, datetime.fromisoformat(at), datetime.fromisoformat(r) if r else None, bool(s)
            )
            for c, at, r, s in rows
        ]

    def reviewed(self, user_id: int, now: datetime) -> None:
        """The person was asked about their open disclosures and did not say they stopped."""
        self.db.execute(
            "update disclosures set reviewed_at = ? where user_id = ? and cleared_at is null",
            [iso(now), user_id],
        )

    def stopped(self, user_id: int, now: datetime) -> None:
        """The person said clearly that it has stopped: cleared once the safety questions that
        follow are answered clearly too (`confirm`)."""
        self.db.execute(
            "update disclosures set reviewed_at = ?, stopped_at = ? where user_id = ?"
            " and cleared_at is null",
            [iso(now), iso(now), user_id],
        )

    def confirm(self, user_id: int, run_id: int, now: datetime) -> bool:
        """The safety questions (run `run_id`) were finished: clear what the person said has
        stopped, unless that run told of danger again. True if anything was cleared."""
        told_again = self.db.execute(
            "select 1 from disclosures where user_id = ? and run_id = ? and cleared_at is null",
            [user_id, run_id],
        ).fetchone()
        if told_again:
            return False
        cursor = self.db.execute(
            "update disclosures set cleared_at = ? where user_id = ? and cleared_at is null"
            " and stopped_at is not null",
            [iso(now), user_id],
        )
        return cursor.rowcount > 0
