"""Progress through a whole run: "question k of n", counting the questions of called sub-flows."""

from __future__ import annotations

from bot.engine.state import RunState
from bot.flows.model import Catalog, Flow, Kind, Step


def _weight(catalog: Catalog, step: Step) -> int:
    """How many questions a step stands for: one, or all of a called flow's."""
    if step.kind is Kind.CALL:
        return questions_in(catalog, catalog[step.call])  # type: ignore[index]
    return 1 if step.is_question else 0


def questions_in(catalog: Catalog, flow: Flow) -> int:
    """Every question of `flow`, with each call counted as the questions of its sub-flow.

    The checker refuses call cycles, so this always ends.
    """
    return sum(_weight(catalog, s) for s in flow.steps)


def progress(catalog: Catalog, state: RunState) -> tuple[int, int]:
    """(k, n): the person is at question k of the n questions of the flow they started.

    Inside a sub-flow, k counts the questions before its call step in every enclosing flow.
    It is 0 while the innermost step is not a question.
    """
    before = 0
    for frame in state.stack:
        flow = catalog[frame.flow_id]  # type: ignore[index]
        for step in flow.steps:
            if step.id == frame.step_id:
                break
            before += _weight(catalog, step)
    here = catalog[state.frame.flow_id].step(state.frame.step_id)  # type: ignore[index]
    total = questions_in(catalog, catalog[state.root.flow_id])  # type: ignore[index]
    return (before + 1 if here.is_question else 0), total
