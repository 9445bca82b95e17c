"""Fill placeholders in step texts with the person's answers; pure and total.

A value is shown the way the person saw it: a choice by its label, a multi-select as
"a, b and c", a scale as its number (or its anchor label with `.label`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.engine.state import Frame, RunState, is_skipped
from bot.flows import template
from bot.flows.model import Catalog, Flow, Kind, Step


def join_words(words: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def display(
    catalog: Catalog,
    step: Step,
    value: Any,
    attr: str | None,
    fill: Callable[[str], str] = str,
) -> str:
    """How an answer to `step` reads inside a sentence; `fill` completes a label's placeholders."""
    if attr == "value":
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)
    if attr == "count":
        return str(len(value)) if isinstance(value, list) else "1"
    if step.kind is Kind.CALL and step.call is not None and step.call in catalog:
        callee = catalog[step.call]
        returned = next((s.returns for s in callee.steps if s.returns), None)
        if returned and callee.has_step(returned):
            return display(catalog, callee.step(returned), value, attr, fill)
    if isinstance(value, list):
        labels = [_label(step, v, fill) for v in value]
        return join_words(labels)
    if step.kind is Kind.SCALE and attr == "label":
        return step.scale_labels.get(int(value), str(value))
    return _label(step, value, fill)


def _label(step: Step, value: Any, fill: Callable[[str], str]) -> str:
    """An option's label as shown, or the answer itself (typed text is never filled in)."""
    option = step.option(str(value))
    return fill(option.label) if option else str(value)


def lookup(state: RunState, frame: Frame, name: str) -> tuple[bool, Any]:
    """(found, value) for a name in this frame: a parameter or an answer, never a skip."""
    if name in frame.params:
        return True, frame.params[name]
    key = frame.key(name)
    if key in state.answers and not is_skipped(state.answers[key]):
        return True, state.answers[key]
    return False, None


def remembered(state: RunState, flow: Flow, name: str) -> tuple[Any, str]:
    """(value, label) of a memory name: what an earlier flow kept, or the flow's default."""
    kept = state.memory.get(name)
    if kept is not None:
        return kept.get("value"), str(kept.get("label", kept.get("value", "")))
    default = flow.memory.get(name, "")
    return default, default


PRIVATE = "[kept private]"
"""What a therapist's copy shows instead of an answer its step (or flow) marks `share: never`."""
OWN_WORDS = "[their own words]"
"""What the "summaries" copy shows instead of words the person typed."""
LEVELS = ("summaries", "full")
"""The consent levels a reflection is written for, besides the person's own copy."""


def _root_step(catalog: Catalog, flow: Flow, step: Step) -> tuple[Flow, Step]:
    """For a call, the flow and question whose answer it returns; else the step itself."""
    if step.kind is Kind.CALL and step.call is not None and step.call in catalog:
        callee = catalog[step.call]
        returned = next((s.returns for s in callee.steps if s.returns), None)
        if returned and callee.has_step(returned):
            return _root_step(catalog, callee, callee.step(returned))
    return flow, step


def _withheld(catalog: Catalog, sources: list[tuple[Flow, Step]], level: str) -> str | None:
    """What stands in a therapist's copy for an answer from these steps (None: it is shown)."""
    if not sources:
        return None
    resolved = [_root_step(catalog, f, s) for f, s in sources]
    if any(f.share == "never" or s.share == "never" for f, s in resolved):
        return PRIVATE
    typed = any(s.kind is Kind.TEXT and s.share != "summary" for _f, s in resolved)
    if level == "summaries" and typed:
        return OWN_WORDS
    return None


def memory_sources(catalog: Catalog, name: str) -> list[tuple[Flow, Step]]:
    """Every step, in every flow, that keeps its answer under the memory `name`."""
    return [(f, s) for f in catalog.values() for s in f.steps if s.remember == name]


def render(
    text: str,
    catalog: Catalog,
    flow: Flow,
    state: RunState,
    frame: Frame,
    level: str | None = None,
) -> str:
    """`text` with every placeholder filled; a missing answer uses its fallback or nothing.

    With a consent `level` ("summaries" or "full") it is a therapist's copy: an answer marked
    private is replaced by PRIVATE, and at "summaries" typed words by OWN_WORDS.
    """
    values: dict[int, str] = {}
    for ph in template.placeholders(text):
        found, value = lookup(state, frame, ph.name)
        if not found and ph.name in flow.memory:
            withheld = None
            if level is not None and ph.name in state.memory:
                sources = memory_sources(catalog, ph.name)
                # What the bot keeps itself (a disclosure) is private wherever it is quoted.
                withheld = PRIVATE if not sources else _withheld(catalog, sources, level)
            kept = withheld or remembered(state, flow, ph.name)[1]
            values[ph.offset] = kept or (ph.fallback or "")
            continue
        if not found:
            values[ph.offset] = ph.fallback if ph.fallback is not None else ""
        elif ph.name in frame.params:
            values[ph.offset] = str(value)
        else:
            step = flow.step(ph.name)
            withheld = _withheld(catalog, [(flow, step)], level) if level else None
            values[ph.offset] = withheld or display(
                catalog, step, value, ph.attr, labels(catalog, flow, state, frame, level)
            )
        if values[ph.offset] == "" and ph.fallback is not None:
            values[ph.offset] = ph.fallback
    return template.fill(text, values)


def labels(
    catalog: Catalog, flow: Flow, state: RunState, frame: Frame, level: str | None = None
) -> Callable[[str], str]:
    """Fills an option label's placeholders, which may only name memory and parameters."""

    def fill(label: str) -> str:
        return render(label, catalog, flow, state, frame, level) if "{" in label else label

    return fill
