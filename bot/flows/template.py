"""Placeholders in step texts: `{partner|your partner}`, `{my_move.label}`, `{under.labels}`.

`{{` and `}}` stand for literal braces. Parsing is shared by the checker (to prove every name is
set before use) and by the renderer (to fill them in).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ATTRIBUTES = ("label", "labels", "value", "count")

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Placeholder:
    """One `{...}` in a text; `offset` is where it starts in the text."""

    name: str
    attr: str | None
    fallback: str | None
    offset: int
    source: str


class TemplateError(ValueError):
    """A placeholder that cannot be understood."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


def placeholders(text: str) -> list[Placeholder]:
    """Every placeholder in `text`; raise TemplateError on a malformed one."""
    found: list[Placeholder] = []
    for match in _PLACEHOLDER.finditer(text):
        body = match.group(1)
        if body is None:
            continue
        ref, bar, fallback = body.partition("|")
        name, dot, attr = ref.strip().partition(".")
        if not _NAME.match(name):
            raise TemplateError(
                f"'{{{body}}}' is not a placeholder; write {{step_id}} or {{step_id|fallback}}"
                " (use {{ and }} for literal braces)",
                match.start(),
            )
        if dot and attr not in ATTRIBUTES:
            raise TemplateError(
                f"'{{{body}}}' asks for '.{attr}'; a placeholder can use "
                + ", ".join(f".{a}" for a in ATTRIBUTES),
                match.start(),
            )
        found.append(
            Placeholder(name, attr or None, fallback if bar else None, match.start(), match.group())
        )
    # A lone brace left over after removing placeholders and escapes is a typo.
    leftover = _PLACEHOLDER.sub("", text)
    for brace in "{}":
        if brace in leftover:
            raise TemplateError(
                f"unmatched '{brace}' (write {brace * 2} for a literal brace)",
                text.find(brace),
            )
    return found


def fill(text: str, value_of: dict[int, str]) -> str:
    """Replace each placeholder (by its offset) with the given text, unescaping braces."""

    def repl(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return match.group()[0]
        return value_of[match.start()]

    return _PLACEHOLDER.sub(repl, text)
