"""Every way out of a step, as the checker, the diagrams and the progress bar all see it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.flows.loader import Document, Path
from bot.flows.model import Flow, Kind, Step


@dataclass(frozen=True)
class Edge:
    """A way from one step to another; `answers` is what the move stores for its source step."""

    target: str
    answers: str  # "value", "maybe" (optional: value or skipped) or "none"
    path: Path


def step_paths(doc: Document) -> dict[str, Path]:
    """Where each step id was written in the document (its first occurrence)."""
    paths: dict[str, Path] = {}
    steps = doc.data.get("steps") if isinstance(doc.data, dict) else None
    for i, raw in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            paths.setdefault(raw["id"], ("steps", i))
    return paths


def holds_answer(step: Step) -> bool:
    """True for steps whose id can be used as a variable."""
    return step.kind in (Kind.TEXT, Kind.CHOICE, Kind.MULTI, Kind.SCALE, Kind.CALL)


def edges(flow: Flow, step: Step, here: Path) -> Iterator[Edge]:
    """Every way out of `step`; an edge to "" means it falls off the end of the flow."""
    following = flow.after(step.id)
    fall = following.id if following else ""
    if step.when is not None:
        yield Edge(fall, "none", (*here, "when"))
    if step.kind is Kind.END:
        return
    answers = "value" if holds_answer(step) else "none"
    if step.optional and answers == "value":
        answers = "maybe"
    if step.kind is Kind.CALL:
        answers = "maybe"  # a sub-flow may end without returning anything
    for i, option in enumerate(step.options):
        if option.goto:
            yield Edge(option.goto, answers, (*here, "options", i, "goto"))
    if step.fallback:
        yield Edge(step.fallback, "none", (*here, "fallback"))
    if step.options and all(o.goto for o in step.options) and not step.optional:
        return
    for i, rule in enumerate(step.next):
        yield Edge(rule.goto, answers, (*here, "next", i, "goto"))
    if not step.next or step.next[-1].when is not None:
        yield Edge(fall, answers, here)
