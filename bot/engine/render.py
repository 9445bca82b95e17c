"""Fill placeholders in step texts with the person's answers; pure and total.

A value is shown the way it reads in a sentence: a choice by what its option `says:` (a named
form with `{step.form}`, the button's own words with `.label`), a multi-select as "a, b and
c", a scale as its number (or its anchor label with `.label`). Words typed at a button
question (or kept under a memory name that a button can fill too) are shown in quotes (“…”),
unless the text quotes them already or sets them on a line of their own; a text question's
answer is quoted by the text itself. Words about the partner (`{they}`, `{their}`,
`{go/goes}`) follow the pronoun the person chose (bot.engine.pronouns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.engine import pronouns
from bot.engine.state import Frame, RunState, is_skipped
from bot.flows import template
from bot.flows.model import Catalog, Flow, Kind, Option, Step


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
        labels = [_label(step, v, fill, attr) for v in value]
        return join_words(labels)
    if step.kind is Kind.SCALE and attr == "label":
        return step.scale_labels.get(int(value), str(value))
    return _label(step, value, fill, attr)


def _label(step: Step, value: Any, fill: Callable[[str], str], attr: str | None = None) -> str:
    """How an option reads: its label with `.label`, else what it `says:` (in the form `attr`
    names); typed text is shown as typed and never filled in."""
    option = step.option(str(value))
    if option is None:
        return str(value)
    return fill(option.label if attr == "label" else option.phrase(attr))


def is_typed(catalog: Catalog, step: Step, value: Any) -> bool:
    """True when an answer to a button question is words the person typed (kept by the
    catch-all), where the text cannot know whether a label or typed words will stand.
    A text question's answer is always typed: its text quotes it, as the author sees fit."""
    if step.kind is Kind.CALL and step.call is not None and step.call in catalog:
        callee = catalog[step.call]
        returned = next((s.returns for s in callee.steps if s.returns), None)
        if returned and callee.has_step(returned):
            return is_typed(catalog, callee.step(returned), value)
    return bool(step.options) and not isinstance(value, list) and step.option(str(value)) is None


def kept_option(catalog: Catalog, name: str, value: Any) -> Option | None:
    """The option whose value an earlier flow kept under the memory `name`, if any."""
    for _flow, step in memory_sources(catalog, name):
        option = step.option(str(value)) if not isinstance(value, list) else None
        if option is not None:
            return option
    return None


def _quote(text: str, offset: int, words: str) -> str:
    """Typed `words` as they stand at `offset` in `text`: in quotes, unless the text quotes
    them already or sets them at the start of a line (or after "label: ")."""
    before = text[:offset]
    if not words or before.endswith(("“", "‘", '"', "\n", ": ")) or not before.strip():
        return words
    return f"“{words}”"


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
    fill = labels(catalog, flow, state, frame, level)
    pronoun, name = pronouns.chosen(state.memory)
    for word in template.partner_words(text):
        values[word.offset] = pronouns.partner_word(word, pronoun, name, private=level is not None)
    for ph in template.placeholders(text):
        found, value = lookup(state, frame, ph.name)
        if ph.name in flow.params and (not found or value == ""):
            values[ph.offset] = ph.fallback or flow.params[ph.name]
            continue
        if not found and ph.name in flow.memory:
            withheld = None
            if level is not None and ph.name in state.memory:
                sources = memory_sources(catalog, ph.name)
                # What the bot keeps itself (a disclosure) is private wherever it is quoted.
                withheld = PRIVATE if not sources else _withheld(catalog, sources, level)
            values[ph.offset] = withheld or _kept(catalog, flow, state, ph, text, fill)
            continue
        if not found:
            values[ph.offset] = ph.fallback if ph.fallback is not None else ""
        elif ph.name in frame.params:
            values[ph.offset] = str(value)
        else:
            step = flow.step(ph.name)
            withheld = _withheld(catalog, [(flow, step)], level) if level else None
            shown = display(catalog, step, value, ph.attr, fill)
            if ph.attr not in ("value", "count") and is_typed(catalog, step, value):
                shown = _quote(text, ph.offset, shown)
            values[ph.offset] = withheld or shown
        if values[ph.offset] == "" and ph.fallback is not None:
            values[ph.offset] = ph.fallback
    return template.fill(text, values)


def _kept(
    catalog: Catalog,
    flow: Flow,
    state: RunState,
    ph: template.Placeholder,
    text: str,
    fill: Callable[[str], str],
) -> str:
    """A memory placeholder: what the kept option says, typed words in quotes, or the default."""
    value, label = remembered(state, flow, ph.name)
    if ph.name not in state.memory:
        return label or (ph.fallback or "")
    if ph.attr == "value":
        return str(value)
    option = kept_option(catalog, ph.name, value)
    if option is not None:
        return fill(option.label if ph.attr == "label" else option.phrase(ph.attr))
    sources = memory_sources(catalog, ph.name)
    # Kept from typed words where a button could have been kept too: the text cannot quote it.
    typed = not isinstance(value, list) and any(s.options for _f, s in sources)
    if not label:
        return ph.fallback or ""
    return _quote(text, ph.offset, label) if typed else label


def labels(
    catalog: Catalog, flow: Flow, state: RunState, frame: Frame, level: str | None = None
) -> Callable[[str], str]:
    """Fills an option label's placeholders, which may only name memory and parameters."""

    def fill(label: str) -> str:
        return render(label, catalog, flow, state, frame, level) if "{" in label else label

    return fill
