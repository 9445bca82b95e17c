"""Button payloads: what a press means, which run and which question it belongs to.

Format: `kind|run|seq|arg`, run and seq in base 36, at most 64 bytes (Telegram's limit).
Kinds: c = choose a value, t = toggle option number `arg` of a multi-select, d = done with a
multi-select, s = skip, b = back, f = start flow `arg`, x = confirm cancelling, k = keep going,
a = a safety action `arg` (an answer, or an offer under a card), e = confirm erasing everything,
n = keep everything.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
KINDS = frozenset("ctdsbfxkaen")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _b36(number: int) -> str:
    if number == 0:
        return "0"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = _DIGITS[rest] + out
    return out


@dataclass(frozen=True)
class Payload:
    """A decoded button press."""

    kind: str
    run: int
    seq: int
    arg: str = ""

    def encode(self) -> str:
        """The callback data for this button; ValueError if it would not fit."""
        data = f"{self.kind}|{_b36(self.run)}|{_b36(self.seq)}|{self.arg}"
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"button payload of {len(data.encode())} bytes is over 64")
        return data


def decode(data: str | None) -> Payload | None:
    """The payload of a button, or None for data we never made (old formats, tampering)."""
    if not data or len(data.encode(errors="replace")) > MAX_BYTES:
        return None
    parts = data.split("|", 3)
    if len(parts) != 4 or parts[0] not in KINDS or not all(map(_is_b36, parts[1:3])):
        return None
    return Payload(parts[0], int(parts[1], 36), int(parts[2], 36), parts[3])


def _is_b36(text: str) -> bool:
    """A run or seq field as `_b36` writes it: 1 to 12 of its digits, nothing else."""
    return 0 < len(text) <= 12 and all(c in _DIGITS for c in text)
