"""The report PDF as a clinician expects it: every page numbered ("Page 2 of 5") and headed
with the client's label and "Confidential: shared with consent on DATE"; the body left-aligned;
and no character of an answer lost: each is drawn, or, where no font here has it, a box.

Read back with poppler's `pdftotext` (one form feed between pages), skipped where it is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.documents import pdf as pdf_module
from bot.documents.blocks import Block
from bot.documents.fonts import FALLBACKS, PLACEHOLDER, FontSet, fonts
from bot.documents.pdf import Furniture, pdf_from_blocks
from bot.documents.report import report_blocks
from bot.flows.model import Catalog
from bot.storage.practice import Link
from bot.usecases.practice.clients import _pdf

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="no pdftotext here (apt-get install poppler-utils)"
)
LABEL = "Maya R 🙂"
CONSENTED = "2026-02-14"
ANSWERS = [
    "the phone–wall dance 😅",
    "彼がスマホを見ている、また",
    "한국어 and ᚠᚢᚦ runes, and ✅ done",
    "café ❤ and “quotes”",
]


def text_step(catalog: Catalog) -> tuple[str, str]:
    """A flow and a typed-answer step of it that a full report lists."""
    for flow in catalog.values():
        if flow.share == "never":
            continue
        for step in flow.steps:
            if step.kind == "text" and step.share != "never" and not step.call:
                return flow.id, step.id
    raise AssertionError("no shared text step in the shipped flows")


def pages_of(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [page for page in out.split("\f") if page.strip()]


def visible(text: str) -> list[str]:
    """The characters of `text` a reader should find: not spaces, joiners or selectors."""
    return [
        c
        for c in unicodedata.normalize("NFC", text)
        if not c.isspace() and unicodedata.category(c) != "Cf" and not 0xFE00 <= ord(c) <= 0xFE0F
    ]


def report_pdf(catalog: Catalog, copies: int) -> bytes:
    flow_id, step = text_step(catalog)
    link = Link(1, 10, 20, LABEL, "full", f"{CONSENTED}T09:30:00+00:00", None, True)
    runs, answers = [], []
    for run_id in range(1, copies + 1):
        runs.append(
            {"id": run_id, "flow_id": flow_id, "started_at": "2026-03-01T10:00:00+00:00",
             "status": "active", "completed_at": None}
        )  # fmt: skip
        answers += [{"run_id": run_id, "step": step, "value": a} for a in ANSWERS]
    rows = {"runs": runs, "answers": answers}
    now = datetime(2026, 3, 2, 12, tzinfo=UTC)
    blocks = report_blocks(link, [], rows, catalog, now)
    assert sum(1 for b in blocks if b.kind == "item" and ANSWERS[1] in b.text) == copies
    return _pdf(blocks, f"Report: {link.label}", link)  # as /report makes it


def check_pages(pages: list[str], font_set: FontSet) -> None:
    label = font_set.printable(LABEL)  # its emoji a box where no font has it
    for number, page in enumerate(pages, 1):
        lines = [line.strip() for line in page.splitlines()]
        assert f"Page {number} of {len(pages)}" in lines, (number, page[-200:])
        assert any(label in line for line in lines), number
        assert any(f"Confidential: shared with consent on {CONSENTED}" in line for line in lines)


def check_no_character_dropped(pages: list[str], font_set: FontSet, copies: int) -> None:
    text = "".join(pages)
    chars = [c for answer in ANSWERS for c in visible(answer)]
    missing = [c for c in chars if not font_set.covers(c)]
    drawn = {c for c in chars if font_set.covers(c)}
    assert all(c in text for c in drawn), [c for c in drawn if c not in text]
    # The label in each page's header and the title draws with the same fonts.
    in_label = sum(1 for c in visible(LABEL) if not font_set.covers(c))
    assert text.count(PLACEHOLDER) == copies * len(missing) + (len(pages) + 1) * in_label
    for answer in ANSWERS:  # each answer, read back whole, has all its characters or boxes
        shown = "".join(c if font_set.covers(c) else PLACEHOLDER for c in visible(answer))
        assert text.count(shown) >= copies or "".join(visible(text)).count(shown) >= copies


def test_every_page_has_its_number_the_label_and_the_consent_line(shipped, tmp_path):
    copies = 40  # enough answers for several pages
    pages = pages_of(report_pdf(shipped, copies), tmp_path)
    assert len(pages) >= 3
    check_pages(pages, fonts())
    check_no_character_dropped(pages, fonts(), copies)
    if any(p.is_file() for p in FALLBACKS["cjk"]):
        assert "彼がスマホを見ている" in "".join(pages)
    if any(p.is_file() for p in FALLBACKS["emoji"]):
        assert "😅" in "".join(pages) and "🙂" in "".join(pages)


def test_without_the_fallback_fonts_cjk_and_emoji_become_boxes_not_nothing(
    shipped, tmp_path, monkeypatch
):
    bare = FontSet(fonts().main, ())  # a machine without fonts-droid-fallback or fonts-symbola
    monkeypatch.setattr(pdf_module, "fonts", lambda: bare)
    copies = 3
    pages = pages_of(report_pdf(shipped, copies), tmp_path)
    check_pages(pages, bare)
    check_no_character_dropped(pages, bare, copies)
    assert "彼" not in "".join(pages)  # (DejaVu itself has 😅: drawn either way)
    assert PLACEHOLDER * 5 in "".join(pages)  # 彼がスマホ: five boxes


def test_the_body_is_left_aligned_not_justified(tmp_path):
    # A justified PDF line is stretched with word spacing (Tw) or per-character positioning;
    # a left-aligned one never sets a word spacing.
    words = " ".join(["short", "words", "and", "a", "considerably", "longer", "one"] * 40)
    data = pdf_from_blocks([Block("para", words)], "Left", Furniture("Sam", CONSENTED))
    streams = re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S)
    content = b"".join(zlib.decompress(s) for s in streams if s[:1] == b"x")
    assert b" Tw" not in content
