"""Scores over weeks: one point per ISO week (the week's latest check-in), told in words.

Pure; the chart itself is drawn by `bot.documents.charts`, so this module stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Week:
    """One ISO week's scores, labelled like 2026-W47."""

    label: str
    scores: Mapping[str, float]


def by_week(rows: Sequence[tuple[str, str, float]]) -> list[Week]:
    """Group (at, name, value) rows into weeks, oldest first; a later check-in wins its week."""
    weeks: dict[str, dict[str, float]] = {}
    for at, name, value in rows:
        year, week, _ = datetime.fromisoformat(at).isocalendar()
        weeks.setdefault(f"{year}-W{week:02d}", {})[name] = value
    return [Week(label, scores) for label, scores in sorted(weeks.items())]


MOVED = 0.5
"""How far the latest week must be from the mean of the weeks before to count as a change."""


def movement(weeks: Sequence[Week], name: str) -> tuple[float, float, int] | None:
    """(mean of the weeks before, latest, -1/0/+1 for lower/about the same/higher) of one score;
    None when the latest week lacks it or no earlier week has it."""
    if not weeks or name not in weeks[-1].scores:
        return None
    now = weeks[-1].scores[name]
    before = [w.scores[name] for w in weeks[:-1] if name in w.scores]
    if not before:
        return None
    past = sum(before) / len(before)
    direction = 1 if now - past >= MOVED else -1 if past - now >= MOVED else 0
    return past, now, direction


def in_words(weeks: Sequence[Week], labels: Mapping[str, str]) -> str:
    """How this week compares with the weeks before, one gentle line per score."""
    if not weeks:
        return ""
    latest = weeks[-1]
    lines = []
    for name, label in labels.items():
        if name not in latest.scores:
            continue
        moved = movement(weeks, name)
        if moved is None:
            lines.append(f"{label}: {latest.scores[name]:.1f} of 5 this week.")
            continue
        past, now, direction = moved
        change = {
            1: "higher than in the weeks before",
            -1: "lower than in the weeks before",
            0: "about the same as in the weeks before",
        }[direction]
        lines.append(f"{label}: {now:.1f} of 5, {change} ({past:.1f}).")
    return "\n".join(lines)


def in_brief(weeks: Sequence[Week], labels: Mapping[str, str]) -> str:
    """The same comparison for someone else to read, on one line: "reachable higher (2.5 →
    3.5); responsive about the same (3.0 → 3.0)" (mean of the weeks before → the latest)."""
    parts = []
    for name, label in labels.items():
        moved = movement(weeks, name)
        if moved is None:
            if weeks and name in weeks[-1].scores:
                parts.append(f"{label.lower()} {weeks[-1].scores[name]:.1f}")
            continue
        past, now, direction = moved
        change = {1: "higher", -1: "lower", 0: "about the same"}[direction]
        parts.append(f"{label.lower()} {change} ({past:.1f} → {now:.1f})")
    return "; ".join(parts)
