"""The report reads as written for the therapist: each question as the client saw it, with
the answer in words, in the order the conversations were begun, and no step id anywhere."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from test_practice import CLIENT, THERAPIST, linked
from test_report_privacy import report

from bot.documents.report import report_blocks
from bot.engine import Start
from bot.engine.transcript import event_for, last_ask
from bot.usecases.service import Service


@pytest.fixture
def practice(file_store, shipped) -> Service:
    return Service(file_store, shipped, therapist_ids=[THERAPIST])


def walk(service: Service, flow_id: str, inputs: list, now) -> list:
    """Start a flow and answer with these inputs (as its transcript tests do)."""
    outcome = service.handle(CLIENT, Start(flow_id), now)
    effects = list(outcome.effects)
    for item in inputs:
        ask = last_ask(list(outcome.effects))
        assert ask is not None, f"{flow_id} stopped asking early"
        outcome = service.handle(CLIENT, event_for(ask, item), now)
        effects += outcome.effects
    return effects


def history(practice: Service, now) -> None:
    """A check-in begun and left paused, then a rocky moment replayed to its end."""
    linked(practice, now, "full")
    for flow_id in ("name-the-cycle", "raw-spot"):
        walk(practice, flow_id, practice.catalog[flow_id].tests[0].inputs, now)
    checkin = practice.catalog["weekly-check-in"].tests[0].inputs
    walk(practice, "weekly-check-in", checkin[:3], now + timedelta(minutes=10))
    rocky = practice.catalog["rocky-moment"].tests[1].inputs
    walk(practice, "rocky-moment", rocky, now + timedelta(minutes=20))


def step_ids(practice: Service) -> set[str]:
    return {s.id for f in practice.catalog.values() for s in f.steps}


def test_the_full_report_reads_as_written_for_the_therapist(practice, now):
    history(practice, now)
    markdown, pdf = report(practice, now + timedelta(hours=1))
    # Each answer under its question, as the client saw it; scale answers with their words.
    assert (
        "- This week, could you reach your partner when you needed to?\n"
        "  The client chose: 4 of 5 – mostly\n" in markdown
    )
    assert "- How is your body now?\n  The client chose: “A little calmer”\n" in markdown
    assert "Their words: “I see I shut down when I feel lonely.”" in markdown
    assert "The client skipped this question." in markdown
    for text in (markdown, pdf):
        assert "4 of 5 – mostly" in text and "A little calmer" in text
        assert text.count("A little calmer") == 1  # a sub-flow's answer once
        for step in step_ids(practice):
            if "_" in step:
                assert step not in text, step
            assert not re.search(rf"^(- )?{re.escape(step)}:", text, re.M), step
    # In the order they were begun: the paused check-in before the later rocky moment.
    order = [markdown.index(f"### {title}, started") for title in
             ("Naming the loop", "Finding the raw spot", "Weekly check-in",
              "Revisiting a rocky moment")]  # fmt: skip
    assert order == sorted(order)
    assert "### Weekly check-in, started 2026-11-23, paused" in markdown
    conversations = markdown.split("## Conversations", 1)[1].split("##", 1)[0]
    assert conversations.index("Weekly check-in") < conversations.index("Revisiting a rocky")


def own_words(practice: Service, now) -> list[str]:
    """The report's own wording: every block but the quoted summaries, the questions as the
    client saw them, and the client's words."""
    link = practice.practice.rows.links_of_client(CLIENT)[0]
    rows = practice.store.personal.everything_about(CLIENT)
    assignments = practice.practice.rows.assignments_of_link(link.id)
    blocks = report_blocks(link, assignments, rows, practice.catalog, now)
    out = []
    for block in blocks:
        if block.kind == "quote":
            continue
        text = block.text
        if block.kind == "item" and "\n" in text:
            text = text.rsplit("\n", 1)[1]  # the question, as it was asked, is left out
        out.append(re.sub(r"“[^”]*”", "", text))
    return out


@pytest.mark.parametrize("scope", ["status", "summaries", "full"])
def test_the_report_speaks_of_the_client_never_to_them(practice, now, scope):
    history(practice, now)
    link = practice.practice.rows.links_of_client(CLIENT)[0]
    practice.action(CLIENT, f"scope:{link.id}:{scope}", now)
    words = own_words(practice, now + timedelta(hours=1))
    assert words
    for text in words:
        assert not re.search(r"\byou(r|rs|rself)?\b", text, re.I), text
