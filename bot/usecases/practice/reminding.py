"""Reminders of homework, snoozing them, and what therapists are told when something happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.engine import Button, Effect, Offer, Say
from bot.storage.practice import OPEN
from bot.usecases.practice.base import REMIND_AT, WAKING, PracticeBase, when
from bot.usecases.replies import Notice

SNOOZE = timedelta(hours=3)
NUDGE_AFTER = timedelta(days=3)
ASSIGNMENT_KINDS = ("assignment_before", "assignment_due")


class Reminding(PracticeBase):
    """Homework reminders, and notices to therapists."""

    # -- reminders ---------------------------------------------------------------------------
    def may_remind(self, user_id: int, flow_id: str) -> bool:
        """False when the person declined reminders, or their safety answers close the flow:
        nothing then points them back to it."""
        wants = self.store.memory_of(user_id).get("consent_reminders", {}).get("value")
        lock = self.lock(user_id, flow_id)
        return wants != "reminders_no" and not (lock is not None and lock.safety)

    def reminder(self, user_id: int, kind: str, payload: dict[str, Any]) -> list[Effect] | None:
        """The message for a due assignment reminder, or None if it should not go out."""
        assignment = self.rows.assignment(int(payload.get("assignment", 0)))
        if assignment is None or assignment.status != OPEN:
            return None
        link = self.rows.link(assignment.link_id)
        if link is None or link.revoked_at is not None:
            return None
        flow = self.catalog.get(assignment.flow_id)  # type: ignore[call-overload]
        if flow is None or not self.may_remind(user_id, flow.id):
            return None
        when = "tomorrow" if kind == "assignment_before" else "today"
        text = f"A gentle reminder: “{flow.title}” is due {when}. It takes a few minutes."
        buttons = (
            Button("Start it now", f"go:{flow.id}"),
            Button("Later", f"snooze:{assignment.id}"),
        )
        return [Offer(text, buttons)]

    def snooze(self, user_id: int, assignment_id: int, now: datetime) -> list[Effect]:
        """Remind again in three hours, or the next morning if that is outside waking hours."""
        assignment = self.rows.assignment(assignment_id)
        if assignment is None or assignment.client_id != user_id or assignment.status != OPEN:
            return [Say("That one is already done.")]
        zone = self.zone(user_id)
        later = (now + SNOOZE).astimezone(zone)
        if not WAKING[0] <= later.time() <= WAKING[1]:
            day = later.date() if later.time() < WAKING[0] else later.date() + timedelta(days=1)
            later = datetime.combine(day, REMIND_AT, zone)
        self.store.personal.add_reminder(
            user_id, "assignment_due", later.astimezone(UTC), {"assignment": assignment_id}, now
        )
        return [Say(f"All right, I'll remind you again at {later:%H:%M}.")]

    # -- finishing ---------------------------------------------------------------------------
    def finished(self, client_id: int, flow_id: str, now: datetime) -> tuple[Notice, ...]:
        """A client finished a flow: close its homework, stop its reminders, tell the therapist."""
        notices: list[Notice] = []
        for a in self.rows.finish_assignments(client_id, flow_id, now):
            self.store.personal.cancel_reminders_about("assignment", a.id, now)
            link = self.rows.link(a.link_id)
            if link is None or link.revoked_at is not None:
                continue
            flow = self.catalog.get(flow_id)  # type: ignore[call-overload]
            title = flow.title if flow else flow_id
            notices.append(
                Notice(
                    a.therapist_id,
                    (Say(f"“{link.label}” finished “{title}” (due {when(a.due_at)})."),),
                )
            )
        return tuple(notices)

    def safety_alerts(self, client_id: int, now: datetime) -> tuple[Notice, ...]:
        """A minimal alert (that a card was shown, and when) to therapists the client allows."""
        at = now.astimezone(self.zone(client_id)).strftime("%a %-d %b, %H:%M")
        return tuple(
            Notice(
                link.therapist_id,
                (
                    Say(
                        f"A safety card was shown to “{link.label}” ({at}). Nothing they wrote"
                        " is shared; please follow up as you judge best."
                    ),
                ),
            )
            for link in self.rows.links_of_client(client_id)
            if link.scope in ("summaries", "full")
        )
