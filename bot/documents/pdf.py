"""Documents (`bot.documents.blocks` blocks) as PDFs, laid out for print.

The blocks are drawn directly: nothing is parsed back from Markdown, so a line a person wrote
is drawn as they wrote it, left-aligned (never justified: a justified line stretches a person's
words apart). Every page carries its furniture: a header with the client's label and the
line "Confidential: shared with consent on DATE", and a footer "Page 2 of 5".

Text goes through `FontSet.printable` first (`bot.documents.fonts`), so fpdf2 meets no
character it cannot draw: one no font has is drawn as a visible placeholder, never dropped.
fpdf2 and fontTools would otherwise log such characters, or glyph names that spell them, and
nothing a person writes may reach a log: their loggers are closed here, at import, and only
say that they had an error, never what.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
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
    "chart": ("I", 9, 5),
    "pagebreak": ("", 10, 0),
}
HEADINGS: tuple[Kind, ...] = ("title", "heading", "subheading")


def _text(block: Block, font_set: FontSet) -> str:
    text = block.text.strip()
    if block.kind in HEADINGS:
        text = " ".join(text.split())
    elif block.kind != "quote":
        text = "\n".join(line.strip() for line in text.splitlines() if line.strip())
    return font_set.printable(text, STYLE[block.kind][0])


FURNITURE = ("", 8, 4.5)  # header and footer: font style, size (pt), line height (mm)
GREY = 110  # the header and footer are drawn in grey, so the eye goes to the body
PAGE_ALIAS = "{nb}"  # fpdf2 puts the number of pages here when the document is written


@dataclass(frozen=True)
class Furniture:
    """What every page of a client's document shows besides its body.

    `label` is the client's label; `consented_on` the date (YYYY-MM-DD) their current consent
    was given. Either may be empty: its line is then left out. Page numbers are always drawn.
    """

    label: str = ""
    consented_on: str = ""

    def header(self) -> str:
        """The header line, or "" when there is nothing to say."""
        parts = [" ".join(self.label.split())]
        if self.consented_on:
            parts.append(f"Confidential: shared with consent on {self.consented_on}")
        return " · ".join(part for part in parts if part)


def page_number(page: int) -> str:
    """The footer of page `page`: "Page 2 of 5" once fpdf2 fills in the number of pages."""
    return f"Page {page} of {PAGE_ALIAS}"


class _PDF(FPDF):
    """fpdf2 2.8.9, with its font kept on the page when a line starts in a fallback font,
    and the page furniture (`Furniture`) drawn on every page.

    When the first character of a line comes from a fallback font and the page has no font
    yet (a new page, or just after `set_font`), fpdf2 sets the main font inside that line's
    `q … Q` only, yet records it as set for the page: the lines after it then draw in no font,
    or a stale one (py-pdf/fpdf2#1772). Setting it for the page first avoids that path.
    """

    def __init__(self, header_text: str, family: str) -> None:
        super().__init__(format="A4")
        self.header_text = header_text  # already printable
        self.family = family

    def _render_styled_text_line(self, *args: Any, **kwargs: Any) -> Any:
        unset = not getattr(self, "current_font_is_set_on_page", True)
        if unset and self.current_font is not None and hasattr(self, "_set_font_for_page"):
            self._out(self._set_font_for_page(self.current_font, self.font_size_pt))
        return super()._render_styled_text_line(*args, **kwargs)

    def _fitted(self, text: str, width: float) -> str:
        """`text` cut, with an ellipsis, to fit on one line of `width`."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"

    def header(self) -> None:
        """The client's label and the confidentiality line, at the top of every page."""
        if not self.header_text:
            return
        style, size, height = FURNITURE
        width = self.w - self.l_margin - self.r_margin
        self.set_font(self.family, style, size)
        self.set_text_color(GREY)
        self.set_xy(self.l_margin, 8)
        self.cell(width, height, self._fitted(self.header_text, width), align="L")
        self.set_draw_color(GREY)
        self.set_line_width(0.2)
        self.line(self.l_margin, 8 + height + 0.5, self.w - self.r_margin, 8 + height + 0.5)
        self.set_text_color(0)
        self.set_xy(self.l_margin, max(self.t_margin, 8 + height + 4))

    def footer(self) -> None:
        """ "Page N of M", at the foot of every page."""
        style, size, height = FURNITURE
        self.set_font(self.family, style, size)
        self.set_text_color(GREY)
        self.set_xy(self.l_margin, -12)
        self.cell(
            self.w - self.l_margin - self.r_margin, height, page_number(self.page_no()), align="C"
        )
        self.set_text_color(0)


def _new_pdf(
    title: str, header: str, texts: list[str], styles: list[str], font_set: FontSet
) -> FPDF:
    pdf = _PDF(header, font_set.main[""].family)
    pdf.set_title(title)
    pdf.alias_nb_pages(PAGE_ALIAS)
    pdf.set_top_margin(18)  # room for the header
    pdf.set_auto_page_break(auto=True, margin=18)  # and for the footer
    for style, face in font_set.main.items():
        pdf.add_font(face.family, style, str(face.path))
    fallbacks = font_set.needed(
        [*texts, header], [*styles, FURNITURE[0]]
    )  # only those used: the CJK font is large
    for face in fallbacks:
        pdf.add_font(face.family, face.style, str(face.path))
    if fallbacks:
        pdf.set_fallback_fonts([face.family for face in fallbacks], exact_match=False)
    return pdf


CHART_WIDTH = 125.0  # mm
CHART_RATIO = 3.4 / 6  # the height of `bot.documents.charts.trend_chart` over its width


class _Layout:
    """Draws blocks one after another, keeping each block whole on a page where it fits
    (a question with its answer), and a heading, or a line ending in a colon, with the block
    after it."""

    def __init__(self, pdf: FPDF, family: str) -> None:
        self.pdf = pdf
        self.family = family
        self.width = pdf.w - pdf.l_margin - pdf.r_margin

    def height(self, block: Block, text: str) -> float:
        """How much of the page `block` takes, drawn alone."""
        if block.kind == "pagebreak":
            return 0.0
        style, size, line = STYLE[block.kind]
        self.pdf.set_font(self.family, style, size)
        width, _ = self._box(block)
        body = self.pdf.multi_cell(width, line, text, dry_run=True, output="HEIGHT", align="L")
        assert isinstance(body, float | int)
        gap = 3.0 + (2.0 if block.kind in HEADINGS else 0.0)
        return gap + body + (CHART_WIDTH * CHART_RATIO + 2 if block.kind == "chart" else 0.0)

    def _box(self, block: Block) -> tuple[float, float]:
        """The width and left indent of a block's text."""
        if block.kind == "item":
            return self.width - 5, 5.0
        if block.kind == "quote":
            return self.width - 6, 6.0
        return self.width, 0.0

    def keep(self, needed: float) -> None:
        """Start a new page unless `needed` mm fit on this one (or could fit on no page)."""
        pdf = self.pdf
        room = pdf.page_break_trigger - pdf.get_y()
        usable = pdf.page_break_trigger - pdf.t_margin
        if needed > room and needed <= usable and pdf.get_y() > pdf.t_margin + 1:
            pdf.add_page()

    def draw(self, block: Block, text: str, previous: Kind | None) -> None:
        """Draw one block below the one before it."""
        pdf = self.pdf
        if block.kind == "pagebreak":
            pdf.add_page()
            return
        style, size, line = STYLE[block.kind]
        top = pdf.get_y() <= pdf.t_margin + 1  # a new page needs no gap above
        if previous is not None and not top and not (block.kind == previous == "item"):
            pdf.ln(3)
        if block.kind in HEADINGS and not top:
            pdf.ln(2)
        if block.kind == "chart" and block.chart is not None:
            self._chart(block)
        pdf.set_font(self.family, style, size)
        width, indent = self._box(block)
        pdf.set_x(pdf.l_margin)
        if block.kind == "item":
            pdf.cell(indent, line, "•")
        else:
            pdf.set_x(pdf.l_margin + indent)
        pdf.multi_cell(width, line, text, new_x="LMARGIN", new_y="NEXT", align="L")

    def _chart(self, block: Block) -> None:
        import io

        from bot.documents.charts import trend_chart

        assert block.chart is not None
        png = trend_chart(block.chart.weeks, dict(block.chart.labels))
        self.pdf.image(io.BytesIO(png), x=self.pdf.l_margin, w=CHART_WIDTH)
        self.pdf.ln(2)


def pdf_from_blocks(blocks: list[Block], title: str, furniture: Furniture | None = None) -> bytes:
    """A simple A4 PDF of a document: headings, paragraphs, bulleted items, quotes and charts,
    all left-aligned, with `furniture` (the client's label, the consent line) atop every page
    and "Page N of M" at its foot. A block is kept whole on one page where it fits, and a
    heading is kept with what follows it."""
    font_set = fonts()
    texts = [_text(block, font_set) for block in blocks]
    styles = [STYLE[block.kind][0] for block in blocks]
    header = font_set.printable((furniture or Furniture()).header(), FURNITURE[0])
    pdf = _new_pdf(title, header, texts, styles, font_set)
    pdf.add_page()
    layout = _Layout(pdf, font_set.main[""].family)
    heights = [layout.height(block, text) for block, text in zip(blocks, texts, strict=True)]
    previous: Kind | None = None
    for index, (block, text) in enumerate(zip(blocks, texts, strict=True)):
        needed = heights[index]
        # A heading, or a line that introduces what follows ("…addressed to them:"), is kept
        # with the block after it.
        leads = block.kind in HEADINGS or text.rstrip().endswith(":")
        if leads and index + 1 < len(blocks):
            needed += heights[index + 1]
        if block.kind != "pagebreak":
            layout.keep(needed)
        layout.draw(block, text, previous)
        previous = block.kind
    return bytes(pdf.output())
