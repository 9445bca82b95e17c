"""What the engine wants done, as plain data. Only the shells turn these into messages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Say:
    """A message with no buttons."""

    text: str


@dataclass(frozen=True)
class Button:
    """One answer button: `value` goes back in a Choice event."""

    label: str
    value: str
    on: bool = False
    """Shown ticked (a multi-select question, when typed words were read as this option)."""


@dataclass(frozen=True)
class Ask:
    """A question waiting for an answer.

    `number`/`total` give the progress marker ("question 3 of 7"); `seq` must come back with
    any button press so a press on an old message can be recognised.
    """

    key: str
    kind: str
    text: str
    seq: int
    number: int
    total: int
    buttons: tuple[Button, ...] = ()
    min_picks: int = 1
    max_picks: int = 1
    skip_label: str | None = None
    can_go_back: bool = False


@dataclass(frozen=True)
class Answered:
    """An answer to keep in the person's journal; written in the same transaction as the state."""

    key: str
    value: Any
    at: datetime | None


@dataclass(frozen=True)
class Remembered:
    """An answer to keep for later flows, under a name the flows share."""

    name: str
    value: Any
    label: str


@dataclass(frozen=True)
class Disclosed:
    """The person chose an option that tells of danger (`category`), in answer to `key`.

    The service keeps it apart from the answers, so that no later answer can undo it.
    """

    category: str
    key: str


@dataclass(frozen=True)
class Picture:
    """An image to show (a chart), with a caption that says the same in words."""

    png: bytes
    caption: str


@dataclass(frozen=True)
class Finished:
    """The run is complete; `reflection` is the closing text built from the person's answers."""

    flow_id: str
    reflection: str
    scores: Mapping[str, float] = field(default_factory=dict)
    shared: Mapping[str, str] = field(default_factory=dict)
    """The same text as a therapist may read it, per consent level ("summaries", "full"):
    private answers, and at "summaries" typed words, replaced by a mark."""


@dataclass(frozen=True)
class Offer:
    """A message with buttons that answer no question: the safety path's choices, /sos.

    Each button's `value` is an action the shell hands back to the service.
    """

    text: str
    actions: tuple[Button, ...] = ()


@dataclass(frozen=True)
class ClearChat:
    """Delete the recent messages of the person's chat (those Telegram still allows)."""


@dataclass(frozen=True)
class Document:
    """A file for the person: their export."""

    filename: str
    data: bytes
    caption: str = ""


Effect = (
    Say
    | Ask
    | Answered
    | Remembered
    | Disclosed
    | Picture
    | Finished
    | Offer
    | ClearChat
    | Document
)
