"""A run's whole position as a small, serialisable record (the engine's only memory).

`RunState` is stored as JSON. `SCHEMA_VERSION` says which shape it has; an older shape is
upgraded in `from_dict`, and a newer one is refused loudly rather than misread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from bot.flows.model import FlowId

SCHEMA_VERSION = 1
SKIPPED: Mapping[str, bool] = {"skipped": True}
"""Stored for a skipped optional step: never empty text, so a skip stays a skip."""


def is_skipped(value: Any) -> bool:
    """True for the marker of a skipped answer."""
    return isinstance(value, dict) and value.get("skipped") is True


class StateError(ValueError):
    """A stored state that this version of the bot cannot read."""


@dataclass(frozen=True)
class Frame:
    """Where one flow of the call stack is. `scope` prefixes the answer keys of a sub-flow."""

    flow_id: FlowId
    version: int
    step_id: str
    scope: str = ""
    params: Mapping[str, str] = field(default_factory=dict)

    def key(self, name: str) -> str:
        """The answers key for `name` in this frame."""
        return self.scope + name


@dataclass(frozen=True)
class Mark:
    """A question the person arrived at: the stack then, and how many answers existed."""

    stack: tuple[Frame, ...]
    answered: int
    total: int = 0
    """The "of n" shown at this question (0: not known, as for a run carried to a new version;
    -1: a loop ran past the count, so none is shown); the next question shows no more than
    this, so the count never jumps up."""


@dataclass(frozen=True)
class RunState:
    """Everything the engine knows about one run of a flow."""

    stack: tuple[Frame, ...]
    answers: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[Mark, ...] = ()
    seq: int = 0
    retries: int = 0
    done: bool = False
    reflection: str = ""
    memory: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """What earlier flows left in the person's memory: name → {"value": ..., "label": ...}."""
    schema: int = SCHEMA_VERSION
    moved: bool = False
    """The step the person stood on was removed by a new version of the flow, and they go on
    from another: the next thing they send is met with a word about it and the question."""

    @property
    def frame(self) -> Frame:
        """The innermost flow: where the person is now."""
        return self.stack[-1]

    @property
    def root(self) -> Frame:
        """The flow the person started."""
        return self.stack[0]

    def with_(self, **changes: Any) -> RunState:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data."""
        data: dict[str, Any] = {
            "schema": self.schema,
            "stack": [_frame_dict(f) for f in self.stack],
            "answers": dict(self.answers),
            "history": [_mark_dict(m) for m in self.history],
            "seq": self.seq,
            "retries": self.retries,
            "done": self.done,
            "reflection": self.reflection,
            "memory": {k: dict(v) for k, v in self.memory.items()},
        }
        if self.moved:
            data["moved"] = True
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunState:
        """Read stored data; refuse a schema newer than this code understands."""
        schema = data.get("schema")
        if schema != SCHEMA_VERSION:
            raise StateError(
                f"stored run state has schema {schema!r}, this bot reads {SCHEMA_VERSION}"
            )
        return cls(
            stack=tuple(_frame(f) for f in data["stack"]),
            answers=dict(data.get("answers", {})),
            history=tuple(
                Mark(
                    tuple(_frame(f) for f in m["stack"]),
                    int(m["answered"]),
                    int(m.get("total", 0)),
                )
                for m in data.get("history", [])
            ),
            seq=int(data.get("seq", 0)),
            retries=int(data.get("retries", 0)),
            done=bool(data.get("done", False)),
            reflection=str(data.get("reflection", "")),
            memory={k: dict(v) for k, v in data.get("memory", {}).items()},
            moved=bool(data.get("moved", False)),
        )


def _mark_dict(mark: Mark) -> dict[str, Any]:
    data: dict[str, Any] = {
        "stack": [_frame_dict(f) for f in mark.stack],
        "answered": mark.answered,
    }
    if mark.total:
        data["total"] = mark.total
    return data


def _frame_dict(frame: Frame) -> dict[str, Any]:
    data: dict[str, Any] = {"flow": frame.flow_id, "version": frame.version, "step": frame.step_id}
    if frame.scope:
        data["scope"] = frame.scope
    if frame.params:
        data["params"] = dict(frame.params)
    return data


def _frame(data: Mapping[str, Any]) -> Frame:
    return Frame(
        flow_id=FlowId(str(data["flow"])),
        version=int(data["version"]),
        step_id=str(data["step"]),
        scope=str(data.get("scope", "")),
        params=dict(data.get("params", {})),
    )
