"""Messages that fall due: follow-up check-ins, homework reminders, and one nudge back to a
conversation left part-way. Each is marked sent in the transaction that hands it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.engine import Button, Effect, EngineError, Offer, Resume, Say, StateError
from bot.engine import step as step_run
from bot.flows.model import Catalog
from bot.safety import responses as safety_texts
from bot.storage import Store
from bot.usecases.journey import Guide
from bot.usecases.practice import NUDGE_AFTER, Practice
from bot.usecases.safety_path import FOLLOW_UP
from bot.usecases.weekly import HOUR, WEEKLY, Weekly

NUDGE = "nudge"
NUDGE_TEXT = (
    "You left “{title}” part-way through a few days ago. It's saved just as it was, whenever"
    " you'd like to carry on."
)
NUDGE_BUTTON = "Carry on"


@dataclass(frozen=True)
class Due:
    """A reminder to send now: to whom, which row, and what it says."""

    user_id: int
    reminder_id: int
    effects: list[Effect]


class Reminders:
    """The outbox of reminders; the caller holds the transaction."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        practice: Practice,
        weekly: Weekly | None = None,
        guide: Guide | None = None,
    ) -> None:
        self.store = store
        self.catalog = catalog
        self.practice = practice
        self.weekly = weekly
        self.guide = guide

    def due(self, now: datetime) -> list[Due]:
        """Every reminder now due, each marked sent as it is handed out.

        Follow-up check-ins, homework reminders (skipped once the homework is done, consent to
        reminders withdrawn, or the link ended), and one nudge for a conversation left
        part-way for three days. A reminder the shell fails to send goes back with `release`.
        """
        out: list[Due] = []
        personal = self.store.personal
        for reminder in personal.due_reminders(now):
            if not personal.mark_sent(reminder.id, now):
                continue
            if self.store.is_blocked(reminder.user_id):
                continue
            if reminder.kind == FOLLOW_UP:
                effects: list[Effect] | None = [Say(safety_texts.say("follow_up"))]
            elif reminder.kind == WEEKLY and self.weekly is not None:
                weekday = int(reminder.payload.get("weekday", 0))
                hour = int(reminder.payload.get("hour", HOUR))
                effects = self.weekly.due(reminder.user_id, weekday, hour, now)
            else:
                effects = self.practice.reminder(reminder.user_id, reminder.kind, reminder.payload)
            if effects:
                out.append(Due(reminder.user_id, reminder.id, effects))
        return out + self._nudges(now)

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
            recap = self._recap(user_id, run_id)
            if recap:
                text = f"{text} {recap}."
            out.append(
                Due(user_id, reminder_id, [Offer(text, (Button(NUDGE_BUTTON, f"go:{flow_id}"),))])
            )
        return out

    def _recap(self, user_id: int, run_id: int) -> str | None:
        """Where the person was in the run left part-way, in one line."""
        if self.guide is None:
            return None
        try:
            run = self.store.run_of(user_id, run_id)
            if run is None or run.state.done or run.state.moved:
                return None
            _, asked = step_run(self.catalog, run.state, Resume())
        except (EngineError, StateError, KeyError):
            return None
        return self.guide.recap(run, asked, titled=False)

    def release(self, reminder_id: int) -> None:
        """A due reminder could not be sent: the next tick tries again."""
        self.store.personal.release(reminder_id)
