"""Precision and recall of the crisis screen on the labelled set, per category.

Usage: python scripts/screen_report.py [--set tests/data/screen_set.yaml] [--misses]

A crisis line counts as found when the screen names its category (at any severity: even an
"unclear" match pauses the exercise and asks). A benign line (`none`) is a false alarm when
the screen names any category. Exit 1 when recall on crisis lines is below 100% or false alarms
on benign lines are above 5%: the bars the tests hold.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.safety.screen import screen

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SET = ROOT / "tests" / "data" / "screen_set.yaml"
MAX_FALSE_ALARMS = 0.05


def labelled(path: Path) -> list[tuple[str, str]]:
    """(line, expected category or 'none') for every line of the set."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(str(line), category) for category, lines in data.items() for line in lines]


def found(line: str) -> str:
    """The category the screen names for a line, or 'none'."""
    flag = screen(line)
    return flag.category if flag else "none"


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures; exit 1 if the bars are not met."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="the labelled YAML set")
    parser.add_argument("--misses", action="store_true", help="list every line it got wrong")
    args = parser.parse_args(argv)
    rows = [(line, want, found(line)) for line, want in labelled(args.set)]
    categories = sorted({w for _, w, _ in rows} - {"none"})
    print(
        f"{len(rows)} lines: {Counter(w for _, w, _ in rows)['none']} benign,"
        f" {sum(1 for _, w, _ in rows if w != 'none')} crisis"
    )
    print(f"{'category':<14}{'lines':>6}{'precision':>11}{'recall':>9}")
    all_found = True
    for category in categories:
        hits = sum(1 for _, w, g in rows if w == category and g == category)
        said = sum(1 for _, _, g in rows if g == category)
        total = sum(1 for _, w, _ in rows if w == category)
        precision = hits / said if said else 1.0
        recall = hits / total if total else 1.0
        all_found &= recall == 1.0
        print(f"{category:<14}{total:>6}{precision:>11.1%}{recall:>9.1%}")
    benign = [(line, g) for line, w, g in rows if w == "none"]
    alarms = sum(1 for _, g in benign if g != "none")
    rate = alarms / len(benign) if benign else 0.0
    detected = sum(1 for _, w, g in rows if w != "none" and g != "none")
    crisis = sum(1 for _, w, _ in rows if w != "none")
    print(f"any crisis line flagged (any category): {detected}/{crisis}")
    print(f"false alarms on benign lines: {alarms}/{len(benign)} = {rate:.1%}")
    if args.misses:
        for line, want, got in rows:
            if want != got:
                print(f"  expected {want:<12} got {got:<12} {line}")
    return 0 if all_found and rate <= MAX_FALSE_ALARMS else 1


if __name__ == "__main__":
    sys.exit(main())
