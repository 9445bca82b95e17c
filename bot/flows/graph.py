"""Diagrams of a flow for review: Mermaid (renders on GitHub) and Graphviz DOT.

Edges carry what takes them: an option's label, a rule's condition, "too many tries" for a
fallback. A step with `when` is passed over when its condition is false, so the path branches
before it: every arrow into it has a twin from the same step to the step after it, "… skipped
unless …". A flow whose first step has `when` starts from a small start node, where that
branch is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.flows.checks import edges
from bot.flows.model import Flow, Kind, Step

SHAPES = {
    Kind.SAY: ("[", "]"),
    Kind.PAUSE: ("[", "]"),
    Kind.TEXT: ("[/", "/]"),
    Kind.CHOICE: ("{{", "}}"),
    Kind.MULTI: ("{{", "}}"),
    Kind.SCALE: ("{{", "}}"),
    Kind.CALL: ("[[", "]]"),
    Kind.END: ("([", "])"),
}

START = "_start"
"""The start node's id; a step id cannot begin with `_`, so it never clashes with one."""


@dataclass(frozen=True)
class Arrow:
    """One edge of the diagram."""

    source: str
    target: str
    label: str = ""


def arrows(flow: Flow) -> list[Arrow]:
    """Every way from step to step (the checker's edges), labelled with what takes it; an
    arrow into a step with `when` is followed by the arrows that pass over it."""
    out: list[Arrow] = []
    if flow.first.when is not None:
        out += _into(flow, START, flow.first.id, "")
    for index, step in enumerate(flow.steps):
        for edge in edges(flow, step, ("steps", index)):
            if edge.target and edge.path[-1:] != ("when",):
                out += _into(flow, step.id, edge.target, _label(step, edge.path))
    return out


def _into(flow: Flow, source: str, target: str, label: str) -> list[Arrow]:
    """The arrow from `source` to `target` and, while the step reached may be passed over,
    an arrow from `source` on to the step after it. Each of these arrows gives the condition
    of the last step it passes over; the steps passed over before it are only named, since
    their conditions are on the arrows beside it, from the same step."""
    out = [Arrow(source, target, label)]
    passed: list[str] = []
    step = flow.step(target)
    following = flow.after(step.id)
    while step.when is not None and following is not None:
        parts = [label] if label else []
        if passed:
            parts.append(", ".join(passed) + " skipped")
        parts.append(f"{step.id} skipped unless {step.when_source}")
        out.append(Arrow(source, following.id, "; ".join(parts)))
        passed.append(step.id)
        step, following = following, flow.after(following.id)
    return out


def _label(step: Step, path: tuple[object, ...]) -> str:
    tail = path[2:]
    if tail[:1] == ("options",):
        return step.options[int(str(tail[1]))].label
    if tail[:1] == ("fallback",):
        return "too many tries"
    if tail[:1] == ("next",):
        rule = step.next[int(str(tail[1]))]
        return rule.source if rule.when is not None else ""
    return "otherwise" if step.next else ""


def shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ended with "…" where it was cut: at the last
    space that fits, and never inside a placeholder ("{partner|your partner}"); a single
    word longer than that is cut where it must be."""
    if len(text) <= limit:
        return text
    room = text[: limit - 1]
    if text[limit - 1] != " ":
        depth, cut = 0, 0
        for i, char in enumerate(room):
            depth += {"{": 1, "}": -1}.get(char, 0)
            if char == " " and depth <= 0:
                cut = i
        room = room[:cut] if cut else room
    return (room.rstrip(" ,;:.!?–—-") or text[: limit - 1]) + "…"


def caption(step: Step, limit: int = 48) -> str:
    """What a step's node says: its id and the start of its text, shortened where a word ends."""
    text = " ".join(step.text.split()) or (f"call {step.call}" if step.call else step.kind.value)
    return f"{step.id}: {shorten(text, limit)}"


def _quote(text: str) -> str:
    # Mermaid reads #name; as a character code and draws a label as HTML: every character
    # that would end the label or be taken for markup is written as a code.
    text = re.sub(r"#(?=\w+;)", "#35;", text)
    for char, code in (
        ('"', "#quot;"),
        ("|", "#124;"),
        ("&", "#amp;"),
        ("<", "#lt;"),
        (">", "#gt;"),
    ):
        text = text.replace(char, code)
    return text


def mermaid(flow: Flow) -> str:
    """A Mermaid flowchart of the flow."""
    lines = ["flowchart TD"]
    drawn = arrows(flow)
    if any(arrow.source == START for arrow in drawn):
        lines.append(f'    {START}(("start"))')
    for step in flow.steps:
        left, right = SHAPES[step.kind]
        lines.append(f'    {step.id}{left}"{_quote(caption(step))}"{right}')
    for arrow in drawn:
        label = f'|"{_quote(arrow.label)}"|' if arrow.label else ""
        lines.append(f"    {arrow.source} -->{label} {arrow.target}")
    return "\n".join(lines) + "\n"


def dot(flow: Flow) -> str:
    """A Graphviz DOT digraph of the flow."""

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    shapes = {
        Kind.END: "doubleoctagon",
        Kind.CALL: "component",
        Kind.CHOICE: "hexagon",
        Kind.MULTI: "hexagon",
        Kind.SCALE: "hexagon",
        Kind.TEXT: "parallelogram",
    }
    lines = [f"digraph {q(flow.id)} {{", "  rankdir=TB;", '  node [fontname="Helvetica"];']
    drawn = arrows(flow)
    if any(arrow.source == START for arrow in drawn):
        lines.append(f"  {q(START)} [shape=circle, label={q('start')}];")
    for step in flow.steps:
        lines.append(
            f"  {q(step.id)} [shape={shapes.get(step.kind, 'box')}, label={q(caption(step, 40))}];"
        )
    for arrow in drawn:
        label = f" [label={q(arrow.label)}]" if arrow.label else ""
        lines.append(f"  {q(arrow.source)} -> {q(arrow.target)}{label};")
    lines.append("}")
    return "\n".join(lines) + "\n"
