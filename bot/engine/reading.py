"""Typed answers at button questions: which option, point or options the words mean, and how
sure the bot can be of it.

Tried in order, first hit wins: the number; the label or value; an author's synonyms (`also:`);
the words of one label inside the message, small typos allowed; then meaning, through a
similarity function the caller passes in (the sentence encoder lives outside the core).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.flows.model import Kind, Option, Step
from bot.flows.words import content_words, words, words_key

Similar = Callable[[str, Sequence[str]], Sequence[float]]
"""The similarity in meaning (cosine, -1 to 1) of a typed text to each of some phrases."""

ACCEPT, CONFIRM, OTHER, RETRY = "accept", "confirm", "other", "retry"

SURE = 0.62
"""Meaning this close to one option, and clearly closer than to any other, is taken."""
GAP = 0.05
MAYBE = 0.25
"""Meaning this close is offered in "Did you mean…?"; below it, no option is meant."""
MAYBE_BESIDE_OTHER = 0.42
"""The same where the question has a catch-all, which takes words that fit nothing closer."""
SPREAD = 0.15
"""Options this much below the closest are not offered beside it."""
OFFERED = 3

UNSURE = frozenset(
    words_key(p)
    for p in (
        "idk", "i dont know", "dunno", "dont know", "not sure", "unsure", "no idea", "no clue",
        "cant say", "hard to say", "hard to tell", "not certain", "who knows", "i have no idea",
        "no sure", "im not sure", "not too sure", "not really sure", "dont really know", "?",
        "no se", "cant tell", "couldnt say", "i cant decide", "unclear",
    )
)  # fmt: skip
"""Typed "I don't know": never forced onto an option."""

SEVERAL = frozenset(
    words_key(p)
    for p in (
        "both", "all", "all of them", "all of these", "all of the above", "either", "either one",
        "neither", "none", "none of them", "none of these", "any", "everything", "a bit of both",
        "bit of both", "a bit of everything", "all of it", "both of them", "nothing", "mix",
    )
)  # fmt: skip
"""Words that name no single option: on a pick-one question they are asked about again."""

_NEGATIONS = frozenset(
    [
        "not",
        "no",
        "never",
        "dont",
        "didnt",
        "doesnt",
        "isnt",
        "wasnt",
        "arent",
        "werent",
        "cant",
        "wont",
    ]
)
_NUMBER = re.compile(r"^\s*(?:#|no\.?|number|option|nr)?\s*(-?\d{1,9})\s*[.)]?\s*$", re.I)
_LONG_NUMBER = re.compile(r"^\s*[-+#]?[\d\s.,]+[)]?\s*$")
_NUMBER_WORDS = {
    w: n
    for n, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}
_SPLIT = re.compile(r"\s*(?:[,;/&+\n]|\band\b|\bor\b|\bplus\b|\balso\b)\s*", re.I)
_SOFTER = frozenset(
    "pretty quite fairly kinda kind sort sorta bit little somewhat rather ish mostly".split()
)  # fmt: skip
_MIDDLE = frozenset(
    words_key(p)
    for p in ("in the middle", "middle", "so so", "medium", "halfway", "in between", "average",
              "half and half", "meh", "moderate", "moderately", "some", "sometimes")
)  # fmt: skip


@dataclass(frozen=True)
class Reading:
    """What typed words at a question come to.

    `values` are option values (points as text for a scale): the answer for ACCEPT, the
    candidates in order for CONFIRM, the catch-all for OTHER. `how` says which way matched:
    number, label, words (a label inside a longer message), also, typo, yesno, meaning,
    unsure (an "I don't know"), several, question (a question back), other or none.
    """

    action: str
    values: tuple[str, ...] = ()
    how: str = "none"


def read(step: Step, text: str, fill: Callable[[str], str] = str,
         similar: Similar | None = None) -> Reading:  # fmt: skip
    """What `text`, typed at this button question, means."""
    if step.kind is Kind.SCALE:
        return _read_scale(step, text, similar)
    options = step.options
    if step.kind is Kind.MULTI:
        return _read_multi(step, text, fill, similar)
    reading = _read_one(options, text, fill, similar)
    if reading.action == RETRY and reading.how == "unsure":
        unsure = _unsure_option(options, fill)
        if unsure is not None:
            return Reading(ACCEPT, (unsure.value,), "unsure")
    if reading.action == RETRY and reading.how == "none" and not _declines(text):
        catch_all = next((o for o in options if o.other), None)
        if catch_all is not None and content_words(text):
            return Reading(OTHER, (catch_all.value,), "other")
    return reading


# -- one option --------------------------------------------------------------------------------


def _phrases(option: Option, fill: Callable[[str], str]) -> list[tuple[str, str]]:
    """(how, phrase) for each way an option can be typed."""
    return [("label", fill(option.label)), ("label", option.value.replace("_", " "))] + [
        ("also", word) for word in option.also
    ]


def _read_one(
    options: Sequence[Option], text: str, fill: Callable[[str], str], similar: Similar | None
) -> Reading:
    key = words_key(text)
    if not key:
        return Reading(RETRY)
    number = _number(text)
    if number is not None:
        if 1 <= number <= len(options):
            return Reading(ACCEPT, (options[number - 1].value,), "number")
        return Reading(RETRY)
    if _LONG_NUMBER.match(text):
        return Reading(RETRY)  # a number too long to be any option's
    for way in ("label", "also"):
        for option in options:
            if any(h == way and words_key(p) == key for h, p in _phrases(option, fill)):
                return Reading(ACCEPT, (option.value,), way)
    inside = _inside(options, text, fill)
    if inside is not None:
        return Reading(ACCEPT, (inside,), "words")
    if key in SEVERAL:
        return Reading(RETRY, how="several")
    place = _ordinal(text)
    if place is not None:
        if -len(options) <= place < len(options):
            return Reading(ACCEPT, (options[place].value,), "number")
        return Reading(RETRY)
    found = _contained(options, text, fill)
    unsure = key in UNSURE or _has_unsure(key)
    answer = None if unsure else _yes_no(options, text, fill)
    if answer is not None and answer not in found:
        found = {answer: "yesno", **found}
    if answer is None and not found and set(words(text)) <= _YES | _NO | {"please", "thanks"}:
        return Reading(RETRY)  # "yes" where no option says yes: asked again, never guessed
    asks = _asks(text)
    plain = words(text)
    several = bool(set(plain[:2] if len(plain) > 4 else plain) & {"both", "either"})
    if unsure or asks or several:
        not_sure = _unsure_option(options, fill)
        doubted = [v for v in found if not_sure is None or v != not_sure.value]
        if doubted:  # "not sure, maybe the money": asked, never taken
            return Reading(CONFIRM, _ordered(options, doubted, text, fill, similar), "unsure")
        return Reading(RETRY, how="unsure" if unsure else "question" if asks else "several")
    if len(found) == 1:
        ((value, how),) = found.items()
        return Reading(ACCEPT, (value,), how)
    if len(found) > 1:
        return Reading(CONFIRM, _ordered(options, list(found), text, fill, similar), "label")
    if similar is None:
        return Reading(RETRY)
    return _by_meaning(options, text, fill, similar)


def _number(text: str) -> int | None:
    match = _NUMBER.match(text)
    if match:
        digits = match.group(1)
        return int(digits) if len(digits) <= 9 else None
    plain = words(text)
    if len(plain) == 1 and plain[0] in _NUMBER_WORDS:
        return _NUMBER_WORDS[plain[0]]
    return None


_ORDINALS = {
    w: i
    for i, group in enumerate(
        ("first 1st", "second 2nd", "third 3rd", "fourth 4th", "fifth 5th", "sixth 6th",
         "seventh 7th", "eighth 8th", "ninth 9th", "tenth 10th")
    )
    for w in group.split()
} | {"last": -1}  # fmt: skip
_YES = frozenset(
    "yes yess yesss yse ys yas yeah yeahh yah yep yup ya yea yeh yh ye aye sure definitely"
    " absolutely course ok okay".split()
)
_YES_PHRASES = frozenset(
    words_key(p) for p in ("go on then", "go on", "why not", "please", "fine", "of course")
)
_NO = frozenset("no nope nah na never".split())
_QUESTION_WORDS = frozenset("what whats why huh eh pardon".split())


def _ordinal(text: str) -> int | None:
    """ "the second one", "2nd please", "last": the option's index (from the end if negative)."""
    plain = [w for w in content_words(text) if w not in ("one", "option", "button", "please")]
    if len(plain) == 1 and plain[0] in _ORDINALS:
        return _ORDINALS[plain[0]]
    return None


def _yes_no(options: Sequence[Option], text: str, fill: Callable[[str], str]) -> str | None:
    """A reply that begins "yes" or "no", at a question with one option that begins so."""
    typed = words(text)
    if words_key(text) in _YES_PHRASES:
        typed = ["yes"]
    if not typed or typed[0] not in _YES | _NO:
        return None
    wanted = _YES if typed[0] in _YES else _NO
    starting = [o for o in options if (words(fill(o.label)) or [""])[0] in wanted]
    return starting[0].value if len(starting) == 1 else None


def _inside(options: Sequence[Option], text: str, fill: Callable[[str], str]) -> str | None:
    """The one option whose label holds every typed word ("everything" for "Everything I
    answer", "scared of losing" for "scared of losing you"); None if none or several."""
    typed = content_words(text)
    if not typed or max(len(w) for w in typed) < 4:
        return None
    holding = {
        option.value
        for option in options
        for _, phrase in _phrases(option, fill)
        if set(typed) <= set(content_words(phrase))
    }
    return holding.pop() if len(holding) == 1 else None


_REQUESTS = frozenset("can could would will should do does is are may".split())
_DECLINING = ("rather not", "dont remember", "cant remember", "not saying", "dont want to say",
              "skip", "pass", "go back", "pick for me", "you choose")  # fmt: skip


def _declines(text: str) -> bool:
    """Words that are no answer (a request, "rather not say"): never kept as the catch-all."""
    typed = words(text)
    joined = f" {' '.join(typed)} "
    return bool(typed) and (typed[0] in _REQUESTS or any(f" {d} " in joined for d in _DECLINING))


def _asks(text: str) -> bool:
    """A question back ("what do you mean unsafe?"): answered with the options, never taken."""
    typed = words(text)
    return text.rstrip().endswith("?") or (bool(typed) and typed[0] in _QUESTION_WORDS)


def _has_unsure(key: str) -> bool:
    """ "idk really", "not sure tbh": an unsure phrase with a few words around it."""
    parts = key.split()
    if len(parts) > 6:
        return False
    spans = (" ".join(parts[i:j]) for i in range(len(parts)) for j in range(i + 1, len(parts) + 1))
    return any(span in UNSURE for span in spans)


def _unsure_option(options: Sequence[Option], fill: Callable[[str], str]) -> Option | None:
    """The option that says "not sure", where the question has one."""
    for option in options:
        if any(words_key(p) in UNSURE | {"maybe"} for _, p in _phrases(option, fill)):
            return option
    return None


def _tolerance(word: str) -> int:
    """Typos forgiven in a word of this length: none in short words, where one letter
    makes another word ("sad", "mad")."""
    size = len(word)
    return 0 if size <= 3 else 1 if size <= 6 else 2 if size <= 10 else 3


def _same_word(typed: str, wanted: str) -> int | None:
    """0 for the same word, the number of typos when close enough, None otherwise."""
    if typed == wanted:
        return 0
    if typed[:1] != wanted[:1] and len(wanted) <= 6:
        return None
    distance = OSA.distance(typed, wanted, score_cutoff=_tolerance(wanted))
    return distance if distance <= _tolerance(wanted) and distance <= _tolerance(typed) else None


def _kept_words(text: str) -> list[str]:
    """The typed words that still count: a word right after a negation does not ("not lonely")."""
    kept: list[str] = []
    skip = False
    for word in content_words(text):
        if skip:
            skip = False
            continue
        if word in _NEGATIONS:
            skip = True
        kept.append(word)
    return kept


def _contained(options: Sequence[Option], text: str, fill: Callable[[str], str]) -> dict[str, str]:
    """Options all of whose label (or synonym) words are in the text, small typos allowed:
    value → how. An option whose words are all part of another's match ("quiet" inside
    "go quiet") does not count beside it."""
    typed = _kept_words(text)
    best: dict[str, tuple[frozenset[int], str]] = {}
    for option in options:
        for how, phrase in _phrases(option, fill):
            wanted = content_words(phrase)
            if not wanted or (len(wanted) == 1 and len(wanted[0]) <= 2):
                continue
            used: set[int] = set()
            typos = 0
            for word in wanted:
                near = [
                    (d, i) for i, t in enumerate(typed)
                    if i not in used and (d := _same_word(t, word)) is not None
                ]  # fmt: skip
                if not near:
                    break
                distance, where = min(near)
                used.add(where)
                typos += distance
            else:
                if len(used) > len(best.get(option.value, (frozenset(), ""))[0]):
                    way = "typo" if typos else "words" if how == "label" else how
                    best[option.value] = (frozenset(used), way)
    return {
        value: how
        for value, (used, how) in best.items()
        if not any(used < other for v, (other, _) in best.items() if v != value)
    }


def _ordered(
    options: Sequence[Option],
    values: list[str],
    text: str,
    fill: Callable[[str], str],
    similar: Similar | None,
) -> tuple[str, ...]:
    """The candidates, closest in meaning first (in the question's order without meaning)."""
    order = [o.value for o in options]
    chosen = sorted(values, key=order.index)
    if similar is None:
        return tuple(chosen[:OFFERED])
    scores = dict(_closeness(options, text, fill, similar))
    return tuple(sorted(chosen, key=lambda v: -scores.get(v, 0.0))[:OFFERED])


def _closeness(
    options: Sequence[Option], text: str, fill: Callable[[str], str], similar: Similar
) -> list[tuple[str, float]]:
    """Each option's closeness in meaning to the text (its closest phrase), closest first."""
    phrases: list[str] = []
    owners: list[str] = []
    for option in options:
        for phrase in (fill(option.label), *option.also):  # the value is no wording
            phrases.append(phrase)
            owners.append(option.value)
    best: dict[str, float] = {}
    for owner, score in zip(owners, similar(text, phrases), strict=True):
        best[owner] = max(best.get(owner, -1.0), float(score))
    return sorted(best.items(), key=lambda item: -item[1])


def _by_meaning(
    options: Sequence[Option], text: str, fill: Callable[[str], str], similar: Similar
) -> Reading:
    ranked = [(v, s) for v, s in _closeness(options, text, fill, similar)
              if not next(o for o in options if o.value == v).other]  # fmt: skip
    if not ranked:
        return Reading(RETRY)
    top, score = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else -1.0
    telling = next(o for o in options if o.value == top).disclose
    if score >= SURE and score - second >= GAP and not telling:
        return Reading(ACCEPT, (top,), "meaning")  # a disclosure of danger is only offered
    maybe = MAYBE_BESIDE_OTHER if any(o.other for o in options) else MAYBE
    if score >= maybe:
        near = [v for v, s in ranked if s >= max(maybe, score - SPREAD)][:OFFERED]
        return Reading(CONFIRM, tuple(near), "meaning")
    return Reading(RETRY)


# -- several options -----------------------------------------------------------------------------


_ALL = frozenset(map(words_key, ("all", "all of them", "all of these", "all of the above",
                                 "everything", "all of it", "every one", "the lot")))  # fmt: skip
_NONE = frozenset(map(words_key, ("none", "none of them", "none of these", "nothing", "neither")))


def _read_multi(
    step: Step, text: str, fill: Callable[[str], str], similar: Similar | None
) -> Reading:
    options = step.options
    high = step.max_picks or len(options)
    key = words_key(text)
    if key in _ALL:
        every = tuple(o.value for o in options)
        return Reading(ACCEPT if len(every) <= high else CONFIRM, every[:high], "several")
    if key in _NONE:
        return Reading(ACCEPT, (), "label") if step.min_picks == 0 else Reading(RETRY, how="none")
    counted = _counted(options, text)
    if counted is not None:
        return Reading(ACCEPT if len(counted) <= high else CONFIRM, counted[:high], "number")
    whole = _read_one(options, text, fill, None)
    if whole.action == ACCEPT and whole.how in ("number", "label", "also"):
        return whole
    sure: list[str] = []
    maybe: list[str] = []
    ways: set[str] = set()
    unread = False
    for part in (p for p in _SPLIT.split(text) if words_key(p)):
        one = _read_one(options, part, fill, similar)
        found = _contained(options, part, fill) if one.action == CONFIRM else {}
        if one.action == ACCEPT:
            sure += one.values
            ways.add(one.how)
        elif found:
            sure += list(found)
            ways.update(found.values())
        elif one.action == CONFIRM:
            maybe.append(one.values[0])
        else:
            unread = True  # a part read as no option: the rest is offered ticked, not taken
    order = [o.value for o in options]
    picked = sorted(dict.fromkeys(sure + maybe), key=order.index)
    if not picked:
        return Reading(RETRY, how="unsure" if key in UNSURE else "none")
    if maybe or unread or len(picked) > high or len(picked) < step.min_picks:
        return Reading(CONFIRM, tuple(picked[:high]), "meaning" if maybe else "label")
    ranked = ("meaning", "yesno", "typo", "also", "words", "label")
    how = next((w for w in ranked if w in ways), "number")
    return Reading(ACCEPT, tuple(picked), how)


def _counted(options: Sequence[Option], text: str) -> tuple[str, ...] | None:
    """ "all three", "first two": options by how many."""
    typed = [w for w in content_words(text) if w not in ("think", "guess", "ones", "please")]
    if len(typed) != 2 or (typed[1] not in _NUMBER_WORDS and not typed[1].isdigit()):
        return None
    count = _NUMBER_WORDS.get(typed[1]) or int(typed[1][:3])
    values = tuple(o.value for o in options)
    if typed[0] == "all" and count == len(values):
        return values
    if typed[0] in ("first", "top") and 0 < count <= len(values):
        return values[:count]
    if typed[0] == "last" and 0 < count <= len(values):
        return values[-count:]
    return None


# -- a scale -----------------------------------------------------------------------------------


def _read_scale(step: Step, text: str, similar: Similar | None) -> Reading:
    low, high = step.scale_min, step.scale_max
    number = _number(text)
    if number is None and _LONG_NUMBER.match(text):
        return Reading(RETRY)
    if number is not None:
        ok = low <= number <= high
        return Reading(ACCEPT, (str(number),), "number") if ok else Reading(RETRY)
    key = words_key(text)
    if not key:
        return Reading(RETRY)
    inside = [int(n) for n in re.findall(r"(?<![\d.])\d{1,2}(?![\d.])", text)]
    if len(set(inside)) == 1 or (len(inside) == 2 and inside[1] == high):
        if low <= inside[0] <= high:
            return Reading(ACCEPT, (str(inside[0]),), "typo")
        return Reading(RETRY)
    points = [Option(str(p), label) for p, label in sorted(step.scale_labels.items())]
    for option in points:
        if words_key(option.label) == key:
            return Reading(ACCEPT, (option.value,), "label")
    if key in UNSURE or _has_unsure(key):
        return Reading(RETRY, how="unsure")
    middle = str((low + high) // 2)
    if key in _MIDDLE and middle not in {p.value for p in points}:
        return Reading(CONFIRM, _around(int(middle), low, high), "meaning")
    found = _contained(points, text, str)
    softened = bool(set(words(text)) & _SOFTER)
    if len(found) == 1 and not softened:
        ((value, how),) = found.items()
        return Reading(ACCEPT, (value,), how)
    if len(found) == 1 and softened:
        return Reading(CONFIRM, _inwards(int(next(iter(found))), low, high), "meaning")
    if similar is None or not points:
        return Reading(RETRY)
    reading = _by_meaning(points, text, str, similar)
    negated = bool(set(words(text)) & _NEGATIONS)
    if reading.action == RETRY or not (softened or negated):
        return reading
    point = int(reading.values[0])
    if negated and not set(words(step.scale_labels.get(point, ""))) & _NEGATIONS:
        point = low + high - point  # "not very close": the other end
    return Reading(CONFIRM, _inwards(point, low, high), "meaning")


def _inwards(point: int, low: int, high: int) -> tuple[str, ...]:
    """A softened end ("pretty close"): one step in from the end first, then the end."""
    step = -1 if point >= high else 1 if point <= low else 0
    if step == 0:
        return _around(point, low, high)
    return tuple(str(p) for p in (point + step, point, point + 2 * step) if low <= p <= high)


def _around(point: int, low: int, high: int) -> tuple[str, ...]:
    return tuple(str(p) for p in (point, point - 1, point + 1) if low <= p <= high)
