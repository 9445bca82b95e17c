"""A tiny document model for the reports and exports, written out as safe Markdown.

A document is a list of `Block`s. Each block's text is plain text, never Markdown: the markup
(`#`, `- `, `> `) is added by `to_markdown`, and the text is escaped so that nothing a person
wrote (a line starting "# ", a `**word**`, a `[link](x)`) is read as Markdown. The PDF lays out
the same blocks directly (`bot.documents.pdf`), so it needs no Markdown at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from bot.documents.trends import Week

Kind = Literal["title", "heading", "subheading", "para", "item", "quote", "chart", "pagebreak"]
KINDS: tuple[Kind, ...] = (
    "title", "heading", "subheading", "para", "item", "quote", "chart", "pagebreak"
)  # fmt: skip
_PREFIX = {"title": "# ", "heading": "## ", "subheading": "### "}


@dataclass(frozen=True)
class Chart:
    """Scores over weeks to draw as a chart: the weeks, and each score's name with its label."""

    weeks: tuple[Week, ...]
    labels: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Block:
    """One block of a document: its kind, and its text (plain, possibly several lines).

    A `chart` block carries its `chart`, drawn in the PDF above its text; in Markdown only the
    text (the same trend in words) is written. A `pagebreak` starts a new page in the PDF and
    is a rule in Markdown."""

    kind: Kind
    text: str = ""
    chart: Chart | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown block kind {self.kind!r}: use one of {', '.join(KINDS)}")


# Anywhere in a line: code spans, emphasis, links and images, inline HTML and autolinks,
# GFM tables and strikethrough, attribute lists of some renderers, and `#` (which can also
# close a heading). `!` and `(` `)` are harmless once `[` and `]` are escaped. A run of `_`
# between two letters or digits ("my_way") can neither open nor close emphasis: kept as is.
_INLINE = re.compile(r"(?P<word>(?<=[^\W_])_+(?=[^\W_]))|(?P<mark>[\\`*_{}\[\]<|~#])")
# Entity references: "&copy;" would render as ©.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# At the start of a line only: quotes, bullets, setext underlines, and ordered-list numbers.
_LINE_START = re.compile(r"^([>+\-=])")
_ORDERED = re.compile(r"^(\d{1,9})([.)])")


def _escape_line(line: str) -> str:
    # Leading spaces could make an indented code block; trailing ones a hard line break.
    line = line.strip()
    line = _INLINE.sub(lambda m: m["word"] or "\\" + m["mark"], line)
    line = _ENTITY.sub(r"\\&", line)
    line = _LINE_START.sub(r"\\\1", line)
    return _ORDERED.sub(r"\1\\\2", line)


def escape_markdown(text: str) -> str:
    """`text` with every character that could start or change Markdown markup escaped.

    Each line is escaped on its own (a marker at the start of any line is neutralised) and
    trimmed of leading and trailing spaces; line breaks are kept, so the caller decides how
    the lines are laid out.
    """
    return "\n".join(_escape_line(line) for line in str(text).splitlines())


def _lines(text: str) -> list[str]:
    return [line for line in escape_markdown(text).split("\n") if line]


def _block(block: Block) -> str:
    lines = _lines(block.text)
    if block.kind in _PREFIX:
        return _PREFIX[block.kind] + " ".join(lines)
    if block.kind == "quote":
        quoted = escape_markdown(block.text.strip()).split("\n")
        return "\n".join(f"> {line}" if line else ">" for line in quoted)
    if block.kind == "item":
        return "- " + "\n  ".join(lines)
    if block.kind == "pagebreak":
        return "---"
    return "\n".join(lines)


def to_markdown(blocks: Iterable[Block]) -> str:
    """The blocks as a Markdown document: blank lines between blocks, one list per run of items."""
    out: list[str] = []
    previous: Kind | None = None
    for block in blocks:
        if out:
            out.append("\n" if block.kind == previous == "item" else "\n\n")
        out.append(_block(block))
        previous = block.kind
    return "".join(out) + "\n"
