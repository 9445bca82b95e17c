"""The report's first page: how a client is doing, in one look that fits a screen.

The client's label and consent, the period the report covers, homework set and done,
conversations begun and finished, the latest weekly check-in's scores with their trend (words,
and a chart in the PDF), and when a safety card was last shown. Scores and safety cards only
where the consent shares them (summaries or full), as the rest of the report does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.documents.blocks import Block, Chart
from bot.documents.trends import by_week, in_brief
from bot.flows.model import Catalog
from bot.storage import COMPLETED
from bot.storage.practice import DONE, OPEN, Assignment, Link

CHECK_IN = "weekly-check-in"
ARE = ("accessible", "responsive", "engaged")
"""The check-in's A.R.E. scores, as its flow names them: reaching, responding, staying close."""
SCORE_SCOPES = frozenset({"summaries", "full"})
"""The consent levels that show a therapist check-in scores and safety-card times: they share
the check-in's closing summary, which lists every rating tapped (never words typed). `status`
shows only how many check-ins and when."""
CONSENT_WORDS = {
    "status": "status only (homework and which conversations were done)",
    "summaries": "status and summaries (closing summaries and check-in scores)",
    "full": "everything they answer, except what they keep private",
}


def _day(at: str) -> str:
    return at[:10]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def shared_since(link: Link) -> str:
    """Where the shared work starts: the link's making, or "" when earlier work is shared."""
    return "" if link.share_earlier else link.created_at


def check_in_rows(
    link: Link, rows: dict[str, list[dict[str, Any]]]
) -> list[tuple[str, str, float]]:
    """(at, name, value) of the weekly check-in's A.R.E. scores the link shares, oldest first."""
    since = shared_since(link)
    found = [
        (str(r["at"]), str(r["name"]), float(r["value"]))
        for r in rows.get("scores", [])
        if r.get("flow_id") == CHECK_IN and r.get("name") in ARE and str(r["at"]) >= since
    ]
    return sorted(found)


def score_labels(catalog: Catalog) -> dict[str, str]:
    """The A.R.E. scores' names and labels, as the check-in flow words them."""
    flow = catalog.get(CHECK_IN)  # type: ignore[call-overload]
    return {n: flow.scores[n].label for n in ARE if flow is not None and n in flow.scores}


def _period(link: Link, runs: Sequence[dict[str, Any]], now: datetime) -> str:
    first = shared_since(link) or min(
        [link.created_at, *(str(r["started_at"]) for r in runs)], default=link.created_at
    )
    days = (now.date() - datetime.fromisoformat(first).date()).days + 1
    return f"Period: {_day(first)} to {now:%Y-%m-%d} ({_plural(days, 'day')})."


def _homework(assignments: Sequence[Assignment], now: datetime) -> str:
    if not assignments:
        return "Homework: none set yet."
    done = sum(1 for a in assignments if a.status == DONE)
    open_ = [a for a in assignments if a.status == OPEN]
    late = sum(1 for a in open_ if datetime.fromisoformat(a.due_at) < now)
    text = f"Homework: {len(assignments)} set, {done} done, {len(open_)} open"
    return text + (f" ({late} overdue)." if late else ".")


def _conversations(runs: Sequence[dict[str, Any]]) -> str:
    finished = sum(1 for r in runs if r["status"] == COMPLETED)
    return f"Conversations: {len(runs)} begun, {finished} finished."


def _check_ins(link: Link, rows: dict[str, list[dict[str, Any]]], catalog: Catalog) -> list[Block]:
    scored = check_in_rows(link, rows)
    weeks = by_week(scored)
    if not weeks:
        return [Block("item", "Weekly check-ins: none yet.")]
    head = f"Weekly check-ins: {len(weeks)}, the latest on {_day(scored[-1][0])}"
    if link.scope not in SCORE_SCOPES:
        return [Block("item", head + ".")]
    labels = score_labels(catalog)
    latest = weeks[-1].scores
    scores = "; ".join(
        f"{label} {latest[name]:.1f} of 5" for name, label in labels.items() if name in latest
    )
    out = [Block("item", f"{head}. Latest scores: {scores}.")]
    if len(weeks) >= 2:
        trend = in_brief(weeks, labels)
        out.append(Block("item", f"Trend, the latest week against the weeks before: {trend}."))
        out.append(
            Block(
                "chart",
                "Weekly check-in scores, 1 to 5, one point per week.",
                Chart(tuple(weeks), tuple(labels.items())),
            )
        )
    return out


def cards_shown(link: Link, rows: dict[str, list[dict[str, Any]]]) -> list[str]:
    """When a safety card was shown in the work the link shares (the times only), oldest first."""
    since = shared_since(link)
    return sorted(
        str(e["at"])
        for e in rows.get("safety_events", [])
        if str(e["shown"]).startswith("card") and str(e["at"]) >= since
    )


def _safety_card(link: Link, rows: dict[str, list[dict[str, Any]]]) -> Block:
    cards = cards_shown(link, rows)
    if not cards:
        return Block("item", "Safety cards: none shown in this period.")
    last = cards[-1][:16].replace("T", " ")
    return Block("item", f"Last safety card shown: {last} UTC (what was written is never kept).")


def first_page(
    link: Link,
    assignments: Sequence[Assignment],
    runs: Sequence[dict[str, Any]],
    rows: dict[str, list[dict[str, Any]]],
    catalog: Catalog,
    now: datetime,
) -> list[Block]:
    """The report's first page, ending in a page break: the client at a glance."""
    since = "all their work" if link.share_earlier else f"work since {_day(link.created_at)}"
    out = [
        Block("title", link.label),
        Block(
            "para",
            f"Consent given on {link.consented_on}: {CONSENT_WORDS.get(link.scope, link.scope)};"
            f" {since}.",
        ),
        Block("para", f"{_period(link, runs, now)} Written {now:%Y-%m-%d %H:%M} UTC."),
        Block("heading", "At a glance"),
        Block("item", _homework(assignments, now)),
        Block("item", _conversations(runs)),
        *_check_ins(link, rows, catalog),
    ]
    if link.scope in SCORE_SCOPES:
        out.append(_safety_card(link, rows))
    out.append(Block("pagebreak"))
    return out
