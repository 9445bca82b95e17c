"""The words a flow file may use, the limits on what it writes, and the 'did you mean' hint."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from bot.flows.model import Kind

MAX_TEXT = 4096
"""Telegram's limit for one message."""
MAX_LABEL = 40
"""Longer button labels are cut off on a phone screen."""
MAX_PAYLOAD = 64
"""Telegram's limit for a button's callback data, in bytes."""
PAYLOAD_RESERVE = 16
"""Bytes of callback data the bot keeps for the run and sequence number."""
MAX_SCALE_SPAN = 10

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
FLOW_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
MEMORY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

ASK_KINDS = {k.value: k for k in (Kind.TEXT, Kind.CHOICE, Kind.MULTI, Kind.SCALE, Kind.PAUSE)}
TOP_KEYS = (
    "flow",
    "version",
    "title",
    "description",
    "order",
    "share",
    "params",
    "memory",
    "locks",
    "scores",
    "migrate",
    "steps",
    "tests",
)
COMMON_KEYS = ("id", "when", "next", "back", "share")
_ANSWER_KEYS = ("invalid", "retries", "fallback", "optional", "remember")
STEP_KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.SAY: ("say",),
    Kind.PAUSE: ("ask", "say", "button"),
    Kind.TEXT: ("ask", "say", "validate", *_ANSWER_KEYS),
    Kind.CHOICE: ("ask", "say", "options", *_ANSWER_KEYS),
    Kind.MULTI: ("ask", "say", "options", "min", "max", *_ANSWER_KEYS),
    Kind.SCALE: ("ask", "say", "scale", *_ANSWER_KEYS),
    Kind.CALL: ("call", "with", "remember"),
    Kind.END: ("end", "return"),
}
ALL_STEP_KEYS = sorted({k for keys in STEP_KEYS.values() for k in keys} | set(COMMON_KEYS))
SHARE_LEVELS = ("never", "summary", "full")
DISCLOSURES = ("violence", "fear", "harm", "child")
"""What an option may disclose (`disclose:`): each closes the flows that turn to the partner."""
RESERVED_MEMORY = ("disclosed",)
"""Memory names the bot fills itself: `disclosed` is the newest open disclosure, or "none"."""
BOOLEAN_KEYS = ("back", "optional")
DEFAULT_SKIP_LABEL = "Skip for now"


def suggest(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def payload_of(step_id: str, value: str) -> str:
    """The engine's token for a button; the adapter adds the run and sequence number."""
    return f"{step_id}:{value}"
