"""Rows to records and back. The only module that knows table and column names."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.engine.state import RunState, StateError
from bot.storage.disclosures import DisclosureStore
from bot.storage.inbox import InboxStore
from bot.storage.personal import PersonalStore
from bot.storage.practice import PracticeStore
from bot.storage.times import iso
from bot.storage.versions import VersionStore


@dataclass(frozen=True)
class RunRecord:
    """A stored run: its row id, status and the engine state."""

    id: int
    user_id: int
    flow_id: str
    flow_version: int
    status: str
    state: RunState
    started_at: str
    updated_at: str | None


ACTIVE, PAUSED, COMPLETED, ABANDONED = "active", "paused", "completed", "abandoned"


class Store:
    """Everything the service reads and writes, over one sqlite-utils Database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.personal = PersonalStore(db)
        self.disclosures = DisclosureStore(db)
        self.inbox = InboxStore(db)
        self.practice = PracticeStore(db)
        self.versions = VersionStore(db)

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One transaction: all writes inside commit together or not at all."""
        with self.db.atomic():
            yield

    # -- events ------------------------------------------------------------------------------
    def seen_event(self, event_id: str) -> bool:
        """True when this event was applied before."""
        row = self.db.execute(
            "select 1 from processed_events where event_id = ?", [event_id]
        ).fetchone()
        return row is not None

    def mark_event(self, event_id: str, user_id: int, now: datetime) -> None:
        """Remember that this event was applied."""
        self.db.execute(
            "insert into processed_events (event_id, user_id, processed_at) values (?, ?, ?)",
            [event_id, user_id, iso(now)],
        )

    def prune_events(self, before: datetime) -> int:
        """Forget event ids older than `before`; returns how many were removed."""
        cursor = self.db.execute(
            "delete from processed_events where processed_at < ?", [iso(before)]
        )
        return cursor.rowcount

    # -- users -------------------------------------------------------------------------------
    def touch_user(self, user_id: int, now: datetime) -> None:
        """Create the user's row on first contact; a person who writes is not blocking us."""
        self.db.execute(
            "insert into users (id, first_seen) values (?, ?) on conflict (id) do update"
            " set blocked_at = null where blocked_at is not null",
            [user_id, iso(now)],
        )

    def active_run_id(self, user_id: int) -> int | None:
        """The id of the user's open run, without reading its state."""
        row = self.db.execute("select active_run from users where id = ?", [user_id]).fetchone()
        return row[0] if row else None

    def set_blocked(self, user_id: int, when: datetime | None) -> None:
        """Record that the person blocked the bot (None: they are reachable again)."""
        self.db.execute(
            "update users set blocked_at = ? where id = ?",
            [iso(when) if when else None, user_id],
        )

    def is_blocked(self, user_id: int) -> bool:
        """True when the last send to this person was refused because they blocked the bot."""
        row = self.db.execute("select blocked_at from users where id = ?", [user_id]).fetchone()
        return bool(row and row[0])

    def active_run(self, user_id: int) -> RunRecord | None:
        """The run the user is in now, if any."""
        return self._one(
            "select r.* from users u join runs r on r.id = u.active_run where u.id = ?", [user_id]
        )

    def set_active(self, user_id: int, run_id: int | None) -> None:
        """Point the user at the run they are in now (None when they are in none)."""
        self.db.execute("update users set active_run = ? where id = ?", [run_id, user_id])

    # -- runs --------------------------------------------------------------------------------
    def run_of(self, user_id: int, run_id: int) -> RunRecord | None:
        """One of the person's runs, by id."""
        return self._one("select * from runs where id = ? and user_id = ?", [run_id, user_id])

    def stale_runs(self, before: datetime) -> list[tuple[int, int, str]]:
        """(user, run, flow) of conversations left open or paused since before `before`."""
        rows = self.db.execute(
            "select user_id, id, flow_id from runs where status in (?, ?) and updated_at < ?",
            [ACTIVE, PAUSED, iso(before)],
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]

    def open_runs_of(self, flow_ids: Iterable[str]) -> Iterator[tuple[int, RunState]]:
        """(run, state) of every open or paused run with one of these flows on its stack;
        a state this version cannot read is passed over (it is closed kindly when next used)."""
        wanted = sorted(set(flow_ids))
        if not wanted:
            return
        # The stored state names every flow of the stack as "flow": "<id>".
        likes = " or ".join("state like ?" for _ in wanted)
        rows = self.db.execute(
            f"select id, state from runs where status in (?, ?) and ({likes})",
            [ACTIVE, PAUSED, *(f'%"flow": "{f}"%' for f in wanted)],
        ).fetchall()
        for run_id, text in rows:
            try:
                yield int(run_id), RunState.from_dict(json.loads(text))
            except (StateError, ValueError, KeyError):
                continue

    def carry_run(self, run_id: int, state: RunState) -> None:
        """A run moved on to a newer version of its flows; not an answer, so not an update."""
        self.db.execute(
            "update runs set state = ?, flow_version = ?, step = ? where id = ?",
            [json.dumps(state.to_dict()), state.root.version, state.frame.step_id, run_id],
        )

    def latest_run(self, user_id: int, flow_id: str, status: str) -> RunRecord | None:
        """The user's most recent run of a flow with this status."""
        return self._one(
            "select * from runs where user_id = ? and flow_id = ? and status = ?"
            " order by id desc limit 1",
            [user_id, flow_id, status],
        )

    def create_run(self, user_id: int, state: RunState, now: datetime) -> int:
        """Insert a new active run; returns its id."""
        root = state.root
        cursor = self.db.execute(
            "insert into runs (user_id, flow_id, flow_version, status, step, seq, state,"
            " started_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                user_id,
                root.flow_id,
                root.version,
                ACTIVE,
                state.frame.step_id,
                state.seq,
                json.dumps(state.to_dict()),
                iso(now),
                iso(now),
            ],
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def save_run(self, run_id: int, state: RunState, now: datetime, status: str) -> None:
        """Write a run's new state and status."""
        completed = iso(now) if status == COMPLETED else None
        self.db.execute(
            "update runs set state = ?, flow_version = ?, step = ?, seq = ?, status = ?,"
            " updated_at = ?, reflection = ?, completed_at = coalesce(completed_at, ?)"
            " where id = ?",
            [
                json.dumps(state.to_dict()),
                state.root.version,
                state.frame.step_id,
                state.seq,
                status,
                iso(now),
                state.reflection or None,
                completed,
                run_id,
            ],
        )

    def save_shared(self, run_id: int, shared: Mapping[str, str]) -> None:
        """Keep a finished run's reflection as each consent level may read it."""
        self.db.execute(
            "update runs set shared_summaries = ?, shared_full = ? where id = ?",
            [shared.get("summaries"), shared.get("full"), run_id],
        )

    def set_status(self, run_id: int, status: str, now: datetime) -> None:
        """Change a run's status only (pause, abandon)."""
        self.db.execute(
            "update runs set status = ?, updated_at = ? where id = ?", [status, iso(now), run_id]
        )

    def runs_of(self, user_id: int) -> list[RunRecord]:
        """All of a user's runs, newest first."""
        rows = self.db.query("select * from runs where user_id = ? order by id desc", [user_id])
        return [self._record(r) for r in rows]

    def finished_runs(self, user_id: int) -> list[tuple[str, str, str]]:
        """(flow id, completed at, reflection) of every finished run, newest first."""
        rows = self.db.execute(
            "select flow_id, completed_at, coalesce(reflection, '') from runs"
            " where user_id = ? and status = ? order by completed_at desc, id desc",
            [user_id, COMPLETED],
        ).fetchall()
        return [(f, at, text) for f, at, text in rows]

    def _one(self, sql: str, params: list[Any]) -> RunRecord | None:
        row = next(iter(self.db.query(sql, params)), None)
        return self._record(row) if row else None

    def _record(self, data: dict[str, Any]) -> RunRecord:
        return RunRecord(
            id=data["id"],
            user_id=data["user_id"],
            flow_id=data["flow_id"],
            flow_version=data["flow_version"],
            status=data["status"],
            state=RunState.from_dict(json.loads(data["state"])),
            started_at=data["started_at"],
            updated_at=data["updated_at"],
        )

    # -- memory ------------------------------------------------------------------------------
    def remember(
        self, user_id: int, name: str, value: Any, label: str, flow_id: str, now: datetime
    ) -> None:
        """Keep (or replace) one named answer for later flows."""
        self.db.execute(
            "insert into memory (user_id, name, value, label, flow_id, kept_at)"
            " values (?, ?, ?, ?, ?, ?) on conflict (user_id, name) do update set"
            " value = excluded.value, label = excluded.label, flow_id = excluded.flow_id,"
            " kept_at = excluded.kept_at",
            [user_id, name, json.dumps(value, ensure_ascii=False), label, flow_id, iso(now)],
        )

    def memory_of(self, user_id: int) -> dict[str, dict[str, Any]]:
        """Everything kept for a person: name → {"value", "label"}."""
        rows = self.db.execute(
            "select name, value, label from memory where user_id = ?", [user_id]
        ).fetchall()
        return {name: {"value": json.loads(value), "label": label} for name, value, label in rows}

    def kept_at(self, user_id: int, name: str) -> datetime | None:
        """When the memory `name` was last kept for the person (None: never)."""
        row = self.db.execute(
            "select kept_at from memory where user_id = ? and name = ?", [user_id, name]
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def readiness_offered_at(self, user_id: int) -> datetime | None:
        """When the person was last offered the readiness questions again."""
        row = self.db.execute(
            "select readiness_offered_at from users where id = ?", [user_id]
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def set_readiness_offered(self, user_id: int, now: datetime) -> None:
        """Record that the readiness questions were offered again now."""
        self.db.execute(
            "update users set readiness_offered_at = ? where id = ?", [iso(now), user_id]
        )

    def finished_flows(self, user_id: int) -> set[str]:
        """Ids of the flows the person has finished at least once."""
        rows = self.db.execute(
            "select distinct flow_id from runs where user_id = ? and status = ?",
            [user_id, COMPLETED],
        ).fetchall()
        return {row[0] for row in rows}

    # -- scores ------------------------------------------------------------------------------
    def add_scores(
        self, user_id: int, run_id: int, flow_id: str, scores: dict[str, float], now: datetime
    ) -> None:
        """Keep the scores of a finished run."""
        self.db.conn.executemany(
            "insert into scores (user_id, run_id, flow_id, name, value, at)"
            " values (?, ?, ?, ?, ?, ?)",
            [(user_id, run_id, flow_id, name, value, iso(now)) for name, value in scores.items()],
        )

    def scores_of(self, user_id: int, flow_id: str) -> list[tuple[str, str, float]]:
        """(at, name, value) of every kept score of a flow, oldest first."""
        rows = self.db.execute(
            "select at, name, value from scores where user_id = ? and flow_id = ? order by at, id",
            [user_id, flow_id],
        ).fetchall()
        return [(at, name, value) for at, name, value in rows]

    # -- answers -----------------------------------------------------------------------------
    def rename_answers(self, run_id: int, renamed: Mapping[str, str]) -> None:
        """A run moved to a new version of its flow: its answers and disclosures follow the
        steps that were renamed."""
        for old, new in renamed.items():
            self.db.execute(
                "update answers set step = ? where run_id = ? and step = ?", [new, run_id, old]
            )
            self.db.execute(
                "update disclosures set source = ? where run_id = ? and source = ?",
                [new, run_id, old],
            )

    def add_answer(self, run_id: int, user_id: int, step: str, value: Any, now: datetime) -> None:
        """Append one answer to the journal."""
        self.db.execute(
            "insert into answers (run_id, user_id, step, value, answered_at)"
            " values (?, ?, ?, ?, ?)",
            [run_id, user_id, step, json.dumps(value, ensure_ascii=False), iso(now)],
        )

    def answers_of(self, run_id: int) -> list[tuple[str, Any, str]]:
        """(step, value, answered_at) for every answer of a run, oldest first."""
        rows = self.db.execute(
            "select step, value, answered_at from answers where run_id = ? order by id", [run_id]
        ).fetchall()
        return [(step, json.loads(value), at) for step, value, at in rows]
