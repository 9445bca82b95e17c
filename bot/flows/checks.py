"""Checks that need a whole flow: targets, reachability, dead ends, loops and variables.

Variables are checked with a small must-be-set dataflow over the step graph: a name may be used
at a step only if every path from the start to that step answers it first.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from bot.flows import expr as expressions
from bot.flows import template
from bot.flows.errors import Problem
from bot.flows.loader import Document, Path
from bot.flows.model import Flow, Kind, Step
from bot.flows.validate import suggest


@dataclass(frozen=True)
class Edge:
    """A way from one step to another; `answers` is what the move stores for its source step."""

    target: str
    answers: str  # "value", "maybe" (optional: value or skipped) or "none"
    path: Path


def step_paths(doc: Document) -> dict[str, Path]:
    """Where each step id was written in the document (its first occurrence)."""
    paths: dict[str, Path] = {}
    steps = doc.data.get("steps") if isinstance(doc.data, dict) else None
    for i, raw in enumerate(steps if isinstance(steps, list) else []):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            paths.setdefault(raw["id"], ("steps", i))
    return paths


def holds_answer(step: Step) -> bool:
    """True for steps whose id can be used as a variable."""
    return step.kind in (Kind.TEXT, Kind.CHOICE, Kind.MULTI, Kind.SCALE, Kind.CALL)


def edges(flow: Flow, step: Step, here: Path) -> Iterator[Edge]:
    """Every way out of `step`; an edge to "" means it falls off the end of the flow."""
    following = flow.after(step.id)
    fall = following.id if following else ""
    if step.when is not None:
        yield Edge(fall, "none", (*here, "when"))
    if step.kind is Kind.END:
        return
    answers = "value" if holds_answer(step) else "none"
    if step.optional and answers == "value":
        answers = "maybe"
    if step.kind is Kind.CALL:
        answers = "maybe"  # a sub-flow may end without returning anything
    for i, option in enumerate(step.options):
        if option.goto:
            yield Edge(option.goto, answers, (*here, "options", i, "goto"))
    if step.fallback:
        yield Edge(step.fallback, "none", (*here, "fallback"))
    if step.options and all(o.goto for o in step.options) and not step.optional:
        return
    for i, rule in enumerate(step.next):
        yield Edge(rule.goto, answers, (*here, "next", i, "goto"))
    if not step.next or step.next[-1].when is not None:
        yield Edge(fall, answers, here)


class FlowChecker:
    """Runs the whole-flow checks and collects problems."""

    def __init__(self, flow: Flow, doc: Document) -> None:
        self.flow = flow
        self.doc = doc
        self.paths = step_paths(doc)
        self.problems: list[Problem] = []

    def report(self, path: Path, message: str, hint: str = "") -> None:
        """Record a problem at the node at `path`."""
        self.problems.append(Problem(self.doc.at(path), message, hint))

    def run(self) -> list[Problem]:
        """All whole-flow checks, in file order."""
        self.lock_names()
        self.score_items()
        graph = self.targets()
        if not self.problems:
            # With a broken goto, "unreachable" reports would only be its echo.
            self.reachability(graph)
        self.loops(graph)
        self.variables(graph)
        return self.problems

    def targets(self) -> dict[str, list[Edge]]:
        """The step graph; unknown targets and dead ends are reported and left out."""
        graph: dict[str, list[Edge]] = {}
        ids = [s.id for s in self.flow.steps]
        for step in self.flow.steps:
            here = self.paths[step.id]
            good: list[Edge] = []
            for edge in edges(self.flow, step, here):
                if edge.target == "":
                    if edge.path[-1] == "when":
                        self.report(
                            edge.path,
                            f"when this condition is false, step '{step.id}' is skipped, but no"
                            " step follows it",
                            "add a step after it, or an end",
                        )
                    elif step.next:
                        self.report(
                            (*here, "next"),
                            f"if none of the rules of step '{step.id}' match, it has nowhere to go",
                            "add a last rule without 'when'",
                        )
                    else:
                        self.report(
                            (*here, "id"),
                            f"step '{step.id}' has no way forward and is not an end",
                            "add an 'end:' step after it, or a 'next:'",
                        )
                elif not self.flow.has_step(edge.target):
                    self.report(
                        edge.path,
                        f"'{edge.target}' is not a step of this flow",
                        suggest(edge.target, ids) or "check the step ids",
                    )
                else:
                    good.append(edge)
            if step.returns and not (
                self.flow.has_step(step.returns) and holds_answer(self.flow.step(step.returns))
            ):
                self.report(
                    (*here, "return"),
                    f"'return: {step.returns}' does not name a question of this flow",
                    suggest(step.returns, ids),
                )
            graph[step.id] = good
        return graph

    def lock_names(self) -> None:
        """Locks may test the flow's `memory:` names and `done_<flow>` (finished at least once)."""
        for i, lock in enumerate(self.flow.locks):
            for name, _guarded in expressions.names(lock.when):
                if name.name in self.flow.memory or name.name.startswith("done_"):
                    continue
                self.problems.append(
                    Problem(
                        self.doc.inside(("locks", i, "when"), name.col),
                        f"the lock tests '{name.name}', which is not in this flow's 'memory:'",
                        suggest(name.name, self.flow.memory)
                        or "declare it under 'memory:' with a default, or use done_<flow_id>",
                    )
                )

    def score_items(self) -> None:
        """Every item of a score must be a scale question of this flow."""
        scales = [s.id for s in self.flow.steps if s.kind is Kind.SCALE]
        for name, score in self.flow.scores.items():
            for i, item in enumerate(score.items):
                if item not in scales:
                    self.report(
                        ("scores", name, "items", i),
                        f"score '{name}' counts '{item}', which is not a scale question here",
                        suggest(item, scales) or "list the ids of scale steps",
                    )

    def reachability(self, graph: dict[str, list[Edge]]) -> None:
        """Report steps no path from the first step leads to."""
        seen = {self.flow.first.id}
        queue = deque([self.flow.first.id])
        while queue:
            for edge in graph[queue.popleft()]:
                if edge.target not in seen:
                    seen.add(edge.target)
                    queue.append(edge.target)
        for step in self.flow.steps:
            if step.id not in seen:
                self.report(
                    (*self.paths[step.id], "id"),
                    f"step '{step.id}' can never be reached",
                    "no earlier step, option or rule leads to it",
                )

    def loops(self, graph: dict[str, list[Edge]]) -> None:
        """Report cycles that never stop to ask anything: they would spin forever."""
        # A call is not silent: the sub-flow it runs has questions of its own.
        silent = [s.id for s in self.flow.steps if not s.is_question and s.kind is not Kind.CALL]
        silent_set = set(silent)
        state: dict[str, int] = {}
        reported: set[frozenset[str]] = set()

        def visit(node: str, trail: list[str]) -> None:
            state[node] = 1
            trail.append(node)
            for edge in graph[node]:
                if edge.target not in silent_set:
                    continue
                if state.get(edge.target) == 1:
                    cycle = [*trail[trail.index(edge.target) :], edge.target]
                    key = frozenset(cycle)
                    if key not in reported:
                        reported.add(key)
                        self.report(
                            (*self.paths[edge.target], "id"),
                            "these steps loop without asking anything: " + " -> ".join(cycle),
                            "put a question in the loop, or end it",
                        )
                elif edge.target not in state:
                    visit(edge.target, trail)
            trail.pop()
            state[node] = 2

        for step_id in silent:
            if step_id not in state:
                visit(step_id, [])

    def variables(self, graph: dict[str, list[Edge]]) -> None:
        """Report names used before every path has set them, and names that do not exist."""
        known = (
            {s.id for s in self.flow.steps if holds_answer(s)}
            | set(self.flow.params)
            | set(self.flow.memory)
        )
        params = frozenset(self.flow.params) | frozenset(self.flow.memory)
        everything = frozenset(known)
        # (set: answered or skipped, valued: answered with a value) on entry to each step.
        entry: dict[str, tuple[frozenset[str], frozenset[str]]] = {
            s.id: (everything, everything) for s in self.flow.steps
        }
        entry[self.flow.first.id] = (params, params)
        order = [s.id for s in self.flow.steps]
        changed = True
        while changed:
            changed = False
            incoming: dict[str, list[tuple[frozenset[str], frozenset[str]]]] = {
                self.flow.first.id: [(params, params)]
            }
            for source in order:
                is_set, valued = entry[source]
                for edge in graph[source]:
                    out_set, out_valued = is_set, valued
                    if edge.answers != "none":
                        out_set = out_set | {source}
                    if edge.answers == "value":
                        out_valued = out_valued | {source}
                    incoming.setdefault(edge.target, []).append((out_set, out_valued))
            for step_id, ins in incoming.items():
                new = (
                    frozenset.intersection(*(i[0] for i in ins)),
                    frozenset.intersection(*(i[1] for i in ins)),
                )
                if new != entry[step_id]:
                    entry[step_id] = new
                    changed = True
        for step in self.flow.steps:
            here = self.paths[step.id]
            is_set, valued = entry[step.id]
            after = (
                (is_set | {step.id}, valued | {step.id}) if holds_answer(step) else entry[step.id]
            )
            if step.when is not None:
                self.condition_names(step.when, (*here, "when"), step.id, is_set, known)
            for i, rule in enumerate(step.next):
                if rule.when is not None:
                    self.condition_names(
                        rule.when, (*here, "next", i, "when"), step.id, after[0], known
                    )
            text_key = {Kind.END: "end"}.get(step.kind, "say")
            self.placeholders(step.text, (*here, text_key), step.id, valued, known)
            for name, text in step.args.items():
                self.placeholders(text, (*here, "with", name), step.id, valued, known)
            for i, option in enumerate(step.options):
                # A label is shown before its step is answered and quoted long after, so it
                # may only use what never changes within a run: memory and parameters.
                where = (*here, "options", i, "label")
                self.placeholders(option.label, where, step.id, params, set(params), "a label")

    def condition_names(
        self,
        expr: expressions.Expr,
        path: Path,
        step_id: str,
        is_set: frozenset[str],
        known: set[str],
    ) -> None:
        """Check every name a condition uses."""
        for name, guarded in expressions.names(expr):
            where = self.doc.inside(path, name.col)
            if name.name not in known:
                self.problems.append(
                    Problem(
                        where,
                        f"the condition uses '{name.name}', which is not a question of this flow",
                        suggest(name.name, known) or "use the id of a question step",
                    )
                )
            elif not guarded and name.name not in is_set:
                self.problems.append(
                    Problem(
                        where,
                        f"the condition tests '{name.name}' before it is answered on some path"
                        f" to step '{step_id}'",
                        f"check answered({name.name}) first, or ask it earlier",
                    )
                )

    def placeholders(
        self,
        text: str,
        path: Path,
        step_id: str,
        valued: frozenset[str],
        known: set[str],
        what: str = "",
    ) -> None:
        """Check every placeholder of a text (`what` names a text that allows fewer names)."""
        try:
            found = template.placeholders(text)
        except template.TemplateError:
            return  # already reported while building
        for ph in found:
            where = self.doc.inside(path, ph.offset)
            if ph.name not in known:
                self.problems.append(
                    Problem(
                        where,
                        f"'{ph.source}' in {what} can only name memory or parameters"
                        if what
                        else f"'{ph.source}' does not name a question of this flow",
                        suggest(ph.name, known)
                        or ("declare it under 'memory'" if what else "use a question's id"),
                    )
                )
            elif ph.fallback is None and ph.name not in valued:
                self.problems.append(
                    Problem(
                        where,
                        f"'{ph.source}' may be empty at step '{step_id}': '{ph.name}' is not"
                        " answered on every path here",
                        f"give it a fallback, like {{{ph.name}|...}}",
                    )
                )
