"""The read side of the service: what a shell may look up without a transaction of its own."""

from __future__ import annotations

from bot.engine import Effect
from bot.flows.model import Catalog, Flow, Lock
from bot.storage import RunRecord, Store
from bot.usecases.access import Access
from bot.usecases.overview import FlowStatus, JournalEntry, Overview
from bot.usecases.practice import Practice
from bot.usecases.safety_path import SafetyPath


class Queries:
    """Lookups over the use cases; `Service` adds the events that change something."""

    store: Store
    catalog: Catalog
    access: Access
    views: Overview
    safety: SafetyPath
    practice: Practice

    def flows(self) -> list[Flow]:
        """The flows a person can start, in the order their authors gave, then by title."""
        return self.views.flows()

    def is_therapist(self, user_id: int) -> bool:
        """Whether the operator made this person a therapist (setting or CLI)."""
        return self.practice.is_therapist(user_id)

    def has_clients(self, user_id: int) -> bool:
        """Whether a therapist has at least one linked client."""
        return bool(self.store.practice.links_of_therapist(user_id))

    def has_menu(self, user_id: int) -> bool:
        """Whether the person's chat was given the therapists' command menu."""
        return user_id in self.store.practice.with_menu()

    def active(self, user_id: int) -> RunRecord | None:
        """The run the person is in now."""
        return self.store.active_run(user_id)

    def overview(self, user_id: int) -> list[FlowStatus]:
        """Every flow with the person's progress in it."""
        return self.views.overview(user_id)

    def journal(self, user_id: int) -> list[JournalEntry]:
        """The person's finished reflections, newest first."""
        return self.views.journal(user_id)

    def lock_of(self, user_id: int, flow_id: str) -> Lock | None:
        """The first lock that keeps this person from starting the flow, if any."""
        return self.access.lock_of(user_id, flow_id)

    def needs_onboarding(self, user_id: int) -> bool:
        """True until the person has finished the onboarding flow (when there is one)."""
        return self.access.needs_onboarding(user_id)

    def safety_plan(self, user_id: int) -> list[Effect]:
        """/safety: the person's own safety plan and the way to fill it in."""
        return self.safety.plan(user_id)

    def client_links(self, user_id: int) -> list[Effect]:
        """/therapist: who the person shares with, and how to change it."""
        return self.practice.client_links(user_id)

    def is_blocked(self, user_id: int) -> bool:
        """True while the person has the bot blocked."""
        return self.store.is_blocked(user_id)
