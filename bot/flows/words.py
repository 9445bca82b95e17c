"""Typed words made comparable: what a label, a synonym and a person's message are reduced to
before they are matched (the checker uses it too, to find a synonym given to two options)."""

from __future__ import annotations

import re
import unicodedata

FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "im",
        "i'm",
        "my",
        "me",
        "it",
        "its",
        "is",
        "was",
        "am",
        "are",
        "to",
        "of",
        "that",
        "this",
        "just",
        "like",
        "really",
        "um",
        "uhm",
        "erm",
        "hmm",
        "so",
        "well",
        "er",
    ]
)
"""Words that carry nothing of which option is meant: "I think it's the money" is "money"."""

_APOSTROPHES = str.maketrans({"’": "", "‘": "", "'": "", "`": ""})
_NOT_WORD = re.compile(r"[\W_]+")


def words(text: str) -> list[str]:
    """The words of a text: case, accents, apostrophes and punctuation gone ("I'm" → "im")."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c)).translate(_APOSTROPHES)
    return [w for w in _NOT_WORD.split(plain) if w]


def content_words(text: str) -> list[str]:
    """The words that say something; all of them when every one is filler ("it is")."""
    every = words(text)
    kept = [w for w in every if w not in FILLER]
    return kept or every


def words_key(text: str) -> str:
    """One string to compare typed words by: "A tight chest!" and "tight chest" are equal."""
    return " ".join(content_words(text))
