"""The fonts a PDF is drawn with, and text made safe to draw with them.

DejaVu Sans (shipped with matplotlib) is the main font: Latin, Greek, Cyrillic, curly quotes,
bullets and a few emoji. When the machine has them, Droid Sans Fallback (Debian's
`fonts-droid-fallback`: Chinese, Japanese, Korean) and Symbola (`fonts-symbola`: emoji and
symbols) fill the gaps, through fpdf2's fallback fonts. Each font's character map is read once
per process. `FontSet.printable` then turns any character that no font draws into a visible
placeholder before fpdf2 sees it, so fpdf2 never has a missing glyph to report (its report
would quote the person's words in the log).
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]  # fontTools ships no types

log = logging.getLogger(__name__)
PLACEHOLDER = "□"  # U+25A1 WHITE SQUARE: in every DejaVu Sans style
STYLES = ("", "B", "I")  # regular, bold, oblique: fpdf2's style letters
_DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
MAIN = {
    "": _DEJAVU / "DejaVuSans.ttf",
    "B": _DEJAVU / "DejaVuSans-Bold.ttf",
    "I": _DEJAVU / "DejaVuSans-Oblique.ttf",
}
# Fallbacks in the order fpdf2 tries them; the first path of each that exists is used.
FALLBACKS: dict[str, tuple[Path, ...]] = {
    "cjk": (
        Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
        Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallbackFull.ttf"),
        Path("/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf"),
    ),
    "emoji": (
        Path("/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf"),
        Path("/usr/share/fonts/truetype/symbola/Symbola.ttf"),
        Path("/usr/share/fonts/truetype/ancient-scripts/Symbola.ttf"),
    ),
}


@dataclass(frozen=True)
class Face:
    """One font file: the name fpdf2 knows it by, its style, and the characters it draws."""

    family: str
    style: str
    path: Path
    codepoints: frozenset[int]


def _face(family: str, style: str, path: Path) -> Face:
    with TTFont(str(path), lazy=True) as font:
        return Face(family, style, path, frozenset(font.getBestCmap() or {}))


def _invisible(char: str) -> bool:
    """Characters that only join or vary their neighbours: zero-width joiners and spaces,
    variation selectors (U+FE0F asks for the emoji form), direction marks, tag characters.
    Without text shaping they would draw as nothing at best and as boxes at worst."""
    code = ord(char)
    return (
        unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF
    )


@dataclass(frozen=True)
class FontSet:
    """DejaVu Sans in three styles, and the fallback fonts found on this machine."""

    main: dict[str, Face]
    fallbacks: tuple[Face, ...]

    def covers(self, char: str, style: str = "") -> bool:
        """Whether some font draws `char` in `style` (a fallback serves every style)."""
        code = ord(char)
        return code in self.main[style].codepoints or any(
            code in face.codepoints for face in self.fallbacks
        )

    def printable(self, text: str, style: str = "") -> str:
        """`text` as these fonts can draw it, line breaks kept.

        Composed where Unicode allows (e + ◌́ becomes é); invisible joiners and selectors
        dropped; marks and emoji skin-tone modifiers no font has dropped (the base character
        stays); other spaces made plain spaces; every other character no font has replaced
        by `PLACEHOLDER`.
        """
        out: list[str] = []
        for char in unicodedata.normalize("NFC", text):
            if char == "\n":
                out.append(char)
            elif char == "\t" or (
                unicodedata.category(char) == "Zs" and not self.covers(char, style)
            ):
                out.append(" ")
            elif unicodedata.category(char) == "Cc" or _invisible(char):
                continue
            elif self.covers(char, style):
                out.append(char)
            elif unicodedata.category(char) in ("Mn", "Me") or 0x1F3FB <= ord(char) <= 0x1F3FF:
                continue
            else:
                out.append(PLACEHOLDER)
        return "".join(out)

    def needed(self, texts: list[str], style_of: list[str]) -> tuple[Face, ...]:
        """The fallback faces these (already printable) texts use, in fallback order."""
        used: set[Path] = set()
        for text, style in zip(texts, style_of, strict=True):
            for code in {ord(c) for c in text} - self.main[style].codepoints:
                face = next((f for f in self.fallbacks if code in f.codepoints), None)
                if face is not None:
                    used.add(face.path)
        return tuple(face for face in self.fallbacks if face.path in used)


@cache
def fonts() -> FontSet:
    """The fonts of this machine, found and read once per process."""
    main = {style: _face("dejavu", style, path) for style, path in MAIN.items()}
    fallbacks = []
    for name, candidates in FALLBACKS.items():
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            continue
        try:
            fallbacks.append(_face(name, "", found))
        except Exception:  # a damaged font file: draw without it rather than not at all
            log.warning("Could not read the font %s; PDFs are drawn without it", found)
    return FontSet(main, tuple(fallbacks))
