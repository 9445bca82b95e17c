"""Progress through a whole run: "question k of n".

k counts the questions the person has arrived at in this run (so it never jumps over a branch
they did not take, and goes down with /back). n is k plus the most questions still ahead on any
way from here to the end, with a called sub-flow counted as its own questions. Branches the
person has passed drop out of n, so it can only shrink towards the truth, never leap past it.
"""

from __future__ import annotations

from bot.engine.state import RunState
from bot.flows.checks import edges
from bot.flows.model import Catalog, Flow, Kind, called_flow

_longest: dict[int, tuple[Flow, dict[str, int]]] = {}
"""Per flow object: step id → questions ahead. The flow is held so that its id() stays its own."""


def ahead(catalog: Catalog, flow: Flow) -> dict[str, int]:
    """For every step: the most questions from it (itself included) to the flow's end.

    A way back to a step already on the way (a loop) is not followed, so this always ends;
    the checker refuses call cycles.
    """
    cached = _longest.get(id(flow))
    if cached is not None and cached[0] is flow:
        return cached[1]
    known: dict[str, int] = {}

    def longest(step_id: str, on_way: frozenset[str]) -> int:
        if step_id in known:
            return known[step_id]
        step = flow.step(step_id)
        if step.kind is Kind.CALL:
            sub = called_flow(catalog, step)
            weight = ahead(catalog, sub)[sub.first.id]
        else:
            weight = 1 if step.is_question else 0
        way = on_way | {step_id}
        taken: set[str] = set()
        passed: set[str] = set()
        for edge in edges(flow, step, ()):
            if edge.target and edge.target not in way:
                # A step whose `when` is false is passed over: it asks nothing.
                (passed if edge.path[-1:] == ("when",) else taken).add(edge.target)
        best = max(
            weight + max((longest(t, way) for t in taken), default=0),
            max((longest(t, way) for t in passed), default=0),
        )
        known[step_id] = best
        return best

    for step in flow.steps:
        longest(step.id, frozenset())
    _longest[id(flow)] = (flow, known)
    return known


def _after(catalog: Catalog, flow: Flow, step_id: str) -> int:
    """The most questions after `step_id` (not counting it)."""
    table = ahead(catalog, flow)
    step = flow.step(step_id)
    return max((table[e.target] for e in edges(flow, step, ()) if e.target), default=0)


def progress(catalog: Catalog, state: RunState) -> tuple[int, int]:
    """(k, n): the person is at question k of about n in the flow they started.

    k is 0 while the innermost step is not a question.
    """
    inner = catalog[state.frame.flow_id]
    here = inner.step(state.frame.step_id)
    still = ahead(catalog, inner)[here.id]
    for frame in state.stack[:-1]:
        still += _after(catalog, catalog[frame.flow_id], frame.step_id)
    if not here.is_question:
        return 0, len(state.history) + still
    done = len(state.history) - 1
    return done + 1, done + still
