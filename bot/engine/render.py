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
    if step.kind is Kind.CALL and step.call in catalog:
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


def render(text: str, catalog: Catalog, flow: Flow, state: RunState, frame: Frame) -> str:
    """`text` with every placeholder filled; a missing answer uses its fallback or nothing."""
    values: dict[int, str] = {}
    for ph in template.placeholders(text):
        found, value = lookup(state, frame, ph.name)
        if not found and ph.name in flow.memory:
            values[ph.offset] = remembered(state, flow, ph.name)[1] or (ph.fallback or "")
            continue
        if not found:
            values[ph.offset] = ph.fallback if ph.fallback is not None else ""
        elif ph.name in frame.params:
            values[ph.offset] = str(value)
        else:
            values[ph.offset] = display(
                catalog, flow.step(ph.name), value, ph.attr, labels(catalog, flow, state, frame)
            )
        if values[ph.offset] == "" and ph.fallback is not None:
            values[ph.offset] = ph.fallback
    return template.fill(text, values)


def labels(catalog: Catalog, flow: Flow, state: RunState, frame: Frame) -> Callable[[str], str]:
    """Fills an option label's placeholders, which may only name memory and parameters."""

    def fill(label: str) -> str:
        return render(label, catalog, flow, state, frame) if "{" in label else label

    return fill
