"""What a use case hands back: replies for the acting person, and notices for other people."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine import Effect

OLD_BUTTON = "That button no longer works."
"""The reply to a button we never made, or one whose offer has gone (a forged or stale press)."""


@dataclass(frozen=True)
class Notice:
    """Something to send to another person (a therapist, or a client)."""

    user_id: int
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Reply:
    """What the acting person sees, and what others are told."""

    effects: list[Effect]
    notices: tuple[Notice, ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What one handled event produced: the replies and whether it was a duplicate."""

    effects: list[Effect]
    duplicate: bool = False
    run_id: int | None = None
    """The run the person is in after this event: buttons in the replies belong to it."""
    notices: tuple[Notice, ...] = ()
    """Messages for other people: a therapist told of finished homework, a client of new."""
