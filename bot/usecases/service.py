"""Use cases over the engine and the store. Owns the transaction: load, step, save, in one.

Every acknowledged answer is committed together with the run's new position before any reply
leaves this module, so a crash between two messages loses nothing the person saw acknowledged.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.documents.blocks import to_markdown
from bot.documents.charts import trend_chart
from bot.documents.export import export_json, export_markdown
from bot.documents.pdf import pdf_from_blocks
from bot.documents.report import report_blocks
from bot.documents.trends import by_week, in_words
from bot.engine import (
    Answered,
    Ask,
    Button,
    Disclosed,
    Document,
    Effect,
    EngineError,
    Event,
    Finished,
    Offer,
    Picture,
    Remembered,
    Resume,
    RunState,
    Say,
    Start,
    StateError,
    Text,
)
from bot.engine import start as start_run
from bot.engine import step as step_run
from bot.engine.progress import progress
from bot.flows.locks import lock_of
from bot.flows.model import Catalog, Flow, Lock
from bot.safety import responses as safety_texts
from bot.storage import ABANDONED, ACTIVE, COMPLETED, PAUSED, RunRecord, Store
from bot.usecases.practice import NOT_A_THERAPIST, NUDGE_AFTER, Notice, Practice
from bot.usecases.safety_path import CLEARABLE, FOLLOW_UP, SafetyPath

log = logging.getLogger(__name__)

MIN_WEEKS_FOR_CHART = 3
ONBOARDING = "getting-started"
READINESS = "readiness"
READINESS_EVERY = timedelta(days=14)
"""How often the safety and readiness questions are offered again: things at home change."""
PRACTICE_VERBS = frozenset({"go", "snooze", "acc", "scope", "early", "as", "tz"})
"""Actions of the therapist side; every other verb belongs to the safety path."""
NUDGE = "nudge"
NUDGE_TEXT = (
    "You left “{title}” part-way through a few days ago. It's saved just as it was, whenever"
    " you'd like to carry on."
)
NUDGE_BUTTON = "Carry on"
EXPORT_JSON = "Everything stored about you, as data (JSON)."
EXPORT_MD = "The same, to read."
TREND_HEAD = "How this week compares with your earlier check-ins:"
WELCOME_BACK = "Welcome back. Here is where you left off:"
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


@dataclass(frozen=True)
class Outcome:
    """What one handled event produced: the replies and whether it was a duplicate."""

    effects: list[Effect]
    duplicate: bool = False
    run_id: int | None = None
    """The run the person is in after this event: buttons in the replies belong to it."""
    notices: tuple[Notice, ...] = ()
    """Messages for other people: a therapist told of finished homework, a client of new."""


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


@dataclass(frozen=True)
class Due:
    """A reminder to send now: to whom, which row, and what it says."""

    user_id: int
    reminder_id: int
    effects: list[Effect]


Turn = tuple[list[Effect], RunRecord | None]
"""What one step produced, and the run the person is in afterwards."""


class Service:
    """Handles people's events: one transaction per event, replies only after the commit."""

    def __init__(self, store: Store, catalog: Catalog, therapist_ids: Iterable[int] = ()) -> None:
        self.store = store
        self.catalog = catalog
        self.safety = SafetyPath(store)
        self.practice = Practice(store, catalog, self.lock_of, therapist_ids)
        self._notices: list[Notice] = []
        self._message_ids: dict[int, list[tuple[int, datetime]]] = {}

    def flows(self) -> list[Flow]:
        """The flows a person can start, in the order their authors gave, then by title."""
        return sorted(self.catalog.values(), key=lambda f: (f.order, f.title))

    def active(self, user_id: int) -> RunRecord | None:
        """The run the person is in now."""
        return self.store.active_run(user_id)

    def handle(
        self,
        user_id: int,
        event: Event,
        now: datetime,
        event_id: str | None = None,
        run_id: int | None = None,
    ) -> Outcome:
        """Apply one event for one person; an event id seen before changes nothing.

        `run_id`, carried by a button, must name the person's open run; a button from an
        earlier run gets a gentle notice and the live question instead.
        """
        self._notices = []
        with self.store.atomic():
            if not self._first_time(user_id, event_id, now):
                return Outcome([], duplicate=True)
            active, effects = self._active(user_id, now)
            if isinstance(event, Text) and not effects:
                drafting = self.practice.typed(user_id, event.text, now)
                if drafting is not None:  # a therapist typing a due date or a note
                    return Outcome(drafting.effects, notices=drafting.notices)
                # The screen reads every message before any exercise does.
                caught = self.safety.screened(user_id, event.text, now, active)
                caught = caught or self.safety.typed_while_waiting(user_id, event.text, now)
                if caught is not None:
                    return Outcome(caught, run_id=self.store.active_run_id(user_id))
            if isinstance(event, Start):
                self.store.personal.forget_paused(user_id)  # they chose what comes next
                effects, active = self._start(user_id, event.flow_id, now, active)
            elif effects:
                pass  # the open run could not be read; the person has been told
            elif run_id is not None and (active is None or active.id != run_id):
                effects, active = self._continue(user_id, Resume(), now, active)
                effects = [Say(STALE_RUN), *effects]
            else:
                effects, active = self._continue(user_id, event, now, active)
        return Outcome(effects, run_id=active.id if active else None, notices=self._take())

    def _first_time(self, user_id: int, event_id: str | None, now: datetime) -> bool:
        """Inside a transaction: False for an event seen before; else note it (and the person,
        who wrote to us, so can hear us again)."""
        if event_id is not None:
            if self.store.seen_event(event_id):
                return False
            self.store.mark_event(event_id, user_id, now)
        self.store.touch_user(user_id, now)
        self._flush_messages(user_id)
        return True

    def _take(self) -> tuple[Notice, ...]:
        notices, self._notices = tuple(self._notices), []
        return notices

    # -- buttons that answer no question -----------------------------------------------------
    def action(
        self, user_id: int, action: str, now: datetime, event_id: str | None = None
    ) -> Outcome:
        """A button under a message: the safety path's, an invitation's, /assign's, a reminder's."""
        self._notices = []
        with self.store.atomic():
            if not self._first_time(user_id, event_id, now):
                return Outcome([], duplicate=True)
            verb, _, rest = action.partition(":")
            active = self.store.active_run(user_id)
            if verb in PRACTICE_VERBS:
                effects, active = self._practice_action(user_id, verb, rest, action, now, active)
                return Outcome(effects, run_id=active.id if active else None, notices=self._take())
            step = self.safety.act(user_id, action, now)
            effects = list(step.effects)
            if step.alert:
                self._notices += self.practice.safety_alerts(user_id, now)
            if step.start_flow and step.start_flow in self.catalog:
                more, active = self._start(user_id, step.start_flow, now, active)
                effects += more
            elif step.resume:
                more, active = self._resume_paused(user_id, now, active)
                effects += more
        return Outcome(effects, run_id=active.id if active else None, notices=self._take())

    def _practice_action(
        self,
        user_id: int,
        verb: str,
        rest: str,
        action: str,
        now: datetime,
        active: RunRecord | None,
    ) -> Turn:
        if verb == "go":
            self.store.personal.forget_paused(user_id)
            return self._start(user_id, rest, now, active)
        if verb == "snooze":
            return self.practice.snooze(user_id, int(rest), now), active
        if verb == "tz":
            return self.practice.choose_zone(user_id, action), active
        if verb == "acc":
            scope, _, code = rest.partition(":")
            reply = self.practice.accept(user_id, scope, code, now)
        elif verb == "scope":
            link_id, _, scope = rest.partition(":")
            reply = self.practice.change_scope(user_id, int(link_id), scope, now)
        elif verb == "early":
            link_id, _, on = rest.partition(":")
            if not link_id.isdigit():
                return [], active
            reply = self.practice.share_earlier(user_id, int(link_id), on == "on")
        elif self.practice.is_therapist(user_id):  # "as": /assign's steps
            reply = self.practice.assign_step(user_id, action, now)
        else:
            return [Say(NOT_A_THERAPIST)], active
        self._notices += reply.notices
        return reply.effects, active

    # -- therapists' commands ----------------------------------------------------------------
    def therapist_command(
        self, user_id: int, command: str, arg: str, now: datetime, bot_name: str = "bot"
    ) -> Outcome:
        """/invite, /assign, /clients, /report: for therapists only, politely refused otherwise."""
        self._notices = []
        with self.store.atomic():
            self.store.touch_user(user_id, now)
            if not self.practice.is_therapist(user_id):
                return Outcome([Say(NOT_A_THERAPIST)])
            if command == "invite":
                effects = self.practice.invite(user_id, arg, bot_name, now)
            elif command == "assign":
                effects = self.practice.start_assign(user_id)
            elif command == "clients":
                effects = self.practice.clients(user_id, now)
            else:
                effects = self._report(user_id, arg, now)
        return Outcome(effects, notices=self._take())

    def _report(self, therapist_id: int, label: str, now: datetime) -> list[Effect]:
        if not label.strip():
            return [Say("Which client? Send /report and their label, like /report Sam")]
        link, withdrawn = self.practice.find_link(therapist_id, label)
        if link is None:
            if withdrawn:
                return [
                    Say(f"“{label.strip()}” has stopped sharing with you, so there is no report.")
                ]
            return [Say(f"You have no client labelled “{label.strip()}”. /clients lists them.")]
        self.store.practice.audit(therapist_id, link.client_id, f"report:{link.scope}", now)
        rows = self.store.personal.everything_about(link.client_id)
        blocks = report_blocks(link, self.practice.assignments(link), rows, self.catalog, now)
        data = to_markdown(blocks).encode("utf-8")
        name = f"report-{link.label.replace(' ', '-')}-{now:%Y-%m-%d}"
        caption = f"{link.label}: what their consent ({link.scope}) allows."
        printable = pdf_from_blocks(blocks, f"Report: {link.label}")
        return [
            Document(f"{name}.md", data, caption),
            Document(f"{name}.pdf", printable, "The same, to print."),
        ]

    def open_invite(self, user_id: int, code: str, now: datetime, event_id: str) -> list[Effect]:
        """A client opened an invitation link: who invites them, and the choices."""
        if not self.claim(event_id, user_id, now):
            return []
        with self.store.atomic():
            return self.practice.open_invite(user_id, code, now)

    def client_links(self, user_id: int) -> list[Effect]:
        """/therapist: who the person shares with, and how to change it."""
        return self.practice.client_links(user_id)

    def _resume_paused(self, user_id: int, now: datetime, active: RunRecord | None) -> Turn:
        """Reopen the exercise the safety path paused, because the person chose to."""
        _, paused = self.store.personal.pending(user_id)
        self.store.personal.forget_paused(user_id)
        run = self.store.run_of(user_id, paused) if paused is not None else None
        if run is None or run.status != PAUSED or active is not None:
            return [Say(safety_texts.say("resume_none"))], active
        closed = self._safety_locked(user_id, run.flow_id)
        if closed is not None:
            return [Say(closed.because)], active
        self.store.set_status(run.id, ACTIVE, now)
        self.store.set_active(user_id, run.id)
        return self._resume(user_id, run, now)

    def sos(self, user_id: int, now: datetime, event_id: str | None = None) -> list[Effect]:
        """/sos: help for the person's country at any moment; the open exercise waits."""
        with self.store.atomic():
            if not self._first_time(user_id, event_id, now):
                return []
            return self.safety.sos(user_id, now, self.store.active_run(user_id))

    def safety_plan(self, user_id: int) -> list[Effect]:
        """/safety: the person's own safety plan and the way to fill it in."""
        return self.safety.plan(user_id)

    def screen_text(
        self, user_id: int, text: str, now: datetime, event_id: str | None = None
    ) -> Outcome | None:
        """A text that is no answer: a caption, or a message with no exercise open.

        It may be a therapist's due date or note for /assign, a crisis, or the answer to the
        safety question waiting for the person. None when it is none of these.
        """
        self._notices = []
        with self.store.atomic():
            if event_id is not None and self.store.seen_event(event_id):
                return Outcome([], duplicate=True)
            self.store.touch_user(user_id, now)
            self._flush_messages(user_id)
            drafting = self.practice.typed(user_id, text, now)
            if drafting is not None:
                found: list[Effect] | None = drafting.effects
                self._notices += drafting.notices
            else:
                found = self.safety.screened(user_id, text, now, self.store.active_run(user_id))
                found = found or self.safety.typed_while_waiting(user_id, text, now)
            if found is None:
                return None
            if event_id is not None:
                self.store.mark_event(event_id, user_id, now)
        return Outcome(found, notices=self._take())

    def note_messages(self, user_id: int, message_ids: list[int], now: datetime) -> None:
        """Remember the ids of messages in a person's chat, so that it can be cleared.

        They wait in memory and are written with the person's next transaction (an incoming
        message's id goes in with the update it came in) or by the next tick: a commit of
        its own for every message would halve the bot's throughput.
        """
        self._message_ids.setdefault(user_id, []).extend((m, now) for m in message_ids)

    def _flush_messages(self, user_id: int | None = None) -> None:
        """Inside a transaction: write the waiting message ids (one person's, or everyone's)."""
        people = list(self._message_ids) if user_id is None else [user_id]
        for person in people:
            for message_id, at in self._message_ids.pop(person, []):
                self.store.touch_user(person, at)
                self.store.personal.note_messages(person, [message_id], at)

    def clear_targets(self, user_id: int, now: datetime) -> list[int]:
        """The ids of the chat messages that can still be deleted, newest first."""
        with self.store.atomic():
            self._flush_messages(user_id)
            return self.safety.clear_targets(user_id, now)

    def forget_old_messages(self, now: datetime) -> None:
        """Write the waiting message ids; drop those too old to delete anyway."""
        with self.store.atomic():
            self._flush_messages()
            self.store.personal.forget_old_messages(now - CLEARABLE)

    def due_reminders(self, now: datetime) -> list[Due]:
        """Every reminder now due, each marked sent in the transaction that hands it out.

        Follow-up check-ins, homework reminders (skipped once the homework is done, consent to
        reminders withdrawn, or the link ended), and one nudge for a conversation left
        part-way for three days. A reminder the shell fails to send goes back with `release`.
        """
        out: list[Due] = []
        with self.store.atomic():
            personal = self.store.personal
            for reminder in personal.due_reminders(now):
                if not personal.mark_sent(reminder.id, now):
                    continue
                if self.store.is_blocked(reminder.user_id):
                    continue
                if reminder.kind == FOLLOW_UP:
                    effects: list[Effect] | None = [Say(safety_texts.say("follow_up"))]
                else:
                    effects = self.practice.reminder(
                        reminder.user_id, reminder.kind, reminder.payload
                    )
                if effects:
                    out.append(Due(reminder.user_id, reminder.id, effects))
            out += self._nudges(now)
        return out

    def _nudges(self, now: datetime) -> list[Due]:
        out: list[Due] = []
        personal = self.store.personal
        for user_id, run_id, flow_id in self.store.stale_runs(now - NUDGE_AFTER):
            if personal.has_reminder(user_id, NUDGE, "run", run_id) or flow_id not in self.catalog:
                continue
            reminder_id = personal.add_reminder(user_id, NUDGE, now, {"run": run_id}, now)
            personal.mark_sent(reminder_id, now)
            if self.store.is_blocked(user_id) or not self.practice.may_remind(user_id, flow_id):
                continue
            title = self.catalog[flow_id].title  # type: ignore[index]
            text = NUDGE_TEXT.format(title=title)
            out.append(
                Due(user_id, reminder_id, [Offer(text, (Button(NUDGE_BUTTON, f"go:{flow_id}"),))])
            )
        return out

    def release(self, reminder_id: int) -> None:
        """A due reminder could not be sent: the next tick tries again."""
        with self.store.atomic():
            self.store.personal.release(reminder_id)

    # -- data rights -------------------------------------------------------------------------
    def export(self, user_id: int, now: datetime) -> list[Effect]:
        """Everything stored about the person: a JSON file and a readable Markdown file."""
        with self.store.atomic():
            self.store.practice.audit(user_id, user_id, "export", now)
        rows = self.store.personal.everything_about(user_id)
        name = f"secure-base-{now:%Y-%m-%d}"
        readable = export_markdown(rows, self.catalog, now)
        return [
            Document(f"{name}.json", export_json(rows, now), EXPORT_JSON),
            Document(f"{name}.md", readable, EXPORT_MD),
        ]

    def erase(self, user_id: int) -> int:
        """Delete every row about the person, in every table; returns how many."""
        self._message_ids.pop(user_id, None)
        with self.store.atomic():
            return self.store.personal.erase(user_id)

    def claim(self, event_id: str, user_id: int, now: datetime) -> bool:
        """Record an event that changes no run (a menu, a help text); False if seen before."""
        with self.store.atomic():
            return self._first_time(user_id, event_id, now)

    def cancel(self, user_id: int, now: datetime) -> list[Effect]:
        """Close the open run; its answers stay in the journal."""
        with self.store.atomic():
            run = self.store.active_run(user_id)
            if run is None:
                return [Say(NOTHING_OPEN)]
            self.store.set_status(run.id, ABANDONED, now)
            self.store.set_active(user_id, None)
        return [Say(CANCELLED)]

    def overview(self, user_id: int) -> list[FlowStatus]:
        """Every flow with the person's progress in it."""
        runs = self.store.runs_of(user_id)
        active = self.store.active_run(user_id)
        lines: list[FlowStatus] = []
        for flow in self.flows():
            mine = [r for r in runs if r.flow_id == flow.id]
            done = sum(1 for r in mine if r.status == COMPLETED)
            live = active if active and active.flow_id == flow.id else None
            live = live or next((r for r in mine if r.status == PAUSED), None)
            if live is not None and self._safety_locked(user_id, flow.id) is not None:
                live = None  # paused for safety: it stays closed, and says why
            if live is None:
                lock = self.lock_of(user_id, flow.id)
                if lock is not None:
                    lines.append(FlowStatus(flow, "locked", finished=done, reason=lock.because))
                    continue
                lines.append(FlowStatus(flow, "done" if done else "new", finished=done))
                continue
            number, total = progress(self.catalog, live.state)
            state = "open" if live is active else "paused"
            lines.append(FlowStatus(flow, state, number, total, done))
        return lines

    def needs_onboarding(self, user_id: int) -> bool:
        """True until the person has finished the onboarding flow (when there is one)."""
        finished = self.store.finished_flows(user_id)
        return ONBOARDING in self.catalog and ONBOARDING not in finished

    def offer_readiness(self, user_id: int, now: datetime) -> bool:
        """True (and noted) when the readiness questions are due to be offered again.

        Due when they were last answered two weeks ago or more, the last offer is as old, and
        the person is not in a conversation. Adults only: an under-18 answer closes everything.
        """
        if READINESS not in self.catalog or self.store.active_run_id(user_id) is not None:
            return False
        if self.safety.disclosed(user_id) != "none":
            return False  # the question about the disclosure comes first, on its own
        answered = self.store.kept_at(user_id, "afraid")
        offered = self.store.readiness_offered_at(user_id)
        if answered is None or now - answered < READINESS_EVERY:
            return False
        if offered is not None and now - offered < READINESS_EVERY:
            return False
        if self.store.memory_of(user_id).get("adult", {}).get("value") == "adult_no":
            return False
        with self.store.atomic():
            self.store.set_readiness_offered(user_id, now)
        return True

    def disclosure_review(self, user_id: int, now: datetime) -> list[Effect]:
        """The question about an earlier disclosure, when it is due and the person is in no
        conversation; offered this way once a fortnight at most (the readiness offer's turn)."""
        if self.store.active_run_id(user_id) is not None:
            return []
        offered = self.store.readiness_offered_at(user_id)
        if offered is not None and now - offered < READINESS_EVERY:
            return []
        review = self.safety.review(user_id, now)
        if review is None:
            return []
        with self.store.atomic():
            self.store.set_readiness_offered(user_id, now)
        return [review]

    def journal(self, user_id: int) -> list[JournalEntry]:
        """The person's finished reflections, newest first."""
        entries: list[JournalEntry] = []
        for flow_id, at, text in self.store.finished_runs(user_id):
            flow = self.catalog.get(flow_id)  # type: ignore[call-overload]
            entries.append(JournalEntry(flow_id, flow.title if flow else flow_id, at, text))
        return entries

    def mark_blocked(self, user_id: int, now: datetime) -> None:
        """The person blocked the bot: stop sending to them until they write again."""
        with self.store.atomic():
            self.store.set_blocked(user_id, now)

    def is_blocked(self, user_id: int) -> bool:
        """True while the person has the bot blocked."""
        return self.store.is_blocked(user_id)

    def _active(self, user_id: int, now: datetime) -> tuple[RunRecord | None, list[Effect]]:
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

    def lock_of(self, user_id: int, flow_id: str) -> Lock | None:
        """The first lock that keeps this person from starting the flow, if any."""
        flow = self.catalog[flow_id]  # type: ignore[index]
        if not flow.locks:
            return None
        kept = {name: fact["value"] for name, fact in self.facts(user_id).items()}
        return lock_of(flow, kept, self.store.finished_flows(user_id))

    def facts(self, user_id: int) -> dict[str, dict[str, Any]]:
        """What flows may read of the person: what earlier flows kept, and `disclosed` (the
        newest open disclosure, or "none"), which only the bot itself writes."""
        kept = self.store.memory_of(user_id)
        disclosed = self.safety.disclosed(user_id)
        kept["disclosed"] = {"value": disclosed, "label": disclosed}
        return kept

    def _safety_locked(self, user_id: int, flow_id: str) -> Lock | None:
        """The lock that keeps this flow closed for the person's safety, if one does."""
        lock = self.lock_of(user_id, flow_id) if flow_id in self.catalog else None
        return lock if lock is not None and lock.safety else None

    def _start(
        self,
        user_id: int,
        flow_id: str,
        now: datetime,
        current: RunRecord | None,
        override: bool = False,
    ) -> Turn:
        if flow_id not in self.catalog:
            return [Say(UNKNOWN_FLOW)], current
        if current is not None and current.flow_id == flow_id:
            return self._resume(user_id, current, now)
        closed = self._safety_locked(user_id, flow_id)
        if closed is not None:
            # Nothing reopens for safety's sake but the person's clear word, asked on its own.
            review = self.safety.review(user_id, now)
            return [review if review is not None else Say(closed.because)], current
        paused = self.store.latest_run(user_id, flow_id, PAUSED)
        if paused is None:
            # A therapist's assignment opens a flow its locks would keep closed, unless for
            # safety, and never before the person has answered the first (safety) questions.
            assigned = bool(self.store.practice.open_assignments(user_id, flow_id))
            override = (override or assigned) and not self.needs_onboarding(user_id)
            lock = self.lock_of(user_id, flow_id)
            if lock is not None and not override:
                return [Say(lock.because)], current
        if current is not None:
            self.store.set_status(current.id, PAUSED, now)
        if paused is not None:
            self.store.set_status(paused.id, ACTIVE, now)
            self.store.set_active(user_id, paused.id)
            return self._resume(user_id, paused, now)
        state, effects = start_run(self.catalog, flow_id, now, self.facts(user_id))
        run_id = self.store.create_run(user_id, state, now)
        self.store.set_active(user_id, run_id)
        run = RunRecord(run_id, user_id, flow_id, state.root.version, ACTIVE, state, "", None)
        return self._save(user_id, run, state, effects, now)

    def _resume(self, user_id: int, run: RunRecord, now: datetime) -> Turn:
        effects, after = self._continue(user_id, Resume(), now, run)
        return ([Say(WELCOME_BACK), *effects] if after else effects), after

    def _continue(self, user_id: int, event: Event, now: datetime, run: RunRecord | None) -> Turn:
        if run is None:
            return [Say(NOTHING_OPEN)], None
        try:
            state, effects = step_run(self.catalog, run.state, event, now)
        except (EngineError, KeyError) as exc:
            # Only ids go to the log: never what the person wrote.
            log.warning(
                "run %s of flow %s cannot continue: %s", run.id, run.flow_id, type(exc).__name__
            )
            self.store.set_status(run.id, ABANDONED, now)
            self.store.set_active(user_id, None)
            return [Say(FLOW_CHANGED)], None
        if state is run.state:
            return effects, run  # nothing changed (a re-prompt, a resume or a stale button)
        return self._save(user_id, run, state, effects, now)

    def _save(
        self, user_id: int, run: RunRecord, state: RunState, effects: list[Effect], now: datetime
    ) -> Turn:
        told = [e for e in effects if isinstance(e, Disclosed)]
        for disclosure in told:
            self.safety.disclose(user_id, disclosure.category, disclosure.key, run.id, now)
        # A disclosure that closes this very flow is no move in it for later flows to quote.
        closing = bool(told) and self._safety_locked(user_id, run.flow_id) is not None
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
            self._notices += self.practice.finished(user_id, run.flow_id, now)
            return effects + self._trend(user_id, run, effects, now), None
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

    def _trend(
        self, user_id: int, run: RunRecord, effects: list[Effect], now: datetime
    ) -> list[Effect]:
        """Keep a finished run's scores; from the second week on, say how they moved."""
        finished = next((e for e in effects if isinstance(e, Finished) and e.scores), None)
        if finished is None:
            return []
        flow = self.catalog[run.flow_id]  # type: ignore[index]
        self.store.add_scores(user_id, run.id, run.flow_id, dict(finished.scores), now)
        weeks = by_week(self.store.scores_of(user_id, run.flow_id))
        if len(weeks) < 2:
            return []
        labels = {name: score.label for name, score in flow.scores.items()}
        words = in_words(weeks, labels)
        if len(weeks) < MIN_WEEKS_FOR_CHART:
            return [Say(f"{TREND_HEAD}\n{words}")]
        return [Picture(trend_chart(weeks, labels), f"{TREND_HEAD}\n{words}")]
