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


def in_words(weeks: Sequence[Week], labels: Mapping[str, str]) -> str:
    """How this week compares with the weeks before, one gentle line per score."""
    if not weeks:
        return ""
    latest = weeks[-1]
    lines = []
    for name, label in labels.items():
        if name not in latest.scores:
            continue
        now = latest.scores[name]
        before = [w.scores[name] for w in weeks[:-1] if name in w.scores]
        if not before:
            lines.append(f"{label}: {now:.1f} of 5 this week.")
            continue
        past = sum(before) / len(before)
        if now - past >= 0.5:
            change = "higher than in the weeks before"
        elif past - now >= 0.5:
            change = "lower than in the weeks before"
        else:
            change = "about the same as in the weeks before"
        lines.append(f"{label}: {now:.1f} of 5, {change} ({past:.1f}).")
    return "\n".join(lines)
