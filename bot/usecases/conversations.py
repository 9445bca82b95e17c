"""Conversations: start a flow, answer it, go back, resume it, close it; save every step.

Called inside the service's transaction: every acknowledged answer is written together with
the run's new position before any reply leaves, so a crash between two messages loses nothing
the person saw acknowledged.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from bot.engine import (
    Answered,
    Ask,
    Disclosed,
    Effect,
    EngineError,
    Event,
    Finished,
    Remembered,
    Resume,
    RunState,
    Say,
    StateError,
)
from bot.engine import start as start_run
from bot.engine import step as step_run
from bot.engine.reading import Similar
from bot.flows.model import Catalog
from bot.safety import responses as safety_texts
from bot.storage import ABANDONED, ACTIVE, COMPLETED, PAUSED, RunRecord, Store
from bot.usecases.access import READINESS, Access
from bot.usecases.checkins import trend
from bot.usecases.journey import Guide
from bot.usecases.practice import Practice
from bot.usecases.replies import Notice
from bot.usecases.safety_path import SafetyPath
from bot.usecases.weekly import CHECK_IN, Weekly

log = logging.getLogger(__name__)

WELCOME_BACK_HEAD, WELCOME_BACK_TAIL = "Welcome back.", "Here is where you left off:"
WELCOME_BACK = f"{WELCOME_BACK_HEAD} {WELCOME_BACK_TAIL}"
NOTHING_OPEN = "There is no conversation open right now. Choose one to begin."
UNKNOWN_FLOW = "I don't know that conversation. Choose one from the list."
STALE_RUN = "That button belongs to an earlier conversation."
CANCELLED = (
    "I've closed this conversation. What you wrote is kept in your journal. You can start it"
    " again, or another one, whenever you like."
)
FLOW_CHANGED = (
    "This conversation has changed since you began it, so I can't continue it as it was."
    " Your earlier answers are kept. You can start it again whenever you like."
)

MOVED_ON = (
    "This conversation has been updated since your last message, and the question you were"
    " on is no longer in it. Your answers are kept; here is where it goes on:"
)

Turn = tuple[list[Effect], RunRecord | None]
"""What one step produced, and the run the person is in afterwards."""


class Conversations:
    """A person's runs through the flows, over the store."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        access: Access,
        safety: SafetyPath,
        practice: Practice,
        similar: Similar | None = None,
        guide: Guide | None = None,
        weekly: Weekly | None = None,
    ) -> None:
        self.store = store
        self.similar = similar
        self.catalog = catalog
        self.access = access
        self.safety = safety
        self.practice = practice
        self.guide = guide
        self.weekly = weekly
        self.notices: list[Notice] = []
        """Messages for other people that the last steps produced (homework finished)."""

    def active(self, user_id: int, now: datetime) -> tuple[RunRecord | None, list[Effect]]:
        """The open run; one whose stored state cannot be read is closed, kindly."""
        try:
            return self.store.active_run(user_id), []
        except StateError:
            run_id = self.store.active_run_id(user_id)
            log.warning("run %s has a state this version cannot read", run_id)
            if run_id is not None:
                self.store.set_status(run_id, ABANDONED, now)
            self.store.set_active(user_id, None)
            return None, [Say(FLOW_CHANGED)]

    def start(self, user_id: int, flow_id: str, now: datetime, current: RunRecord | None) -> Turn:
        """Open a flow: the one in progress, its paused run, or a new run if no lock holds."""
        if flow_id not in self.catalog:
            return [Say(UNKNOWN_FLOW)], current
        if current is not None and current.flow_id == flow_id:
            return self.resume(user_id, current, now)
        closed = self.access.safety_locked(user_id, flow_id)
        if closed is not None:
            # Nothing reopens for safety's sake but the person's clear word, asked on its own.
            review = self.safety.review(user_id, now)
            return [review if review is not None else Say(closed.because)], current
        paused = self.store.latest_run(user_id, flow_id, PAUSED)
        if paused is None:
            # A therapist's assignment opens a flow its locks would keep closed, unless for
            # safety, and never before the person has answered the first (safety) questions.
            assigned = bool(self.store.practice.open_assignments(user_id, flow_id))
            override = assigned and not self.access.needs_onboarding(user_id)
            lock = self.access.lock_of(user_id, flow_id)
            if lock is not None and not override:
                return [Say(lock.because)], current
        if current is not None:
            self.store.set_status(current.id, PAUSED, now)
        if paused is not None:
            self.store.set_status(paused.id, ACTIVE, now)
            self.store.set_active(user_id, paused.id)
            return self.resume(user_id, paused, now)
        state, effects = start_run(self.catalog, flow_id, now, self.access.facts(user_id))
        run_id = self.store.create_run(user_id, state, now)
        self.store.set_active(user_id, run_id)
        run = RunRecord(run_id, user_id, flow_id, state.root.version, ACTIVE, state, "", None)
        return self._save(user_id, run, state, effects, now)

    def resume(self, user_id: int, run: RunRecord, now: datetime) -> Turn:
        """The live question again, after a word of welcome and where the person was."""
        effects, after = self.go_on(user_id, Resume(), now, run)
        if not after:
            return effects, after
        recap = self.guide.recap(run, effects) if self.guide is not None else None
        welcome = f"{WELCOME_BACK_HEAD} {recap}\n{WELCOME_BACK_TAIL}" if recap else WELCOME_BACK
        return [Say(welcome), *effects], after

    def resume_paused(self, user_id: int, now: datetime, active: RunRecord | None) -> Turn:
        """Reopen the exercise the safety path paused, because the person chose to."""
        _, paused = self.store.personal.pending(user_id)
        self.store.personal.forget_paused(user_id)
        run = self.store.run_of(user_id, paused) if paused is not None else None
        if run is None or run.status != PAUSED or active is not None:
            return [Say(safety_texts.say("resume_none"))], active
        closed = self.access.safety_locked(user_id, run.flow_id)
        if closed is not None:
            return [Say(closed.because)], active
        self.store.set_status(run.id, ACTIVE, now)
        self.store.set_active(user_id, run.id)
        return self.resume(user_id, run, now)

    def go_on(self, user_id: int, event: Event, now: datetime, run: RunRecord | None) -> Turn:
        """Step the open run with the person's event, and save what it moved."""
        if run is None:
            return [Say(NOTHING_OPEN)], None
        moved = run.state.moved
        if moved:
            # What they sent answered a question that is gone: show where it goes on instead.
            run = replace(run, state=run.state.with_(moved=False))
            self.store.carry_run(run.id, run.state)
            event = Resume()
        try:
            state, effects = step_run(self.catalog, run.state, event, now, self.similar)
        except (EngineError, KeyError) as exc:
            # Only ids go to the log: never what the person wrote.
            log.warning(
                "run %s of flow %s cannot continue: %s", run.id, run.flow_id, type(exc).__name__
            )
            self.store.set_status(run.id, ABANDONED, now)
            self.store.set_active(user_id, None)
            return [Say(FLOW_CHANGED)], None
        if moved:
            return [Say(MOVED_ON), *effects], run
        if state is run.state:
            return effects, run  # nothing changed (a re-prompt, a resume or a stale button)
        cared = False
        if self.guide is not None:
            effects, cared = self.guide.with_care(run, effects)
        return self._save(user_id, run, state, effects, now, cared)

    def cancel(self, user_id: int, now: datetime) -> list[Effect]:
        """Close the open run; its answers stay in the journal."""
        run = self.store.active_run(user_id)
        if run is None:
            return [Say(NOTHING_OPEN)]
        self.store.set_status(run.id, ABANDONED, now)
        self.store.set_active(user_id, None)
        return [Say(CANCELLED)]

    def _save(
        self, user_id: int, run: RunRecord, state: RunState, effects: list[Effect], now: datetime,
        cared: bool = False,
    ) -> Turn:  # fmt: skip
        told = [e for e in effects if isinstance(e, Disclosed)]
        for disclosure in told:
            self.safety.disclose(user_id, disclosure.category, disclosure.key, run.id, now)
        # A disclosure that closes this very flow is no move in it for later flows to quote.
        closing = bool(told) and self.access.safety_locked(user_id, run.flow_id) is not None
        answered = ""
        for effect in effects:
            if isinstance(effect, Answered):
                answered = effect.key
                self.store.add_answer(run.id, user_id, effect.key, effect.value, effect.at or now)
                if not any(d.key == effect.key for d in told):
                    # Only a change of that very answer in the same run (/back) takes it back.
                    self.store.disclosures.retract(user_id, effect.key, run.id)
            elif isinstance(effect, Remembered) and not (
                closing and any(d.key == answered for d in told)
            ):
                self.store.remember(
                    user_id, effect.name, effect.value, effect.label, run.flow_id, now
                )
        status = COMPLETED if state.done else ACTIVE
        self.store.save_run(run.id, state, now, status)
        for finished in (e for e in effects if isinstance(e, Finished)):
            self.store.save_shared(run.id, finished.shared)
        if closing:
            return self._closed_by_disclosure(user_id, run, state, effects, told[0], now)
        if state.done:
            self.store.set_active(user_id, None)
            if run.flow_id == READINESS:
                self.store.disclosures.confirm(user_id, run.id, now)
            self.notices += self.practice.finished(user_id, run.flow_id, now)
            after = trend(self.store, self.catalog, user_id, run, effects, now)
            if self.weekly is not None and run.flow_id == CHECK_IN:
                after += self.weekly.after_check_in(user_id, now)
            if self.guide is not None and not cared:
                # Where it leads: the next step on the journey (care came instead of it).
                after += self.guide.next_step(user_id, run.flow_id)
            return effects + after, None
        return effects, run

    def _closed_by_disclosure(
        self,
        user_id: int,
        run: RunRecord,
        state: RunState,
        effects: list[Effect],
        told: Disclosed,
        now: datetime,
    ) -> Turn:
        """A choice in this flow told of danger, and closes it: it goes no further (paused,
        its answers kept, never reopened while the disclosure holds) and the safety path asks
        its one question, as for the same words typed. Ended there, it is closed, not done:
        nothing counts it as finished, and /journal does not show its last words."""
        shown = [e for e in effects if not isinstance(e, Ask)]
        if state.done:
            self.store.set_status(run.id, ABANDONED, now)
            self.store.set_active(user_id, None)
        else:
            self.safety.pause(user_id, run, now)
        return [*shown, *self.safety.ask(user_id, told.category, now)], None
