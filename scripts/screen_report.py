"""How well the crisis screen does on a labelled set: recall per category, false alarms.

Usage: python scripts/screen_report.py [--set FILE ...] [--misses] [--lists-only]

A set is a YAML file whose keys are categories (suicide, violence, harm_others, child,
emergency, affair, addiction) or kinds of ordinary line: `lookalike` (heavy words used
harmlessly; the older sets call them `none`) and `everyday` (ordinary answers to the flows'
questions). A crisis line counts as found when the screen flags it at all, at any severity (even
an `unclear` flag pauses the exercise and asks); named right when the flag names its category.
An ordinary line is a false alarm when the screen flags it. Figures are given for the screen
as the bot runs it (the lists and the classifier together), and for the phrase lists alone.

Exit 1 when the targets are missed: recall ≥ 95% overall and ≥ 90% in every category, the
category named right for ≥ 90% of crisis lines, false alarms ≤ 5% on look-alikes and ≤ 1% on
everyday answers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.safety.learned import Reader
from bot.safety.screen import scored, screen

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "tests" / "data" / "screen_set.yaml"
ORDINARY = {"none": "lookalike", "lookalike": "lookalike", "everyday": "everyday"}
TARGETS = {"recall": 0.95, "recall_each": 0.90, "named": 0.90, "lookalike": 0.05,
           "everyday": 0.01}  # fmt: skip


def labelled(path: Path) -> list[tuple[str, str]]:
    """(line, its category, or `lookalike`/`everyday`) for every line of a set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [(str(x), ORDINARY.get(str(k), str(k))) for k, lines in data.items() for x in lines]


@dataclass(frozen=True)
class Row:
    """One line and what each part of the screen made of it ('' for nothing)."""

    line: str
    want: str
    both: str
    lists: str
    score: float


def judge(rows: Sequence[tuple[str, str]], reader: Reader | None) -> list[Row]:
    """Screen every line three ways."""
    out = []
    for line, want in rows:
        both, score = scored(line, reader=reader)
        listed = screen(line)
        out.append(
            Row(line, want, both.category if both else "", listed.category if listed else "",
                score or 0.0)
        )  # fmt: skip
    return out


def table(rows: Sequence[Row], way: str) -> tuple[list[str], bool]:
    """The figures of one way of screening, and whether they meet the targets."""
    got = [(r.want, getattr(r, way)) for r in rows]
    crisis = [(w, g) for w, g in got if w not in ("lookalike", "everyday")]
    out: list[str] = []
    ok = True
    if crisis:
        found = sum(1 for _, g in crisis if g)
        named = sum(1 for w, g in crisis if g == w)
        ok &= found / len(crisis) >= TARGETS["recall"] and named / len(crisis) >= TARGETS["named"]
        out.append(
            f"  crisis lines found: {found}/{len(crisis)} = {found / len(crisis):.1%};"
            f" category named right: {named}/{len(crisis)} = {named / len(crisis):.1%}"
        )
        out.append(f"    {'category':<13}{'lines':>6}{'found':>8}{'named':>8}{'precision':>11}")
        for category in sorted({w for w, _ in crisis}):
            mine = [(w, g) for w, g in crisis if w == category]
            hit = sum(1 for _, g in mine if g) / len(mine)
            right = sum(1 for _, g in mine if g == category) / len(mine)
            said = sum(1 for _, g in got if g == category)
            precision = sum(1 for _, g in mine if g == category) / said if said else 1.0
            ok &= hit >= TARGETS["recall_each"]
            out.append(
                f"    {category:<13}{len(mine):>6}{hit:>8.1%}{right:>8.1%}{precision:>11.1%}"
            )
    for kind in ("lookalike", "everyday"):
        mine = [g for w, g in got if w == kind]
        if mine:
            alarms = sum(1 for g in mine if g)
            ok &= alarms / len(mine) <= TARGETS[kind]
            out.append(
                f"  false alarms on {kind} lines: {alarms}/{len(mine)} = {alarms / len(mine):.1%}"
            )
    return out, ok


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures; exit 1 if the targets are missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, nargs="+", default=[DEFAULT_SET],
                        help="labelled YAML sets (their lines together)")  # fmt: skip
    parser.add_argument("--misses", action="store_true", help="list every line it got wrong")
    parser.add_argument("--lists-only", action="store_true", help="the phrase lists alone")
    args = parser.parse_args(argv)
    reader = None
    if not args.lists_only:
        from bot.usecases.screening import shipped_reader

        reader = shipped_reader()
    rows = judge([r for path in args.set for r in labelled(path)], reader)
    crisis = sum(1 for r in rows if r.want not in ("lookalike", "everyday"))
    print(f"{', '.join(p.name for p in args.set)}: {len(rows)} lines, {crisis} crisis,"
          f" {sum(1 for r in rows if r.want == 'lookalike')} look-alikes,"
          f" {sum(1 for r in rows if r.want == 'everyday')} everyday")  # fmt: skip
    ways = [("lists", "phrase lists alone")]
    if reader:
        ways = [("both", "the screen (lists and classifier together: what the bot does)"),
                ("lists", "the phrase lists alone (the screen before the classifier)")]  # fmt: skip
    verdict = True
    for way, title in ways:
        figures, ok = table(rows, way)
        print(title + ":")
        print("\n".join(figures))
        if way == ways[0][0]:
            verdict = ok
    if args.misses:
        way = ways[0][0]
        for r in rows:
            got = getattr(r, way)
            ordinary = r.want in ("lookalike", "everyday")
            if (ordinary and got) or (not ordinary and got != r.want):
                print(f"  {r.want:<11} got {got or 'nothing':<11} {r.score:.2f}  {r.line}")
    print("targets met" if verdict else "targets missed")
    return 0 if verdict else 1


if __name__ == "__main__":
    sys.exit(main())
