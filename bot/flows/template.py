"""Placeholders in step texts: `{partner|your partner}`, `{my_move.label}`, `{under.labels}`.

`{{` and `}}` stand for literal braces. Parsing is shared by the checker (to prove every name is
set before use) and by the renderer (to fill them in).

Words about the partner are placeholders of their own, filled from the pronoun the person chose
in onboarding: `{they}`, `{them}`, `{their}`, `{theirs}`, `{themselves}` (and `{They}`…, for the
start of a sentence), `{your_partner}` (their name, if given, else "your partner"), and a verb
written as its two forms, the one after "they" first: `{push/pushes}`, `{are/is}`, `{have/has}`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

ATTRIBUTES = ("label", "labels", "value", "count")
"""The fixed attributes; any other `.word` names a form an option gives under `says:`."""
PARTNER_WORDS = ("they", "them", "their", "theirs", "themselves", "your_partner")
"""The pronoun placeholders, as written for "they"; capitalised at the start of a sentence.
`{your_partner}` is the partner's name where the person gave one, else "your partner"."""

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FORM = re.compile(r"^[a-z][a-z0-9_]*$")
_VERB = re.compile(r"^([a-z][a-z' ]*)/([a-z][a-z' ]*)$")


@dataclass(frozen=True)
class PartnerWord:
    """A word about the partner: a pronoun (`they`, `Their`…) or a verb pair (`go/goes`)."""

    word: str
    """The pronoun as written for "they" (lower case), or "" for a verb pair."""
    capital: bool
    plural: str = ""
    """A verb pair's form after "they"."""
    singular: str = ""
    """A verb pair's form after "he", "she" or a name."""
    offset: int = 0


def partner_word(body: str, offset: int = 0) -> PartnerWord | None:
    """The partner word a placeholder body is, if it is one."""
    if body.lower() in PARTNER_WORDS and (body.islower() or body == body.capitalize()):
        return PartnerWord(body.lower(), body[0].isupper(), offset=offset)
    verb = _VERB.match(body)
    if verb:
        return PartnerWord("", False, verb.group(1), verb.group(2), offset)
    return None


def partner_words(text: str) -> list[PartnerWord]:
    """Every partner word in `text` (after `placeholders` has found the text well formed)."""
    found = []
    for match in _PLACEHOLDER.finditer(text):
        body = match.group(1)
        if body is not None:
            word = partner_word(body, match.start())
            if word is not None:
                found.append(word)
    return found


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
        if body is None or partner_word(body) is not None:
            continue
        ref, bar, fallback = body.partition("|")
        name, dot, attr = ref.strip().partition(".")
        if not _NAME.match(name):
            raise TemplateError(
                f"'{{{body}}}' is not a placeholder; write {{step_id}} or {{step_id|fallback}}"
                " (use {{ and }} for literal braces)",
                match.start(),
            )
        if dot and attr not in ATTRIBUTES and not _FORM.match(attr):
            raise TemplateError(
                f"'{{{body}}}' asks for '.{attr}'; a placeholder can use "
                + ", ".join(f".{a}" for a in ATTRIBUTES)
                + " or a form its options give under 'says:', like .you",
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
