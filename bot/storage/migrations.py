"""Named, ordered schema migrations, applied at start-up.

Add new ones at the end; never edit one that has shipped.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("secure_base")


@migrations()
def m001_users(db: Database) -> None:
    """People who talk to the bot, by Telegram user id."""
    db["users"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "first_seen": str,
            "locale": str,
            "timezone": str,
            "country": str,
            "role": str,
            "consent": str,
            "blocked_at": str,
            "active_run": int,
        },
        pk="id",
        defaults={"role": "client", "consent": "{}"},
        not_null={"first_seen", "role", "consent"},
    )


@migrations()
def m002_runs(db: Database) -> None:
    """One row per start of a flow, holding the engine's whole state as JSON."""
    db["runs"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "user_id": int,
            "flow_id": str,
            "flow_version": int,
            "status": str,
            "step": str,
            "seq": int,
            "state": str,
            "reflection": str,
            "started_at": str,
            "updated_at": str,
            "completed_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "flow_id", "flow_version", "status", "state", "started_at"},
    )
    db["runs"].create_index(["user_id", "status"])  # type: ignore[union-attr]


@migrations()
def m003_answers(db: Database) -> None:
    """Every acknowledged answer, append-only: the person's journal."""
    db["answers"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "run_id": int,
            "user_id": int,
            "step": str,
            "value": str,
            "answered_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "runs", "id"), ("user_id", "users", "id")],
        not_null={"run_id", "user_id", "step", "value", "answered_at"},
    )
    db["answers"].create_index(["run_id"])  # type: ignore[union-attr]
    db["answers"].create_index(["user_id"])  # type: ignore[union-attr]


@migrations()
def m004_processed_events(db: Database) -> None:
    """Ids of events already applied, so a redelivered update changes nothing."""
    db["processed_events"].create(  # type: ignore[union-attr]
        {"event_id": str, "user_id": int, "processed_at": str},
        pk="event_id",
        not_null={"processed_at"},
    )
    db["processed_events"].create_index(["processed_at"])  # type: ignore[union-attr]


@migrations()
def m005_memory(db: Database) -> None:
    """What flows keep for later flows, per person: the cycle's nickname, the raw-spot card."""
    db["memory"].create(  # type: ignore[union-attr]
        {"user_id": int, "name": str, "value": str, "label": str, "flow_id": str, "kept_at": str},
        pk=("user_id", "name"),
        foreign_keys=[("user_id", "users", "id")],
        not_null={"value", "kept_at"},
    )


@migrations()
def m006_scores(db: Database) -> None:
    """Scores of finished runs (the weekly check-in's three parts), for trends over weeks."""
    db["scores"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "user_id": int,
            "run_id": int,
            "flow_id": str,
            "name": str,
            "value": float,
            "at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id"), ("run_id", "runs", "id")],
        not_null={"user_id", "run_id", "flow_id", "name", "value", "at"},
    )
    db["scores"].create_index(["user_id", "flow_id"])  # type: ignore[union-attr]


@migrations()
def m007_readiness_offer(db: Database) -> None:
    """When the two-weekly offer to go through the safety and readiness questions was last sent."""
    db["users"].add_column("readiness_offered_at", str)  # type: ignore[union-attr]


@migrations()
def m008_safety(db: Database) -> None:
    """The safety path: events (category and time, never what was written), the question
    waiting for an answer, reminders (an outbox a repeating job drains), and the ids of recent
    messages, so that a person can have the chat cleared."""
    db["safety_events"].create(  # type: ignore[union-attr]
        {"id": int, "user_id": int, "category": str, "severity": str, "shown": str, "at": str},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "category", "shown", "at"},
    )
    db["safety_events"].create_index(["user_id"])  # type: ignore[union-attr]
    db["users"].add_column("safety_pending", str)  # type: ignore[union-attr]
    db["users"].add_column("safety_paused_run", int)  # type: ignore[union-attr]
    db["reminders"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "user_id": int,
            "kind": str,
            "due_at": str,
            "payload": str,
            "sent_at": str,
            "cancelled_at": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "kind", "due_at", "created_at"},
    )
    db.execute(
        "CREATE INDEX idx_reminders_pending ON reminders (due_at)"
        " WHERE sent_at IS NULL AND cancelled_at IS NULL"
    )
    db["chat_messages"].create(  # type: ignore[union-attr]
        {"user_id": int, "message_id": int, "at": str},
        pk=("user_id", "message_id"),
        foreign_keys=[("user_id", "users", "id")],
    )


@migrations()
def m009_practice(db: Database) -> None:
    """Therapists and their clients: invites, links with the client's consent, assignments
    (homework with a due date), and an audit of every view and export."""
    db["users"].add_column("display_name", str)  # type: ignore[union-attr]
    db["users"].add_column("draft", str)  # type: ignore[union-attr]
    db["invites"].create(  # type: ignore[union-attr]
        {
            "code": str,
            "therapist_id": int,
            "label": str,
            "created_at": str,
            "expires_at": str,
            "used_at": str,
            "used_by": int,
        },
        pk="code",
        not_null={"therapist_id", "label", "created_at", "expires_at"},
    )
    db["therapist_links"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "therapist_id": int,
            "client_id": int,
            "label": str,
            "scope": str,
            "created_at": str,
            "revoked_at": str,
        },
        pk="id",
        not_null={"therapist_id", "client_id", "label", "scope", "created_at"},
    )
    db["therapist_links"].create_index(["client_id"])  # type: ignore[union-attr]
    db["therapist_links"].create_index(["therapist_id"])  # type: ignore[union-attr]
    db["assignments"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "link_id": int,
            "therapist_id": int,
            "client_id": int,
            "flow_id": str,
            "note": str,
            "due_at": str,
            "status": str,
            "created_at": str,
            "completed_at": str,
        },
        pk="id",
        not_null={"link_id", "therapist_id", "client_id", "flow_id", "due_at", "status"},
    )
    db["assignments"].create_index(["client_id", "status"])  # type: ignore[union-attr]
    # The reminder job looks for conversations left part-way, every tick.
    db["runs"].create_index(["status", "updated_at"])  # type: ignore[union-attr]
    db["audit"].create(  # type: ignore[union-attr]
        {"id": int, "actor_id": int, "client_id": int, "action": str, "at": str},
        pk="id",
        not_null={"actor_id", "action", "at"},
    )


@migrations()
def m010_disclosures(db: Database) -> None:
    """What a person told of danger (violence, fear, harm, a child at risk), kept apart from
    their answers so that no later answer undoes it: when, from where (the screen, or which
    question of which run), when it was last asked about again, when they said it had stopped,
    and when it was cleared (the safety questions answered clearly after that)."""
    db["disclosures"].create(  # type: ignore[union-attr]
        {
            "id": int,
            "user_id": int,
            "category": str,
            "source": str,
            "run_id": int,
            "disclosed_at": str,
            "reviewed_at": str,
            "stopped_at": str,
            "cleared_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "category", "source", "disclosed_at"},
    )
    db["disclosures"].create_index(["user_id"])  # type: ignore[union-attr]


@migrations()
def m011_shared_copies(db: Database) -> None:
    """A finished run's reflection as each consent level may read it (private answers, and for
    summaries typed words, replaced by a mark); and whether a client also shares the work they
    did before linking with a therapist (by default only what comes after)."""
    db["runs"].add_column("shared_summaries", str)  # type: ignore[union-attr]
    db["runs"].add_column("shared_full", str)  # type: ignore[union-attr]
    db["therapist_links"].add_column("share_earlier", int, not_null_default=0)  # type: ignore[union-attr]


@migrations()
def m012_inbox(db: Database) -> None:
    """Updates as they arrive, written before Telegram is told they were received: a crash
    between delivery and handling loses none. A row goes once its update is handled; one that
    cannot be read stays, set aside. And the offset Telegram last confirmed."""
    db["inbox"].create(  # type: ignore[union-attr]
        {
            "update_id": int,
            "user_id": int,
            "raw": str,
            "received_at": str,
            "set_aside_at": str,
        },
        pk="update_id",
        not_null={"raw", "received_at"},
    )
    db["inbox_offset"].create({"id": int, "next_offset": int}, pk="id")  # type: ignore[union-attr]


@migrations()
def m013_flow_versions(db: Database) -> None:
    """Every version of every flow the bot has run, as published: its step ids, its migration
    and its questions (never anything a person wrote), so an open run can be moved on to a
    newer version and a version that would strand one is refused."""
    db["flow_versions"].create(  # type: ignore[union-attr]
        {"flow_id": str, "version": int, "record": str, "published_at": str},
        pk=("flow_id", "version"),
        not_null={"record", "published_at"},
    )


@migrations()
def m014_command_menus(db: Database) -> None:
    """The people whose chat was given the therapists' command menu, so that the menu is taken
    away again when the role is (even if that happened while the bot was down)."""
    db["command_menus"].create(  # type: ignore[union-attr]
        {"user_id": int, "set_at": str}, pk="user_id", not_null={"set_at"}
    )


@migrations()
def m015_consent_dates(db: Database) -> None:
    """When each link's current consent was given: set when the link is made and again when
    the client changes what they share, so a report can say "shared with consent on DATE"."""
    links = db["therapist_links"]
    links.add_column("consented_at", str)  # type: ignore[union-attr]
    db.execute("update therapist_links set consented_at = created_at")
