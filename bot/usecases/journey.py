"""Where an exercise leads: the next step on the journey when one ends, care instead at a low
moment, and a one-line recap of where a person was when they come back.

The order is bot/content/journey.yaml's (`bot.flows.journey`); locks are the flows' own, so a
locked flow is never offered.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine import Answered, Ask, Button, Effect, Offer
from bot.flows.journey import Journey
from bot.flows.model import Catalog
from bot.storage import PAUSED, RunRecord, Store
from bot.usecases.access import Access

NEXT_TEXT = "When you feel ready, here is a next step: “{title}”. There's no hurry."
BACK_TEXT = "You also have “{title}” waiting, just as you left it."
NEXT_BUTTON = "Start “{title}”"
BACK_BUTTON = "Back to “{title}”"
ENOUGH = "That's enough for today"
RESTED = (
    "That's plenty for today. Everything you wrote is saved. When you come back, /flows shows"
    " where you are, and /sos is here at any moment."
)
CARE = (
    "I'm sorry it feels worse right now. You don't have to push on with anything. If it would"
    " help, here are some things we can do together, or people you can reach at any hour:"
)
CARE_AGAIN = "Grounding again"
CARE_GROUND = "Two minutes of grounding"
CARE_PLAN = "My safety plan"
CARE_SOS = "People to talk to now (/sos)"
RECAP = "You were in “{title}”, on the question “{gist}”"
RECAP_UNTITLED = "You had got to the question “{gist}”"
GIST_CHARS = 80
"""A recap quotes the start of the question, cut at a word, so it stays one line."""

REST, SAFETY, SOS = "rest", "safety", "sos"
"""The actions of the buttons here: enough for today, the safety plan (/safety), /sos."""


class Guide:
    """The journey over one person's runs and locks; the caller holds the transaction."""

    def __init__(self, store: Store, catalog: Catalog, access: Access, journey: Journey) -> None:
        self.store = store
        self.catalog = catalog
        self.access = access
        self.journey = journey

    def next_step(self, user_id: int, finished: str) -> list[Effect]:
        """After `finished` ended: an exercise left paused (first), and the next open one on
        the journey not done yet, as buttons, with "That's enough for today"."""
        buttons: list[Button] = []
        lines: list[str] = []
        paused = self._paused(user_id, finished)
        if paused is not None:
            title = self.catalog[paused].title  # type: ignore[index]
            lines.append(BACK_TEXT.format(title=title))
            buttons.append(Button(_fit(BACK_BUTTON, title), f"go:{paused}"))
        upcoming = self.upcoming(user_id, finished)
        if upcoming is not None and upcoming != paused:
            title = self.catalog[upcoming].title  # type: ignore[index]
            lines.insert(0, NEXT_TEXT.format(title=title))
            buttons.insert(0, Button(_fit(NEXT_BUTTON, title), f"go:{upcoming}"))
        if not buttons:
            return []
        return [Offer(" ".join(lines), (*buttons, Button(ENOUGH, REST)))]

    def upcoming(self, user_id: int, after: str) -> str | None:
        """The first flow on the journey after `after` that the person has not finished and
        that no lock keeps closed, if there is one."""
        done = self.store.finished_flows(user_id)
        for flow_id in self.journey.after(after):
            fresh = flow_id in self.catalog and flow_id not in done and flow_id != after
            if fresh and self.access.lock_of(user_id, flow_id) is None:
                return flow_id
        return None

    def _paused(self, user_id: int, finished: str) -> str | None:
        """The flow of the newest paused run that may be taken up again."""
        for run in self.store.runs_of(user_id):
            waiting = run.status == PAUSED and run.flow_id in self.catalog
            waiting = waiting and run.flow_id not in (finished, *self.hidden())
            if waiting and self.access.safety_locked(user_id, run.flow_id) is None:
                return run.flow_id
        return None

    def hidden(self) -> tuple[str, ...]:
        """Flows never offered: sub-flows and the tour, and any the catalog lacks."""
        return self.journey.hidden

    def low(self, run: RunRecord, effects: Sequence[Effect]) -> bool:
        """True when the answer just given at the run's question tells of a low moment."""
        frame = run.state.frame
        key = frame.key(frame.step_id)
        return any(
            isinstance(e, Answered)
            and e.key == key
            and self.journey.is_low(frame.flow_id, frame.step_id, e.value)
            for e in effects
        )

    def with_care(self, run: RunRecord, effects: list[Effect]) -> tuple[list[Effect], bool]:
        """The effects with the offer of care after what the low answer brought (before the
        next question, if the run goes on), and whether it was added."""
        if not self.low(run, effects):
            return effects, False
        grounding = CARE_AGAIN if run.state.frame.flow_id == "grounding" else CARE_GROUND
        care = Offer(
            CARE,
            (Button(grounding, "ground"), Button(CARE_PLAN, SAFETY), Button(CARE_SOS, SOS)),
        )
        at = next((i for i, e in enumerate(effects) if isinstance(e, Ask)), len(effects))
        return [*effects[:at], care, *effects[at:]], True

    def recap(self, run: RunRecord, asked: Sequence[Effect], titled: bool = True) -> str | None:
        """One line on where the person was, from the question about to be shown again
        (without the flow's title where the sentence around it names it already)."""
        ask = next((e for e in asked if isinstance(e, Ask)), None)
        flow = self.catalog.get(run.state.root.flow_id)
        if ask is None or flow is None:
            return None
        if not titled:
            return RECAP_UNTITLED.format(gist=_gist(ask.text))
        return RECAP.format(title=flow.title, gist=_gist(ask.text))


def _gist(text: str) -> str:
    """The first sentence of a question, cut at a word to fit one line."""
    first = text.strip().split("\n", 1)[0]
    for mark in ("? ", ". ", ": "):
        at = first.find(mark)
        if 0 < at < GIST_CHARS:
            return first[: at + 1]
    if len(first) <= GIST_CHARS:
        return first
    cut = first.rfind(" ", 0, GIST_CHARS)
    return first[: cut if cut > 0 else GIST_CHARS].rstrip(",;:") + "…"


def _fit(template: str, title: str, limit: int = 60) -> str:
    """A button label within Telegram's comfortable width, shortening the title if needed."""
    label = template.format(title=title)
    if len(label) <= limit:
        return label
    room = limit - len(template.format(title="")) - 1
    return template.format(title=title[:room].rstrip() + "…")
