"""Which lock, if any, keeps a person from starting a flow. Pure: the caller supplies the facts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.flows import expr as expressions
from bot.flows.model import Flow, Lock

SAFE = {"afraid": "never", "harmed": "never", "disclosed": "none"}
"""The safety facts of a person who has signalled neither fear nor harm."""
CONCERNING: tuple[dict[str, str], ...] = (
    *({**SAFE, name: answer} for name in ("afraid", "harmed") for answer in ("sometimes", "often")),
    *(
        {**SAFE, "disclosed": category}
        for category in ("violence", "fear", "harm", "child", "stopped")
    ),
)
"""Each way of signalling fear or harm (one yes or sometimes to a safety question, or one
disclosure, which no later answer undoes): every flow which turns a person towards their
partner, or frames their partner's part as a move in a shared loop, must be closed by a safety
lock under each of them."""


def done_name(flow_id: str) -> str:
    """The name a lock uses for "this flow was finished at least once"."""
    return "done_" + flow_id.replace("-", "_")


def lock_of(flow: Flow, kept: Mapping[str, Any], finished: set[str]) -> Lock | None:
    """The first lock of `flow` that holds, given kept memory values and finished flow ids."""
    done = {done_name(f) for f in finished}

    def value_of(name: str) -> Any:
        if name.startswith("done_"):
            return name in done
        if name in kept:
            return kept[name]
        return flow.memory.get(name, expressions.MISSING)

    for lock in flow.locks:
        if expressions.evaluate(lock.when, value_of, lambda _name: False):
            return lock
    return None


def closed_by_safety(flow: Flow, every_flow: set[str]) -> bool:
    """True when any sign of fear or harm closes this flow, whatever else was done."""
    for kept in CONCERNING:
        lock = lock_of(flow, kept, every_flow)
        if lock is None or not lock.safety:
            return False
    return True
