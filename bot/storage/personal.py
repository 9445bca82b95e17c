"""A person's own rows: safety events, the question waiting for them, reminders, recent message
ids, and the two data rights (everything about them exported, everything about them erased).

Tables are found by their columns, so a table added later with a `user_id` column is exported
and erased without touching this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.times import iso

PERSON_COLUMNS = ("user_id", "client_id", "therapist_id", "actor_id", "used_by")
"""Columns that name a person: a row with the person's id in any of them is about them."""


@dataclass(frozen=True)
class Reminder:
    """A message to send a person at a time: a row of the outbox."""

    id: int
    user_id: int
    kind: str
    due_at: str
    payload: dict[str, Any]


class PersonalStore:
    """The person-centred tables, over the same Database as the Store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- safety ------------------------------------------------------------------------------
    def add_safety_event(
        self, user_id: int, category: str, severity: str, shown: str, now: datetime
    ) -> None:
        """Record that the safety path ran: category, severity, what was shown. Never the text."""
        self.db.execute(
            "insert into safety_events (user_id, category, severity, shown, at)"
            " values (?, ?, ?, ?, ?)",
            [user_id, category, severity, shown, iso(now)],
        )

    def safety_events(self, user_id: int) -> list[tuple[str, str, str, str]]:
        """(at, category, severity, shown) of the person's safety events, oldest first."""
        rows = self.db.execute(
            "select at, category, severity, shown from safety_events where user_id = ? order by id",
            [user_id],
        ).fetchall()
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    def set_pending(self, user_id: int, category: str | None, paused_run: int | None) -> None:
        """The safety question waiting for the person's answer (None: none waiting)."""
        self.db.execute(
            "update users set safety_pending = ?, safety_paused_run = coalesce(?,"
            " safety_paused_run) where id = ?",
            [category, paused_run, user_id],
        )

    def pending(self, user_id: int) -> tuple[str | None, int | None]:
        """(category of the waiting question, the run the safety path paused)."""
        row = self.db.execute(
            "select safety_pending, safety_paused_run from users where id = ?", [user_id]
        ).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def forget_paused(self, user_id: int) -> None:
        """The person chose what to do next: the paused run is theirs to reopen from /flows."""
        self.db.execute(
            "update users set safety_pending = null, safety_paused_run = null where id = ?",
            [user_id],
        )

    # -- reminders ---------------------------------------------------------------------------
    def add_reminder(
        self, user_id: int, kind: str, due: datetime, payload: dict[str, Any], now: datetime
    ) -> int:
        """Put a message in the outbox for `due`."""
        cursor = self.db.execute(
            "insert into reminders (user_id, kind, due_at, payload, created_at)"
            " values (?, ?, ?, ?, ?)",
            [user_id, kind, iso(due), json.dumps(payload), iso(now)],
        )
        return int(cursor.lastrowid or 0)

    def due_reminders(self, now: datetime, limit: int = 1000) -> list[Reminder]:
        """Reminders due by `now`, neither sent nor cancelled, oldest first."""
        rows = self.db.execute(
            "select id, user_id, kind, due_at, payload from reminders where sent_at is null"
            " and cancelled_at is null and due_at <= ? order by due_at, id limit ?",
            [iso(now), limit],
        ).fetchall()
        return [Reminder(r[0], r[1], r[2], r[3], json.loads(r[4] or "{}")) for r in rows]

    def pending_reminder(self, user_id: int, kind: str) -> Reminder | None:
        """The person's next reminder of a kind, neither sent nor cancelled, if there is one."""
        row = self.db.execute(
            "select id, user_id, kind, due_at, payload from reminders where user_id = ?"
            " and kind = ? and sent_at is null and cancelled_at is null order by due_at limit 1",
            [user_id, kind],
        ).fetchone()
        return Reminder(row[0], row[1], row[2], row[3], json.loads(row[4] or "{}")) if row else None

    def mark_sent(self, reminder_id: int, now: datetime) -> bool:
        """Mark a reminder sent; False if it was already sent or cancelled (then send nothing)."""
        cursor = self.db.execute(
            "update reminders set sent_at = ? where id = ? and sent_at is null"
            " and cancelled_at is null",
            [iso(now), reminder_id],
        )
        return cursor.rowcount == 1

    def cancel_reminders(self, user_id: int, kind: str, now: datetime) -> None:
        """Cancel the person's pending reminders of a kind."""
        self.db.execute(
            "update reminders set cancelled_at = ? where user_id = ? and kind = ?"
            " and sent_at is null and cancelled_at is null",
            [iso(now), user_id, kind],
        )

    def cancel_reminders_about(self, key: str, value: int, now: datetime) -> None:
        """Cancel pending reminders whose payload has `key` = `value` (an assignment's)."""
        self.db.execute(
            "update reminders set cancelled_at = ? where json_extract(payload, '$.' || ?) = ?"
            " and sent_at is null and cancelled_at is null",
            [iso(now), key, value],
        )

    def release(self, reminder_id: int) -> None:
        """A reminder could not be sent after all: let the next tick try again."""
        self.db.execute("update reminders set sent_at = null where id = ?", [reminder_id])

    def has_reminder(self, user_id: int, kind: str, key: str, value: int) -> bool:
        """True if the person ever had a reminder of this kind about this thing."""
        row = self.db.execute(
            "select 1 from reminders where user_id = ? and kind = ?"
            " and json_extract(payload, '$.' || ?) = ? limit 1",
            [user_id, kind, key, value],
        ).fetchone()
        return row is not None

    # -- messages, for clearing the chat ----------------------------------------------------
    def note_messages(self, user_id: int, message_ids: list[int], now: datetime) -> None:
        """Remember the ids (only the ids) of messages in the person's chat."""
        self.db.conn.executemany(
            "insert or ignore into chat_messages (user_id, message_id, at) values (?, ?, ?)",
            [(user_id, m, iso(now)) for m in message_ids],
        )

    def recent_messages(self, user_id: int, since: datetime) -> list[int]:
        """Ids of the person's chat messages since `since`, newest first."""
        rows = self.db.execute(
            "select message_id from chat_messages where user_id = ? and at >= ?"
            " order by message_id desc",
            [user_id, iso(since)],
        ).fetchall()
        return [r[0] for r in rows]

    def forget_messages(self, user_id: int) -> None:
        """Drop the ids of the person's messages (the chat was cleared)."""
        self.db.execute("delete from chat_messages where user_id = ?", [user_id])

    def forget_old_messages(self, before: datetime) -> None:
        """Drop, for everyone, the ids of messages older than `before`."""
        self.db.execute("delete from chat_messages where at < ?", [iso(before)])

    # -- what the journal and the plan show, for clearing the chat --------------------------
    def shown_on_the_phone(self, user_id: int, keep_flows: set[str]) -> dict[str, int]:
        """How much of the person's own record /journal and /safety would show: finished runs,
        open ones, kept findings and safety-plan parts (flows in `keep_flows` left out)."""
        marks = ",".join("?" * len(keep_flows)) or "''"
        keep = list(keep_flows)
        runs = self.db.execute(
            f"select status = 'completed', count(*) from runs where user_id = ? and status in"
            f" ('completed', 'active', 'paused') and flow_id not in ({marks}) group by 1",
            [user_id, *keep],
        ).fetchall()
        counts = {"journal" if done else "open": n for done, n in runs}
        for is_plan, n in self.db.execute(
            f"select name like 'plan\\_%' escape '\\', count(*) from memory"
            f" where user_id = ? and flow_id not in ({marks}) group by 1",
            [user_id, *keep],
        ).fetchall():
            counts["plan" if is_plan else "found"] = n
        return {k: v for k, v in counts.items() if v}

    def erase_journal(self, user_id: int, keep_flows: set[str]) -> int:
        """Erase the person's runs, answers, findings, plan and scores, but those of the flows
        in `keep_flows` (the first questions, whose safety answers keep unsafe exercises shut)."""
        marks = ",".join("?" * len(keep_flows)) or "''"
        keep = list(keep_flows)
        gone = f"select id from runs where user_id = ? and flow_id not in ({marks})"
        self.db.execute(
            f"update users set active_run = null where id = ? and active_run in ({gone})",
            [user_id, user_id, *keep],
        )
        total = 0
        for table in ("answers", "scores"):
            total += self.db.execute(
                f"delete from {table} where run_id in ({gone})", [user_id, *keep]
            ).rowcount
        total += self.db.execute(
            f"delete from memory where user_id = ? and flow_id not in ({marks})",
            [user_id, *keep],
        ).rowcount
        total += self.db.execute(
            f"delete from runs where user_id = ? and flow_id not in ({marks})", [user_id, *keep]
        ).rowcount
        return total

    # -- data rights -------------------------------------------------------------------------
    def _personal_tables(self) -> list[tuple[str, str]]:
        """(table, column) of every table that holds rows about one person."""
        found = [("users", "id")]
        for table in self.db.table_names():
            columns = {c.name for c in self.db[table].columns}
            found += [(table, c) for c in PERSON_COLUMNS if c in columns]
        return found

    def everything_about(self, user_id: int) -> dict[str, list[dict[str, Any]]]:
        """Every row about the person, by table, with JSON columns decoded."""
        out: dict[str, list[dict[str, Any]]] = {}
        for table, column in self._personal_tables():
            rows = list(self.db[table].rows_where(f"[{column}] = ?", [user_id]))
            out.setdefault(table, []).extend(
                {k: _decoded(k, v) for k, v in row.items()} for row in rows
            )
        return out

    def erase(self, user_id: int) -> int:
        """Delete every row about the person in every table; returns how many went."""
        total = 0
        # Children before parents, so that foreign keys hold at every step.
        for table, column in reversed(self._personal_tables()):
            if table == "users":
                self.db.execute("update users set active_run = null where id = ?", [user_id])
            total += self.db.execute(
                f"delete from [{table}] where [{column}] = ?", [user_id]
            ).rowcount
        return total


def _decoded(column: str, value: Any) -> Any:
    if isinstance(value, str) and column in ("value", "state", "payload", "consent"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value
