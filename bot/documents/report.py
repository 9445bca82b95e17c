"""/report: what one client's consent allows their therapist to read, as document blocks.

`report_blocks` builds the blocks (`bot.documents.blocks`); `report` writes them as escaped
Markdown, and `bot.documents.pdf` lays the same blocks out for print.

- status: each assignment (flow, due, done or open) and each conversation started and finished;
- summaries: also each closing summary with the choices the client tapped (their typed words and
  private answers replaced by a mark), and when a safety card was shown (the time only);
- full: also the summaries with their typed words, and every answer, except private ones.

Private, always: a flow marked `share: never` (the first questions, the safety questions, the
safety plan) is left out whole; an answer of a step marked `share: never` is never listed, and
is replaced by a mark wherever a summary quotes it. Only work since the link is shown, unless
the client chose to share their earlier work too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.documents.blocks import Block, to_markdown
from bot.flows.model import Catalog, Flow, Step
from bot.storage import COMPLETED
from bot.storage.practice import Assignment, Link


def _title(catalog: Catalog, flow_id: str) -> str:
    flow = catalog.get(flow_id)  # type: ignore[call-overload]
    return flow.title if flow else flow_id


def _resolve(catalog: Catalog, flow_id: str, step_key: str) -> tuple[list[Flow], Step] | None:
    """The flows an answer's key passes through (the run's, then each called one) and its step;
    None when the key no longer names a step."""
    flow = catalog.get(flow_id)  # type: ignore[call-overload]
    if flow is None:
        return None
    *calls, local = step_key.split("/")
    path = [flow]
    for call in calls:
        if not flow.has_step(call) or flow.step(call).call not in catalog:
            return None
        flow = catalog[flow.step(call).call]
        path.append(flow)
    return (path, flow.step(local)) if flow.has_step(local) else None


def _private(catalog: Catalog, flow_id: str, step_key: str) -> bool:
    """True for an answer of a step (or flow) marked `share: never`, or one no longer known."""
    found = _resolve(catalog, flow_id, step_key)
    if found is None:
        return True  # unknown: keep it private
    flows, step = found
    return step.share == "never" or any(f.share == "never" for f in flows)


def _shown(catalog: Catalog, flow_id: str, step_key: str, value: Any) -> str:
    if isinstance(value, dict) and value.get("skipped"):
        return "(skipped)"
    found = _resolve(catalog, flow_id, step_key)
    if found is not None:
        step = found[1]
        values = value if isinstance(value, list) else [value]
        labels = [o.label for v in values for o in step.options if o.value == str(v)]
        if labels:
            return ", ".join(labels)
    return str(value)


def _shared_runs(link: Link, rows: dict[str, list[dict[str, Any]]], catalog: Catalog) -> list[Any]:
    """The client's runs a therapist may know of: of flows that may be shared at all, and
    started since the link, unless the client chose to share earlier work too."""
    runs = []
    for run in rows.get("runs", []):
        flow = catalog.get(run["flow_id"])
        if flow is None or flow.share == "never":
            continue
        if not link.share_earlier and run["started_at"] < link.created_at:
            continue
        runs.append(run)
    return runs


def report_blocks(
    link: Link,
    assignments: list[Assignment],
    rows: dict[str, list[dict[str, Any]]],
    catalog: Catalog,
    now: datetime,
) -> list[Block]:
    """The report for one client, within `link.scope`, as document blocks."""
    since = "all their work" if link.share_earlier else f"work since {link.created_at[:10]}"
    out = [
        Block("title", link.label),
        Block(
            "para",
            f"Shared with you: {link.scope} ({since}). Written {now:%Y-%m-%d %H:%M} UTC.",
        ),
        Block("heading", "Homework"),
    ]
    if not assignments:
        out.append(Block("para", "None assigned yet."))
    for a in assignments:
        state = f"done {a.completed_at[:10]}" if a.completed_at else a.status
        out.append(Block("item", f"{_title(catalog, a.flow_id)}: due {a.due_at[:10]}, {state}"))
    out.append(Block("heading", "Conversations"))
    runs = _shared_runs(link, rows, catalog)
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
        column = f"shared_{link.scope}"
        # A run a disclosure closed is abandoned, and its last words are not a summary.
        finished = [r for r in runs if r.get("reflection") and r["status"] == COMPLETED]
        if not finished:
            out.append(Block("para", "None yet."))
        for run in finished:
            when = (run.get("completed_at") or run.get("updated_at") or "")[:10]
            out.append(Block("subheading", f"{_title(catalog, run['flow_id'])}, {when}"))
            # Only the copy written for this consent level; none kept means none is shown.
            out.append(Block("quote", str(run.get(column) or "(not available)")))
        cards = [
            e
            for e in rows.get("safety_events", [])
            if str(e["shown"]).startswith("card")
            and (link.share_earlier or e["at"] >= link.created_at)
        ]
        if cards:
            out.append(Block("heading", "Safety cards shown"))
            out += [Block("item", f"{e['at'][:16].replace('T', ' ')} UTC") for e in cards]
            out.append(Block("para", "(What the person wrote is never stored or shared.)"))
    if link.scope == "full":
        out.append(Block("heading", "Answers"))
        # An answer that told of danger is a safety answer: never listed, like the others.
        told = {(d["run_id"], d["source"]) for d in rows.get("disclosures", [])}
        by_run: dict[int, list[dict[str, Any]]] = {}
        for answer in rows.get("answers", []):
            if (answer["run_id"], answer["step"]) not in told:
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
            for answer in shared:
                shown = _shown(catalog, run["flow_id"], answer["step"], answer["value"])
                out.append(Block("item", f"{answer['step'].rsplit('/', 1)[-1]}: {shown}"))
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
