"""Whole-flow checks on the step graph: unknown targets, dead ends, steps nothing reaches,
loops that never ask anything, and the names locks and scores refer to.

A step the builder had to leave out (an unknown `ask:` kind, say) was reported where it is
written; here it is a step whose ways out are unknown. Going to it, or naming it, is no
mistake of its own, and what can be reached is not judged until it is fixed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping

from bot.flows import expr as expressions
from bot.flows.checker.edges import Edge, edges, holds_answer, step_paths
from bot.flows.checker.variables import check_variables
from bot.flows.checker.vocabulary import suggest
from bot.flows.errors import Problem
from bot.flows.loader import Document, Path
from bot.flows.model import Flow, Kind

Graph = dict[str, list[Edge]]
"""Step id → the edges out of it that lead to a step of the flow."""


class FlowChecker:
    """Runs the whole-flow checks and collects problems."""

    def __init__(self, flow: Flow, doc: Document, dropped: Mapping[int, str] | None = None) -> None:
        """`dropped`: the steps the builder left out, by place in `steps:`, with their ids."""
        dropped = dropped or {}
        self.flow = flow
        self.doc = doc
        self.paths = step_paths(doc)
        self.problems: list[Problem] = []
        self.dropped = frozenset(dropped)
        self.unbuilt = frozenset(i for i in dropped.values() if i and not flow.has_step(i))

    def report(self, path: Path, message: str, hint: str = "") -> None:
        """Record a problem at the node at `path`."""
        self.problems.append(Problem(self.doc.at(path), message, hint))

    def run(self) -> list[Problem]:
        """All whole-flow checks, in file order."""
        self.lock_names()
        self.score_items()
        graph = self.targets()
        if not self.problems and not self.dropped:
            # With a broken goto or step, "unreachable" reports would only be its echo.
            self.reachability(graph)
        self.loops(graph)
        self.problems += check_variables(self.flow, self.doc, self.paths, graph, self.unbuilt)
        return self.problems

    def falls_into_dropped(self, step_id: str, edge: Edge) -> bool:
        """True when `edge` is the move on to the next step written, and the step written next
        is one that was left out (the flow's own list skips over it)."""
        here = self.paths[step_id]
        if edge.path not in (here, (*here, "when")) or not self.dropped:
            return False
        start = int(str(here[1]))
        following = self.flow.after(step_id)
        end = int(str(self.paths[following.id][1])) if following else len(self.doc.data["steps"])
        return any(start < i < end for i in self.dropped)

    def targets(self) -> Graph:
        """The step graph; unknown targets and dead ends are reported and left out."""
        graph: Graph = {}
        ids = [*(s.id for s in self.flow.steps), *sorted(self.unbuilt)]
        for step in self.flow.steps:
            here = self.paths[step.id]
            good: list[Edge] = []
            for edge in edges(self.flow, step, here):
                if edge.target in self.unbuilt or self.falls_into_dropped(step.id, edge):
                    continue  # a step whose ways out are unknown
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
            if (
                step.returns
                and step.returns not in self.unbuilt
                and not (
                    self.flow.has_step(step.returns) and holds_answer(self.flow.step(step.returns))
                )
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
                if item not in scales and item not in self.unbuilt:
                    self.report(
                        ("scores", name, "items", i),
                        f"score '{name}' counts '{item}', which is not a scale question here",
                        suggest(item, scales) or "list the ids of scale steps",
                    )

    def reachability(self, graph: Graph) -> None:
        """Report steps no path from the first step leads to."""
        seen: set[str] = {self.flow.first.id}
        queue: deque[str] = deque([self.flow.first.id])
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

    def loops(self, graph: Graph) -> None:
        """Report cycles that never stop to ask anything: they would spin forever."""
        # A call is not silent: the sub-flow it runs has questions of its own.
        silent = [s.id for s in self.flow.steps if not s.is_question and s.kind is not Kind.CALL]
        silent_set = set(silent)
        state: dict[str, int] = {}  # 1: on the current trail, 2: done
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
