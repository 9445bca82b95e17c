"""Messages typed outside an exercise, read for what they are: distress after a fight, a
greeting, thanks, a goodbye. Matched by meaning against the examples of
bot/content/outside.yaml, never answered with generated text: every reply is a fixed text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from bot.engine import Button, Effect, Offer, Say
from bot.engine.reading import ACCEPT, Similar, read
from bot.flows.model import Catalog, Kind
from bot.flows.words import words_key
from bot.storage import RunRecord

CLOSE = 0.55
"""A message this close in meaning to an example is read as that example's intent."""
CLOSE_TO_DISTRESS = 0.38
"""Distress is worded in countless ways, and reading it as distress when it is not costs
little (an offer to settle), so it needs less closeness."""
DISTRESS, GREETING = "distress", "greeting"
PLAIN = frozenset(
    words_key(w) for w in ("ok", "okay", "k", "kk", "yes", "no", "yeah", "nope", "sure", "fine")
)
"""Bare acknowledgements: they answer something, so no intent is read into them."""
WAITING = frozenset({Kind.CHOICE, Kind.MULTI, Kind.SCALE, Kind.PAUSE})
"""Questions where a greeting cannot be the answer, so it is met as a greeting."""


@dataclass(frozen=True)
class Intent:
    """What a kind of message gets: a fixed reply, and flows to offer as buttons."""

    name: str
    reply: str
    examples: tuple[str, ...]
    offers: Mapping[str, str]


@cache
def shipped_intents() -> Mapping[str, Intent]:
    """The intents of bot/content/outside.yaml."""
    text = (resources.files("bot") / "content" / "outside.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return {
        name: Intent(
            name,
            " ".join(str(body["reply"]).split()),
            tuple(str(e) for e in body["examples"]),
            {str(k): str(v) for k, v in (body.get("offers") or {}).items()},
        )
        for name, body in raw.items()
    }


class Outside:
    """Reads a message for its intent and gives the fixed reply."""

    def __init__(
        self, similar: Similar | None, intents: Mapping[str, Intent] | None = None
    ) -> None:
        self.similar = similar
        self.intents = intents if intents is not None else shipped_intents()
        self.examples = [(e, i.name) for i in self.intents.values() for e in i.examples]
        self.keys = {words_key(e): name for e, name in self.examples}

    def intent(self, text: str) -> str | None:
        """The intent of a message, or None when it is close to no example."""
        key = words_key(text)
        if not key or key in PLAIN:
            return None
        if key in self.keys:
            return self.keys[key]
        if self.similar is None:
            return None
        scores = self.similar(text, [e for e, _ in self.examples])
        best = max(range(len(scores)), key=lambda i: scores[i], default=None)
        if best is None:
            return None
        name = self.examples[best][1]
        return name if scores[best] >= (CLOSE_TO_DISTRESS if name == DISTRESS else CLOSE) else None

    def reply(self, name: str, catalog: Catalog) -> list[Effect]:
        """The fixed reply to an intent, with its offers as buttons."""
        intent = self.intents[name]
        offers = tuple(
            Button(label, f"go:{flow}") for flow, label in intent.offers.items() if flow in catalog
        )
        return [Offer(intent.reply, offers)] if offers else [Say(intent.reply)]

    def greets(self, catalog: Catalog, run: RunRecord, text: str) -> bool:
        """A greeting typed at a waiting button question (after /pause, or hours later), that
        is no answer to it."""
        flow = catalog.get(run.state.frame.flow_id)
        if flow is None or not flow.has_step(run.state.frame.step_id) or run.state.done:
            return False
        here = flow.step(run.state.frame.step_id)
        if here.kind not in WAITING:
            return False
        if here.kind is not Kind.PAUSE and read(here, text, str, None).action == ACCEPT:
            return False  # an answer (the cheap reading first: the encoder only if needed)
        return self.intent(text) == GREETING

    def recap(self, catalog: Catalog, run: RunRecord) -> str:
        """One line on where the person was."""
        flow = catalog.get(run.state.root.flow_id)
        title = flow.title if flow is not None else run.flow_id
        return f"{self.intents[GREETING].reply} You were in “{title}”. Here is where you left off:"
