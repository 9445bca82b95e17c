"""Score how typed answers at the shipped flows' button questions are understood.

  python scripts/typed_report.py tests/data/typed_blind_1.yaml [more sets] [--misses]

Each set lists, per flow and step, typed answers and the option values (or scale points) they
mean (`means: []` for an answer that means no option). Every answer is read the way the bot
reads it (`python -m bot understand`), and the report gives: understood (taken as the right
option, or the right option among those offered in "Did you mean…?"), taken without an extra
tap, taken as a wrong option, and answers meaning no option never taken as one.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.engine.reading import ACCEPT, CONFIRM, OTHER, Reading, read  # noqa: E402
from bot.flows.catalog import load_catalog  # noqa: E402
from bot.flows.model import Kind, Step  # noqa: E402
from bot.usecases.understanding import shipped_similarity  # noqa: E402


def judge(step: Step, reading: Reading, means: list[str]) -> str:
    """right (no tap), offered (right among those offered), wrong, missed, or, for an answer
    that means no option: kept (not taken) or taken."""
    got = list(reading.values)
    if not means:
        return "taken" if reading.action in (ACCEPT, OTHER) else "kept"
    if step.kind is Kind.MULTI:
        if reading.action == ACCEPT:
            if set(got) == set(means):
                return "right"
            return "wrong" if set(got) - set(means) else "missed"
        if reading.action == CONFIRM:
            return "offered" if set(got) == set(means) else "missed"
        return "missed"
    if reading.action in (ACCEPT, OTHER):
        return "right" if got and got[0] in means else "wrong"
    if reading.action == CONFIRM:
        return "offered" if set(got) & set(means) else "missed"
    return "missed"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="+", type=Path)
    parser.add_argument("--misses", action="store_true", help="print every answer not understood")
    parser.add_argument("--no-meaning", action="store_true", help="without the sentence encoder")
    parser.add_argument(
        "--without-also", action="store_true", help="as if the flows had no synonyms (also:)"
    )
    args = parser.parse_args(argv)
    catalog = load_catalog()
    similar = None if args.no_meaning else shipped_similarity()
    counts: Counter[str] = Counter()
    for path in args.sets:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            flow = catalog[entry["flow"]]
            step = flow.step(entry["step"])
            if args.without_also:
                step = replace(step, options=tuple(replace(o, also=()) for o in step.options))
            for answer in entry["answers"]:
                means = [str(m) for m in answer["means"]]
                reading = read(step, str(answer["text"]), str, similar)
                verdict = judge(step, reading, means)
                counts[verdict] += 1
                if args.misses and verdict in ("wrong", "missed", "taken"):
                    print(
                        f"{verdict:7} {entry['flow']}/{entry['step']}: {answer['text']!r}"
                        f" means {means} → {reading.action} {list(reading.values)} ({reading.how})"
                    )
    meant = sum(counts[k] for k in ("right", "offered", "wrong", "missed"))
    none = counts["kept"] + counts["taken"]
    names = ", ".join(p.name for p in args.sets)
    print(f"{names}: {meant} answers that mean an option, {none} that mean none")
    if meant:
        print(
            f"  understood: {counts['right'] + counts['offered']}/{meant} ="
            f" {(counts['right'] + counts['offered']) / meant:.1%} (target ≥ 90%)"
        )
        print(
            f"  taken without an extra tap: {counts['right']}/{meant} ="
            f" {counts['right'] / meant:.1%} (target ≥ 60%)"
        )
        print(
            f"  taken as a wrong option: {counts['wrong']}/{meant} ="
            f" {counts['wrong'] / meant:.1%} (target ≤ 2%)"
        )
    if none:
        print(
            f"  meaning no option, never taken as one: {counts['kept']}/{none} ="
            f" {counts['kept'] / none:.1%} (target ≥ 95%)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
