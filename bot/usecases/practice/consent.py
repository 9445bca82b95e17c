"""Consent: invitations, the client's choice of what a therapist may see, and changing it.

Each level's words (SCOPE_WORDS) are what the client reads, and the therapist's report holds
exactly that (bot.documents.report). Private at every level: flows and steps marked `share:
never`. Only work since the link, unless the client shares earlier work too.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bot.engine import Button, Effect, Offer, Say
from bot.usecases.practice.base import PracticeBase, when
from bot.usecases.replies import OLD_BUTTON, Notice, Reply

SCOPES = ("status", "summaries", "full")
SCOPE_WORDS = {
    "status": "which exercises and homework you started and finished, and when; none of your"
    " answers",
    "summaries": "that, and the short summary at the end of each exercise, with the choices you"
    " tapped but never the words you typed yourself, and the time a safety card was shown",
    "full": "that, and your answers and summaries including the words you typed yourself",
}
"""What each consent level shows, word for word as the client reads it."""
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


class Consent(PracticeBase):
    """Invitations and the client's consent."""

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
                else f"only what you have done since you linked ({when(link.created_at)})"
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

    def share_earlier(self, client_id: int, link_id: int, on: bool, now: datetime) -> Reply:
        """The client chooses whether work done before the link is shared too."""
        link = self.rows.link(link_id)
        if link is None or link.client_id != client_id or link.revoked_at is not None:
            return Reply([Say("That sharing has already ended.")])
        self.rows.set_share_earlier(link_id, on, now)
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
            return Reply([Say(OLD_BUTTON)])
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
