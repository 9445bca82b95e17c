"""The safety path as use cases: what happens when the screen finds something, /sos, /safety.

The open exercise is paused and saved, never continued on its own; the person gets a warm word
and one direct question; their answer brings the card for their country. Only the category,
the severity and which text was shown are recorded, never what the person wrote. The service
calls these inside its transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.engine import ClearChat, Effect, Offer, Say
from bot.safety import responses
from bot.safety.screen import Flag
from bot.storage import PAUSED, RunRecord, Store
from bot.storage.disclosures import Disclosure
from bot.usecases.replies import OLD_BUTTON
from bot.usecases.screening import Screen, learned_screen

SAFETY_PLAN = "safety-plan"
GROUNDING = "grounding"
READINESS = "readiness"
FIRST_QUESTIONS = frozenset({"getting-started", READINESS, "your-choices", "safety"})
"""Where the safety answers come from: kept when the journal and plan are erased, so that the
exercises that could make things harder stay closed."""
REVIEW_AFTER = timedelta(days=14)
"""A disclosure is asked about again on its own no sooner than this, and no more often."""
UNSAFE_ANSWERS = ("sometimes", "often")
FOLLOW_UP = "follow_up"
FOLLOW_UP_AFTER = timedelta(days=1)
CLEARABLE = timedelta(hours=48)
"""Telegram lets a bot delete messages in a private chat only while they are younger than this."""
PLAN_PARTS = {
    "plan_signs": "Warning signs",
    "plan_places": "Safe places I can go",
    "plan_people": "People I can contact",
    "plan_code_word": "My code word",
    "plan_bag": "My bag and documents",
    "plan_numbers": "Numbers to keep written down",
    "plan_calm": "What helps me calm down",
    "plan_professionals": "Professionals and services",
    "plan_means": "Making things safer",
}
PLAN_EMPTY = (
    "Your safety plan is a short list you fill in once, for the hard moments: warning signs,"
    " what calms you, people and places, and professionals. It stays here for you."
)
PLAN_HEAD = "Your safety plan"
_YES = re.compile(r"^\s*(yes|yeah|yep|y|ja|si|oui|i am|i do)\b", re.IGNORECASE)
_NO = re.compile(r"^\s*(no|nope|nah|n|not really|i am not|i'm not)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    """What a safety action asks the service to do besides replying."""

    effects: list[Effect]
    start_flow: str | None = None
    resume: bool = False
    alert: bool = False
    """A crisis card was shown: linked therapists who may know are told (never what)."""


class SafetyPath:
    """The safety path over the store."""

    def __init__(self, store: Store, screen: Screen | None = None) -> None:
        self.store = store
        self.personal = store.personal
        self.screen = screen or learned_screen

    def country(self, user_id: int) -> str | None:
        """The country the person chose at the start, for their helplines."""
        kept = self.store.memory_of(user_id).get("country")
        return str(kept["value"]) if kept else None

    # -- disclosures -------------------------------------------------------------------------
    def disclose(
        self, user_id: int, category: str, source: str, run_id: int | None, now: datetime
    ) -> None:
        """Keep what the person told of danger, apart from every answer: no later answer can
        undo it, only their clear word, asked on its own two weeks or more later."""
        self.store.disclosures.add(user_id, category, source, run_id, now)

    def disclosed(self, user_id: int) -> str:
        """The category of the person's newest open disclosure, "stopped" when they said all
        of it has stopped (it holds until the safety questions are answered), or "none"."""
        found = self.store.disclosures.open(user_id)
        if not found:
            return "none"
        return "stopped" if all(d.stopped for d in found) else found[0].category

    def review_due(self, user_id: int, now: datetime) -> Disclosure | None:
        """The newest open disclosure, when it is time to ask whether it still holds."""
        found = self.store.disclosures.open(user_id)
        if not found:
            return None
        newest = found[0]
        if now - newest.disclosed_at < REVIEW_AFTER:
            return None
        asked = max((d.reviewed_at for d in found if d.reviewed_at), default=None)
        if asked is not None and now - asked < REVIEW_AFTER:
            return None
        return newest

    def review(self, user_id: int, now: datetime) -> Offer | None:
        """The question that names the disclosure ("Two weeks ago you told me…"), when due."""
        due = self.review_due(user_id, now)
        if due is None:
            return None
        return responses.review(due.category, _ago(due.disclosed_at, now))

    def _reviewed(self, user_id: int, answer: str, now: datetime) -> Step:
        if answer not in responses.REVIEW_ANSWERS or self.review_due(user_id, now) is None:
            return Step([Say(responses.say("review_not_now"))])
        if answer == "stopped":
            # The safety questions once more: nothing reopens before they are answered clearly.
            self.store.disclosures.stopped(user_id, now)
            return Step([Say(responses.on_review(answer))], start_flow=READINESS)
        self.store.disclosures.reviewed(user_id, now)
        names = ["plan", "ground"] if answer == "still" else []
        return Step([Offer(responses.on_review(answer), responses.offer_buttons(names))])

    def raised(self, user_id: int) -> str | None:
        """What the person last raised: "violence" (fear or harm) or "crisis" (suicide)."""
        times: dict[str, datetime] = {}
        found = self.store.disclosures.open(user_id)
        if found:
            times["violence"] = found[0].disclosed_at
        kept = self.store.memory_of(user_id)
        for name in ("afraid", "harmed"):
            at = self.store.kept_at(user_id, name)
            if kept.get(name, {}).get("value") in UNSAFE_ANSWERS and at is not None:
                times["violence"] = max(times.get("violence", at), at)
        for at_text, category, _severity, _shown in self.personal.safety_events(user_id):
            if category == "suicide":
                times["crisis"] = datetime.fromisoformat(at_text)
        return max(times, key=lambda k: times[k]) if times else None

    # -- the path ----------------------------------------------------------------------------
    def pause(self, user_id: int, active: RunRecord | None, now: datetime) -> bool:
        """Pause the open exercise, to reopen when the person chooses; True if one was open."""
        if active is None:
            return False
        self.store.set_status(active.id, PAUSED, now)
        self.store.set_active(user_id, None)
        self.personal.set_pending(user_id, None, active.id)
        return True

    def screened(
        self, user_id: int, text: str, now: datetime, active: RunRecord | None
    ) -> list[Effect] | None:
        """The reply when the screen finds something in a message; None when it finds nothing."""
        flag = self.screen(text)
        if flag is None:
            return None
        return self.flagged(user_id, flag, now, active)

    def flagged(
        self, user_id: int, flag: Flag, now: datetime, active: RunRecord | None
    ) -> list[Effect]:
        """Pause, record the category, and ask the category's one direct question."""
        paused = self.pause(user_id, active, now)
        reply = responses.on_flag(flag, self.country(user_id), paused)
        self._keep(user_id, reply, now)
        self.personal.set_pending(user_id, reply.waiting, None)
        self.personal.add_safety_event(user_id, flag.category, flag.severity, reply.shown, now)
        return [reply.offer]

    def ask(self, user_id: int, category: str, now: datetime) -> list[Effect]:
        """After a choice in an exercise that told of danger: the one direct question."""
        reply = responses.question(category)
        self.personal.set_pending(user_id, reply.waiting, None)
        self.personal.add_safety_event(user_id, reply.waiting or category, "", reply.shown, now)
        return [reply.offer]

    def typed_while_waiting(self, user_id: int, text: str, now: datetime) -> list[Effect] | None:
        """A typed yes or no answers the waiting question; anything else asks again, kindly."""
        waiting, _ = self.personal.pending(user_id)
        if waiting is None:
            return None
        answer = "y" if _YES.match(text) else "n" if _NO.match(text) else None
        if answer is None:
            return [Say(responses.say("pending_again"))]
        verb = "chk" if waiting == "violence_check" else "ans"
        category = "violence" if waiting == "violence_check" else waiting
        return self.act(user_id, f"{verb}:{category}:{answer}", now).effects

    def act(self, user_id: int, action: str, now: datetime) -> Step:
        """A button of the safety path was pressed (or a yes/no typed)."""
        country = self.country(user_id)
        _, paused_run = self.personal.pending(user_id)
        can_resume = paused_run is not None
        verb, _, rest = action.partition(":")
        stale = Step([Say(OLD_BUTTON)])
        if verb == "chk":
            if rest not in ("violence:y", "violence:n"):
                return stale
            reply = responses.on_check(rest.endswith(":y"), can_resume)
            self._keep(user_id, reply, now)
            self.personal.set_pending(user_id, reply.waiting, None)
            self.personal.add_safety_event(user_id, "violence", "unclear", reply.shown, now)
            return Step([reply.offer])
        if verb == "ans":
            category, _, answer = rest.partition(":")
            if category not in responses.texts()["categories"] or answer not in ("y", "n"):
                return stale
            reply = responses.on_answer(category, answer == "y", country, can_resume)
            self._keep(user_id, reply, now)
            self.personal.set_pending(user_id, None, None)
            self.personal.add_safety_event(user_id, category, "", reply.shown, now)
            crisis = category not in ("affair", "addiction")
            return Step([reply.offer], alert=crisis and answer == "y")
        if verb == "follow":
            self.personal.cancel_reminders(user_id, FOLLOW_UP, now)
            self.personal.add_reminder(user_id, FOLLOW_UP, now + FOLLOW_UP_AFTER, {}, now)
            return Step([Say(responses.say("follow_up_set"))])
        if verb == "clear":
            stored = self.personal.shown_on_the_phone(user_id, set(FIRST_QUESTIONS))
            return Step([ClearChat(), responses.after_clear(stored)])
        if verb == "wipe":
            self.personal.erase_journal(user_id, set(FIRST_QUESTIONS))
            return Step([Say(responses.say("wiped"))])
        if verb == "keep":
            return Step([Say(responses.say("kept"))])
        if verb == "rev":
            return self._reviewed(user_id, rest, now)
        if verb == "ground":
            return Step([], start_flow=GROUNDING)
        if verb == "plan":
            return Step([], start_flow=SAFETY_PLAN)
        if verb == "resume":
            return Step([], resume=True)
        return stale

    def sos(self, user_id: int, now: datetime, active: RunRecord | None) -> list[Effect]:
        """/sos: pause whatever is open and show every line for the person's country."""
        self.pause(user_id, active, now)
        reply = responses.sos(self.country(user_id))
        self.personal.add_safety_event(user_id, "sos", "", reply.shown, now)
        offer = reply.offer
        if self.personal.pending(user_id)[1] is not None:
            offer = Offer(offer.text, (*offer.actions, *responses.offer_buttons(["resume"])))
        return [offer]

    def plan(self, user_id: int) -> list[Effect]:
        """/safety: the person's plan as they wrote it, the way to fill it in, and the lines."""
        kept = self.store.memory_of(user_id)
        lines = [f"{title}: {kept[name]['label']}" for name, title in PLAN_PARTS.items()
                 if name in kept]  # fmt: skip
        head = f"{PLAN_HEAD}\n\n" + "\n".join(lines) if lines else PLAN_EMPTY
        helplines = responses.safety_lines(self.country(user_id), self.raised(user_id))
        text = f"{head}\n\n{helplines}"
        button = "Update my plan" if lines else "Fill in my plan"
        return [Offer(text, responses.offer_buttons(["plan"], {"plan": button}))]

    def clear_targets(self, user_id: int, now: datetime) -> list[int]:
        """The ids of the person's chat messages that can still be deleted; forgotten here."""
        ids = self.personal.recent_messages(user_id, now - CLEARABLE)
        self.personal.forget_messages(user_id)
        return ids

    def _keep(self, user_id: int, reply: responses.Reply, now: datetime) -> None:
        for name, value in reply.remember.items():
            self.store.remember(user_id, name, value, value, "safety", now)
        if reply.disclose:
            self.disclose(user_id, reply.disclose, "screen", None, now)


def _ago(then: datetime, now: datetime) -> str:
    """The time words of the review question: about two or three weeks ago, or the date."""
    days = (now - then).days
    if days < 21:
        return "About two weeks ago"
    if days < 28:
        return "About three weeks ago"
    return f"On {then:%-d %B}"
