"""A therapist sees exactly what the consent screen said, and nothing private.

Every shipped flow is played (several walks each, through the real service and an SQLite file)
with typed answers that are unique marker words. A therapist is linked at each consent level in
turn and the report is read back, as Markdown and as the text of its PDF:

- no answer of a step or flow marked `share: never` (the safety questions, the safety plan, the
  check-in's private moment) appears at any level, not even quoted inside a summary;
- status holds no answer and no typed word; summaries hold the closing summaries but never a
  typed word; full holds every typed word that is not private;
- work done before the link appears at no level until the client shares earlier work too.
"""

from __future__ import annotations

import io
import random
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader
from test_onboarding import CHOICES, CLEAR, play
from test_practice import CLIENT, THERAPIST, invite_code, said

from bot.engine import Ask, Choice, Document, Picks, Skip, Start, Text
from bot.flows.model import Catalog, Flow, Kind, Step
from bot.usecases.service import Service

WALKS = 3
ONBOARDING = "getting-started"


@pytest.fixture
def practice(file_store, shipped) -> Service:
    return Service(file_store, shipped, therapist_ids=[THERAPIST])


def resolve(catalog: Catalog, flow_id: str, key: str) -> tuple[list[Flow], Step]:
    """The flows an answer key passes through, and its step."""
    flow = catalog[flow_id]
    path = [flow]
    *calls, local = key.split("/")
    for call in calls:
        flow = catalog[flow.step(call).call]
        path.append(flow)
    return path, flow.step(local)


class Walker:
    """Plays flows with random safe choices and a fresh marker word for every typed answer."""

    def __init__(self, service: Service, now) -> None:
        self.service = service
        self.now = now
        self.rng = random.Random("report-privacy")
        self.private: set[str] = set()
        self.shared: set[str] = set()
        self.count = 0

    def marker(self) -> str:
        self.count += 1
        return f"zq{self.count:04d}mark"

    def play(self, flow_id: str) -> bool:
        """One walk through a flow; True when it was finished."""
        outcome = self.service.handle(CLIENT, Start(flow_id), self.now)
        for _ in range(80):
            asks = [e for e in outcome.effects if isinstance(e, Ask)]
            run = self.service.active(CLIENT)
            if not asks or run is None:
                return run is None and any(hasattr(e, "reflection") for e in outcome.effects)
            ask = asks[-1]
            flows, step = resolve(self.service.catalog, run.flow_id, ask.key)
            outcome = self.service.handle(CLIENT, self.answer(ask, step, flows), self.now)
        raise AssertionError(f"{flow_id} did not end")

    def answer(self, ask: Ask, step: Step, flows: list[Flow]):
        safe = [o.value for o in step.options if not o.disclose]
        if step.kind is Kind.TEXT:
            if step.optional and self.rng.random() < 0.1:
                return Skip(ask.seq)
            word = self.marker()
            private = step.share == "never" or any(f.share == "never" for f in flows)
            (self.private if private else self.shared).add(word)
            return Text(f"{word} in my own words")
        if step.kind is Kind.MULTI:
            return Picks((self.rng.choice(safe),), ask.seq)
        if step.kind is Kind.CHOICE:
            # Stay on the path of a person who feels safe at home, with no crisis going on.
            if step.remember in ("afraid", "harmed"):
                return Choice("never", ask.seq)
            if step.remember == "adult":
                return Choice("adult_yes", ask.seq)
            if step.remember in ("affair", "addiction"):
                return Choice("none", ask.seq)
            return Choice(self.rng.choice(safe), ask.seq)
        if step.kind is Kind.SCALE:
            return Choice(str(self.rng.randint(step.scale_min, step.scale_max)), ask.seq)
        return Choice(ask.buttons[0].value, ask.seq)


def report(service: Service, now) -> tuple[str, str]:
    """The report's Markdown and the text of its PDF."""
    out = service.therapist_command(THERAPIST, "report", "Sam", now)
    files = {e.filename.rsplit(".", 1)[1]: e.data for e in out.effects if isinstance(e, Document)}
    assert set(files) == {"md", "pdf"}, said(out.effects)
    pdf = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files["pdf"])).pages)
    return files["md"].decode("utf-8"), pdf


def set_scope(service: Service, scope: str, now) -> None:
    link = service.practice.rows.links_of_client(CLIENT)[0]
    service.action(CLIENT, f"scope:{link.id}:{scope}", now)


def markers_in(text: str) -> set[str]:
    # The PDF may break a line inside a word's neighbourhood, never inside the word itself.
    return set(re.findall(r"zq\d{4}mark", text))


def test_each_consent_level_shows_exactly_what_it_promises_and_nothing_private(practice, now):
    catalog = practice.catalog
    play(practice, CLIENT, ONBOARDING, CLEAR + CHOICES, now)
    before = Walker(practice, now)
    before.count = 9000  # markers of the work done before the link
    assert before.play("name-the-cycle")
    later = now + timedelta(hours=1)
    code = invite_code(practice, later)
    practice.open_invite(CLIENT, code, later, "e1")
    practice.action(CLIENT, f"acc:status:{code}", later)

    after = now + timedelta(hours=2)
    walker = Walker(practice, after)
    flows = sorted(catalog.values(), key=lambda f: (f.order, f.title))
    finished = 0
    for flow in flows:
        if flow.params:
            continue  # a sub-flow, played inside the flows that call it
        for _ in range(WALKS):
            finished += walker.play(flow.id)
    assert finished >= 2 * len([f for f in flows if not f.params])
    assert walker.private, "the walks must reach private answers (safety plan, check-in)"
    assert len(walker.shared) > 10

    reports = {}
    for scope in ("status", "summaries", "full"):
        set_scope(practice, scope, after)
        reports[scope] = report(practice, after)

    for scope, (markdown, pdf) in reports.items():
        for text in (markdown, pdf):
            found = markers_in(text)
            assert not found & walker.private, f"{scope}: a private answer is in the report"
            assert not found & before.shared, f"{scope}: work from before the link is shown"
        # The safety plan, the first questions and the safety questions: not even named.
        for title in ("My safety plan", "Safety and readiness check", "Getting started"):
            assert title not in markdown, f"{scope} names {title}"

    status_md, status_pdf = reports["status"]
    assert not markers_in(status_md) and not markers_in(status_pdf)
    assert "## Reflections" not in status_md and "## Answers" not in status_md
    assert "Naming the loop" in status_md

    summaries_md, summaries_pdf = reports["summaries"]
    assert not markers_in(summaries_md) and not markers_in(summaries_pdf)
    assert "## Reflections" in summaries_md and "## Answers" not in summaries_md
    assert "[their own words]" in summaries_pdf  # typed words are left out, visibly
    assert "their own words" in summaries_md

    full_md, full_pdf = reports["full"]
    shown = markers_in(full_md)
    assert walker.shared <= shown, sorted(walker.shared - shown)[:5]
    assert walker.shared <= markers_in(full_pdf)
    assert "[kept private]" in full_pdf  # the check-in's private moment, quoted in its summary

    # Earlier work, once the client chooses to share it too.
    link = practice.practice.rows.links_of_client(CLIENT)[0]
    practice.action(CLIENT, f"early:{link.id}:on", after)
    markdown, _ = report(practice, after)
    assert before.shared <= markers_in(markdown)
    assert not markers_in(markdown) & (walker.private | before.private)


def test_an_answer_that_told_of_danger_reaches_no_report(practice, now):
    play(practice, CLIENT, ONBOARDING, CLEAR + CHOICES, now)
    code = invite_code(practice, now)
    practice.open_invite(CLIENT, code, now, "e1")
    practice.action(CLIENT, f"acc:full:{code}", now)
    later = now + timedelta(minutes=5)
    effects = play(
        practice, CLIENT, "name-the-cycle", ["money", "tone", "withdraw", "quiet", "blame"], later
    )
    ask = [e for e in effects if isinstance(e, Ask)][-1]
    stopped = practice.handle(CLIENT, Choice("block_door", ask.seq), later)
    assert "Are you safe to talk right now?" in said(stopped.effects)
    markdown, pdf = report(practice, later)
    assert "Naming the loop" in markdown  # that it was begun, as status promises
    for text in (markdown, pdf):
        assert "block the door" not in text and "block_door" not in text
        assert "not a step in a dance" not in text  # its closing words are no summary
    assert "go quiet" in markdown  # the answers before it, under full consent
