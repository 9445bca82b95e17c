"""The words a flow uses for the partner, from the pronoun the person chose in onboarding.

Flow texts write `{they}`, `{them}`, `{their}`, `{theirs}`, `{themselves}` (capitalised at the
start of a sentence: `{They}`) and verbs as their two forms, the one after "they" first:
`{push/pushes}`, `{are/is}`; `{your_partner}` is the name where one was given, else "your
partner". The person's answer is kept as `partner_pronoun` (`he`, `she`,
`they`, or `name`, with the name kept as `partner_name`). Nothing chosen reads as "they".

A therapist's copy never shows the partner's name: it quotes what the person read, with "your
partner" where the person's own copy has the name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows.template import PartnerWord

PRONOUN_MEMORY = "partner_pronoun"
NAME_MEMORY = "partner_name"
STAND_IN = "your partner"
"""What a therapist's copy says where the person's own copy says the partner's name."""

FORMS: Mapping[str, Mapping[str, str]] = {
    "he": {"they": "he", "them": "him", "their": "his", "theirs": "his", "themselves": "himself"},
    "she": {
        "they": "she",
        "them": "her",
        "their": "her",
        "theirs": "hers",
        "themselves": "herself",
    },
    "they": {
        "they": "they",
        "them": "them",
        "their": "their",
        "theirs": "theirs",
        "themselves": "themselves",
    },
}


def possessive(name: str) -> str:
    """ "Sam's", "James's"; a name already ending in an apostrophe is left as it is."""
    return name if name.endswith(("'", "’")) else name + "'s"


def partner_word(word: PartnerWord, pronoun: str, name: str = "", *, private: bool = False) -> str:
    """How one partner word reads for the chosen `pronoun` (and `name`, for "name").

    `private` is a therapist's copy: a name is never shown there.
    """
    named = pronoun == "name" and bool(name.strip())
    if named and private:
        name = STAND_IN
    if word.word == "your_partner":
        text = name.strip() if named else "your partner"
        return text[:1].upper() + text[1:] if word.capital else text
    if word.word == "":
        return word.plural if pronoun not in ("he", "she") and not named else word.singular
    if named:
        if word.word in ("their", "theirs"):
            text = possessive(name.strip())
        elif word.word == "themselves":
            text = "themselves"
        else:
            text = name.strip()
    else:
        text = FORMS.get(pronoun, FORMS["they"])[word.word]
    if word.capital:
        text = text[:1].upper() + text[1:]
    return text


def chosen(memory: Mapping[str, Mapping[str, Any]]) -> tuple[str, str]:
    """(pronoun, name) as kept for the person; "they" when nothing was chosen."""
    kept = memory.get(PRONOUN_MEMORY) or {}
    pronoun = str(kept.get("value") or "they")
    name_kept = memory.get(NAME_MEMORY) or {}
    name = str(name_kept.get("value") or "")
    if pronoun == "name" and not name.strip():
        pronoun = "they"
    return pronoun, name
