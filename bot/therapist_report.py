"""/report: what one client's consent allows their therapist to read, as document blocks.

`report_blocks` builds the blocks (`bot.document`); `report` writes them as escaped Markdown,
and `bot.report_pdf` lays the same blocks out for print.

- status: each assignment (flow, due, done or open) and each conversation started and finished;
- summaries: also each reflection, traced to its flow and date, and when a safety card was shown;
- full: also every answer, except those of steps marked `share: never`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.document import Block, to_markdown
from bot.flows.model import Catalog
from bot.storage.practice import Assignment, Link


def _title(catalog: Catalog, flow_id: str) -> str:
    flow = catalog.get(flow_id)  # type: ignore[call-overload]
    return flow.title if flow else flow_id


def _private(catalog: Catalog, flow_id: str, step_key: str) -> bool:
    """True for an answer of a step its flow marks `share: never` (sub-flow keys included)."""
    flow = catalog.get(flow_id)  # type: ignore[call-overload]
    local = step_key.rsplit("/", 1)[-1]
    for candidate in [flow, *catalog.values()] if flow else catalog.values():
        if candidate.has_step(local):
            return candidate.step(local).share == "never"
    return True  # unknown: keep it private


def _shown(catalog: Catalog, flow_id: str, step_key: str, value: Any) -> str:
    flow = catalog.get(flow_id)  # type: ignore[call-overload]
    local = step_key.rsplit("/", 1)[-1]
    if isinstance(value, dict) and value.get("skipped"):
        return "(skipped)"
    if flow is not None and flow.has_step(local):
        step = flow.step(local)
        values = value if isinstance(value, list) else [value]
        labels = [o.label for v in values for o in step.options if o.value == str(v)]
        if labels:
            return ", ".join(labels)
    return str(value)


def report_blocks(
    link: Link,
    assignments: list[Assignment],
    rows: dict[str, list[dict[str, Any]]],
    catalog: Catalog,
    now: datetime,
) -> list[Block]:
    """The report for one client, within `link.scope`, as document blocks."""
    out = [
        Block("title", link.label),
        Block("para", f"Shared with you: {link.scope}. Written {now:%Y-%m-%d %H:%M} UTC."),
        Block("heading", "Homework"),
    ]
    if not assignments:
        out.append(Block("para", "None assigned yet."))
    for a in assignments:
        state = f"done {a.completed_at[:10]}" if a.completed_at else a.status
        out.append(Block("item", f"{_title(catalog, a.flow_id)}: due {a.due_at[:10]}, {state}"))
    out.append(Block("heading", "Conversations"))
    runs = [r for r in rows.get("runs", []) if r["flow_id"] not in ("getting-started", "readiness")]
    if not runs:
        out.append(Block("para", "None started yet."))
    for run in runs:
        ended = f", finished {run['completed_at'][:10]}" if run.get("completed_at") else ""
        out.append(
            Block(
                "item",
                f"{_title(catalog, run['flow_id'])}: started {run['started_at'][:10]}, "
                f"{run['status']}{ended}",
            )
        )
    if link.scope in ("summaries", "full"):
        out.append(Block("heading", "Reflections"))
        finished = [r for r in runs if r.get("reflection")]
        if not finished:
            out.append(Block("para", "None yet."))
        for run in finished:
            when = (run.get("completed_at") or run.get("updated_at") or "")[:10]
            out.append(Block("subheading", f"{_title(catalog, run['flow_id'])}, {when}"))
            out.append(Block("quote", str(run["reflection"])))
        cards = [e for e in rows.get("safety_events", []) if str(e["shown"]).startswith("card")]
        if cards:
            out.append(Block("heading", "Safety cards shown"))
            out += [Block("item", f"{e['at'][:16].replace('T', ' ')} UTC") for e in cards]
            out.append(Block("para", "(What the person wrote is never stored or shared.)"))
    if link.scope == "full":
        out.append(Block("heading", "Answers"))
        by_run: dict[int, list[dict[str, Any]]] = {}
        for answer in rows.get("answers", []):
            by_run.setdefault(answer["run_id"], []).append(answer)
        for run in runs:
            shared = [
                a for a in by_run.get(run["id"], [])
                if not _private(catalog, run["flow_id"], a["step"])
            ]  # fmt: skip
            if not shared:
                continue
            started = run["started_at"][:10]
            out.append(Block("subheading", f"{_title(catalog, run['flow_id'])}, {started}"))
            for a in shared:
                shown = _shown(catalog, run["flow_id"], a["step"], a["value"])
                out.append(Block("item", f"{a['step'].rsplit('/', 1)[-1]}: {shown}"))
    return out


def report(
    link: Link,
    assignments: list[Assignment],
    rows: dict[str, list[dict[str, Any]]],
    catalog: Catalog,
    now: datetime,
) -> bytes:
    """The report for one client, within `link.scope`, as Markdown (UTF-8)."""
    return to_markdown(report_blocks(link, assignments, rows, catalog, now)).encode("utf-8")
