"""The never-say lists of the content guidelines, applied to every text a person can read."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from bot.flows.model import Flow

FORBIDDEN = ("diagnosis", "partner_labels", "stay_or_leave", "other")


@dataclass(frozen=True)
class Finding:
    """One phrase found in one text."""

    flow_id: str
    where: str
    category: str
    phrase: str


@cache
def phrase_lists() -> dict[str, tuple[str, ...]]:
    """The lists of bot/content/voice.yaml, by category."""
    text = (resources.files("bot") / "content" / "voice.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {key: tuple(str(p).lower() for p in values) for key, values in data.items()}


def texts_of(flow: Flow) -> Iterator[tuple[str, str]]:
    """(where, text) for everything a person can read in a flow: texts, labels, reasons."""
    for step in flow.steps:
        yield step.id, step.text
        if step.invalid:
            yield f"{step.id}.invalid", step.invalid
        if step.optional:
            yield f"{step.id}.optional", step.optional
        for option in step.options:
            yield f"{step.id}.{option.value}", option.label
        for point, label in step.scale_labels.items():
            yield f"{step.id}.{point}", label
    for i, lock in enumerate(flow.locks):
        yield f"locks[{i}]", lock.because
    for name, default in flow.memory.items():
        yield f"memory.{name}", default


def find(text: str, categories: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """(category, phrase) for every listed phrase in `text`."""
    lowered = " ".join(text.lower().split())
    for category in categories:
        for phrase in phrase_lists()[category]:
            if re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", lowered):
                yield category, phrase


def scan(flow: Flow, categories: tuple[str, ...] = FORBIDDEN) -> list[Finding]:
    """Every forbidden phrase in a flow's readable texts."""
    return [
        Finding(flow.id, where, category, phrase)
        for where, text in texts_of(flow)
        for category, phrase in find(text, categories)
    ]
