"""The safety path's replies, built only from the reviewed texts and the resources files.

Nothing a person wrote ever goes into these texts: they are filled only with the helplines of
the person's country. Buttons carry actions, written `verb:category:answer`:

- `chk:violence:y|n`  the gentle check before the violence question (for unclear matches)
- `ans:CATEGORY:y|n`  the answer to the category's one direct question
- `ground`, `plan`, `follow`, `clear`, `resume`  the offers under a card
- `wipe`, `keep`  after the chat was cleared: erase the journal and plan too, or keep them
- `rev:still|stopped|rather`  the answer to the question about an earlier disclosure
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.engine.effects import Button, Offer
from bot.safety.screen import Flag

OFFERS = ("ground", "plan", "follow", "clear", "resume", "wipe", "keep")
REVIEW_ANSWERS = ("still", "stopped", "rather")


def _load(name: str) -> dict[str, Any]:
    text = (resources.files("bot") / "content" / "safety" / name).read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"bot/content/safety/{name} must be a mapping")
    return data


@cache
def texts() -> dict[str, Any]:
    """The reviewed texts of responses.yaml."""
    return _load("responses.yaml")


@cache
def helplines() -> dict[str, Any]:
    """The resources of resources.yaml: `fallback` and `countries`."""
    return _load("resources.yaml")


def countries() -> dict[str, str]:
    """Code → name of every country with its own helplines."""
    return {code: str(c["name"]) for code, c in helplines()["countries"].items()}


def lines_for(country: str | None) -> dict[str, str]:
    """The helplines to show someone in `country`; the international ones fill any gap."""
    data = helplines()
    fallback = {k: str(v) for k, v in data["fallback"].items()}
    own = data["countries"].get(country or "", {})
    lines = {key: str(own.get(key, fallback[key])) for key in ("emergency", "crisis", "violence")}
    lines["child"] = str(own.get("child", fallback["child"]))
    # The international directory, unless it is already the line shown above.
    lines["more"] = texts()["more"].format(crisis_fallback=fallback["crisis"]) if own else ""
    return lines


def fill(template: str, country: str | None) -> str:
    """A reviewed text with the helplines of the person's country."""
    return template.format_map(lines_for(country)).strip()


@dataclass(frozen=True)
class Reply:
    """What the safety path says, and what it keeps."""

    offer: Offer
    remember: Mapping[str, str] = field(default_factory=dict)
    waiting: str | None = None
    """The category whose question now waits for an answer (None: nothing waits)."""
    shown: str = ""
    """For the safety events table: which text was shown (never what the person wrote)."""
    disclose: str | None = None
    """A disclosure this reply records (`violence`, `child`), kept apart from every answer."""


def offer_buttons(names: list[str], labels: Mapping[str, str] | None = None) -> tuple[Button, ...]:
    """The buttons of these offers, with their reviewed labels (or the ones given)."""
    shown = {**texts()["offers"], **(labels or {})}
    return tuple(Button(shown[n], n) for n in names)


def _question(category: str, verb: str) -> tuple[Button, Button]:
    spec = texts()["categories"][category]
    return (
        Button(spec["yes_label"], f"{verb}:{category}:y"),
        Button(spec["no_label"], f"{verb}:{category}:n"),
    )


def on_flag(flag: Flag, country: str | None, paused: bool) -> Reply:
    """The first reply to a flagged message: warm, then one direct question."""
    all_texts = texts()
    spec = all_texts["categories"][flag.category]
    unclear = flag.severity == "unclear"
    parts = [spec["acknowledge_unclear" if unclear else "acknowledge"]]
    if paused:
        parts.append(all_texts["paused"])
    if flag.severity == "high":
        parts.append(fill(all_texts["danger_line"], country))
    if flag.category == "violence" and unclear:
        parts.append(spec["check_question"])
        buttons = (Button("Yes", "chk:violence:y"), Button("No", "chk:violence:n"))
        return Reply(Offer("\n\n".join(parts), buttons), waiting="violence_check", shown="check")
    parts.append(spec["question"])
    # A disclosure of violence closes every flow that turns towards the partner, at once.
    disclose = "violence" if flag.category == "violence" else None
    buttons = _question(flag.category, "ans")
    return Reply(
        Offer("\n\n".join(parts), buttons), {}, flag.category, "question", disclose=disclose
    )


def question(category: str) -> Reply:
    """The category's one direct question on its own, after a choice that told of danger
    (fear, harm and violence all ask whether the person is safe to talk)."""
    asked = "child" if category == "child" else "violence"
    spec = texts()["categories"][asked]
    return Reply(Offer(spec["question"], _question(asked, "ans")), waiting=asked, shown="question")


def on_check(yes: bool, can_resume: bool) -> Reply:
    """The answer to the gentle violence check: yes leads to the safe-to-talk question."""
    if not yes:
        text = texts()["categories"]["violence"]["on_no_check"]
        return Reply(Offer(text, offer_buttons(["resume"] if can_resume else [])), shown="check_no")
    spec = texts()["categories"]["violence"]
    buttons = _question("violence", "ans")
    return Reply(
        Offer(f"{spec['acknowledge']}\n\n{spec['question']}", buttons),
        {},
        "violence",
        "question",
        disclose="violence",
    )


def on_answer(category: str, yes: bool, country: str | None, can_resume: bool) -> Reply:
    """The card (or the kind word) after the direct question was answered."""
    spec = texts()["categories"][category]
    key = "yes" if yes else "no"
    names = [n for n in spec.get(f"offers_{key}", []) if n != "resume" or can_resume]
    if not yes and can_resume and "resume" not in names and category != "violence":
        names.append("resume")
    remember = dict(spec.get("remember_yes", {})) if yes else {}
    text = fill(spec[f"on_{key}"], country)
    if yes and category in ("suicide", "harm_others", "child", "emergency"):
        text = f"{text}\n\n{lines_for(country)['more']}"
    disclose = spec.get("disclose_yes") if yes else None
    return Reply(
        Offer(text, offer_buttons(names)), remember, shown=f"card_{key}", disclose=disclose
    )


def sos(country: str | None) -> Reply:
    """The /sos card: every line for the person's country, and the offers."""
    all_texts = texts()
    return Reply(
        Offer(fill(all_texts["sos"], country), offer_buttons(list(all_texts["sos_offers"]))),
        shown="sos",
    )


def say(name: str) -> str:
    """One of the short fixed texts (paused, pending_again, follow_up, cleared…)."""
    return str(texts()[name]).strip()


def safety_lines(country: str | None, first: str | None) -> str:
    """The lines /safety shows, the one that fits what was raised (`violence`, `crisis`) first."""
    lines = lines_for(country)
    order = ["emergency", "crisis", "violence"]
    if first == "violence":
        order = ["violence", "emergency", "crisis"]
    elif first == "crisis":
        order = ["crisis", "emergency", "violence"]
    words = texts()["safety_lines"]
    return "\n".join(words[name].format_map(lines) for name in order)


def review(category: str, ago: str) -> Offer:
    """The question, two weeks or more after a disclosure, whether it is still happening."""
    spec = texts()["review"]
    what = spec["what"].get(category, spec["what"]["violence"])
    buttons = tuple(Button(spec[f"{a}_label"], f"rev:{a}") for a in REVIEW_ANSWERS)
    return Offer(spec["question"].format(ago=ago, what=what), buttons)


def on_review(answer: str) -> str:
    """The reply to the question about an earlier disclosure."""
    return str(texts()["review"][f"on_{answer}"]).strip()


def after_clear(stored: Mapping[str, int]) -> Offer:
    """After the chat was cleared: what is still kept here (name → how many), and the choice
    to erase it too."""
    if not stored:
        return Offer(say("after_clear_nothing"))
    words = texts()["stored"]
    listed = [words[name].format(count=count) for name, count in stored.items()]
    return Offer(
        texts()["after_clear"].strip().format(stored="; ".join(listed)),
        offer_buttons(["wipe", "keep"]),
    )
