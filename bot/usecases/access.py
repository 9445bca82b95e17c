"""Who may open which flow: the facts flows read of a person, and the locks those facts close."""

from __future__ import annotations

from typing import Any

from bot.flows.locks import lock_of
from bot.flows.model import Catalog, Lock
from bot.storage import Store
from bot.usecases.safety_path import SafetyPath

ONBOARDING = "getting-started"
READINESS = "readiness"


class Access:
    """The locks of the flows, over what the store knows of a person."""

    def __init__(self, store: Store, catalog: Catalog, safety: SafetyPath) -> None:
        self.store = store
        self.catalog = catalog
        self.safety = safety

    def facts(self, user_id: int) -> dict[str, dict[str, Any]]:
        """What flows may read of the person: what earlier flows kept, and `disclosed` (the
        newest open disclosure, or "none"), which only the bot itself writes."""
        kept = self.store.memory_of(user_id)
        disclosed = self.safety.disclosed(user_id)
        kept["disclosed"] = {"value": disclosed, "label": disclosed}
        return kept

    def lock_of(self, user_id: int, flow_id: str) -> Lock | None:
        """The first lock that keeps this person from starting the flow, if any."""
        flow = self.catalog[flow_id]  # type: ignore[index]
        if not flow.locks:
            return None
        kept = {name: fact["value"] for name, fact in self.facts(user_id).items()}
        return lock_of(flow, kept, self.store.finished_flows(user_id))

    def safety_locked(self, user_id: int, flow_id: str) -> Lock | None:
        """The lock that keeps this flow closed for the person's safety, if one does."""
        lock = self.lock_of(user_id, flow_id) if flow_id in self.catalog else None
        return lock if lock is not None and lock.safety else None

    def needs_onboarding(self, user_id: int) -> bool:
        """True until the person has finished the onboarding flow (when there is one)."""
        finished = self.store.finished_flows(user_id)
        return ONBOARDING in self.catalog and ONBOARDING not in finished
