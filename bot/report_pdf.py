"""The therapist report as a PDF: the same Markdown, laid out for print.

Only the few shapes the report uses are understood: `#` headings, `- ` items, `> ` quotes and
plain lines. The DejaVu Sans font that matplotlib ships carries every character the reports use
(curly quotes, bullets, accents), which the PDF core fonts do not.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib
from fpdf import FPDF

FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
SIZES = {"# ": 18, "## ": 14, "### ": 12}


def pdf_from_markdown(text: str, title: str) -> bytes:
    """A simple A4 PDF of a report written in the report's Markdown."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_auto_page_break(auto=True, margin=15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # fpdf2 notes font subsetting details we do not need
        pdf.add_font("DejaVu", "", str(FONT / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONT / "DejaVuSans-Bold.ttf"))
        pdf.add_font("DejaVu", "I", str(FONT / "DejaVuSans-Oblique.ttf"))
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    for raw in text.splitlines():
        line = raw.replace("**", "")
        heading = next((mark for mark in SIZES if line.startswith(mark)), None)
        pdf.set_x(pdf.l_margin)
        if heading:
            pdf.set_font("DejaVu", "B", SIZES[heading])
            pdf.ln(2)
            pdf.multi_cell(width, 8, line[len(heading) :])
        elif line.startswith("> "):
            pdf.set_font("DejaVu", "I", 10)
            pdf.set_x(pdf.l_margin + 6)
            pdf.multi_cell(width - 6, 5.5, line[2:])
        elif line.startswith("- "):
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(width, 5.5, "• " + line[2:])
        elif line.strip():
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(width, 5.5, line)
        else:
            pdf.ln(3)
    return bytes(pdf.output())
