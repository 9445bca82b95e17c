"""The one entry point of the shells: it opens the transaction and hands each event on.

A message goes down once: dedup → (a therapist's typing, or the crisis screen) → the
conversation → the store, then the replies leave after the commit. Every use case lives in a
module of its own; this class only routes, and `Queries` holds the lookups.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from bot.engine import Effect, EngineError, Event, Resume, Say, Start, StateError, Text
from bot.engine import step as step_run
from bot.engine.reading import Similar
from bot.flows.journey import Journey, shipped_journey
from bot.flows.model import Catalog
from bot.storage import Store
from bot.usecases.access import ONBOARDING, READINESS, Access
from bot.usecases.chat_ids import MessageIds
from bot.usecases.checkins import TREND_HEAD
from bot.usecases.conversations import (
    FLOW_CHANGED,
    NOTHING_OPEN,
    STALE_RUN,
    WELCOME_BACK,
    Conversations,
)
from bot.usecases.interrupts import interrupt
from bot.usecases.journey import REST, RESTED, SAFETY, SOS, Guide
from bot.usecases.outside import GREETING, Outside
from bot.usecases.overview import Overview
from bot.usecases.practice import VERBS, Practice
from bot.usecases.queries import Queries
from bot.usecases.readiness import Readiness
from bot.usecases.reminders import Due, Reminders
from bot.usecases.replies import Notice, Outcome
from bot.usecases.rights import Rights
from bot.usecases.safety_path import SafetyPath
from bot.usecases.screening import Screen
from bot.usecases.understanding import shipped_similar
from bot.usecases.weekly import Weekly

__all__ = [
    "FLOW_CHANGED", "NOTHING_OPEN", "ONBOARDING", "READINESS", "TREND_HEAD", "WELCOME_BACK",
    "Due", "Outcome", "Service",
]  # fmt: skip


class Service(Queries):
    """Handles people's events: one transaction per event, replies only after the commit."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        therapist_ids: Iterable[int] = (),
        screen: Screen | None = None,
        similar: Similar | None = shipped_similar,
        journey: Journey | None = None,
    ) -> None:
        self.store, self.catalog = store, catalog
        self.safety = SafetyPath(store, screen)
        self.access = Access(store, catalog, self.safety)
        self.practice = Practice(store, catalog, self.access.lock_of, therapist_ids)
        self.guide = Guide(store, catalog, self.access, journey or shipped_journey())
        self.weekly = Weekly(store, self.practice.zone, self.practice.may_remind)
        self.talks = Conversations(
            store, catalog, self.access, self.safety, self.practice, similar, self.guide,
            self.weekly,
        )  # fmt: skip
        self.views = Overview(store, catalog, self.access, self.guide.journey)
        self.readiness = Readiness(store, catalog, self.safety)
        self.reminders = Reminders(store, catalog, self.practice, self.weekly, self.guide)
        self.rights = Rights(store, catalog)
        self.ids = MessageIds(store)
        self.outside = Outside(similar)

    def handle(
        self, user_id: int, event: Event, now: datetime, event_id: str | None = None,
        run_id: int | None = None,
    ) -> Outcome:  # fmt: skip
        """Apply one event for one person; an event id seen before changes nothing.

        `run_id`, carried by a button, must name the person's open run; a button from an
        earlier run gets a gentle notice and the live question instead.
        """
        self.talks.notices = []
        with self.store.atomic():
            if not self._first_time(user_id, event_id, now):
                return self._again(user_id, now)
            active, effects = self.talks.active(user_id, now)
            if isinstance(event, Text) and not effects:
                caught = interrupt(self.practice, self.safety, user_id, event.text, now)
                if caught is not None:
                    return caught
            if isinstance(event, Start):
                self.store.personal.forget_paused(user_id)  # they chose what comes next
                effects, active = self.talks.start(user_id, event.flow_id, now, active)
            elif effects:
                pass  # the open run could not be read; the person has been told
            elif (
                isinstance(event, Text)
                and active is not None
                and self.outside.greets(self.catalog, active, event.text)
            ):
                recap = Say(self.outside.recap(self.catalog, active))
                effects, active = self.talks.go_on(user_id, Resume(), now, active)
                effects = [recap, *effects]
            elif run_id is not None and (active is None or active.id != run_id):
                effects, active = self.talks.go_on(user_id, Resume(), now, active)
                effects = [Say(STALE_RUN), *effects]
            else:
                effects, active = self.talks.go_on(user_id, event, now, active)
        return Outcome(effects, run_id=active.id if active else None, notices=self._take())

    def recap(self, user_id: int) -> str | None:
        """/resume: one line on where the person was (the question follows), if anywhere."""
        with self.store.atomic():
            try:
                active = self.store.active_run(user_id)
            except StateError:
                return None
            if active is None or active.state.done or active.state.moved:
                return None
            try:
                _, effects = step_run(self.catalog, active.state, Resume())
            except (EngineError, KeyError):
                return None
            return self.guide.recap(active, effects)

    def screen_text(
        self, user_id: int, text: str, now: datetime, event_id: str | None = None
    ) -> Outcome | None:
        """A text that is no answer (a caption, or a message with no exercise open): what
        `interrupt` finds in it, or None, and then the event is not recorded."""
        with self.store.atomic():
            if event_id is not None and self.store.seen_event(event_id):
                return Outcome([], duplicate=True)
            self.store.touch_user(user_id, now)
            self.ids.flush(user_id)
            found = interrupt(self.practice, self.safety, user_id, text, now)
            if found is not None and event_id is not None:
                self.store.mark_event(event_id, user_id, now)
        return found if found is None else Outcome(found.effects, notices=found.notices)

    def idle_text(self, user_id: int, text: str) -> tuple[list[Effect], bool]:
        """A message with no exercise open that the crisis screen let pass: the fixed reply to
        what it is (distress, a greeting, thanks, a goodbye), and whether the list of
        conversations should follow (True for anything else, and after a greeting)."""
        intent = self.outside.intent(text)
        if intent is None:
            return [], True
        return self.outside.reply(intent, self.catalog), intent == GREETING

    def action(
        self, user_id: int, action: str, now: datetime, event_id: str | None = None
    ) -> Outcome:
        """A button under a message: the safety path's, an invitation's, /assign's, a reminder's."""
        self.talks.notices = []
        with self.store.atomic():
            if not self._first_time(user_id, event_id, now):
                return self._again(user_id, now)
            verb, _, rest = action.partition(":")
            active = self.store.active_run(user_id)
            effects: list[Effect] = []
            notices: tuple[Notice, ...] = ()
            if verb == "go":
                self.store.personal.forget_paused(user_id)
                effects, active = self.talks.start(user_id, rest, now, active)
            elif verb == REST:
                effects = [Say(RESTED)]
            elif verb == SAFETY:
                effects = self.safety.plan(user_id)
            elif verb == SOS:
                effects = self.safety.sos(user_id, now, active)
                active = None
            elif verb == "week":
                effects = self.weekly.act(user_id, rest, now)
            elif verb in VERBS:
                reply = self.practice.act(user_id, verb, rest, action, now)
                effects, notices = reply.effects, reply.notices
            else:
                step = self.safety.act(user_id, action, now)
                effects = list(step.effects)
                if step.alert:
                    notices = self.practice.safety_alerts(user_id, now)
                if step.start_flow and step.start_flow in self.catalog:
                    more, active = self.talks.start(user_id, step.start_flow, now, active)
                    effects += more
                elif step.resume:
                    more, active = self.talks.resume_paused(user_id, now, active)
                    effects += more
        run = active.id if active else None
        return Outcome(effects, run_id=run, notices=notices + self._take())

    def therapist_command(
        self, user_id: int, command: str, arg: str, now: datetime, bot_name: str = "bot"
    ) -> Outcome:
        """/invite, /assign, /clients, /report: for therapists only, politely refused otherwise."""
        with self.store.atomic():
            self.store.touch_user(user_id, now)
            reply = self.practice.command(user_id, command, arg, now, bot_name)
        return Outcome(reply.effects, notices=reply.notices)

    def menu_changes(self, everyone: bool = False) -> tuple[list[int], list[int]]:
        """(chats to give the therapists' command menu, chats to take it from)."""
        with self.store.atomic():
            return self.practice.menu_changes(everyone)

    def note_menu(self, user_id: int, shown: bool, now: datetime) -> None:
        """Record that a chat was given the therapists' command menu, or had it taken away."""
        with self.store.atomic():
            self.store.practice.note_menu(user_id, shown, now)

    def open_invite(self, user_id: int, code: str, now: datetime, event_id: str) -> list[Effect]:
        """A client opened an invitation link: who invites them, and the choices."""
        with self.store.atomic():
            if not self._first_time(user_id, event_id, now):
                return []
            return self.practice.open_invite(user_id, code, now)

    def sos(self, user_id: int, now: datetime, event_id: str | None = None) -> list[Effect]:
        """/sos: help for the person's country at any moment; the open exercise waits."""
        with self.store.atomic():
            if not self._first_time(user_id, event_id, now):
                return []
            return self.safety.sos(user_id, now, self.store.active_run(user_id))

    def cancel(self, user_id: int, now: datetime) -> list[Effect]:
        """Close the open run; its answers stay in the journal."""
        with self.store.atomic():
            return self.talks.cancel(user_id, now)

    def offer_readiness(self, user_id: int, now: datetime) -> bool:
        """True (and noted) when the readiness questions are due to be offered again."""
        with self.store.atomic():
            return self.readiness.offer(user_id, now)

    def disclosure_review(self, user_id: int, now: datetime) -> list[Effect]:
        """The question about an earlier disclosure, when it is due (once a fortnight)."""
        with self.store.atomic():
            return self.readiness.review(user_id, now)

    def note_messages(self, user_id: int, message_ids: list[int], now: datetime) -> None:
        """Remember the ids of messages in a person's chat, so that it can be cleared."""
        self.ids.note(user_id, message_ids, now)

    def clear_targets(self, user_id: int, now: datetime) -> list[int]:
        """The ids of the chat messages that can still be deleted, newest first."""
        with self.store.atomic():
            self.ids.flush(user_id)
            return self.safety.clear_targets(user_id, now)

    def forget_old_messages(self, now: datetime) -> None:
        """Write the waiting message ids; drop those too old to delete anyway."""
        with self.store.atomic():
            self.ids.forget_old(now)

    def due_reminders(self, now: datetime) -> list[Due]:
        """Every reminder now due, each marked sent in the transaction that hands it out."""
        with self.store.atomic():
            return self.reminders.due(now)

    def release(self, reminder_id: int) -> None:
        """A due reminder could not be sent: the next tick tries again."""
        with self.store.atomic():
            self.reminders.release(reminder_id)

    def export(self, user_id: int, now: datetime) -> list[Effect]:
        """Everything stored about the person: a JSON file and a readable Markdown file."""
        with self.store.atomic():
            return self.rights.export(user_id, now)

    def erase(self, user_id: int) -> int:
        """Delete every row about the person, in every table; returns how many."""
        self.ids.forget(user_id)
        with self.store.atomic():
            return self.rights.erase(user_id)

    def mark_blocked(self, user_id: int, now: datetime) -> None:
        """The person blocked the bot: stop sending to them until they write again."""
        with self.store.atomic():
            self.store.set_blocked(user_id, now)

    def claim(self, event_id: str, user_id: int, now: datetime) -> bool:
        """Record an event that changes no run (a menu, a help text); False if seen before."""
        with self.store.atomic():
            return self._first_time(user_id, event_id, now)

    def _first_time(self, user_id: int, event_id: str | None, now: datetime) -> bool:
        """Inside a transaction: False for an event seen before; else note it (and the person,
        who wrote to us, so can hear us again)."""
        if event_id is not None:
            if self.store.seen_event(event_id):
                return False
            self.store.mark_event(event_id, user_id, now)
        self.store.touch_user(user_id, now)
        self.ids.flush(user_id)
        return True

    def _again(self, user_id: int, now: datetime) -> Outcome:
        """An event applied before, delivered again (after a crash): nothing moves, and the
        person gets the live question again rather than silence."""
        active, effects = self.talks.active(user_id, now)
        if active is not None:
            effects, _ = self.talks.go_on(user_id, Resume(), now, active)
        return Outcome(effects, duplicate=True, run_id=active.id if active else None)

    def _take(self) -> tuple[Notice, ...]:
        notices, self.talks.notices = tuple(self.talks.notices), []
        return notices
