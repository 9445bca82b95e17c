"""The terminal player: any flow in a terminal, through the same service and a SQLite file.

Choices are numbered; type the number (or the words). `/back`, `/skip` and `/quit` work at any
question. Quitting (or being killed) keeps every answer given so far: run it again to resume.
When stdin is not a terminal it reads one answer per line, so sessions can be scripted.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from bot.engine import (
    Ask,
    Back,
    Choice,
    Effect,
    Event,
    Finished,
    Offer,
    Picks,
    Picture,
    Resume,
    Say,
    Skip,
    Start,
)
from bot.engine import Text as TextEvent
from bot.usecases.service import Service

HELP = (
    "Type your answer. Numbers pick options. /back goes back, /skip skips, /quit saves and leaves."
    " /sos shows help right now."
)
_NUMBERS = re.compile(r"^\s*\d+(\s*[, ]\s*\d+)*\s*$")


def show(effects: list[Effect], out: TextIO) -> Ask | None:
    """Print effects as a person would read them; return the question they end on."""
    ask: Ask | None = None
    for effect in effects:
        if isinstance(effect, Say):
            out.write(_wrap(effect.text) + "\n\n")
        elif isinstance(effect, Ask):
            ask = effect
            marker = f"[{effect.number} of {effect.total}] " if effect.total else ""
            out.write(_wrap(marker + effect.text) + "\n")
            for i, button in enumerate(effect.buttons, start=1):
                if effect.kind == "pause":
                    out.write(f"  (press Enter: {button.label})\n")
                elif effect.kind != "scale":
                    tick = "[x] " if button.on else ""
                    out.write(f"  {i}. {tick}{button.label}\n")
            if effect.kind == "scale" and effect.buttons:
                out.write(f"  ({effect.buttons[0].value} to {effect.buttons[-1].value})\n")
            if effect.kind == "multi":
                out.write(f"  (choose {effect.min_picks} to {effect.max_picks}, like: 1,3)\n")
                if any(b.on for b in effect.buttons):
                    out.write("  (or type done to keep the ticked ones)\n")
            if effect.skip_label:
                out.write(f"  /skip: {effect.skip_label}\n")
            out.write("\n")
        elif isinstance(effect, Finished):
            out.write("~ Your reflection ~\n" + _wrap(effect.reflection) + "\n\n")
        elif isinstance(effect, Picture):
            out.write("[a chart is shown here on Telegram]\n" + _wrap(effect.caption) + "\n\n")
        elif isinstance(effect, Offer):
            out.write(_wrap(effect.text) + "\n")
            if any(b.value.endswith(":y") for b in effect.actions):
                out.write("  (type yes or no)\n")
            out.write("\n")
    out.flush()
    return ask


def _wrap(text: str) -> str:
    return "\n".join(
        textwrap.fill(p, 78, break_on_hyphens=False) if p.strip() else p for p in text.split("\n")
    )


def event_for(ask: Ask | None, line: str) -> Event | None:
    """The event a typed line means at this question; None means quit."""
    word = line.strip()
    if word.lower() in ("/quit", "/exit", "/pause"):
        return None
    if word.lower() == "/back":
        return Back()
    if ask is None:
        return Resume()
    if word.lower() == "/skip":
        return Skip(ask.seq)
    if ask.kind == "pause":
        return Choice("ready", ask.seq)
    if not word:
        return Resume()
    ticked = tuple(b.value for b in ask.buttons if b.on)
    if ask.kind == "multi" and ticked and word.lower() in ("done", "ok", "yes", "y"):
        return Picks(ticked, ask.seq)
    if ask.kind == "choice" and any(b.value == word for b in ask.buttons):
        return Choice(word, ask.seq)  # a scale point offered under "Did you mean…?"
    if ask.kind in ("choice", "multi") and _NUMBERS.match(word):
        picks = [int(n) for n in re.split(r"[, ]+", word.strip())]
        if all(1 <= n <= len(ask.buttons) for n in picks):
            values = tuple(ask.buttons[n - 1].value for n in picks)
            if ask.kind == "choice" and len(values) == 1:
                return Choice(values[0], ask.seq)
            if ask.kind == "multi":
                return Picks(values, ask.seq)
    return TextEvent(line)


def choose_flow(service: Service, read: Callable[[], str | None], out: TextIO) -> str | None:
    """Ask which flow to play; None when the person leaves."""
    flows = service.flows()
    out.write("Which conversation would you like?\n")
    for i, flow in enumerate(flows, start=1):
        out.write(f"  {i}. {flow.title}\n")
    while True:
        line = read()
        if line is None or line.strip().lower() in ("/quit", "/exit"):
            return None
        if line.strip().isdigit() and 1 <= int(line) <= len(flows):
            return flows[int(line) - 1].id
        match = [f.id for f in flows if line.strip() in (f.id, f.title)]
        if match:
            return match[0]
        out.write(f"Please type a number from 1 to {len(flows)}.\n")


def play(
    service: Service,
    user_id: int,
    flow_id: str | None,
    stdin: TextIO,
    out: TextIO,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> int:
    """Run the player until the flow ends or the person quits; returns an exit status."""
    interactive = stdin.isatty()

    def read() -> str | None:
        if interactive:
            try:
                return input("> ")
            except EOFError:
                return None
        line = stdin.readline()
        if not line:
            return None
        out.write(f"> {line.rstrip()}\n")
        return line.rstrip("\n")

    active = service.active(user_id)
    if flow_id is None and active is not None:
        flow_id = active.flow_id
    if flow_id is None:
        flow_id = choose_flow(service, read, out)
        if flow_id is None:
            return 0
    if flow_id not in service.catalog:
        known = ", ".join(sorted(service.catalog))
        out.write(f"There is no flow called '{flow_id}'. Flows: {known}\n")
        return 2
    out.write(HELP + "\n\n")
    outcome = service.handle(user_id, Start(flow_id), clock())
    ask = show(outcome.effects, out)
    if ask is None:
        return 0
    while True:
        line = read()
        if line is not None and line.strip().lower() == "/sos":
            show(service.sos(user_id, clock()), out)  # help at any moment; the exercise waits
            continue
        event = event_for(ask, line) if line is not None else None
        if event is None:
            out.write("Saved. Run the same command again to carry on where you left off.\n")
            return 0
        outcome = service.handle(user_id, event, clock())
        new_ask = show(outcome.effects, out)
        if any(isinstance(e, Finished) for e in outcome.effects):
            return 0
        ask = new_ask or ask
