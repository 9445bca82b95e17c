"""/report: what one client's consent allows their therapist to read, as document blocks.

`report_blocks` builds the blocks (`bot.documents.blocks`), beginning with the client at a
glance (`bot.documents.first_page`); `report` writes them as escaped Markdown, and
`bot.documents.pdf` lays the same blocks out for print.

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

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.documents.blocks import Block, to_markdown
from bot.documents.first_page import cards_shown, first_page
from bot.engine.render import join_words, labels, render
from bot.engine.state import Frame, RunState, is_skipped
from bot.flows.model import Catalog, Flow, FlowId, Kind, Step
from bot.storage import ABANDONED, ACTIVE, COMPLETED, PAUSED
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


def _frame(catalog: Catalog, flows: list[Flow], step_key: str) -> Frame:
    """The engine's frame for the flow that asks `step_key` (its sub-flow scope included)."""
    scope = step_key.rsplit("/", 1)[0] + "/" if "/" in step_key else ""
    flow = flows[-1]
    return Frame(FlowId(flow.id), flow.version, step_key.rsplit("/", 1)[-1], scope)


def _question(catalog: Catalog, flows: list[Flow], step: Step, state: RunState, key: str) -> str:
    """The question as the client saw it: the step's text rendered as the engine would (at
    full consent, so a private answer it quotes stays a mark), else its plain text."""
    try:
        text = render(step.text, catalog, flows[-1], state, _frame(catalog, flows, key), "full")
    except (KeyError, ValueError, TypeError):
        text = step.text
    return " ".join(text.split()) or "(a question without words)"


def _answer(
    catalog: Catalog, flows: list[Flow], step: Step, state: RunState, key: str, value: Any
) -> str:
    """The answer in the third person, with the words the client saw: a choice by its labels,
    a scale by its point and word ("4 of 5 – mostly"), typed words as written."""
    if is_skipped(value):
        return "The client skipped this question."
    if step.kind is Kind.TEXT:
        return f"Their words: “{value}”"
    if step.kind is Kind.SCALE:
        try:
            point = int(value)
        except (TypeError, ValueError):
            return f"The client chose: {value}"
        word = step.scale_labels.get(point)
        if word:
            return f"The client chose: {point} of {step.scale_max} – {word}"
        # A point without its own word: the scale's anchors, as the client saw them under it.
        anchors = " · ".join(f"{p} = {label}" for p, label in sorted(step.scale_labels.items()))
        return f"The client chose: {point} of {step.scale_max}" + (
            f" ({anchors})" if anchors else ""
        )
    fill = labels(catalog, flows[-1], state, _frame(catalog, flows, key), "full")
    values = value if isinstance(value, list) else [value]
    # Quoted: the labels are the words the client saw (and may speak to them).
    shown = [f"“{fill(o.label) if (o := step.option(str(v))) else v}”" for v in values]
    return f"The client chose: {join_words(shown)}"


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
    # In the order they were begun: a paused conversation keeps its place.
    return sorted(runs, key=lambda r: (str(r["started_at"]), int(r["id"])))


_STATE = {ACTIVE: "in progress", PAUSED: "paused", ABANDONED: "left unfinished"}


def _when(run: dict[str, Any]) -> str:
    started = f"started {str(run['started_at'])[:10]}"
    if run["status"] == COMPLETED:
        return f"{started}, finished {str(run.get('completed_at') or '')[:10]}"
    return f"{started}, {_STATE.get(run['status'], str(run['status']))}"


def _memory(run: dict[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    """What earlier flows had left in the person's memory when the run went on, as its stored
    state keeps it: so a question that quotes an earlier answer reads as the client saw it."""
    saved = run.get("state")
    if not isinstance(saved, Mapping):
        return {}
    try:
        return RunState.from_dict(saved).memory
    except (KeyError, TypeError, ValueError):
        return {}


def _questions(catalog: Catalog, run: dict[str, Any], answers: list[dict[str, Any]]) -> list[Block]:
    """Each shared question of a run as the client saw it, with the answer under it: a
    sub-flow's answer once (not again as the call's returned value), pauses left out."""
    flow_id = run["flow_id"]
    flow = catalog[flow_id]
    state = RunState(
        stack=(Frame(FlowId(flow_id), flow.version, ""),),
        answers={a["step"]: a["value"] for a in answers},
        memory=_memory(run),
    )
    out = []
    seen: set[str] = set()
    for a in answers:
        key = a["step"]
        found = _resolve(catalog, flow_id, key)
        if found is None:
            continue
        flows, step = found
        if step.kind is Kind.PAUSE:
            continue
        if step.kind is Kind.CALL and any(k.startswith(key + "/") for k in state.answers):
            continue
        question = _question(catalog, flows, step, state, key)
        if key in seen:  # answered again (a rewrite, or after /back): each answer is kept
            question = f"Again: {question}"
        seen.add(key)
        answer = _answer(catalog, flows, step, state, key, a["value"])
        out.append(Block("item", f"{question}\n{answer}"))
    return out


def report_blocks(
    link: Link,
    assignments: list[Assignment],
    rows: dict[str, list[dict[str, Any]]],
    catalog: Catalog,
    now: datetime,
) -> list[Block]:
    """The report for one client, within `link.scope`, as document blocks written for the
    therapist: a first page with the client at a glance, then the conversations in the order
    they were begun, each question as the client saw it with the answer in words, and no
    step id."""
    runs = _shared_runs(link, rows, catalog)
    out = first_page(link, assignments, runs, rows, catalog, now)
    out.append(Block("heading", "Homework"))
    if not assignments:
        out.append(Block("para", "None assigned yet."))
    for a in assignments:
        state = f"done {a.completed_at[:10]}" if a.completed_at else a.status
        out.append(Block("item", f"{_title(catalog, a.flow_id)}: due {a.due_at[:10]}, {state}"))
    out.append(Block("heading", "Conversations"))
    if not runs:
        out.append(Block("para", "None started yet."))
    for run in runs:
        out.append(Block("item", f"{_title(catalog, run['flow_id'])}: {_when(run)}"))
    column = f"shared_{link.scope}"
    # A run a disclosure closed is abandoned, and its last words are not a summary.
    finished = {r["id"] for r in runs if r.get("reflection") and r["status"] == COMPLETED}

    def reflection(run: dict[str, Any]) -> list[Block]:
        # Only the copy written for this consent level; none kept means none is shown.
        return [
            Block("para", "The closing summary the client read, as it was addressed to them:"),
            Block("quote", str(run.get(column) or "(not available)")),
        ]

    if link.scope == "summaries":
        out.append(Block("heading", "Reflections"))
        if not finished:
            out.append(Block("para", "None yet."))
        for run in runs:
            if run["id"] in finished:
                out.append(Block("subheading", f"{_title(catalog, run['flow_id'])}, {_when(run)}"))
                out += reflection(run)
    if link.scope == "full":
        out.append(Block("heading", "Questions, answers and reflections"))
        # An answer that told of danger is a safety answer: never listed, like the others.
        told = {(d["run_id"], d["source"]) for d in rows.get("disclosures", [])}
        by_run: dict[int, list[dict[str, Any]]] = {}
        for answer in rows.get("answers", []):
            if (answer["run_id"], answer["step"]) not in told:
                by_run.setdefault(answer["run_id"], []).append(answer)
        shown = 0
        for run in runs:
            shared = [
                a for a in by_run.get(run["id"], [])
                if not _private(catalog, run["flow_id"], a["step"])
            ]  # fmt: skip
            questions = _questions(catalog, run, shared)
            if not questions and run["id"] not in finished:
                continue
            shown += 1
            out.append(Block("subheading", f"{_title(catalog, run['flow_id'])}, {_when(run)}"))
            out += questions
            if run["id"] in finished:
                out += reflection(run)
        if not shown:
            out.append(Block("para", "None yet."))
    if link.scope in ("summaries", "full"):
        cards = cards_shown(link, rows)
        if cards:
            out.append(Block("heading", "Safety cards shown"))
            out += [Block("item", f"{at[:16].replace('T', ' ')} UTC") for at in cards]
            out.append(Block("para", "(What the person wrote is never stored or shared.)"))
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
