"""Therapists and their clients, as use cases: invite, consent, assign, remind, see what was done.

A therapist sees a client only through a live link, by the label the therapist gave, and only
as much as the client's consent scope allows (SCOPE_WORDS says it as the client reads it):
`status` (which homework was started and finished, when), `summaries` (also each closing
summary, without the client's typed words, and the time a safety card was shown), `full` (also
the typed words, and every answer). Private at every level: flows and steps marked `share:
never`. Only work since the link, unless the client shares earlier work too. Every view and
export is written to the audit table. Replies to other people go out as `Notice`s.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.engine import Button, Effect, Offer, Say
from bot.flows.model import Catalog, Lock
from bot.storage import Store
from bot.storage.practice import OPEN, THERAPIST, Assignment, Link

SCOPES = ("status", "summaries", "full")
SCOPE_WORDS = {
    "status": "which exercises and homework you started and finished, and when; none of your"
    " answers",
    "summaries": "that, and the short summary at the end of each exercise, with the choices you"
    " tapped but never the words you typed yourself, and the time a safety card was shown",
    "full": "that, and your answers and summaries including the words you typed yourself",
}
"""What each consent level shows, word for word as the client reads it. Never at any level: the
safety questions and your answers to them, your safety plan, and answers an exercise marks
private; and only what you do after linking, unless you choose to share earlier work too."""
NEVER_SHARED = (
    "Never shared at any level: the safety questions and your answers to them, your safety"
    " plan, and answers an exercise marks private. Only what you do after linking is shared,"
    " unless you choose to share earlier work too."
)
SCOPE_LABELS = {
    "status": "Status only",
    "summaries": "Status and summaries",
    "full": "Everything I answer",
    "none": "Stop sharing",
}
INVITE_DAYS = 7
NOT_ASSIGNABLE = {"getting-started", "readiness", "your-choices", "settle"}
WAKING = (time(9, 0), time(21, 0))
REMIND_AT = time(10, 0)
SNOOZE = timedelta(hours=3)
NUDGE_AFTER = timedelta(days=3)
DRAFT_WAITS = timedelta(minutes=30)
"""How long /assign waits for a typed date or note before it lets typing be typing again."""
ASSIGNMENT_KINDS = ("assignment_before", "assignment_due")
ZONES = {
    "us": "America/New_York", "gb": "Europe/London", "ie": "Europe/Dublin",
    "ca": "America/Toronto", "au": "Australia/Sydney", "nz": "Pacific/Auckland",
    "in": "Asia/Kolkata", "za": "Africa/Johannesburg", "de": "Europe/Berlin",
    "fr": "Europe/Paris", "es": "Europe/Madrid", "it": "Europe/Rome", "nl": "Europe/Amsterdam",
    "be": "Europe/Brussels", "at": "Europe/Vienna", "ch": "Europe/Zurich",
    "se": "Europe/Stockholm", "no": "Europe/Oslo", "dk": "Europe/Copenhagen",
    "fi": "Europe/Helsinki", "pt": "Europe/Lisbon", "pl": "Europe/Warsaw",
    "br": "America/Sao_Paulo", "mx": "America/Mexico_City", "jp": "Asia/Tokyo",
    "sg": "Asia/Singapore",
}  # fmt: skip
"""The time zone reminders keep to, from the country chosen at the start (UTC otherwise)."""

NOT_A_THERAPIST = (
    "That command is for therapists who work with this bot. If you are one, the person who runs"
    " it can add you. If you were given a link by your therapist, just open it."
)
_DATE = re.compile(
    r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$|^\s*(\d{1,2})[./](\d{1,2})(?:[./](\d{4}))?\s*$"
)


@dataclass(frozen=True)
class Notice:
    """Something to send to another person (a therapist, or a client)."""

    user_id: int
    effects: tuple[Effect, ...]


@dataclass(frozen=True)
class Reply:
    """What the acting person sees, and what others are told."""

    effects: list[Effect]
    notices: tuple[Notice, ...] = ()


def _when(day: str) -> str:
    return date.fromisoformat(day[:10]).strftime("%a %-d %b")


class Practice:
    """The therapist side of the bot."""

    def __init__(
        self,
        store: Store,
        catalog: Catalog,
        lock: Callable[[int, str], Lock | None],
        therapist_ids: Iterable[int] = (),
    ) -> None:
        self.store = store
        self.rows = store.practice
        self.catalog = catalog
        self.lock = lock
        self.configured = frozenset(therapist_ids)

    # -- who is who --------------------------------------------------------------------------
    def is_therapist(self, user_id: int) -> bool:
        """True for people the operator made therapists (setting or CLI); never self-made."""
        return user_id in self.configured or self.rows.role(user_id)[0] == THERAPIST

    def name_of(self, therapist_id: int) -> str:
        """How a therapist is named to clients."""
        return self.rows.role(therapist_id)[1] or "Your therapist"

    def zone(self, user_id: int) -> ZoneInfo:
        """The person's time zone: the one they chose, else their country's, else UTC."""
        chosen = self.rows.timezone(user_id)
        if chosen:
            return ZoneInfo(chosen)
        kept = self.store.memory_of(user_id).get("country")
        return ZoneInfo(ZONES.get(str(kept["value"]) if kept else "", "UTC"))

    def ask_zone(self, user_id: int) -> Offer:
        """The one question about time: is the zone we guessed right?"""
        zone = self.zone(user_id).key
        return Offer(
            f"Reminders about homework come at 10:00 your time. I have {zone} for you: is that"
            " right?",
            (Button("That's right", f"tz:set:{zone}"), Button("Choose another", "tz:list:")),
        )

    def choose_zone(self, user_id: int, action: str) -> list[Effect]:
        """The list of zones, or the chosen one kept."""
        _, what, zone = action.split(":", 2)
        if what == "set" and zone in set(ZONES.values()) | {"UTC"}:
            self.rows.set_timezone(user_id, zone)
            return [Say(f"Thank you: reminders keep to {zone} time.")]
        zones = [*sorted(set(ZONES.values())), "UTC"]
        return [Offer("Which is closest to you?", tuple(Button(z, f"tz:set:{z}") for z in zones))]

    # -- invites -----------------------------------------------------------------------------
    def invite(self, therapist_id: int, label: str, bot_name: str, now: datetime) -> list[Effect]:
        """A single-use deep link for a new client, valid for a week."""
        label = (
            " ".join(label.split())[:40]
            or f"client {len(self.rows.links_of_therapist(therapist_id)) + 1}"
        )
        code = "i" + secrets.token_urlsafe(24)  # 33 characters of A-Za-z0-9_-: unguessable
        self.rows.add_invite(code, therapist_id, label, now, now + timedelta(days=INVITE_DAYS))
        link = f"https://t.me/{bot_name}?start={code}"
        return [
            Say(
                f"Here is a link for “{label}”. Send it to them yourself; it works once, for"
                f" {INVITE_DAYS} days. They'll choose what you may see.\n\n{link}"
            )
        ]

    def open_invite(self, client_id: int, code: str, now: datetime) -> list[Effect]:
        """The invitation as the client sees it: who, and exactly what each level shares."""
        invite = self.rows.invite(code)
        if invite is None:
            return [Say("That link isn't a valid invitation. Please ask your therapist again.")]
        if invite.used_at is not None:
            return [
                Say("This invitation has already been used. Ask your therapist for a new link.")
            ]
        if datetime.fromisoformat(invite.expires_at) < now:
            return [Say("This invitation has expired. Ask your therapist for a new link.")]
        if invite.therapist_id == client_id:
            return [Say("That's your own invitation: send it to your client.")]
        name = self.name_of(invite.therapist_id)
        levels = "\n".join(f"• {SCOPE_LABELS[s]}: {SCOPE_WORDS[s]}." for s in SCOPES)
        text = (
            f"{name} invites you to share your progress here with them.\n\nYou choose how much:"
            f"\n{levels}\n\n{NEVER_SHARED}\n\nYou can change this or stop sharing at any time"
            " with /therapist. Nothing is shared unless you choose."
        )
        buttons = [Button(SCOPE_LABELS[s], f"acc:{s}:{code}") for s in SCOPES]
        buttons.append(Button("No thanks", f"acc:none:{code}"))
        return [Offer(text, tuple(buttons))]

    def accept(self, client_id: int, scope: str, code: str, now: datetime) -> Reply:
        """The client's choice on an invitation."""
        invite = self.rows.invite(code)
        if invite is None or invite.therapist_id == client_id:
            return Reply([Say("That invitation isn't valid.")])
        if datetime.fromisoformat(invite.expires_at) < now:
            return Reply([Say("This invitation has expired. Ask your therapist for a new link.")])
        if scope == "none":
            return Reply([Say("All right: nothing is shared. The link still works for a while.")])
        if scope not in SCOPES or not self.rows.use_invite(code, client_id, now):
            return Reply([Say("This invitation has already been used. Ask for a new link.")])
        self.store.touch_user(client_id, now)
        self.rows.add_link(invite.therapist_id, client_id, invite.label, scope, now)
        name = self.name_of(invite.therapist_id)
        told = Notice(
            invite.therapist_id,
            (Say(f"“{invite.label}” accepted your invitation, sharing: {SCOPE_LABELS[scope]}."),),
        )
        linked = Say(
            f"You're linked with {name}, sharing: {SCOPE_LABELS[scope]}. /therapist changes it."
        )
        first_time = self.rows.timezone(client_id) is None
        return Reply([linked, self.ask_zone(client_id)] if first_time else [linked], (told,))

    # -- the client's view -------------------------------------------------------------------
    def client_links(self, client_id: int) -> list[Effect]:
        """/therapist: who the person shares with, and buttons to change or stop it."""
        links = self.rows.links_of_client(client_id)
        if not links:
            return [
                Say(
                    "You aren't sharing anything with a therapist. If yours sends you a link,"
                    " open it to choose."
                )
            ]
        effects: list[Effect] = []
        for link in links:
            since = (
                "everything, including what you did before you linked"
                if link.share_earlier
                else f"only what you have done since you linked ({_when(link.created_at)})"
            )
            text = (
                f"{self.name_of(link.therapist_id)} sees: {SCOPE_LABELS[link.scope]}"
                f" ({SCOPE_WORDS[link.scope]}), from {since}.\n{NEVER_SHARED}"
                "\nChange it, or stop sharing:"
            )
            buttons = tuple(
                Button(SCOPE_LABELS[s], f"scope:{link.id}:{s}")
                for s in (*SCOPES, "none")
                if s != link.scope
            )
            earlier = (
                Button("Only from the link on", f"early:{link.id}:off")
                if link.share_earlier
                else Button("Share earlier work too", f"early:{link.id}:on")
            )
            effects.append(Offer(text, (*buttons, earlier)))
        return effects

    def share_earlier(self, client_id: int, link_id: int, on: bool) -> Reply:
        """The client chooses whether work done before the link is shared too."""
        link = self.rows.link(link_id)
        if link is None or link.client_id != client_id or link.revoked_at is not None:
            return Reply([Say("That sharing has already ended.")])
        self.rows.set_share_earlier(link_id, on)
        if on:
            notice = Notice(
                link.therapist_id, (Say(f"“{link.label}” now shares earlier work too."),)
            )
            return Reply(
                [Say("Done: your earlier work is shared too, at the same level.")], (notice,)
            )
        return Reply([Say("Done: only what you do from the link on is shared.")])

    def change_scope(self, client_id: int, link_id: int, scope: str, now: datetime) -> Reply:
        """The client changes or withdraws consent."""
        link = self.rows.link(link_id)
        if link is None or link.client_id != client_id or link.revoked_at is not None:
            return Reply([Say("That sharing has already ended.")])
        if scope not in (*SCOPES, "none"):
            return Reply([])
        self.rows.set_scope(link_id, scope, now)
        if scope == "none":
            self.rows.close_assignments(link_id)
            for a in self.rows.assignments_of_link(link_id):
                self.store.personal.cancel_reminders_about("assignment", a.id, now)
            notice = Notice(link.therapist_id, (Say(f"“{link.label}” stopped sharing with you."),))
            return Reply(
                [Say("Done: nothing more is shared, and their homework reminders stop.")], (notice,)
            )
        notice = Notice(
            link.therapist_id,
            (Say(f"“{link.label}” now shares: {SCOPE_LABELS[scope]}."),),
        )
        return Reply([Say(f"Done: sharing {SCOPE_LABELS[scope]}.")], (notice,))

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
        """/assign's buttons: the client, the flow, the due date, the note."""
        draft = self.rows.draft(therapist_id)
        if draft is None:
            return Reply([Say("Start again with /assign.")])
        _, what, value = action.split(":", 2)
        if what == "c":
            link = self.rows.link(int(value))
            if link is None or link.therapist_id != therapist_id or link.revoked_at:
                return Reply([Say("That client is no longer linked.")])
            self.rows.set_draft(therapist_id, {"link": link.id})
            buttons = tuple(Button(title, f"as:f:{fid}") for fid, title in self.assignable())
            return Reply([Offer(f"Which conversation for “{link.label}”?", buttons)])
        if what == "f" and "link" in draft and value in self.catalog:
            self.rows.set_draft(therapist_id, {**draft, "flow": value, "at": now.isoformat()})
            buttons = (
                Button("Tomorrow", "as:d:1"),
                Button("In 3 days", "as:d:3"),
                Button("In a week", "as:d:7"),
            )
            return Reply(
                [Offer("When is it due? Tap one, or type a date like 2026-12-24.", buttons)]
            )
        if what == "d" and "flow" in draft:
            day = self._local_day(therapist_id, now) + timedelta(days=int(value))
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
                return Reply([Say("Please type a date like 2026-12-24 or 24.12, or tap a button.")])
            return self._ask_note(therapist_id, draft, day)
        return self._assign(therapist_id, draft, text.strip()[:500], now)

    def _ask_note(self, therapist_id: int, draft: dict, day: date) -> Reply:
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

    def _assign(self, therapist_id: int, draft: dict, note: str, now: datetime) -> Reply:
        self.rows.set_draft(therapist_id, None)
        link = self.rows.link(int(draft["link"]))
        flow = self.catalog.get(draft["flow"])  # type: ignore[call-overload]
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
        text = (
            f"{name} has suggested an exercise for you: “{flow.title}”, by {_when(draft['due'])}."
        )
        if note:
            text += f"\n\nTheir note: {note}"
        start = (Button("Start it now", f"go:{flow.id}"),)
        notice = Notice(link.client_id, (Offer(text, start),))
        return Reply(
            [Say(f"Sent to “{link.label}”: “{flow.title}”, due {_when(draft['due'])}.")], (notice,)
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

    # -- reminders ---------------------------------------------------------------------------
    def may_remind(self, user_id: int, flow_id: str) -> bool:
        """False when the person declined reminders, or their safety answers close the flow:
        nothing then points them back to it."""
        wants = self.store.memory_of(user_id).get("consent_reminders", {}).get("value")
        lock = self.lock(user_id, flow_id)
        return wants != "reminders_no" and not (lock is not None and lock.safety)

    def reminder(self, user_id: int, kind: str, payload: dict) -> list[Effect] | None:
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
                    (Say(f"“{link.label}” finished “{title}” (due {_when(a.due_at)})."),),
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

    # -- what the therapist sees -------------------------------------------------------------
    def clients(self, therapist_id: int, now: datetime) -> list[Effect]:
        """/clients: each client's label, open homework, due dates, status and last activity."""
        links = self.rows.links_of_therapist(therapist_id)
        if not links:
            return [Say("No linked clients yet. /invite makes a link for one.")]
        lines = []
        for link in links:
            self.rows.audit(therapist_id, link.client_id, "clients", now)
            homework = self.rows.assignments_of_link(link.id)
            open_ = [a for a in homework if a.status == OPEN]
            done = [a for a in homework if a.status == "done"]
            last = self.rows.last_activity(link.client_id)
            parts = [f"• {link.label} ({SCOPE_LABELS[link.scope].lower()})"]
            parts += [f"   open: {self._title(a.flow_id)}, due {_when(a.due_at)}" for a in open_]
            parts += [
                f"   done: {self._title(a.flow_id)} on {(a.completed_at or '')[:10]}"
                for a in done[:3]
            ]
            parts.append(f"   last active: {last[:10] if last else 'not yet'}")
            lines.append("\n".join(parts))
        return [Say("Your clients:\n\n" + "\n\n".join(lines))]

    def _title(self, flow_id: str) -> str:
        flow = self.catalog.get(flow_id)  # type: ignore[call-overload]
        return flow.title if flow else flow_id

    def find_link(self, therapist_id: int, label: str) -> tuple[Link | None, bool]:
        """(live link with that label, whether a withdrawn one exists)."""
        wanted = " ".join(label.split()).casefold()
        live = [
            k for k in self.rows.links_of_therapist(therapist_id) if k.label.casefold() == wanted
        ]
        if live:
            return live[0], False
        return None, self.rows.has_withdrawn(therapist_id, wanted)

    def assignments(self, link: Link) -> list[Assignment]:
        """Every assignment under a link."""
        return self.rows.assignments_of_link(link.id)
