"""The journey: the order in which a person meets the exercises (bot/content/journey.yaml).

/flows lists the journey in this order, then the tools; the end of an exercise offers the next
one on the way. Answers named under `low_moments` are met with care instead of a next step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.flows.model import Catalog


@dataclass(frozen=True)
class Journey:
    """The order of the exercises, the tools beside them, and what stays out of the list."""

    steps: tuple[str, ...]
    tools: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    low_moments: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)
    """(flow id, step id) → the answer values that tell of a low moment."""

    def listed(self, catalog: Catalog) -> list[str]:
        """The flows of the person's list, in order: the journey, the tools, then any other
        flow of the catalog (a therapist's own), by its `order` and title."""
        named = [f for f in (*self.steps, *self.tools) if f in catalog]
        known = set(named) | set(self.hidden)
        rest = sorted(
            (f for f in catalog.values() if f.id not in known), key=lambda f: (f.order, f.title)
        )
        return named + [f.id for f in rest]

    def after(self, flow_id: str) -> list[str]:
        """The journey's flows that may follow `flow_id`: those after it first, then (for a
        flow off the way, or at its end) those before it, in journey order."""
        if flow_id not in self.steps:
            return list(self.steps)
        at = self.steps.index(flow_id)
        return [*self.steps[at + 1 :], *self.steps[:at]]

    def is_low(self, flow_id: str, step_id: str, value: Any) -> bool:
        """True when this answer at this step tells of a low moment."""
        values = self.low_moments.get((flow_id, step_id))
        return values is not None and isinstance(value, str) and value in values

    def problems(self, catalog: Catalog) -> list[str]:
        """What in the journey names no flow (or no step) of the catalog."""
        found = [
            f"journey.yaml: no flow named {name!r}"
            for name in (*self.steps, *self.tools, *self.hidden)
            if name not in catalog
        ]
        for flow_id, step_id in self.low_moments:
            flow = catalog.get(flow_id)  # type: ignore[call-overload]
            if flow is None or not flow.has_step(step_id):
                found.append(f"journey.yaml: low_moments names no step {flow_id}.{step_id}")
        return found


def parse(text: str) -> Journey:
    """A journey from the YAML text of journey.yaml."""
    data: dict[str, Any] = yaml.safe_load(text) or {}
    low: dict[tuple[str, str], frozenset[str]] = {}
    for where, values in (data.get("low_moments") or {}).items():
        flow_id, _, step_id = str(where).partition(".")
        low[(flow_id, step_id)] = frozenset(str(v) for v in values)
    return Journey(
        tuple(str(f) for f in data.get("journey") or ()),
        tuple(str(f) for f in data.get("tools") or ()),
        tuple(str(f) for f in data.get("hidden") or ()),
        low,
    )


@cache
def shipped_journey() -> Journey:
    """The journey of bot/content/journey.yaml."""
    return parse((resources.files("bot") / "content" / "journey.yaml").read_text("utf-8"))
