"""The report PDF a therapist receives, end to end through the real service and an SQLite file.

A client links at "summaries", moves to full consent three days later, does three weeks of
weekly check-ins and two exercises with answers typed in emoji, Japanese, Korean and accented
Latin, and is once shown a safety card. /report's PDF, read back with `pdftotext`:

- every page carries "Page N of M", the client's label and "Confidential: shared with consent
  on DATE", DATE the day of the change to full consent (the consent now in force);
- the first page is the client at a glance: period, homework, the latest check-in scores with
  their trend and a chart, the last safety card's time;
- every answer the consent allows is there, under its question as the client saw it, on the
  same page as its question; no step id appears anywhere.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from test_onboarding import CHOICES, CLEAR, play
from test_practice import CLIENT, THERAPIST, assign, invite_code, said
from test_report_privacy import resolve

from bot.documents.fonts import fonts
from bot.engine import Ask, Document, Skip, Start, Text
from bot.engine.transcript import event_for, last_ask
from bot.usecases.service import Service

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="no pdftotext here (apt-get install poppler-utils)"
)
LABEL = "Maya R"
TYPED = [
    "the phone–wall dance 😅",
    "彼がスマホを見ている、また",
    "안아 주면 좋겠어 🤗",
    "café ❤ and “quotes”",
    "我只是想被看见",
]


@pytest.fixture
def practice(file_store, shipped) -> Service:
    return Service(file_store, shipped, therapist_ids=[THERAPIST])


def flat(text: str) -> str:
    return " ".join(text.split())


class Client:
    """Walks flows as their first transcript test does, typing `TYPED` at every typed question;
    keeps each (question as shown, answer as the report words it)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.typed = 0
        self.pairs: list[tuple[str, str]] = []
        self.private: list[str] = []

    def walk(self, flow_id: str, now, scales: int | None = None, test: int = 0) -> None:
        inputs = list(self.service.catalog[flow_id].tests[test].inputs)
        outcome = self.service.handle(CLIENT, Start(flow_id), now)
        for item in inputs:
            ask = last_ask(list(outcome.effects))
            assert ask is not None, f"{flow_id} stopped asking early"
            event = self.event(ask, item, scales)
            outcome = self.service.handle(CLIENT, event, now)
            flows, step = resolve(self.service.catalog, flow_id, ask.key)
            if step.share != "never" and all(f.share != "never" for f in flows):
                self.keep(ask, event)  # what the consent allows: never a private answer
            elif isinstance(event, Text):
                self.private.append(event.text)
        assert self.service.active(CLIENT) is None, f"{flow_id} did not end"

    def event(self, ask: Ask, item, scales: int | None):
        event = event_for(ask, item)
        if ask.kind == "text" and isinstance(event, Text):
            answer = TYPED[self.typed % len(TYPED)]
            self.typed += 1
            return Text(answer)
        if ask.kind == "scale" and scales is not None:
            return event_for(ask, str(scales))
        return event

    def keep(self, ask: Ask, event) -> None:
        # A scale's anchors ("(0 = calm · 10 = very stirred up)") go with the answer in a report.
        question = flat(ask.text.split("\n(")[0] if ask.kind == "scale" else ask.text)
        if isinstance(event, Skip):
            return
        if isinstance(event, Text):
            self.pairs.append((question, f"Their words: “{event.text}”"))
        elif ask.kind == "scale":
            self.pairs.append((question, f"The client chose: {event.value} of"))
        elif ask.kind == "choice":
            label = next(b.label for b in ask.buttons if b.value == event.value)
            self.pairs.append((question, f"The client chose: “{label}”"))


def pdf_of(service: Service, now, tmp_path: Path) -> tuple[list[str], PdfReader]:
    out = service.therapist_command(THERAPIST, "report", "maya", now)
    files = {e.filename.rsplit(".", 1)[1]: e.data for e in out.effects if isinstance(e, Document)}
    assert set(files) == {"md", "pdf"}, said(out.effects)
    path = tmp_path / "report.pdf"
    path.write_bytes(files["pdf"])
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [page for page in text.split("\f") if page.strip()], PdfReader(io.BytesIO(files["pdf"]))


def test_three_weeks_of_work_read_back_from_the_pdf(practice, now, tmp_path):
    play(practice, CLIENT, "getting-started", CLEAR + CHOICES, now)
    code = invite_code(practice, now, LABEL)
    practice.open_invite(CLIENT, code, now, "e1")
    assert "You're linked" in said(practice.action(CLIENT, f"acc:summaries:{code}", now).effects)
    sent = assign(practice, now, flow="name-the-cycle", days=7)
    assert "Sent to “Maya R”" in said(sent.effects), said(sent.effects)
    later = now + timedelta(days=3)
    link = practice.practice.rows.links_of_client(CLIENT)[0]
    practice.action(CLIENT, f"scope:{link.id}:full", later)

    client = Client(practice)
    client.walk("name-the-cycle", later)
    client.walk("raw-spot", later + timedelta(hours=1))
    client.walk("rocky-moment", later + timedelta(days=2))
    for week in range(3):  # three weeks of check-ins, scores rising
        # From the second week on, it first asks how last week's small step went.
        at = now + timedelta(days=1 + 7 * week)
        client.walk("weekly-check-in", at, scales=2 + week, test=2 if week else 0)
    shown = now + timedelta(days=16, hours=2)
    practice.handle(CLIENT, Text("I want to end my life tonight"), shown)
    practice.action(CLIENT, "ans:suicide:y", shown)  # "yes" to the plain question: the card
    events = practice.store.personal.everything_about(CLIENT)["safety_events"]
    assert any(str(e["shown"]).startswith("card") for e in events), events

    pages, reader = pdf_of(practice, now + timedelta(days=17), tmp_path)
    font_set = fonts()
    consent_day = f"{later:%Y-%m-%d}"
    assert consent_day != f"{now:%Y-%m-%d}"
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines()]
        assert f"Page {number} of {len(pages)}" in lines, number
        assert any(
            line.startswith(LABEL) and f"Confidential: shared with consent on {consent_day}" in line
            for line in lines
        ), (number, lines[:3])

    first = flat(pages[0])
    assert "At a glance" in first
    assert "Homework: 1 set, 1 done, 0 open." in first, first
    assert "Weekly check-ins: 3, the latest on" in first
    assert re.search(r"Reachable 4\.0 of 5", first), first
    assert "reachable higher (2.5 → 4.0)" in first
    assert "Last safety card shown: " in first
    assert reader.pages[0].images, "the first page draws the check-in trend as a chart"
    assert "Their words" not in first  # the answers begin on the next page

    assert len(client.pairs) > 20
    assert client.typed >= len(TYPED)
    for question, answer in client.pairs:
        expected = font_set.printable(flat(f"{question} {answer}"))
        on_a_page = [flat(page) for page in pages if expected in flat(page)]
        assert on_a_page, f"not under its question on one page: {expected}"
    shared = {answer for _, answer in client.pairs}
    for typed in ("彼がスマホを見ている、また", "the phone–wall dance 😅", "안아 주면 좋겠어 🤗"):
        assert f"Their words: “{typed}”" in shared, typed  # each drawn, under its question
    body = "".join(pages)
    for typed in client.private:
        if all(typed not in answer for answer in shared):
            assert font_set.printable(typed) not in flat(body), typed
    step_ids = {s.id for f in practice.catalog.values() for s in f.steps if "_" in s.id}
    assert not [s for s in step_ids if s in body]
