"""The `flow_versions` table: every published version of every flow the bot has loaded."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlite_utils import Database

from bot.flows.published import Published
from bot.storage.times import iso


class VersionStore:
    """Published flow versions, oldest first; a version is written once and never changed."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def publish(self, records: Iterable[Published], now: datetime) -> list[Published]:
        """Keep every record whose version is not stored yet; returns the ones that were new."""
        new: list[Published] = []
        for record in records:
            cursor = self.db.execute(
                "insert or ignore into flow_versions (flow_id, version, record, published_at)"
                " values (?, ?, ?, ?)",
                [record.flow_id, record.version, record.to_json(), iso(now)],
            )
            if cursor.rowcount:
                new.append(record)
        return new

    def history(self, flow_id: str) -> list[Published]:
        """Every published version of the flow, oldest first."""
        rows = self.db.execute(
            "select version, record from flow_versions where flow_id = ? order by version",
            [flow_id],
        ).fetchall()
        return [Published.from_json(flow_id, int(v), str(r)) for v, r in rows]

    def latest(self) -> dict[str, Published]:
        """The newest published version of every flow."""
        rows = self.db.execute(
            "select flow_id, version, record from flow_versions f where version ="
            " (select max(version) from flow_versions g where g.flow_id = f.flow_id)"
        ).fetchall()
        return {str(f): Published.from_json(str(f), int(v), str(r)) for f, v, r in rows}

    def question(self, flow_id: str, step_id: str) -> tuple[str, dict[str, str]] | None:
        """The question a step asked in the newest version that had it, and its options'
        labels by value; None if no version had it."""
        for record in reversed(self.history(flow_id)):
            if step_id in record.questions:
                return record.questions[step_id], dict(record.labels.get(step_id, {}))
        return None


def read_published(db_path: Path) -> dict[str, Published]:
    """The newest published version of every flow in a bot's database, read without writing
    to it (for `python -m bot check` beside a running bot); empty when there is none yet."""
    if not db_path.is_file():
        return {}
    try:
        connection = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    except sqlite3.Error:
        return {}
    try:
        return VersionStore(Database(connection)).latest()
    except sqlite3.Error:  # a database from before versions were kept
        return {}
    finally:
        connection.close()
