"""What a person can look at: the list of flows with their progress, and their journal."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.progress import progress
from bot.flows.journey import Journey
from bot.flows.model import Catalog, Flow
from bot.storage import COMPLETED, PAUSED, Store
from bot.usecases.access import ONBOARDING, READINESS, Access


@dataclass(frozen=True)
class FlowStatus:
    """One line of a person's overview: a flow and how far they are in it."""

    flow: Flow
    state: str  # "new", "open", "paused", "done" or "locked"
    number: int = 0
    total: int = 0
    finished: int = 0
    reason: str = ""


@dataclass(frozen=True)
class JournalEntry:
    """A finished reflection, for the person's journal."""

    flow_id: str
    title: str
    finished_at: str
    reflection: str


class Overview:
    """The read side of a person's conversations."""

    def __init__(
        self, store: Store, catalog: Catalog, access: Access, journey: Journey | None = None
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.access = access
        self.journey = journey

    def flows(self) -> list[Flow]:
        """The flows a person can start: the journey in order, then the tools (or, without a
        journey, in the order their authors gave, then by title)."""
        if self.journey is None:
            return sorted(self.catalog.values(), key=lambda f: (f.order, f.title))
        hidden = set(self.journey.hidden)
        listed = self.journey.listed(self.catalog)
        rest = [f for f in self.catalog.values() if f.id in hidden]
        return [self.catalog[f] for f in listed] + rest  # type: ignore[index]

    def _left_out(self, flow: Flow, live: bool, finished: set[str]) -> bool:
        """The tour and sub-flows stay out of the list unless the person is in one; the
        readiness questions too while onboarding has just asked them (they come back when
        they are offered again, every two weeks)."""
        if live or self.journey is None:
            return False
        if flow.id in self.journey.hidden:
            return True
        return flow.id == READINESS and ONBOARDING in finished and READINESS not in finished

    def overview(self, user_id: int) -> list[FlowStatus]:
        """Every flow with the person's progress in it."""
        runs = self.store.runs_of(user_id)
        active = self.store.active_run(user_id)
        finished = {r.flow_id for r in runs if r.status == COMPLETED}
        lines: list[FlowStatus] = []
        for flow in self.flows():
            mine = [r for r in runs if r.flow_id == flow.id]
            done = sum(1 for r in mine if r.status == COMPLETED)
            live = active if active and active.flow_id == flow.id else None
            live = live or next((r for r in mine if r.status == PAUSED), None)
            if self._left_out(flow, live is not None, finished):
                continue
            if live is not None and self.access.safety_locked(user_id, flow.id) is not None:
                live = None  # paused for safety: it stays closed, and says why
            if live is None:
                lock = self.access.lock_of(user_id, flow.id)
                if lock is not None:
                    lines.append(FlowStatus(flow, "locked", finished=done, reason=lock.because))
                    continue
                lines.append(FlowStatus(flow, "done" if done else "new", finished=done))
                continue
            number, total = progress(self.catalog, live.state)
            state = "open" if live is active else "paused"
            lines.append(FlowStatus(flow, state, number, total, done))
        return lines

    def journal(self, user_id: int) -> list[JournalEntry]:
        """The person's finished reflections, newest first."""
        entries: list[JournalEntry] = []
        for flow_id, at, text in self.store.finished_runs(user_id):
            flow = self.catalog.get(flow_id)  # type: ignore[call-overload]
            entries.append(JournalEntry(flow_id, flow.title if flow else flow_id, at, text))
        return entries
