"""Progress through a whole run: "question k of n".

k counts the different questions the person has arrived at in this run (so it never jumps over
a branch they did not take, stays put when a loop comes back to a question already asked, and
goes down only with /back). n is k plus the most questions still ahead on any way from here to
the end, with a called sub-flow counted as its own questions. Branches the person has passed
drop out of n, so it shrinks towards the truth. Each question keeps the n it showed (in its
history mark), and the next shows no more than that: n never rises as a run goes on. Where a
loop (a rewrite, say) has asked more questions than were counted, the marker is left off for
the rest of the run rather than jump up.
"""

from __future__ import annotations

from dataclasses import replace

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


def _places(state: RunState) -> int:
    """How many different questions (by where they stand in the call stack) the run has
    arrived at: a question asked again by a loop is not counted twice."""
    return len({tuple((f.flow_id, f.scope, f.step_id) for f in m.stack) for m in state.history})


def _estimate(catalog: Catalog, state: RunState) -> tuple[int, int]:
    """(k, n) worked out afresh from the flows, without the cap of earlier questions."""
    inner = catalog[state.frame.flow_id]
    here = inner.step(state.frame.step_id)
    still = ahead(catalog, inner)[here.id]
    for frame in state.stack[:-1]:
        still += _after(catalog, catalog[frame.flow_id], frame.step_id)
    if not here.is_question:
        return 0, len(state.history) + still
    number = _places(state)
    return number, number - 1 + still


def counted(catalog: Catalog, state: RunState) -> RunState:
    """The state with the n of the question just arrived at kept in its history mark: no more
    than the n the question before it kept (-1 once a loop has run past the count)."""
    if not state.history:
        return state
    number, total = _estimate(catalog, state)
    before = state.history[-2].total if len(state.history) > 1 else 0
    if before < 0 or (before and number > before):
        total = -1  # past the count: no marker rather than one that jumps up
    elif before:
        total = min(total, before)
    mark = replace(state.history[-1], total=total)
    return state.with_(history=(*state.history[:-1], mark))


def progress(catalog: Catalog, state: RunState) -> tuple[int, int]:
    """(k, n): the person is at question k of about n in the flow they started.

    k is 0 while the innermost step is not a question, and once a loop has run past the count
    (then nothing is shown). n is the one kept when the person arrived at this question (see
    `counted`), when it was kept.
    """
    number, total = _estimate(catalog, state)
    kept = state.history[-1].total if state.history and number else 0
    if kept < 0:
        return 0, 0
    return number, (kept or total)
