"""Homework: /assign's steps (client, conversation, due date, note) and its reminders' times."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.engine import Button, Effect, Offer, Say
from bot.engine.numbers import small_int
from bot.usecases.practice.base import REMIND_AT, PracticeBase, when
from bot.usecases.replies import Notice, Reply

NOT_ASSIGNABLE = {"getting-started", "readiness", "your-choices", "settle"}
DUE_IN_DAYS = {1: "Tomorrow", 3: "In 3 days", 7: "In a week"}
"""The due dates /assign offers as buttons (any other date is typed)."""
ASSIGN_AGAIN = "as:new"
"""The action of a button that does what /assign does."""
TYPE_A_DATE = "Please type a date like 2026-12-24 or 24.12, or tap a button."
DRAFT_WAITS = timedelta(minutes=30)
"""How long /assign waits for a typed date or note before it lets typing be typing again."""
_DATE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$|^\s*(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?\s*$"
)


class Homework(PracticeBase):
    """A therapist assigns a conversation, with a due date and a note."""

    # -- assigning ---------------------------------------------------------------------------
    def assignable(self) -> list[tuple[str, str]]:
        """(flow id, title) of the conversations a therapist can assign."""
        flows = sorted(self.catalog.values(), key=lambda f: (f.order, f.title))
        return [(f.id, f.title) for f in flows if f.id not in NOT_ASSIGNABLE and not f.params]

    def start_assign(self, therapist_id: int) -> list[Effect]:
        """/assign, step one: which client."""
        links = self.rows.links_of_therapist(therapist_id)
        if not links:
            return [Say("You have no linked clients yet. /invite makes a link for one.")]
        self.rows.set_draft(therapist_id, {})
        buttons = tuple(Button(link.label, f"as:c:{link.id}") for link in links)
        return [Offer("Which client is this homework for?", buttons)]

    def assign_step(self, therapist_id: int, action: str, now: datetime) -> Reply:
        """/assign's buttons: the client, the flow, the due date, the note (`as:new`, the
        therapist's /start button, begins again with the client)."""
        if action == ASSIGN_AGAIN:
            return Reply(self.start_assign(therapist_id))
        draft = self.rows.draft(therapist_id)
        if draft is None:
            return Reply([Say("Start again with /assign.")])
        _, _, rest = action.partition(":")
        what, _, value = rest.partition(":")
        if what == "c":
            link_id = small_int(value)
            link = self.rows.link(link_id) if link_id is not None else None
            if link is None or link.therapist_id != therapist_id or link.revoked_at:
                return Reply([Say("That client is no longer linked.")])
            self.rows.set_draft(therapist_id, {"link": link.id})
            buttons = tuple(Button(title, f"as:f:{fid}") for fid, title in self.assignable())
            return Reply([Offer(f"Which conversation for “{link.label}”?", buttons)])
        if what == "f" and "link" in draft and value in self.catalog:
            self.rows.set_draft(therapist_id, {**draft, "flow": value, "at": now.isoformat()})
            buttons = tuple(Button(label, f"as:d:{days}") for days, label in DUE_IN_DAYS.items())
            return Reply(
                [Offer("When is it due? Tap one, or type a date like 2026-12-24.", buttons)]
            )
        if what == "d" and "flow" in draft:
            days = small_int(value)
            if days is None or days not in DUE_IN_DAYS:
                return Reply([Say(TYPE_A_DATE)])
            day = self._local_day(therapist_id, now) + timedelta(days=days)
            return self._ask_note(therapist_id, draft, day)
        if what == "n" and "due" in draft:
            return self._assign(therapist_id, draft, "", now)
        return Reply([Say("Start again with /assign.")])

    def typed(self, therapist_id: int, text: str, now: datetime) -> Reply | None:
        """Typed text while /assign waits for a date or a note; None when it isn't waiting."""
        if not self.is_therapist(therapist_id):
            return None
        draft = self.rows.draft(therapist_id)
        if not draft or "flow" not in draft:
            return None
        if now - datetime.fromisoformat(draft["at"]) > DRAFT_WAITS:
            # An /assign left half-way must not swallow what they type much later.
            self.rows.set_draft(therapist_id, None)
            return None
        if "due" not in draft:
            day = self._parse_day(text, self._local_day(therapist_id, now))
            if day is None:
                return Reply([Say(TYPE_A_DATE)])
            return self._ask_note(therapist_id, draft, day)
        return self._assign(therapist_id, draft, text.strip()[:500], now)

    def _ask_note(self, therapist_id: int, draft: dict[str, Any], day: date) -> Reply:
        self.rows.set_draft(therapist_id, {**draft, "due": day.isoformat()})
        return Reply(
            [
                Offer(
                    "Add a note for them? Type it, or tap “No note”.",
                    (Button("No note", "as:n:-"),),
                )
            ]
        )

    def _local_day(self, user_id: int, now: datetime) -> date:
        return now.astimezone(self.zone(user_id)).date()

    @staticmethod
    def _parse_day(text: str, today: date) -> date | None:
        found = _DATE.match(text)
        if not found:
            return None
        try:
            if found.group(1):
                day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
            else:
                year = int(found.group(6) or today.year)
                day = date(year, int(found.group(5)), int(found.group(4)))
                if not found.group(6) and day < today:
                    day = date(year + 1, day.month, day.day)
        except ValueError:
            return None
        return day if day >= today else None

    def _assign(self, therapist_id: int, draft: dict[str, Any], note: str, now: datetime) -> Reply:
        self.rows.set_draft(therapist_id, None)
        link = self.rows.link(int(draft["link"]))
        flow = self.catalog.get(draft["flow"])
        if link is None or link.revoked_at or flow is None:
            return Reply([Say("That client is no longer linked.")])
        lock = self.lock(link.client_id, flow.id)
        if lock is not None and lock.safety:
            why = f" The reason: {lock.because}" if link.scope == "full" else ""
            return Reply([Say(f"“{flow.title}” could not be opened for “{link.label}”.{why}")])
        due_day = date.fromisoformat(draft["due"])
        zone = self.zone(link.client_id)
        due = datetime.combine(due_day, time(23, 59), zone).astimezone(UTC)
        assignment_id = self.rows.add_assignment(link, flow.id, note, due, now)
        self._schedule(link.client_id, assignment_id, due_day, zone, now)
        name = self.name_of(therapist_id)
        text = f"{name} has suggested an exercise for you: “{flow.title}”, by {when(draft['due'])}."
        if note:
            text += f"\n\nTheir note: {note}"
        start = (Button("Start it now", f"go:{flow.id}"),)
        notice = Notice(link.client_id, (Offer(text, start),))
        return Reply(
            [Say(f"Sent to “{link.label}”: “{flow.title}”, due {when(draft['due'])}.")], (notice,)
        )

    def _schedule(
        self, client_id: int, assignment_id: int, due: date, zone: ZoneInfo, now: datetime
    ) -> None:
        """A reminder the day before and on the day, at 10:00 their time, if still ahead."""
        for kind, day in (("assignment_before", due - timedelta(days=1)), ("assignment_due", due)):
            at = datetime.combine(day, REMIND_AT, zone).astimezone(UTC)
            if at > now:
                self.store.personal.add_reminder(
                    client_id, kind, at, {"assignment": assignment_id}, now
                )
