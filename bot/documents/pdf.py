"""Documents (`bot.documents.blocks` blocks) as PDFs, laid out for print.

The blocks are drawn directly: nothing is parsed back from Markdown, so a line a person wrote
is drawn as they wrote it. Text goes through `FontSet.printable` first (`bot.documents.fonts`), so
fpdf2 meets no character it cannot draw. fpdf2 and fontTools would otherwise log such
characters, or glyph names that spell them, and nothing a person writes may reach a log: their
loggers are closed here, at import, and only say that they had an error, never what.
"""

from __future__ import annotations

import logging
from typing import Any

from fpdf import FPDF

from bot.documents.blocks import Block, Kind
from bot.documents.fonts import FontSet, fonts

log = logging.getLogger(__name__)
QUIET_LOGGERS = ("fpdf", "fontTools")


class _Withheld(logging.Handler):
    """Takes every record of a library that may quote text, and passes on only that it logged.

    The one handler of the closed library loggers: what it receives goes no further."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            log.error("%s logged an error, withheld here: it may quote text", record.name)


def quiet_libraries() -> None:
    """Close the fpdf2 and fontTools loggers, their children included, to the rest of logging.

    Each parent logs at ERROR only, keeps its records from the root's handlers, and hands them
    to `_Withheld`. Children made later inherit all of it; children made already are reset to
    inherit too.
    """
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.ERROR)
        logger.propagate = False
        if not any(isinstance(h, _Withheld) for h in logger.handlers):
            logger.addHandler(_Withheld())
    children = tuple(f"{name}." for name in QUIET_LOGGERS)
    for name, child in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(child, logging.Logger) and name.startswith(children):
            child.setLevel(logging.NOTSET)
            child.propagate = True  # up to its closed parent, and no further
            child.handlers.clear()


quiet_libraries()

STYLE: dict[Kind, tuple[str, float, float]] = {  # kind: font style, size (pt), line height (mm)
    "title": ("B", 18, 8),
    "heading": ("B", 14, 8),
    "subheading": ("B", 12, 7),
    "para": ("", 10, 5.5),
    "item": ("", 10, 5.5),
    "quote": ("I", 10, 5.5),
}
HEADINGS: tuple[Kind, ...] = ("title", "heading", "subheading")


def _text(block: Block, font_set: FontSet) -> str:
    text = block.text.strip()
    if block.kind in HEADINGS:
        text = " ".join(text.split())
    elif block.kind != "quote":
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return font_set.printable(text, STYLE[block.kind][0])


class _PDF(FPDF):
    """fpdf2 2.8.9, with its font kept on the page when a line starts in a fallback font.

    When the first character of a line comes from a fallback font and the page has no font
    yet (a new page, or just after `set_font`), fpdf2 sets the main font inside that line's
    `q … Q` only, yet records it as set for the page: the lines after it then draw in no font,
    or a stale one (py-pdf/fpdf2#1772). Setting it for the page first avoids that path.
    """

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> Any:
        unset = not getattr(self, "current_font_is_set_on_page", True)
        if unset and self.current_font is not None and hasattr(self, "_set_font_for_page"):
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        return super()._render_styled_text_line(*args, **kwargs)


def _new_pdf(title: str, texts: list[str], styles: list[str], font_set: FontSet) -> FPDF:
    pdf = _PDF(format="A4")
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=True, margin=15)
    for style, face in font_set.main.items():
        pdf.add_font(face.family, style, str(face.path))
    fallbacks = font_set.needed(texts, styles)  # only those used: the CJK font is large
    for face in fallbacks:
        pdf.add_font(face.family, face.style, str(face.path))
    if fallbacks:
        pdf.set_fallback_fonts([face.family for face in fallbacks], exact_match=False)
    return pdf


def pdf_from_blocks(blocks: list[Block], title: str) -> bytes:
    """A simple A4 PDF of a document: headings, paragraphs, bulleted items and quotes."""
    font_set = fonts()
    texts = [_text(block, font_set) for block in blocks]
    styles = [STYLE[block.kind][0] for block in blocks]
    pdf = _new_pdf(title, texts, styles, font_set)
    pdf.add_page()
    family = font_set.main[""].family
    width = pdf.w - pdf.l_margin - pdf.r_margin
    previous: Kind | None = None
    for block, text in zip(blocks, texts, strict=True):
        style, size, height = STYLE[block.kind]
        if previous is not None and not (block.kind == previous == "item"):
            pdf.ln(3)
        if block.kind in HEADINGS:
            pdf.ln(2)
        pdf.set_font(family, style, size)
        pdf.set_x(pdf.l_margin)
        if block.kind == "item":
            pdf.cell(5, height, "•")
            pdf.multi_cell(width - 5, height, text, new_x="LMARGIN", new_y="NEXT")
        elif block.kind == "quote":
            pdf.set_x(pdf.l_margin + 6)
            pdf.multi_cell(width - 6, height, text, new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.multi_cell(width, height, text, new_x="LMARGIN", new_y="NEXT")
        previous = block.kind
    return bytes(pdf.output())
