"""What people read: the never-say lists, the safety rule for reaching out, the review pages."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.engine import Ask, Choice, Finished, Picks, Say, Skip, Text, start, step
from bot.flows import load_catalog
from bot.flows.locks import CONCERNING, closed_by_safety, lock_of
from bot.flows.model import Flow
from bot.flows.pages import write_pages
from bot.flows.voice import FORBIDDEN, find, scan

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_catalog()
FLOWS = sorted(CATALOG)
WALKS = 300


@pytest.mark.parametrize("flow_id", FLOWS)
def test_no_flow_diagnoses_labels_the_partner_or_advises_staying_or_leaving(flow_id):
    assert scan(CATALOG[flow_id]) == []


def test_the_scanner_catches_what_it_should(tmp_path):
    assert list(find("Maybe he is a Narcissist.", FORBIDDEN)) == [("diagnosis", "narcissist")]
    assert list(find("You should  LEAVE him.", FORBIDDEN)) == [
        ("stay_or_leave", "you should leave"),
        ("stay_or_leave", "leave him"),
    ]
    assert list(find("Could you reach out tonight?", ("reach_out",))) == [
        ("reach_out", "reach out")
    ]
    assert list(find("Disordered eating", FORBIDDEN)) == []  # whole words only


def shown(effects) -> list[str]:
    out = []
    for effect in effects:
        if isinstance(effect, Say):
            out.append(effect.text)
        elif isinstance(effect, Ask):
            out.append(effect.text)
            out += [b.label for b in effect.buttons]
        elif isinstance(effect, Finished):
            out.append(effect.reflection)
    return out


def walk(flow: Flow, rng: random.Random, memory: dict, safety_answers: bool) -> list[str]:
    """Play a flow once with random answers; with `safety_answers`, fear and harm get a yes."""
    state, effects = start(CATALOG, flow.id, memory=memory)
    texts = shown(effects)
    for _ in range(200):
        asks = [e for e in effects if isinstance(e, Ask)]
        if not asks:
            break
        ask = asks[-1]
        current = CATALOG[state.frame.flow_id].step(state.frame.step_id)
        values = [b.value for b in ask.buttons]
        if safety_answers and current.remember in ("afraid", "harmed"):
            event = Choice(rng.choice(["sometimes", "often"]), ask.seq)
        elif ask.kind == "text":
            event = Text("we argued about money again")
        elif ask.kind == "multi":
            count = rng.randint(ask.min_picks, ask.max_picks)
            event = Picks(tuple(rng.sample(values, count)), ask.seq)
        elif ask.skip_label and rng.random() < 0.15:
            event = Skip(ask.seq)
        else:
            event = Choice(rng.choice(values), ask.seq)
        state, effects = step(CATALOG, state, event)
        texts += shown(effects)
    return texts


TOWARDS_PARTNER = ("reach_out", "shared_loop")
"""Suggestions to turn to the partner, and framings of their part as a move in a shared loop."""


def reach_out_phrases(texts: list[str]) -> set[str]:
    return {phrase for text in texts for _cat, phrase in find(text, TOWARDS_PARTNER)}


def with_subflows(flow: Flow) -> list[Flow]:
    """The flow and every flow it calls, however deep."""
    found = [flow]
    for each in found:
        for called in (s.call for s in each.steps if s.call):
            if CATALOG[called] not in found:
                found.append(CATALOG[called])
    return found


def test_every_flow_open_to_a_person_in_fear_has_no_word_of_reaching_out():
    """Every path at once: a flow that a sign of fear or harm leaves open (or any flow it
    calls) holds no text, option or reflection that suggests turning to the partner. Only
    what the person typed themselves is ever filled in around those texts."""
    for kept in CONCERNING:
        for flow in CATALOG.values():
            if lock_of(flow, kept, set(CATALOG)) is None:
                for part in with_subflows(flow):
                    assert scan(part, ("reach_out",)) == [], f"{flow.id} open under {kept}"


@pytest.mark.parametrize("flow_id", FLOWS)
@pytest.mark.parametrize(
    "kept", CONCERNING, ids=lambda k: ",".join(f"{n}={v}" for n, v in k.items())
)
def test_fear_or_harm_never_leads_to_a_suggestion_to_reach_out(flow_id, kept):
    """With a yes or sometimes to fear or harm, a flow is either closed by a safety lock or
    never shows a suggestion to turn to the partner, on random walks through it as well."""
    flow = CATALOG[flow_id]
    lock = lock_of(flow, kept, set(CATALOG))
    if lock is not None:
        assert lock.safety or not any(scan(f, ("reach_out",)) for f in with_subflows(flow))
        return
    memory = {name: {"value": value, "label": value} for name, value in kept.items()}
    rng = random.Random(f"safety:{flow_id}")
    for _ in range(WALKS // 3):
        texts = walk(flow, rng, memory, safety_answers=True)
        assert reach_out_phrases(texts) == set(), f"{flow_id} turned them to the partner"


def test_naming_the_loop_is_closed_by_any_sign_of_fear_or_harm():
    assert closed_by_safety(CATALOG["name-the-cycle"], set(CATALOG))


def test_every_flow_that_turns_to_the_partner_is_behind_the_safety_lock():
    for flow in CATALOG.values():
        if scan(flow, ("reach_out",)):
            assert closed_by_safety(flow, set(CATALOG)), f"{flow.id} is not safety-locked"


def test_the_review_pages_are_up_to_date(tmp_path):
    write_pages(CATALOG, tmp_path)
    shipped = ROOT / "docs" / "flows"
    for page in sorted(tmp_path.iterdir()):
        committed = shipped / page.name
        assert committed.exists(), f"docs/flows/{page.name} is missing: python -m bot draw --docs"
        assert committed.read_text(encoding="utf-8") == page.read_text(encoding="utf-8"), (
            f"docs/flows/{page.name} is out of date: run python -m bot draw --docs docs/flows"
        )
    stale = {p.name for p in shipped.iterdir()} - {p.name for p in tmp_path.iterdir()}
    assert not stale, f"pages for flows that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize("flow_id", FLOWS)
def test_every_page_shows_a_diagram_and_a_ticked_checklist(flow_id):
    page = (ROOT / "docs" / "flows" / f"{flow_id}.md").read_text(encoding="utf-8")
    assert "```mermaid\nflowchart TD" in page
    checklist = page.split("## Checked against the content guidelines", 1)[1]
    assert "- [ ]" not in checklist, f"{flow_id} fails a content check:\n{checklist}"
