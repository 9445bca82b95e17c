"""One Markdown page per flow, for therapists to review: purpose, diagram, texts, what it keeps.

The pages in docs/flows/ are generated from the flow files (`python -m bot draw --docs`), and a
test fails when they are out of date, so what a reviewer reads is what the bot says.
"""

from __future__ import annotations

from pathlib import Path

from bot.flows.graph import mermaid
from bot.flows.locks import closed_by_safety
from bot.flows.model import Catalog, Flow, Kind
from bot.flows.voice import FORBIDDEN, scan

KIND_WORDS = {
    Kind.SAY: "message",
    Kind.PAUSE: "pause",
    Kind.TEXT: "typed answer",
    Kind.CHOICE: "one choice",
    Kind.MULTI: "several choices",
    Kind.SCALE: "scale",
    Kind.CALL: "sub-flow",
    Kind.END: "reflection",
}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def page(flow: Flow, reach_out_locked: bool) -> str:
    """The review page of one flow."""
    source = Path(flow.source)
    lines = [
        f"# {flow.title}",
        "",
        "<!-- Generated from the flow file by `python -m bot draw --docs docs/flows`;"
        " edit the YAML, not this page. -->",
        "",
        _cell(flow.description) or "_No description._",
        "",
        f"- Flow id: `{flow.id}`, version {flow.version}, file `bot/content/flows/{source.name}`",
    ]
    if flow.share == "never":
        lines.append("- Private: nothing of it reaches a therapist's report, not even its title.")
    if flow.locks:
        lines.append("- Opens only when none of these holds (the first that holds is shown):")
        for lock in flow.locks:
            kind = (
                " (safety lock: a therapist's assignment does not open it)" if lock.safety else ""
            )
            lines.append(f"  - `{lock.source}`: “{_cell(lock.because)}”{kind}")
    else:
        lines.append("- Open to everyone.")
    lines += ["", "## Diagram", "", "```mermaid", mermaid(flow).rstrip(), "```", ""]
    lines += [
        "## Steps",
        "",
        "| step | kind | what the person reads | buttons |",
        "|---|---|---|---|",
    ]
    for step in flow.steps:
        buttons = ", ".join(
            o.label + (f" (discloses {o.disclose})" if o.disclose else "") for o in step.options
        )
        if step.kind is Kind.SCALE:
            buttons = f"{step.scale_min}–{step.scale_max}" + "".join(
                f"; {p} = {label}" for p, label in sorted(step.scale_labels.items())
            )
        if step.kind is Kind.PAUSE:
            buttons = step.button
        if step.optional:
            buttons += f" (skip: {step.optional})"
        text = step.text or (f"runs `{step.call}`" if step.call else "")
        lines.append(
            f"| `{step.id}` | {KIND_WORDS[step.kind]} | {_cell(text)} | {_cell(buttons)} |"
        )
    lines += ["", "## What it keeps", ""]
    answers = [s for s in flow.steps if s.kind in (Kind.TEXT, Kind.CHOICE, Kind.MULTI, Kind.SCALE)]
    for step in answers:
        extra = f"; kept for later flows as `{step.remember}`" if step.remember else ""
        lines.append(
            f"- `{step.id}` ({KIND_WORDS[step.kind]}), shared with a therapist: {step.share}{extra}"
        )
    if flow.memory:
        lines.append("- Reads from earlier flows: " + ", ".join(f"`{m}`" for m in flow.memory))
    if not answers:
        lines.append("- Nothing: this flow asks no questions.")
    findings = scan(flow, FORBIDDEN)
    reach = scan(flow, ("reach_out",))
    loop = scan(flow, ("shared_loop",))
    ends = [s for s in flow.steps if s.kind is Kind.END]
    quotes = any("{" in s.text for s in ends)
    lines += [
        "",
        "## Checked against the content guidelines",
        "",
        "See [content-guidelines.md](../content-guidelines.md). Ticked boxes are checked by"
        " `tests/test_content.py` on every run.",
        "",
        _box(
            not findings,
            "No diagnosis, no label for the partner, no advice to stay or leave"
            + (": " + ", ".join(sorted({f.phrase for f in findings})) if findings else ""),
        ),
        _box(
            not reach or reach_out_locked,
            "Suggests turning to the partner only behind the safety lock"
            if reach
            else "Never suggests reaching out to or confronting the partner",
        ),
        _box(
            not loop or reach_out_locked,
            "Frames the partner's part as a move in a shared loop only behind the safety lock"
            if loop
            else "Never frames the partner's part as a move in a shared loop",
        ),
        _box(True, "A sub-flow: it hands back to the flow that called it")
        if flow.params
        else _box(quotes, "Ends with a reflection built from the person's own answers"),
        _box(
            all(len(t) <= 4096 for t in (s.text for s in flow.steps)),
            "Every text fits one Telegram message",
        ),
        _box(bool(flow.tests), f"Carries {len(flow.tests)} transcript test(s)"),
    ]
    return "\n".join(lines) + "\n"


def _box(ok: bool, text: str) -> str:
    return f"- [{'x' if ok else ' '}] {text}"


def write_pages(flows: Catalog, folder: Path) -> list[Path]:
    """Write (or refresh) one page per flow plus an index; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    safety_locked = {f.id for f in flows.values() if closed_by_safety(f, set(flows))}
    for flow in sorted(flows.values(), key=lambda f: f.id):
        path = folder / f"{flow.id}.md"
        path.write_text(page(flow, flow.id in safety_locked), encoding="utf-8")
        written.append(path)
    index = [
        "# The flows",
        "",
        "One page per shipped flow, generated from its YAML file, in the order people see them.",
        "",
    ]
    index += [
        f"- [{f.title}]({f.id}.md): {_cell(f.description)}"
        for f in sorted(flows.values(), key=lambda f: (f.order, f.title))
    ]
    (folder / "README.md").write_text("\n".join(index) + "\n", encoding="utf-8")
    written.append(folder / "README.md")
    return written
