"""Homework: /assign's steps (client, conversation, due date, note) and its reminders' times."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.engine import Button, Effect, Offer, Say
from bot.engine.numbers import small_int
from bot.storage.practice import Link
from bot.usecases.practice.base import REMIND_AT, PracticeBase, when
from bot.usecases.practice.due import due_for, refusal, spoken, today_in
from bot.usecases.replies import Notice, Reply

NOT_ASSIGNABLE = {"getting-started", "readiness", "your-choices", "settle"}
DUE_IN_DAYS = {1: "Tomorrow", 3: "In 3 days", 7: "In a week"}
"""The due dates /assign offers as buttons (any other date is typed)."""
ASSIGN_AGAIN = "as:new"
"""The action of a button that does what /assign does."""
EXAMPLES = (
    "You could type, for example: friday, next monday, tomorrow, in 5 days, in 2 weeks,"
    " or 2026-12-24 — or tap a button."
)
TYPE_A_DATE = f"I couldn't read that as a day. {EXAMPLES}"
"""The kind word for a due date that names no day (typed, or a forged button)."""
WHEN_DUE = "When is it due? Tap one, or type a day: friday, in 5 days, 2026-12-24…"
YES = frozenset({"yes", "y", "yes please", "yep", "yeah", "right", "correct", "that's right"})
NO = frozenset({"no", "n", "change", "change it", "nope", "wrong"})
DRAFT_WAITS = timedelta(minutes=30)
"""How long /assign waits for a typed date or note before it lets typing be typing again."""


class Homework(PracticeBase):
    """A therapist assigns a conversation, with a due date and a note."""

    # -- assigning ---------------------------------------------------------------------------
    def assignable(self) -> list[tuple[str, str]]:
        """(flow id, title) of the conversations a therapist can assign."""
        flows = sorted(self.catalog.values(), key=lambda f: (f.order, f.title))
        return [(f.id, f.title) for f in flows if f.id not in NOT_ASSIGNABLE and not f.params]

    def start_assign(self, therapist_id: int, label: str, now: datetime) -> list[Effect]:
        """/assign [LABEL], step one: which client (by a part of their label, or tapped)."""
        picked = self.pick_client(
            therapist_id,
            label,
            "as:c",
            "Which client is this homework for?",
            ", so homework cannot be sent.",
        )
        self.rows.set_draft(therapist_id, {})
        if isinstance(picked, list):
            return picked
        return self._chose_client(therapist_id, picked)

    def _chose_client(self, therapist_id: int, link: Link) -> list[Effect]:
        self.rows.set_draft(therapist_id, {"link": link.id})
        buttons = tuple(Button(title, f"as:f:{fid}") for fid, title in self.assignable())
        return [Offer(f"Which conversation for “{link.label}”?", buttons)]

    def assign_step(self, therapist_id: int, action: str, now: datetime) -> Reply:
        """/assign's buttons: the client, the flow, the due date, the note (`as:new`, the
        therapist's /start button, begins again with the client)."""
        if action == ASSIGN_AGAIN:
            return Reply(self.start_assign(therapist_id, "", now))
        draft = self.rows.draft(therapist_id)
        if draft is None:
            return Reply([Say("Start again with /assign.")])
        _, _, rest = action.partition(":")
        what, _, value = rest.partition(":")
        if what == "c":
            link = self.own_link(therapist_id, small_int(value))
            if link is None:
                return Reply([Say("That client is no longer linked.")])
            return Reply(self._chose_client(therapist_id, link))
        if what == "f" and "link" in draft and value in self.catalog:
            self.rows.set_draft(therapist_id, {**draft, "flow": value, "at": now.isoformat()})
            return Reply([self._ask_due()])
        if what == "d" and "flow" in draft:
            days = small_int(value)
            if days is None or days not in DUE_IN_DAYS:
                return Reply([Say(TYPE_A_DATE)])
            day = self._client_today(draft, now) + timedelta(days=days)
            return self._ask_note(therapist_id, draft, day, now)
        if what == "y" and "maybe" in draft:
            if value != draft["maybe"]:  # a Yes under a date typed before the last one
                return Reply([self._read_back(date.fromisoformat(draft["maybe"]))])
            return self._ask_note(therapist_id, draft, date.fromisoformat(value), now)
        if what == "x" and "flow" in draft:
            rest_of = {k: v for k, v in draft.items() if k not in ("maybe", "due")}
            self.rows.set_draft(therapist_id, {**rest_of, "at": now.isoformat()})
            return Reply([self._ask_due()])
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
            return self._typed_due(therapist_id, draft, text, now)
        return self._assign(therapist_id, draft, text.strip()[:500], now)

    def _typed_due(
        self, therapist_id: int, draft: dict[str, Any], text: str, now: datetime
    ) -> Reply:
        """A typed due date, read in the client's zone and read back before it is kept; "yes"
        or "no" typed to the read-back work like its buttons."""
        answer = " ".join(text.split()).casefold().rstrip(".!")
        if "maybe" in draft and answer in YES:
            return self._ask_note(therapist_id, draft, date.fromisoformat(draft["maybe"]), now)
        if "maybe" in draft and answer in NO:
            return self.assign_step(therapist_id, "as:x:", now)
        link = self.rows.link(int(draft["link"]))
        if link is None:
            return Reply([Say("That client is no longer linked.")])
        zone = self.zone(link.client_id)
        day = due_for(text, now, zone)
        if day is None:
            return Reply([Say(TYPE_A_DATE)])
        why = refusal(day, today_in(now, zone))
        if why is not None:
            return Reply([Say(f"{why} {EXAMPLES}")])
        self.rows.set_draft(
            therapist_id, {**draft, "maybe": day.isoformat(), "at": now.isoformat()}
        )
        return Reply([self._read_back(day)])

    @staticmethod
    def _read_back(day: date) -> Offer:
        return Offer(
            f"Due {spoken(day)}, in the client's time zone. Is that right?",
            (Button("Yes", f"as:y:{day.isoformat()}"), Button("Change", "as:x:")),
        )

    @staticmethod
    def _ask_due() -> Offer:
        buttons = tuple(Button(label, f"as:d:{days}") for days, label in DUE_IN_DAYS.items())
        return Offer(WHEN_DUE, buttons)

    def _client_today(self, draft: dict[str, Any], now: datetime) -> date:
        link = self.rows.link(int(draft["link"]))
        return today_in(now, self.zone(link.client_id) if link is not None else ZoneInfo("UTC"))

    def _ask_note(
        self, therapist_id: int, draft: dict[str, Any], day: date, now: datetime
    ) -> Reply:
        self.rows.set_draft(therapist_id, {**draft, "due": day.isoformat(), "at": now.isoformat()})
        return Reply(
            [
                Offer(
                    f"Due {spoken(day)}. Add a note for them? Type it, or tap “No note”.",
                    (Button("No note", "as:n:-"),),
                )
            ]
        )

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
