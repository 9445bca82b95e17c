"""Every shipped flow: its authors' transcript tests, and a seeded random walker.

The walker plays each flow many times as an unpredictable person would: right answers, wrong
ones, skips, /back, presses on old buttons, resumes. It fails on any exception, any silence,
any dead end and any `{placeholder}` left unfilled.
"""

from __future__ import annotations

import json
import random
import re

import pytest

from bot.engine import (
    Ask,
    Back,
    Choice,
    Finished,
    Picks,
    Resume,
    RunState,
    Say,
    Skip,
    Text,
    start,
    step,
)
from bot.engine.engine import NONE_OF_THESE
from bot.engine.transcript import run_transcript
from bot.flows import load_catalog
from bot.usecases.understanding import shipped_similarity

CATALOG = load_catalog()
WALKS_PER_FLOW = 500
WALKS_WITH_MEANING = 12
"""Walks that read typed words with the real sentence encoder too (slower: a few ms a text)."""
NOISE = ["idk", "both", "not sure", "the second one", "all of them", "mostly", "yes", "nah",
         "what?", "🙂🙂", "3rd", "1, 2", "none", "42", "first two", "asdfgh"]  # fmt: skip
MAX_EVENTS = 400
LEFTOVER = re.compile(r"\{[A-Za-z_][^{}]*\}")

TRANSCRIPTS = [(f.id, t) for f in CATALOG.values() for t in f.tests]


def test_every_shipped_flow_has_transcripts():
    for flow in CATALOG.values():
        assert flow.tests, f"flow {flow.id} has no transcript tests"


@pytest.mark.parametrize(
    ("flow_id", "test"), TRANSCRIPTS, ids=[f"{f}:{t.name}" for f, t in TRANSCRIPTS]
)
def test_transcript(flow_id, test):
    result = run_transcript(CATALOG, flow_id, test)
    assert result.ok, "\n".join(result.failures)


def random_event(rng: random.Random, ask: Ask):
    """One thing a person might do at this question."""
    roll = rng.random()
    if roll < 0.06:
        return Back()
    if roll < 0.10:
        return Skip(ask.seq)
    if roll < 0.13:
        return Choice(rng.choice(["nope", "0", "99", ""]), ask.seq)  # a button that is not there
    if roll < 0.16:
        return Choice("x", ask.seq - 1)  # a press on an old message
    if roll < 0.19:
        return Text(rng.choice(["", "?", "🙂", "x" * 3000, "_x_ & *y*", "<b>hi</b>"]))
    if roll < 0.21:
        return Picks(("nope",), ask.seq)
    if roll < 0.23:
        return Resume()
    values = [b.value for b in ask.buttons]
    if ask.kind in ("choice", "scale", "multi") and rng.random() < 0.3:
        return Text(typed(rng, ask))
    if ask.kind in ("choice", "scale") and rng.random() < 0.03:
        return Choice(NONE_OF_THESE, ask.seq)
    if ask.kind == "text":
        return Text(rng.choice(["Sam", "we argued about money", "I felt alone again tonight"]))
    if ask.kind == "multi":
        count = rng.randint(ask.min_picks, ask.max_picks)
        return Picks(tuple(rng.sample(values, count)), ask.seq)
    if ask.kind in ("choice", "scale"):
        if rng.random() < 0.2:
            return Text(rng.choice([b.label for b in ask.buttons]))
        return Choice(rng.choice(values), ask.seq)
    return Choice("ready", ask.seq)


def typed(rng: random.Random, ask: Ask) -> str:
    """What a person might type at a button question: a paraphrase, a label with typos, two
    labels, a word of one, or noise."""
    labels = [b.label for b in ask.buttons] or ["something"]
    label = rng.choice(labels)
    roll = rng.random()
    if roll < 0.3:
        return rng.choice(NOISE)
    if roll < 0.5:
        letters = list(label)
        for _ in range(rng.randint(1, 2)):
            i = rng.randrange(len(letters))
            letters[i] = rng.choice("aeiourst")
        return "".join(letters)
    if roll < 0.65:
        return f"{label} and {rng.choice(labels)}"
    if roll < 0.8:
        return rng.choice(label.split() or [label])
    return rng.choice(["i think ", "maybe ", "prob ", "honestly "]) + label.lower() + " tbh"


def check_texts(effects, where: str) -> None:
    for effect in effects:
        text = effect.reflection if isinstance(effect, Finished) else getattr(effect, "text", "")
        assert not LEFTOVER.search(text), f"{where}: unfilled placeholder in {text!r}"
        assert len(text) <= 4096, f"{where}: message over Telegram's limit"


@pytest.mark.parametrize("flow_id", sorted(CATALOG))
def test_random_walks_never_break(flow_id):
    walk_flow(flow_id, WALKS_PER_FLOW, None)


@pytest.mark.parametrize("flow_id", sorted(CATALOG))
def test_random_walks_reading_typed_words_for_meaning_never_break(flow_id):
    walk_flow(flow_id, WALKS_WITH_MEANING, shipped_similarity())


def walk_flow(flow_id: str, walks: int, similar) -> None:
    """Play the flow `walks` times with random events; fail on anything a person would
    notice: an exception, silence, a dead end, an unfilled placeholder."""
    rng = random.Random(f"walker:{flow_id}:{similar is not None}")
    finished = 0
    for walk in range(walks):
        state, effects = start(CATALOG, flow_id)
        check_texts(effects, f"{flow_id} walk {walk} start")
        ask = [e for e in effects if isinstance(e, Ask)][-1]
        for count in range(MAX_EVENTS):
            event = random_event(rng, ask)
            state, effects = step(CATALOG, state, event, similar=similar)
            # Every stored state must survive the trip through JSON unchanged.
            assert RunState.from_dict(json.loads(json.dumps(state.to_dict()))) == state
            where = f"{flow_id} walk {walk} event {count} {event!r}"
            assert effects, f"{where}: the bot said nothing"
            check_texts(effects, where)
            if any(isinstance(e, Finished) for e in effects):
                assert state.done
                finished += 1
                break
            asks = [e for e in effects if isinstance(e, Ask)]
            assert asks or all(isinstance(e, Say) for e in effects), where
            assert asks, f"{where}: no question after a reply, the person would be stuck"
            ask = asks[-1]
        else:
            pytest.fail(f"{flow_id} walk {walk} did not finish in {MAX_EVENTS} events")
    assert finished == walks
