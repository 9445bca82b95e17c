"""Asking again: the safety and readiness questions every two weeks, or, after a disclosure,
the one question that names it. Each is offered once a fortnight at most, never mid-way."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.engine import Effect
from bot.flows.model import Catalog
from bot.storage import Store
from bot.usecases.access import READINESS
from bot.usecases.safety_path import SafetyPath

READINESS_EVERY = timedelta(days=14)
"""How often the safety and readiness questions are offered again: things at home change."""


class Readiness:
    """The offers to go through the first questions again; the caller holds the transaction."""

    def __init__(self, store: Store, catalog: Catalog, safety: SafetyPath) -> None:
        self.store = store
        self.catalog = catalog
        self.safety = safety

    def _offered_lately(self, user_id: int, now: datetime) -> bool:
        offered = self.store.readiness_offered_at(user_id)
        return offered is not None and now - offered < READINESS_EVERY

    def offer(self, user_id: int, now: datetime) -> bool:
        """True (and noted) when the readiness questions are due to be offered again.

        Due when they were last answered two weeks ago or more, the last offer is as old, and
        the person is not in a conversation. Adults only: an under-18 answer closes everything.
        """
        if READINESS not in self.catalog or self.store.active_run_id(user_id) is not None:
            return False
        if self.safety.disclosed(user_id) != "none":
            return False  # the question about the disclosure comes first, on its own
        answered = self.store.kept_at(user_id, "afraid")
        if answered is None or now - answered < READINESS_EVERY:
            return False
        if self._offered_lately(user_id, now):
            return False
        if self.store.memory_of(user_id).get("adult", {}).get("value") == "adult_no":
            return False
        self.store.set_readiness_offered(user_id, now)
        return True

    def review(self, user_id: int, now: datetime) -> list[Effect]:
        """The question about an earlier disclosure, when it is due and the person is in no
        conversation; offered this way once a fortnight at most (the readiness offer's turn)."""
        if self.store.active_run_id(user_id) is not None or self._offered_lately(user_id, now):
            return []
        review = self.safety.review(user_id, now)
        if review is None:
            return []
        self.store.set_readiness_offered(user_id, now)
        return [review]
