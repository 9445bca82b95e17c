"""Load every flow file from folders, check each one and the calls between them.

`load_catalog` is what the bot, the terminal player and the checker all use: it returns the
checked flows or raises one FlowError that lists every problem in every file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path as FsPath

from bot.flows import expr as expressions
from bot.flows.checks import FlowChecker, step_paths
from bot.flows.errors import FlowError, Location, Problem
from bot.flows.loader import Document, load_document
from bot.flows.locks import done_name
from bot.flows.model import Flow, FlowId, Kind
from bot.flows.validate import FlowBuilder, suggest

FLOW_SUFFIXES = (".yaml", ".yml")


def shipped_flows_dir() -> FsPath:
    """The folder of flows that ship with the bot."""
    return FsPath(str(resources.files("bot") / "content" / "flows"))


def flow_files(paths: Iterable[FsPath]) -> list[FsPath]:
    """Every flow file under the given files and folders, in a stable order."""
    found: list[FsPath] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.suffix in FLOW_SUFFIXES))
        else:
            found.append(path)
    return found


@dataclass
class Loaded:
    """One file's flow (if it could be built) and the document it came from."""

    flow: Flow | None
    doc: Document | None


def load_file(path: FsPath, display: str | None = None) -> tuple[Loaded, list[Problem]]:
    """Read, build and check one flow file on its own."""
    name = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Loaded(None, None), [Problem(Location(name, 1, 1), f"cannot read the file: {exc}")]
    doc, problems = load_document(text, name)
    if doc is None:
        return Loaded(None, None), problems
    builder = FlowBuilder(doc)
    flow = builder.build()
    problems += builder.problems
    if flow is not None:
        problems += FlowChecker(flow, doc, builder.dropped).run()
    return Loaded(flow, doc), problems


def check_calls(loaded: list[Loaded]) -> list[Problem]:
    """Cross-flow checks: duplicate flow ids, unknown sub-flows and parameters, call cycles."""
    problems: list[Problem] = []
    by_id: dict[str, Loaded] = {}
    for item in loaded:
        if item.flow is None or item.doc is None:
            continue
        if item.flow.id in by_id:
            first = by_id[item.flow.id].doc
            problems.append(
                Problem(
                    item.doc.at(("flow",)),
                    f"flow id '{item.flow.id}' is already used by {first.path if first else '?'}",
                    "give each flow its own id",
                )
            )
            continue
        by_id[item.flow.id] = item
    calls: dict[str, set[str]] = {}
    for item in by_id.values():
        assert item.flow is not None and item.doc is not None
        paths = step_paths(item.doc)
        for step in item.flow.steps:
            if step.kind is not Kind.CALL or step.call is None:
                continue
            here = paths[step.id]
            callee = by_id.get(step.call)
            if callee is None or callee.flow is None:
                problems.append(
                    Problem(
                        item.doc.at((*here, "call")),
                        f"step '{step.id}' calls flow '{step.call}', which does not exist",
                        suggest(step.call, by_id) or "check the flow id in the other file",
                    )
                )
                continue
            calls.setdefault(item.flow.id, set()).add(step.call)
            for name in step.args:
                if name not in callee.flow.params:
                    declared = ", ".join(callee.flow.params) or "none"
                    problems.append(
                        Problem(
                            item.doc.key_at((*here, "with", name)),
                            f"flow '{step.call}' has no parameter '{name}'"
                            f" (it declares: {declared})",
                            suggest(name, callee.flow.params) or "declare it under 'params:'",
                        )
                    )
    problems += _call_cycles(calls, by_id)
    problems += _lock_flows(by_id)
    return problems


def _lock_flows(by_id: dict[str, Loaded]) -> list[Problem]:
    names = {done_name(f): f for f in by_id}
    problems: list[Problem] = []
    for item in by_id.values():
        assert item.flow is not None and item.doc is not None
        for i, lock in enumerate(item.flow.locks):
            for name, _guarded in expressions.names(lock.when):
                if name.name.startswith("done_") and name.name not in names:
                    problems.append(
                        Problem(
                            item.doc.inside(("locks", i, "when"), name.col),
                            f"'{name.name}' does not name a flow",
                            suggest(name.name, names) or "use done_ and a flow id, - written as _",
                        )
                    )
    return problems


def _call_cycles(calls: dict[str, set[str]], by_id: dict[str, Loaded]) -> list[Problem]:
    problems: list[Problem] = []
    for start in sorted(calls):
        stack = [(start, [start])]
        seen: set[str] = set()
        while stack:
            node, trail = stack.pop()
            for nxt in sorted(calls.get(node, ())):
                if nxt == start:
                    doc = by_id[start].doc
                    assert doc is not None
                    problems.append(
                        Problem(
                            doc.at(("flow",)),
                            "flows call each other in a circle: " + " -> ".join([*trail, start]),
                            "a sub-flow must not call back into its caller",
                        )
                    )
                    stack.clear()
                    break
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    return problems


@dataclass(frozen=True)
class Checked:
    """What checking some files found: their own flows, the catalog they would run in (with
    the flows checked beside them), and every problem in the files themselves."""

    flows: dict[FlowId, Flow]
    catalog: dict[FlowId, Flow]
    problems: list[Problem]


def check_files(paths: Iterable[FsPath], beside: Iterable[FsPath] = ()) -> Checked:
    """Load and check every flow under `paths`, together with the flows under `beside`.

    The flows beside them (the shipped ones, for a therapist's file) are there to be called,
    named by locks and clash with: they are loaded first, so a clash of flow ids is reported
    in the file being checked, and their own problems are not reported at all.
    """
    files = flow_files(paths)
    own = {path.resolve() for path in files}
    context = [path for path in flow_files(beside) if path.resolve() not in own]
    loaded: list[Loaded] = []
    problems: list[Problem] = []
    for path in context:
        item, _theirs = load_file(path)
        loaded.append(item)
    mine: list[Loaded] = []
    for path in files:
        item, found = load_file(path)
        mine.append(item)
        problems += found
    shown = {str(path) for path in files}
    problems += [p for p in check_calls([*loaded, *mine]) if p.where.path in shown]
    problems.sort(key=lambda p: (p.where.path, p.where.line, p.where.col))
    flows = {item.flow.id: item.flow for item in mine if item.flow is not None}
    catalog = {item.flow.id: item.flow for item in loaded if item.flow is not None}
    return Checked(flows, {**catalog, **flows}, problems)


def check_paths(paths: Iterable[FsPath]) -> tuple[dict[FlowId, Flow], list[Problem]]:
    """Load and check every flow under `paths` (and nothing else); the flows and every problem."""
    checked = check_files(paths)
    return checked.flows, checked.problems


def load_catalog(paths: Iterable[FsPath] | None = None) -> dict[FlowId, Flow]:
    """The checked flows (shipped ones when `paths` is None); FlowError lists every problem."""
    flows, problems = check_paths(paths if paths is not None else [shipped_flows_dir()])
    if problems:
        raise FlowError(problems)
    return flows
