"""What a person can do, as plain data. Shells (Telegram, terminal, tests) build these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Start:
    """Begin a flow from its first step."""

    flow_id: str


@dataclass(frozen=True)
class Text:
    """A typed message."""

    text: str


@dataclass(frozen=True)
class Choice:
    """A button press: an option's value, a scale point, or the pause button.

    `seq` is the question's sequence number carried by the button; None skips the staleness
    check (typed input in the terminal).
    """

    value: str
    seq: int | None = None


@dataclass(frozen=True)
class Picks:
    """The chosen options of a multi-select question, submitted together."""

    values: tuple[str, ...]
    seq: int | None = None


@dataclass(frozen=True)
class Back:
    """Go back to the previous question and answer it again.

    A Back button carries `seq`, so a double tap goes back once, not twice.
    """

    seq: int | None = None


@dataclass(frozen=True)
class Skip:
    """Skip an optional question."""

    seq: int | None = None


@dataclass(frozen=True)
class Resume:
    """Show the current question again (after a pause, a restart or a lost message)."""


Event = Start | Text | Choice | Picks | Back | Skip | Resume
