"""Moving an open run on to the newest published versions of the flows on its stack.

A run records the version of every flow on its stack. When an author publishes a new version, a
run half-way through it goes on in the new one at its next step: each `migrate:` between its
version and the new one says where a renamed or removed step went, and its answers follow a
renamed step.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.engine.state import Frame, Mark, RunState
from bot.flows.model import Catalog, Flow, Migration
from bot.flows.published import Published

History = Callable[[str], Sequence[Published]]
"""A flow id → every version of it ever published, oldest first."""


@dataclass(frozen=True)
class Carried:
    """A run moved on to the versions of today's catalog."""

    state: RunState
    renamed: Mapping[str, str]
    """Answer key before → after, for the stored answers."""
    moved: bool
    """True when the step the person stands on was removed, so they go on from another."""


def _moves(flow: Flow, since: int, history: History) -> list[Migration]:
    """The migrations from version `since` to the flow's own, in order."""
    later = [p.migrate for p in history(flow.id) if since < p.version < flow.version and p.migrate]
    if flow.migrate is not None:
        later.append(flow.migrate)
    return [m for m in later if m is not None]


def _carry_frame(frame: Frame, flow: Flow, history: History) -> tuple[Frame, dict[str, str], bool]:
    step = frame.step_id
    renames: dict[str, str] = {}
    moved = False
    for migration in _moves(flow, frame.version, history):
        for old, new in migration.renamed.items():
            for before, after in list(renames.items()):
                if after == old:
                    renames[before] = new
            renames.setdefault(old, new)
        if step in migration.removed:
            step, moved = migration.removed[step], True
        elif step in migration.renamed:
            step = migration.renamed[step]
    if not flow.has_step(step):
        raise KeyError(step)
    return Frame(flow.id, flow.version, step, frame.scope, frame.params), renames, moved


def _rename_key(key: str, scope: str, renames: Mapping[str, str]) -> str:
    if not key.startswith(scope):
        return key
    head, sep, tail = key[len(scope) :].partition("/")
    return scope + renames[head] + sep + tail if head in renames else key


def _carry_stack(
    stack: tuple[Frame, ...], catalog: Catalog, history: History
) -> tuple[tuple[Frame, ...], list[tuple[str, dict[str, str]]], bool]:
    frames: list[Frame] = []
    scoped: list[tuple[str, dict[str, str]]] = []
    moved = False
    for frame in stack:
        flow = catalog.get(frame.flow_id)
        if flow is None:
            raise KeyError(frame.flow_id)
        scope = frame.scope
        for outer, renames in scoped:  # a renamed call step renames the scope under it
            scope = _rename_key(scope, outer, renames)
        frame = Frame(frame.flow_id, frame.version, frame.step_id, scope, frame.params)
        if frame.version == flow.version:
            frames.append(frame)
            continue
        carried, renames, was_moved = _carry_frame(frame, flow, history)
        frames.append(carried)
        scoped.append((scope, renames))
        moved = was_moved
    return tuple(frames), scoped, moved


def needs_carrying(state: RunState, catalog: Catalog) -> bool:
    """True when a flow on the run's stack has been published again since."""
    for frame in state.stack:
        flow = catalog.get(frame.flow_id)
        if flow is None or flow.version != frame.version:
            return True
    return False


def carry(state: RunState, catalog: Catalog, history: History) -> Carried | None:
    """The run on today's versions of its flows, or None when it cannot go on (a flow of its
    stack is gone, or a step it stands on has gone with no migration that says where)."""
    try:
        stack, scoped, moved = _carry_stack(state.stack, catalog, history)
    except KeyError:
        return None
    renamed: dict[str, str] = {}
    for key in state.answers:
        new = key
        for scope, renames in scoped:
            new = _rename_key(new, scope, renames)
        if new != key:
            renamed[key] = new
    answers = {renamed.get(k, k): v for k, v in state.answers.items()}
    marks: list[Mark] = []
    for mark in state.history:
        try:
            mark_stack, _, mark_moved = _carry_stack(mark.stack, catalog, history)
        except KeyError:
            continue  # /back cannot return to a question that no longer exists
        if not mark_moved:
            marks.append(Mark(mark_stack, mark.answered))
    carried = state.with_(
        stack=stack, answers=answers, history=tuple(marks), moved=state.moved or moved
    )
    return Carried(carried, renamed, moved)
