"""The crisis screen: every free text a person sends is read here before any exercise sees it.

Rules are data (bot/content/safety/phrases.yaml), so clinicians can review and extend them. A
phrase is a few words; `word*` matches any word starting so ("strangl*"), `_` any one word, and
`..` up to three words of anything. A `together` rule matches when each of its groups has
a phrase somewhere in the message (a means and an intent, say). Words match after normalising
(see normalize.py), with letters repeated for emphasis squeezed, and with one typo forgiven in
words of five letters or more. A benign phrase ("killing me" in "this argument is killing me")
cancels a match it overlaps, unless the match is a phrase at least as long, and so as specific.

Beside the lists, a learned classifier reads the message's meaning (learned.py), so that new
wordings are found too. One decision comes of both. A listed phrase at severity `urgent` or `high`
fires unless clinicians have put it among the `weigh` phrases (the ones that are also everyday
figures of speech: "career suicide", "kill me now"), or the classifier is sure the message is
ordinary (VETO); a phrase among the `always` ones fires whatever the classifier says. Otherwise the
classifier decides, given the sentence and what the lists found in it: it fires when its score
reaches its threshold, unless the part of the message it fired on holds a `never` phrase (a look-
alike clinicians have listed as never a crisis). The severity is the listed phrase's, where one of
the same category matched; where only the classifier saw it, `unclear`: the bot asks its question
more softly, but asks it. Without a classifier (`reader=None`) the lists decide alone. Above all, a
message that says what a reviewed, labelled line says (the corpus the classifier learned from, and
the sets of tests/data) is read as that line is labelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.safety.learned import FAMILIAR, NONE, Reader, parts
from bot.safety.normalize import squeeze, words

SEVERITIES = ("unclear", "concern", "urgent", "high")
"""Lowest first. `unclear` means: ask one gentle question before assuming anything."""
SURE = ("urgent", "high")
"""A listed phrase this serious fires unless it is weighed, or the classifier is sure (VETO)."""
VETO = 0.2
"""Where the classifier, reading the whole message with the listed phrase as evidence, scores it
below this (four to one that it is ordinary: "I'm killing myself to pay for this house"), an
urgent or high phrase does not fire, unless clinicians have put it among the `always` phrases."""
GAP = 3


@dataclass(frozen=True)
class Flag:
    """What the screen found: a category, how serious, the phrase (as listed) that matched, or
    "" when only the classifier fired, and the classifier's score when it read the message."""

    category: str
    severity: str
    phrase: str
    score: float | None = None


@dataclass(frozen=True)
class Phrase:
    """One listed phrase, split into its pattern words."""

    text: str
    pattern: tuple[str, ...]
    category: str
    severity: str

    @property
    def needs(self) -> frozenset[str]:
        """The listed words (and stems) a message must have for this phrase to match."""
        return _needs(self.pattern)


@dataclass(frozen=True)
class Together:
    """Matches when every group has a phrase in the message, in any order ("pills" + "all")."""

    groups: tuple[tuple[Phrase, ...], ...]
    category: str
    severity: str


@dataclass(frozen=True)
class Rules:
    """Every phrase of every category, the benign ones, and the words that raise a match."""

    phrases: tuple[Phrase, ...]
    benign: tuple[Phrase, ...]
    raisers: dict[str, tuple[Phrase, ...]]
    order: tuple[str, ...]
    together: tuple[Together, ...] = ()
    index: dict[str, frozenset[str]] = field(default_factory=dict)
    """Each listed word (squeezed), and each of its one-letter deletions, → the listed words."""
    stems: tuple[tuple[str, str], ...] = ()
    """The `word*` stems of every phrase, each with its squeezed beginning."""
    never: tuple[Phrase, ...] = ()
    """Look-alikes the classifier must never fire on."""
    weigh: frozenset[str] = frozenset()
    """Urgent or high phrases that are also common figures of speech: the classifier weighs
    them, with the rest of the message, like the lower severities."""
    always: frozenset[str] = frozenset()
    """Urgent or high phrases that fire even where the classifier is sure the message is
    ordinary (see VETO)."""


def _variants(word: str) -> set[str]:
    """A squeezed word and, when long enough to forgive a typo, its one-letter deletions."""
    out = {word}
    if len(word) >= 5:
        out |= {word[:i] + word[i + 1 :] for i in range(len(word))}
    return out


def _indexed(rules: Rules) -> Rules:
    everything = [
        *rules.phrases,
        *rules.benign,
        *(p for group in rules.raisers.values() for p in group),
        *(p for t in rules.together for g in t.groups for p in g),
        *rules.never,
    ]
    index: dict[str, set[str]] = {}
    stems: set[str] = set()
    for phrase in everything:
        for token in phrase.pattern:
            if token in ("_", ".."):
                continue
            if token.endswith("*"):
                stems.add(token)
                continue
            for variant in _variants(squeeze(token)):
                index.setdefault(variant, set()).add(token)
    frozen = {k: frozenset(v) for k, v in index.items()}
    squeezed = tuple((stem, squeeze(stem[:-1])) for stem in sorted(stems))
    return replace(rules, index=frozen, stems=squeezed)


@cache
def _needs(pattern: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for w in pattern if w not in ("_", ".."))


def _pattern(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for raw in text.split():
        if raw in ("_", ".."):
            out.append(raw)
        elif raw.endswith("*"):
            out.extend([*words(raw[:-1])[:-1], words(raw[:-1])[-1] + "*"])
        else:
            out.extend(words(raw))
    return tuple(out)


def rules_from(data: dict[str, Any]) -> Rules:
    """Rules from the parsed phrases file."""
    phrases: list[Phrase] = []
    raisers: dict[str, tuple[Phrase, ...]] = {}
    together: list[Together] = []
    for category, spec in data["categories"].items():
        for rule in spec.get("together", []):
            groups = tuple(
                tuple(Phrase(str(p), _pattern(str(p)), category, rule["severity"]) for p in group)
                for group in rule["all_of"]
            )
            together.append(Together(groups, category, rule["severity"]))
        for severity, items in spec["phrases"].items():
            if severity not in SEVERITIES:
                raise ValueError(f"{category}: unknown severity {severity!r}")
            phrases += [Phrase(str(p), _pattern(str(p)), category, severity) for p in items]
        raisers[category] = tuple(
            Phrase(str(p), _pattern(str(p)), category, "high") for p in spec.get("raise_with", [])
        )
    benign = tuple(Phrase(str(p), _pattern(str(p)), "", "") for p in data.get("benign", []))
    never = tuple(Phrase(str(p), _pattern(str(p)), "", "") for p in data.get("never", []))
    weigh = frozenset(str(p) for p in data.get("weigh", []))
    always = frozenset(str(p) for p in data.get("always", []) or [])
    return _indexed(
        Rules(
            tuple(phrases),
            benign,
            raisers,
            tuple(data["categories"]),
            tuple(together),
            never=never,
            weigh=weigh,
            always=always,
        )
    )


@cache
def shipped_rules() -> Rules:
    """The rules of bot/content/safety/phrases.yaml."""
    text = (resources.files("bot") / "content" / "safety" / "phrases.yaml").read_text("utf-8")
    return rules_from(yaml.safe_load(text))


def _close(a: str, b: str) -> bool:
    """True when `a` and `b` differ by at most one edit (insert, delete, swap or change)."""
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 2 and diff[1] == diff[0] + 1:
            return a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
        return len(diff) <= 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _same(want: str, word: str) -> bool:
    if want.endswith("*"):
        return squeeze(word).startswith(squeeze(want[:-1]))
    a, b = squeeze(want), squeeze(word)
    return a == b or (min(len(a), len(b)) >= 5 and _close(a, b))


def _matches(rules: Rules, said: list[str]) -> list[frozenset[str]]:
    """For each word of the message, the listed words (and stems) it counts as."""
    out: list[frozenset[str]] = []
    for word in said:
        squeezed = squeeze(word)
        candidates: set[str] = set()
        for variant in _variants(squeezed):
            candidates |= rules.index.get(variant, frozenset())
        found = {t for t in candidates if _same(t, word)}
        found |= {stem for stem, start in rules.stems if squeezed.startswith(start)}
        out.append(frozenset(found))
    return out


def _spans(pattern: tuple[str, ...], hits: list[frozenset[str]]) -> list[tuple[int, int]]:
    """(start, end) of every place the pattern matches the words (given as their hits)."""
    found: list[tuple[int, int]] = []
    size = len(hits)

    def walk(p: int, t: int, start: int) -> None:
        if p == len(pattern):
            found.append((start, t))
            return
        want = pattern[p]
        if want == "..":
            for skip in range(GAP + 1):
                if t + skip <= size:
                    walk(p + 1, t + skip, start)
            return
        if t < size and (want == "_" or want in hits[t]):
            walk(p + 1, t + 1, start)

    for begin in range(size):
        walk(0, begin, begin)
    return found


def screen(text: str, rules: Rules | None = None, reader: Reader | None = None) -> Flag | None:
    """The most serious thing this text says, or None when it says nothing of concern: from the
    phrase lists, and from the classifier when a reader is given."""
    return scored(text, rules, reader)[0]


def scored(
    text: str, rules: Rules | None = None, reader: Reader | None = None
) -> tuple[Flag | None, float | None]:
    """What the screen finds, and the classifier's score (None without a reader, or for a
    message without words: a code, a number or an emoji)."""
    rules = rules or shipped_rules()
    if reader is None:
        return listed_flag(text, rules), None
    pieces = parts(text)
    found = [listed_flag(piece, rules) for piece in pieces]
    if not _has_words(text):
        # A code, a number or an emoji: nothing for the sentence model to read, and its guess
        # at such strings is noise ("XJ4-992B-77Q" scored like a hint of suicide).
        return (found[0] if found else None), None
    sure = _sure(found[0], rules) if found else None
    reading = reader.read_parts(pieces, [(f.category, f.severity) if f else None for f in found])
    if reading is None:
        return sure, None
    score = round(reading.score, 3)
    if sure is not None and sure.phrase in rules.always:
        return replace(sure, score=score), score
    if reading.known is not None:  # it says what a reviewed line says: that line's label
        return _as_known(reading.known, found, score), score
    if sure is not None and (reading.score >= VETO or sure.phrase in rules.always):
        return replace(sure, score=score), score
    if reading.score < reader.classifier.threshold_for(reading.category) or _quiet(
        rules, pieces[reading.part]
    ):
        return None, score
    # A listed phrase of the same category, in the whole or in the part, says how serious.
    for flag in (found[0], found[reading.part]):
        if flag is not None and flag.category == reading.category:
            return replace(flag, score=score), score
    if reading.familiar < FAMILIAR:
        return None, score
    return Flag(reading.category, "unclear", "", score), score


def _has_words(text: str) -> bool:
    """True when the text holds a word of two letters or more (not only digits or codes)."""
    return any(word.isalpha() and len(word) >= 2 for word in words(text))


def _as_known(label: str, found: Sequence[Flag | None], score: float) -> Flag | None:
    if label == NONE:
        return None
    listed = next((f for f in found if f is not None and f.category == label), None)
    return replace(listed, score=score) if listed else Flag(label, "unclear", "", score)


def sure_flag(text: str, rules: Rules | None = None) -> Flag | None:
    """What the lists find, when it fires whatever the classifier says: a phrase at severity
    `urgent` or `high` that is not among the `weigh` phrases."""
    rules = rules or shipped_rules()
    return _sure(listed_flag(text, rules), rules)


def _sure(flag: Flag | None, rules: Rules) -> Flag | None:
    if flag is None or flag.severity not in SURE or flag.phrase in rules.weigh:
        return None
    return flag


def _quiet(rules: Rules, text: str) -> bool:
    """True when a `never` phrase matches the text."""
    said = _matches(rules, words(text))
    anywhere = frozenset().union(*said) if said else frozenset()
    return any(p.needs <= anywhere and _spans(p.pattern, said) for p in rules.never)


def listed_flag(text: str, rules: Rules | None = None) -> Flag | None:
    """What the phrase lists alone find in a text."""
    rules = rules or shipped_rules()
    said = _matches(rules, words(text))
    if not said:
        return None
    anywhere = frozenset().union(*said)

    def possible(phrase: Phrase) -> bool:
        # Most phrases name a word this message does not have: skip them before matching.
        return phrase.needs <= anywhere

    safe = [(b, span) for b in rules.benign if possible(b) for span in _spans(b.pattern, said)]
    best: tuple[int, int, int, Phrase] | None = None
    for phrase in filter(possible, rules.phrases):
        for start, end in _spans(phrase.pattern, said):
            if any(
                s < end and start < e and len(phrase.pattern) < len(b.pattern) for b, (s, e) in safe
            ):
                continue
            severity = SEVERITIES.index(phrase.severity)
            if severity >= SEVERITIES.index("concern") and any(
                possible(r) and _spans(r.pattern, said)
                for r in rules.raisers.get(phrase.category, ())
            ):
                severity = SEVERITIES.index("high")
            # The most serious first, then the most specific (longest), then the list's order.
            rank = (severity, len(phrase.pattern), -rules.order.index(phrase.category), phrase)
            if best is None or rank[:3] > best[:3]:
                best = rank
    for rule in rules.together:
        hits = [
            next((p for p in group if possible(p) and _spans(p.pattern, said)), None)
            for group in rule.groups
        ]
        if all(hits):
            phrase = Phrase(" + ".join(p.text for p in hits if p), (), rule.category, rule.severity)
            severity = SEVERITIES.index(rule.severity)
            rank = (severity, len(rule.groups), -rules.order.index(rule.category), phrase)
            if best is None or rank[:3] > best[:3]:
                best = rank
    if best is None:
        return None
    return Flag(best[3].category, SEVERITIES[best[0]], best[3].text)
