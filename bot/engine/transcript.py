"""Run an author's transcript test (the `tests:` of a flow) through the pure engine.

Inputs are read the way a person would answer the question in front of them:
`back` and `skip` are those commands; a list picks options of a multi-select; a number
answers a scale; a word that is an option's value presses that button; `ready` presses a
pause button; anything else is typed text. `{text: back}` types the word "back" instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.engine.effects import Ask, Effect, Finished, Say
from bot.engine.engine import start, step
from bot.engine.events import Back, Choice, Event, Picks, Skip, Text
from bot.engine.state import RunState
from bot.flows.model import Catalog, TranscriptTest

_LEFTOVER = re.compile(r"\{[A-Za-z_][^{}]*\}")


@dataclass
class TranscriptResult:
    """What happened: questions asked (by step id), every text shown, and what went wrong."""

    path: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    state: RunState | None = None

    @property
    def ok(self) -> bool:
        """True when the transcript matched."""
        return not self.failures


def effect_texts(effects: list[Effect]) -> list[str]:
    """The texts a person would read for these effects."""
    out: list[str] = []
    for effect in effects:
        if isinstance(effect, Say | Ask):
            out.append(effect.text)
        elif isinstance(effect, Finished):
            out.append(effect.reflection)
    return out


def event_for(ask: Ask, item: Any) -> Event:
    """Turn one transcript input into the event a person would cause at this question."""
    if isinstance(item, dict) and "text" in item:
        return Text(str(item["text"]))
    if item == "back":
        return Back()
    if item == "skip":
        return Skip(ask.seq)
    if isinstance(item, list):
        return Picks(tuple(str(v) for v in item), ask.seq)
    values = {b.value for b in ask.buttons}
    if str(item) in values:
        return Choice(str(item), ask.seq)
    return Text(str(item))


def last_ask(effects: list[Effect]) -> Ask | None:
    """The question these effects end on, if any."""
    asks = [e for e in effects if isinstance(e, Ask)]
    return asks[-1] if asks else None


def kept_label(catalog: Catalog, name: str, value: str) -> str:
    """The label a person would have seen for `value` where a flow keeps it as `name`.

    A test's `memory: {cycle_my_move: quiet}` then reads as "go quiet", as it would after
    "Naming the loop"; a value no option keeps shows as written.
    """
    for flow in catalog.values():
        for each in flow.steps:
            if each.remember == name:
                for option in each.options:
                    if option.value == value:
                        return option.label
    return value


def run_transcript(catalog: Catalog, flow_id: str, test: TranscriptTest) -> TranscriptResult:
    """Play `test` against the flow and compare path and texts."""
    result = TranscriptResult()
    memory = {
        name: {"value": value, "label": kept_label(catalog, name, value)}
        for name, value in test.memory.items()
    }
    state, effects = start(catalog, flow_id, memory=memory)
    result.texts += effect_texts(effects)
    ask = last_ask(effects)
    if ask:
        result.path.append(ask.key.rsplit("/", 1)[-1])
    for i, item in enumerate(test.inputs):
        if ask is None:
            result.failures.append(f"input {i + 1} ({item!r}) came after the flow had ended")
            break
        event = event_for(ask, item)
        state, effects = step(catalog, state, event)
        result.texts += effect_texts(effects)
        new_ask = last_ask(effects)
        retyped = isinstance(event, Text) and ask.kind in ("choice", "multi", "scale")
        if new_ask is not None and new_ask.seq == ask.seq and retyped:
            ask = new_ask  # typed words asked about again ("Did you mean…?"): the same question
            continue
        if new_ask is not None and new_ask.seq == ask.seq:
            result.failures.append(
                f"input {i + 1} ({item!r}) was not accepted at '{ask.key}': "
                + " / ".join(effect_texts(effects)[:1])
            )
            break
        ask = new_ask
        if ask:
            result.path.append(ask.key.rsplit("/", 1)[-1])
    result.state = state
    if test.path is not None and tuple(result.path) != test.path:
        result.failures.append(
            f"expected path {list(test.path)} but the questions were {result.path}"
        )
    shown = "\n".join(result.texts)
    flat = " ".join(shown.split())
    for fragment in test.expect:
        if " ".join(fragment.split()) not in flat:
            result.failures.append(f"expected text not shown: {fragment!r}")
    names = {s.id for f in catalog.values() for s in f.steps} | {
        p for f in catalog.values() for p in f.params
    }
    for text in result.texts:
        leftover = next(
            (
                m
                for m in _LEFTOVER.finditer(text)
                if m.group()[1:-1].split("|")[0].split(".")[0] in names
            ),
            None,
        )
        if leftover:
            result.failures.append(f"unfilled placeholder {leftover.group()} in: {text[:60]!r}")
    return result
