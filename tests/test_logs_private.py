"""Nothing a person writes reaches a log, at any level, through any library.

Every record is captured at DEBUG on the root logger, with warnings turned into records too,
while real conversations, exports, reports and PDFs are made from texts holding marker words,
Japanese, emoji and lines that look like Markdown.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from dataclasses import fields

import pytest
from markdown_it import MarkdownIt

from bot.documents.blocks import Block, to_markdown
from bot.documents.pdf import pdf_from_blocks
from bot.documents.report import report, report_blocks
from bot.engine import Ask, Choice, Document, Picks, Skip, Start, Text
from bot.flows.model import Catalog, Kind
from bot.storage.practice import Link
from bot.usecases.service import Service

MARK = "Quillfeather"
CJK = "彼がスマホを見ている"
RICH = (
    f"{MARK}one {CJK} 😢 🙂 ❤️ “curly” café\n"
    f"# less shouting {MARK}two\n"
    f"- an item **{MARK}three** [link](http://x) `code` <b>bold</b>\n"
    f"> a quote \U0001fae0 {MARK}four"
)
SHORT = f"{MARK}five 彼 🙂"  # for answers that must be short, like a name
USER = 4242


class Everything(logging.Handler):
    """Keeps every record it is given."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def captured() -> Iterator[Everything]:
    root = logging.getLogger()
    handler, level = Everything(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logging.captureWarnings(True)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("always")  # each warning a record, not an error, to check
            yield handler
    finally:
        logging.captureWarnings(False)
        root.setLevel(level)
        root.removeHandler(handler)


SECRET = [*CJK, "😢", "🙂", "\U0001fae0"]
# Each character as itself, as a glyph name ("uni5F7C", "u1F642"), as an escape ("\\U0001fae0").
TRACES = [
    MARK,
    *{
        form
        for char in SECRET
        for form in (char, f"uni{ord(char):04X}", f"u{ord(char):04X}", ascii(char)[1:-1])
    },
]


def assert_private(records: list[logging.LogRecord]) -> None:
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        said = formatter.format(record) + " " + repr(record.args)
        found = [trace for trace in TRACES if trace.lower() in said.lower()]
        assert not found, (found, said)


def converse(service: Service, flow_id: str, now) -> None:
    """Start the flow and answer everything: typed questions with the marked texts."""
    outcome = service.handle(USER, Start(flow_id), now)
    tries: dict[str, int] = {}
    for _ in range(80):
        asks = [e for e in outcome.effects if isinstance(e, Ask)]
        if not asks:
            return
        ask = asks[-1]
        if ask.kind == "text":
            tries[ask.key] = tries.get(ask.key, 0) + 1
            texts = {1: Text(RICH), 2: Text(SHORT)}
            event = texts.get(tries[ask.key]) or Skip(ask.seq)
        elif ask.kind == "multi":
            event = Picks((ask.buttons[0].value,), ask.seq)
        else:
            event = Choice(ask.buttons[0].value, ask.seq)
        outcome = service.handle(USER, event, now)
    raise AssertionError(f"{flow_id} did not end after 80 answers")


def free_text_flows(catalog: Catalog) -> list[str]:
    """The flows with a typed question, the tour first."""
    found = [f.id for f in catalog.values() if any(s.kind is Kind.TEXT for s in f.steps)]
    return sorted(found, key=lambda flow_id: flow_id != "tour")


@pytest.fixture
def conversed(service: Service, now, captured: Everything) -> Service:
    """A person who has typed the marked texts into a whole conversation."""
    for flow_id in free_text_flows(service.catalog):
        converse(service, flow_id, now)
        answers = service.store.personal.everything_about(USER).get("answers", [])
        if any(MARK in str(a["value"]) for a in answers):
            return service
    raise AssertionError("no flow took a typed answer")


def a_link(scope: str) -> Link:
    """A therapist's link to USER, whatever fields Link has grown."""
    values = {
        "id": 1, "therapist_id": 900, "client_id": USER, "label": f"Sam {CJK}",
        "scope": scope, "created_at": "2026-11-01T00:00:00",
    }  # fmt: skip
    return Link(**{f.name: values.get(f.name) for f in fields(Link)})


def test_a_conversation_its_export_report_and_pdf_log_none_of_the_words(conversed, captured, now):
    exported = conversed.export(USER, now)
    readable = [d for d in exported if isinstance(d, Document) and d.filename.endswith(".md")]
    assert readable and MARK in readable[0].data.decode()
    rows = conversed.store.personal.everything_about(USER)
    blocks = report_blocks(a_link("full"), [], rows, conversed.catalog, now)
    assert MARK in to_markdown(blocks)  # the report holds the words, so the check means something
    assert pdf_from_blocks(blocks, "Report: Sam").startswith(b"%PDF")
    assert MARK in report(a_link("full"), [], rows, conversed.catalog, now).decode()
    assert_private(captured.records)


def test_the_capture_hears_everything(captured):
    logging.getLogger("some.library").debug("a quiet word")
    warnings.warn("a warning", UserWarning, stacklevel=1)
    heard = [(r.name, r.levelname) for r in captured.records]
    assert ("some.library", "DEBUG") in heard and ("py.warnings", "WARNING") in heard


def test_a_pdf_of_every_kind_of_block_logs_none_of_the_words(captured):
    blocks = [Block(kind, RICH) for kind in ("title", "heading", "subheading", "para", "item")]
    blocks.append(Block("quote", RICH))
    assert pdf_from_blocks(blocks, f"Report: {MARK}").startswith(b"%PDF")
    assert_private(captured.records)


def test_the_pdf_libraries_loggers_stay_closed(captured):
    for name in ("fpdf.output", "fontTools.subset", "fontTools.ttLib.ttFont", "fpdf.new_child"):
        logging.getLogger(name).warning("Font is missing the following glyphs: '%s'", MARK)
        logging.getLogger(name).info("Glyph names: %s", CJK)
    logging.getLogger("fpdf.output").error("failed drawing %s", MARK)
    assert_private(captured.records)
    withheld = [r.getMessage() for r in captured.records if r.name == "bot.documents.pdf"]
    assert withheld == ["fpdf.output logged an error, withheld here: it may quote text"]


def test_the_export_shows_the_persons_words_literally(conversed, now):
    exported = conversed.export(USER, now)
    source = next(d for d in exported if d.filename.endswith(".md")).data.decode()
    tokens = MarkdownIt("commonmark").parse(source)
    inline = [c for t in tokens for c in (t.children or [])]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert not any(MARK in h for h in headings), headings
    assert not any(t.type in ("link_open", "code_inline", "html_inline") for t in inline)
    strong = [inline[i + 1].content for i, t in enumerate(inline) if t.type == "strong_open"]
    assert not any(s.startswith(f"{MARK}three") for s in strong), strong
    shown = " ".join(c.content for c in inline if c.type == "text")
    assert f"# less shouting {MARK}two" in shown and f"**{MARK}three**" in shown
