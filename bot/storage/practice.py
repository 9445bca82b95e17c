"""Therapists' rows: roles, invites, links with their consent scope, assignments, the audit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from bot.storage.times import iso

OPEN, DONE, CLOSED = "open", "done", "closed"
THERAPIST = "therapist"


@dataclass(frozen=True)
class Link:
    """A client linked to a therapist, under the label the therapist chose."""

    id: int
    therapist_id: int
    client_id: int
    label: str
    scope: str
    created_at: str
    revoked_at: str | None
    share_earlier: bool = False
    """The client also shares what they did before they linked (by default only what after)."""
    consented_at: str = ""
    """When the client gave the consent now in force: the link's making, or their last change
    of what they share."""

    @property
    def consented_on(self) -> str:
        """The day (YYYY-MM-DD, UTC) of the consent now in force."""
        return (self.consented_at or self.created_at)[:10]


@dataclass(frozen=True)
class Invite:
    """A single-use, expiring invitation code."""

    code: str
    therapist_id: int
    label: str
    expires_at: str
    used_at: str | None


@dataclass(frozen=True)
class Assignment:
    """Homework: a flow a therapist asked a client to do by a date."""

    id: int
    link_id: int
    therapist_id: int
    client_id: int
    flow_id: str
    note: str
    due_at: str
    status: str
    created_at: str
    completed_at: str | None


class PracticeStore:
    """The therapist tables, over the same Database as the Store."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # -- roles -------------------------------------------------------------------------------
    def set_role(self, user_id: int, role: str, name: str | None, now: datetime) -> None:
        """Make someone a therapist (or a client again), creating their row if needed."""
        self.db.execute(
            "insert into users (id, first_seen, role, display_name) values (?, ?, ?, ?)"
            " on conflict (id) do update set role = excluded.role,"
            " display_name = coalesce(excluded.display_name, users.display_name)",
            [user_id, iso(now), role, name],
        )

    def role(self, user_id: int) -> tuple[str, str | None]:
        """(role, display name) of a person; a stranger is a client."""
        row = self.db.execute(
            "select role, display_name from users where id = ?", [user_id]
        ).fetchone()
        return (row[0], row[1]) if row else ("client", None)

    def therapists(self) -> list[tuple[int, str | None]]:
        """(id, name) of everyone given the role in the database."""
        rows = self.db.execute(
            "select id, display_name from users where role = ? order by id", [THERAPIST]
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    def with_menu(self) -> set[int]:
        """The people whose chat was given the therapists' command menu."""
        return {r[0] for r in self.db.execute("select user_id from command_menus").fetchall()}

    def note_menu(self, user_id: int, shown: bool, now: datetime) -> None:
        """Record that a chat was given the therapists' menu (or had it taken away)."""
        if shown:
            self.db.execute(
                "insert into command_menus (user_id, set_at) values (?, ?)"
                " on conflict (user_id) do update set set_at = excluded.set_at",
                [user_id, iso(now)],
            )
        else:
            self.db.execute("delete from command_menus where user_id = ?", [user_id])

    def set_timezone(self, user_id: int, zone: str) -> None:
        """The time zone the person chose for their reminders."""
        self.db.execute("update users set timezone = ? where id = ?", [zone, user_id])

    def timezone(self, user_id: int) -> str | None:
        """The time zone the person chose, if they did."""
        row = self.db.execute("select timezone from users where id = ?", [user_id]).fetchone()
        return row[0] if row and row[0] else None

    def set_draft(self, user_id: int, draft: dict[str, Any] | None) -> None:
        """A therapist's half-finished /assign (None: none)."""
        value = json.dumps(draft) if draft is not None else None
        self.db.execute("update users set draft = ? where id = ?", [value, user_id])

    def draft(self, user_id: int) -> dict[str, Any] | None:
        """A therapist's half-finished /assign."""
        row = self.db.execute("select draft from users where id = ?", [user_id]).fetchone()
        return json.loads(row[0]) if row and row[0] else None

    # -- invites -----------------------------------------------------------------------------
    def add_invite(
        self, code: str, therapist_id: int, label: str, now: datetime, expires: datetime
    ) -> None:
        """Store a new invitation."""
        self.db.execute(
            "insert into invites (code, therapist_id, label, created_at, expires_at)"
            " values (?, ?, ?, ?, ?)",
            [code, therapist_id, label, iso(now), iso(expires)],
        )

    def invite(self, code: str) -> Invite | None:
        """An invitation by its code."""
        row = self.db.execute(
            "select code, therapist_id, label, expires_at, used_at from invites where code = ?",
            [code],
        ).fetchone()
        return Invite(*row) if row else None

    def use_invite(self, code: str, client_id: int, now: datetime) -> bool:
        """Mark an invitation used; False if it already was (single use, race-free)."""
        cursor = self.db.execute(
            "update invites set used_at = ?, used_by = ? where code = ? and used_at is null",
            [iso(now), client_id, code],
        )
        return cursor.rowcount == 1

    # -- links -------------------------------------------------------------------------------
    def add_link(
        self, therapist_id: int, client_id: int, label: str, scope: str, now: datetime
    ) -> int:
        """Link a client to a therapist (replacing an earlier link between them)."""
        self.db.execute(
            "update therapist_links set revoked_at = ? where therapist_id = ? and client_id = ?"
            " and revoked_at is null",
            [iso(now), therapist_id, client_id],
        )
        cursor = self.db.execute(
            "insert into therapist_links (therapist_id, client_id, label, scope, created_at,"
            " consented_at) values (?, ?, ?, ?, ?, ?)",
            [therapist_id, client_id, label, scope, iso(now), iso(now)],
        )
        return int(cursor.lastrowid or 0)

    def links_of_therapist(self, therapist_id: int) -> list[Link]:
        """The therapist's live links, by label."""
        return self._links("therapist_id = ? and revoked_at is null order by label", therapist_id)

    def links_of_client(self, client_id: int) -> list[Link]:
        """The client's live links."""
        return self._links("client_id = ? and revoked_at is null order by id", client_id)

    def link(self, link_id: int) -> Link | None:
        """One link, live or not."""
        found = self._links("id = ?", link_id)
        return found[0] if found else None

    def set_scope(self, link_id: int, scope: str, now: datetime) -> None:
        """Change what a therapist may see; `none` withdraws consent (the link ends)."""
        if scope == "none":
            self.db.execute(
                "update therapist_links set revoked_at = ? where id = ?", [iso(now), link_id]
            )
        else:
            self.db.execute(
                "update therapist_links set scope = ?, consented_at = ? where id = ?",
                [scope, iso(now), link_id],
            )

    def set_share_earlier(self, link_id: int, share: bool, now: datetime) -> None:
        """Whether the client shares work done before the link too (a change of consent)."""
        self.db.execute(
            "update therapist_links set share_earlier = ?, consented_at = ? where id = ?",
            [int(share), iso(now), link_id],
        )

    def has_withdrawn(self, therapist_id: int, label: str) -> bool:
        """True if a client under this label (case-blind) once shared and then stopped."""
        row = self.db.execute(
            "select 1 from therapist_links where therapist_id = ? and lower(label) = ?"
            " and revoked_at is not null",
            [therapist_id, label.casefold()],
        ).fetchone()
        return row is not None

    def last_activity(self, client_id: int) -> str | None:
        """When the client last moved in any conversation."""
        row = self.db.execute(
            "select max(coalesce(updated_at, started_at)) from runs where user_id = ?",
            [client_id],
        ).fetchone()
        return row[0] if row else None

    def _links(self, where: str, *params: Any) -> list[Link]:
        rows = self.db.execute(
            "select id, therapist_id, client_id, label, scope, created_at, revoked_at,"
            f" share_earlier, consented_at from therapist_links where {where}",
            list(params),
        ).fetchall()
        return [
            Link(id_, therapist, client, label, scope, made, revoked, bool(earlier), agreed or "")
            for id_, therapist, client, label, scope, made, revoked, earlier, agreed in rows
        ]

    # -- assignments -------------------------------------------------------------------------
    def add_assignment(
        self, link: Link, flow_id: str, note: str, due: datetime, now: datetime
    ) -> int:
        """Record homework."""
        cursor = self.db.execute(
            "insert into assignments (link_id, therapist_id, client_id, flow_id, note, due_at,"
            " status, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [link.id, link.therapist_id, link.client_id, flow_id, note, iso(due), OPEN, iso(now)],
        )
        return int(cursor.lastrowid or 0)

    def open_assignments(self, client_id: int, flow_id: str | None = None) -> list[Assignment]:
        """The client's open homework (of one flow, when given)."""
        if flow_id is None:
            return self._assignments("client_id = ? and status = ?", client_id, OPEN)
        return self._assignments(
            "client_id = ? and flow_id = ? and status = ?", client_id, flow_id, OPEN
        )

    def assignments_of_link(self, link_id: int) -> list[Assignment]:
        """Every assignment given under a link, newest first."""
        return self._assignments("link_id = ? order by id desc", link_id)

    def assignment(self, assignment_id: int) -> Assignment | None:
        """One assignment."""
        found = self._assignments("id = ?", assignment_id)
        return found[0] if found else None

    def finish_assignments(self, client_id: int, flow_id: str, now: datetime) -> list[Assignment]:
        """Mark the client's open homework of this flow done; returns what was open."""
        done = self.open_assignments(client_id, flow_id)
        self.db.execute(
            "update assignments set status = ?, completed_at = ? where client_id = ?"
            " and flow_id = ? and status = ?",
            [DONE, iso(now), client_id, flow_id, OPEN],
        )
        return done

    def close_assignments(self, link_id: int) -> None:
        """Close the open homework of a link (consent withdrawn)."""
        self.db.execute(
            "update assignments set status = ? where link_id = ? and status = ?",
            [CLOSED, link_id, OPEN],
        )

    def _assignments(self, where: str, *params: Any) -> list[Assignment]:
        rows = self.db.execute(
            "select id, link_id, therapist_id, client_id, flow_id, note, due_at, status,"
            f" created_at, completed_at from assignments where {where}",
            list(params),
        ).fetchall()
        return [Assignment(*r) for r in rows]

    # -- audit -------------------------------------------------------------------------------
    def audit(self, actor_id: int, client_id: int | None, action: str, now: datetime) -> None:
        """Record a view or an export of a client's data."""
        self.db.execute(
            "insert into audit (actor_id, client_id, action, at) values (?, ?, ?, ?)",
            [actor_id, client_id, action, iso(now)],
        )

    def audit_of(self, client_id: int) -> list[tuple[int, str, str]]:
        """(actor, action, at) of every view of a client's data."""
        rows = self.db.execute(
            "select actor_id, action, at from audit where client_id = ? order by id", [client_id]
        ).fetchall()
        return [(r[0], r[1], r[2]) for r in rows]
