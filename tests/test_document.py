"""Documents as Markdown: a person's words are shown as written, never read as markup.

Checked with a real CommonMark parser (markdown-it-py, with GFM tables and strikethrough on),
and the PDF laid out from the same blocks, read back with pypdf.
"""

from __future__ import annotations

import io
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pypdf import PdfReader

from bot.documents.blocks import Block, escape_markdown, to_markdown
from bot.documents.fonts import FALLBACKS, PLACEHOLDER, fonts
from bot.documents.pdf import pdf_from_blocks

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
NASTY = [
    "# less shouting",
    "- item",
    "> quote",
    "1. first",
    "2) second",
    "+ plus",
    "* star",
    "**bold** and __bold__ and *em* and _em_",
    "[link](x) and ![image](y) and <http://example.com>",
    "`code` and ``more``",
    "<b>bold</b> and <script>x</script>",
    "&copy; &#169; &amp;",
    "~~struck~~",
    "| a | b |\n|---|---|\n| 1 | 2 |",
    "a line\n===",
    "a line\n---",
    "***",
    "    indented code",
    "```\nfenced\n```",
    "~~~\nfenced\n~~~",
    "[ref]: http://example.com",
    "trailing backslash\\\nnext",
    "hard break  \nnext",
    "Heading text ##",
    "a \\*backslash\\* already",
    "my_way and snake_case_ and _lead",
    "# less shouting\nmore\n\n- and a list\n> and a quote\n\n1. and numbers",
]
# Everything markup can make; what a block of each kind may hold besides its own.
MARKUP = {
    "heading_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "em_open",
    "strong_open", "link_open", "image", "code_inline", "code_block", "fence", "html_block",
    "html_inline", "hr", "table_open", "s_open", "hardbreak",
}  # fmt: skip
OWN = {
    "title": {"heading_open"},
    "heading": {"heading_open"},
    "subheading": {"heading_open"},
    "para": set(),
    "item": {"bullet_list_open"},
    "quote": {"blockquote_open"},
}


def tokens(source: str) -> list:
    found = []
    for token in PARSER.parse(source):
        found.append(token)
        found += token.children or []
    return found


def shown(source: str) -> str:
    """The text a reader sees, spaces and line breaks folded."""
    text = [t.content for t in tokens(source) if t.type == "text"]
    return " ".join(" ".join(text).split())


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("kind", list(OWN))
@pytest.mark.parametrize("text", NASTY)
def test_a_persons_text_is_shown_literally_in_every_kind_of_block(kind, text):
    source = to_markdown([Block(kind, text)])
    made = [t for t in tokens(source) if t.type in MARKUP]
    assert {t.type for t in made} == OWN[kind], source
    assert len(made) == len(OWN[kind]), source  # one heading, one list, one quote: no more
    paragraphs = len([t for t in tokens(source) if t.type == "paragraph_open"])
    if kind in ("para", "item"):
        assert paragraphs == 1, source
    elif kind != "quote":
        assert paragraphs == 0, source
    assert shown(source) == folded(text), source


def test_items_in_a_row_are_one_list_and_kinds_keep_their_markup():
    source = to_markdown(
        [
            Block("title", "Sam"),
            Block("para", "Shared with you: full."),
            Block("heading", "Homework"),
            Block("item", "one"),
            Block("item", "- two"),
            Block("subheading", "Naming the loop, 2026-11-23"),
            Block("quote", "line one\n\n# line two"),
        ]
    )
    assert source.startswith("# Sam\n\nShared with you: full.\n\n## Homework\n\n- one\n- \\- two\n")
    assert "### Naming the loop, 2026-11-23\n\n> line one\n>\n> \\# line two\n" in source
    kinds = [t.type for t in tokens(source)]
    assert kinds.count("bullet_list_open") == 1 and kinds.count("list_item_open") == 2
    assert kinds.count("heading_open") == 3 and kinds.count("blockquote_open") == 1


def test_escaping_is_readable_where_nothing_could_become_markup():
    plain = "When you go quiet after work, I catch myself pushing you (again). 3.5 - ok! my_way"
    assert escape_markdown(plain) == plain
    assert escape_markdown("  1. first\n  - second  ") == "1\\. first\n\\- second"


def test_an_unknown_kind_is_refused_at_once():
    with pytest.raises(ValueError, match="unknown block kind 'bold'"):
        Block("bold", "x")  # type: ignore[arg-type]


LINES = st.text(
    alphabet=st.sampled_from([*"ab1. #*_-+=>`[]()!<&;|~\\{}:", " ", "\n", "é", "彼"]),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(text=LINES, kind=st.sampled_from(["para", "item", "quote"]))
def test_any_text_stays_one_block_of_its_kind_and_reads_as_written(text, kind):
    source = to_markdown([Block(kind, text)])
    made = [t for t in tokens(source) if t.type in MARKUP]
    if folded(text):
        assert {t.type for t in made} == OWN[kind], source
        assert len(made) == len(OWN[kind]), source
    assert shown(source) == folded(text), source


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


CJK = "彼がスマホを見ている"
EMOJI = "😢 🙂 ❤️"
ACCENTS = "café, naïve, “curly” ‘quotes’ — Zoë"
UNDRAWABLE = "\U0001fae0"  # melting face (Unicode 14): in none of the fonts here


def test_the_pdf_draws_cjk_emoji_accents_and_a_placeholder_for_the_rest():
    font_set = fonts()
    assert not font_set.covers(UNDRAWABLE), "pick another character no font here draws"
    texts = [CJK, EMOJI, ACCENTS, f"# less shouting {UNDRAWABLE}", "👨\u200d👩\u200d👧 e\u0301"]
    blocks = [Block("title", "Report: Sam"), *(Block("para", t) for t in texts)]
    extracted = pdf_text(pdf_from_blocks(blocks, "Report: Sam"))
    assert "# less shouting" in extracted and ACCENTS in extracted and "é" in extracted
    visible = [
        c
        for c in unicodedata.normalize("NFC", "".join(texts))
        if not c.isspace() and unicodedata.category(c) != "Cf" and c != "\ufe0f"
    ]
    missing = [c for c in visible if not font_set.covers(c)]
    drawn = [c for c in visible if font_set.covers(c)]
    assert UNDRAWABLE in missing
    assert extracted.count(PLACEHOLDER) == len(missing)  # each one a box, none lost silently
    assert all(c in extracted for c in drawn), [c for c in drawn if c not in extracted]
    assert "\u200d" not in extracted and "\ufe0f" not in extracted  # joiners dropped, not boxed
    assert "😢" in extracted and "❤" in extracted  # DejaVu has these two
    if not any(path.is_file() for path in FALLBACKS["cjk"]):
        pytest.skip("no CJK font here (apt-get install fonts-droid-fallback): CJK not checked")
    assert CJK in extracted


def test_the_emoji_font_draws_what_dejavu_lacks():
    if not any(path.is_file() for path in FALLBACKS["emoji"]):
        pytest.skip("no emoji font here (apt-get install fonts-symbola)")
    extracted = pdf_text(pdf_from_blocks([Block("para", EMOJI)], "Emoji"))
    assert "🙂" in extracted and PLACEHOLDER not in extracted


def test_lines_after_one_that_starts_in_a_fallback_font_keep_their_font():
    # fpdf2 2.8.9 loses the page's font after such a line (py-pdf/fpdf2#1772's path), here
    # after a new font, and after a page break in the middle of a block.
    if not any(path.is_file() for path in FALLBACKS["cjk"]):
        pytest.skip("no CJK font here (apt-get install fonts-droid-fallback)")
    blocks = [
        Block("para", CJK),
        Block("para", "plain words after it"),
        Block("quote", CJK * 400),
        Block("item", "after the page break"),
    ]
    data = pdf_from_blocks(blocks, "Report")
    extracted = pdf_text(data)
    assert len(PdfReader(io.BytesIO(data)).pages) == 2
    assert "plain words after it" in extracted and "after the page break" in extracted
    assert extracted.count("彼") == 401
