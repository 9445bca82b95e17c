"""Every name a condition or a placeholder uses must exist, and be set before it is used.

A small must-be-set dataflow over the step graph: a name may be used at a step only if every
path from the start to that step answers it first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.flows import expr as expressions
from bot.flows import template
from bot.flows.checker.edges import Edge, holds_answer
from bot.flows.checker.vocabulary import suggest
from bot.flows.errors import Problem
from bot.flows.loader import Document, Path
from bot.flows.model import Flow, Kind

Names = frozenset[str]
Entry = tuple[Names, Names]
"""On entry to a step: the names answered or skipped, and the names answered with a value."""


def check_variables(
    flow: Flow,
    doc: Document,
    paths: Mapping[str, Path],
    graph: Mapping[str, Sequence[Edge]],
    unbuilt: Names = frozenset(),
) -> list[Problem]:
    """Names used before every path has set them, and names that do not exist. The names in
    `unbuilt` are steps that could not be built (and were reported): they are taken as known
    and answered, so that their one problem does not echo wherever they are used."""
    return VariableChecker(flow, doc, paths, unbuilt).run(graph)


def entry_sets(flow: Flow, graph: Mapping[str, Sequence[Edge]], start: Names) -> dict[str, Entry]:
    """What is set on entry to each step on every path to it, from `start` at the first step."""
    everything = (
        frozenset({s.id for s in flow.steps if holds_answer(s)} | set(flow.params))
        | frozenset(flow.memory)
        | start
    )
    entry: dict[str, Entry] = {s.id: (everything, everything) for s in flow.steps}
    entry[flow.first.id] = (start, start)
    order = [s.id for s in flow.steps]
    changed = True
    while changed:
        changed = False
        incoming: dict[str, list[Entry]] = {flow.first.id: [(start, start)]}
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
    return entry


class VariableChecker:
    """Checks the names in one flow's conditions and placeholders."""

    def __init__(
        self, flow: Flow, doc: Document, paths: Mapping[str, Path], unbuilt: Names = frozenset()
    ) -> None:
        self.flow = flow
        self.doc = doc
        self.paths = paths
        self.unbuilt = unbuilt
        self.problems: list[Problem] = []

    def run(self, graph: Mapping[str, Sequence[Edge]]) -> list[Problem]:
        """Check every condition and text of every step, in file order."""
        known = (
            {s.id for s in self.flow.steps if holds_answer(s)}
            | set(self.flow.params)
            | set(self.flow.memory)
            | self.unbuilt
        )
        params = frozenset(self.flow.params) | frozenset(self.flow.memory)
        entry = entry_sets(self.flow, graph, params | self.unbuilt)
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
        return self.problems

    def condition_names(
        self,
        expr: expressions.Expr,
        path: Path,
        step_id: str,
        is_set: Names,
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
        valued: Names,
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
