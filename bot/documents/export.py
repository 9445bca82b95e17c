"""The person's data rights: everything stored about them, as JSON and as a readable document.

The JSON holds every row of every table that is about the person, as stored. The Markdown says
the same in words: what they chose, what they found, each conversation with its questions and
their answers, and the safety events (category and time only: that is all that is stored).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.documents.blocks import Block, escape_markdown, to_markdown
from bot.flows.model import Catalog, Kind

PRIVACY = """\
What I keep, and who can see it

• What: your answers and reflections, what the exercises keep for later (like your loop's \
name), your choices about reminders and sharing, your country (for helplines), and the times \
you used the bot. If the safety screen ever paused an exercise, I keep the kind of concern and \
when, never what you wrote.
• Where: in one database on the server that runs this bot, readable only by that server's \
account. Nothing goes to advertisers or analytics.
• For how long: until you delete it. /delete erases everything about you, at once.
• Who can see it: you. A therapist only if you link one, and only as much as you chose; \
change that, or reminders, at any time in “Your choices” under /flows. No one reads along as \
you write; I'm a program, not a person.
• Telegram: chats with bots are not end-to-end encrypted. Telegram stores them on its \
servers, and anyone with your unlocked phone can read them. Delete the chat in Telegram if \
that worries you; in a safety card, "Clear this chat" deletes the last two days' messages.
• Not HIPAA-compliant, and not a medical service.

/export sends you everything stored about you, as a file. /delete erases it."""


def export_json(rows: dict[str, list[dict[str, Any]]], now: datetime) -> bytes:
    """Every row about the person, by table, as indented JSON."""
    document = {"exported_at": now.isoformat(), "tables": rows}
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def _label(catalog: Catalog, flow_id: str, step_id: str, value: Any, earlier: Earlier) -> str:
    flow = catalog.get(flow_id)  # type: ignore[call-overload]
    if flow is None or not flow.has_step(step_id.rsplit("/", 1)[-1]):
        asked = earlier(flow_id, step_id) if "/" not in step_id else None
        if asked is not None and not isinstance(value, dict):
            values = value if isinstance(value, list) else [value]
            return ", ".join(asked[1].get(str(v), str(v)) for v in values)
        return json.dumps(value, ensure_ascii=False)
    step = flow.step(step_id.rsplit("/", 1)[-1])
    if isinstance(value, dict) and value.get("skipped"):
        return "(skipped)"
    if step.kind in (Kind.CHOICE, Kind.MULTI):
        values = value if isinstance(value, list) else [value]
        labels = [o.label for v in values for o in step.options if o.value == str(v)]
        return ", ".join(labels) or str(value)
    return str(value)


Earlier = Callable[[str, str], tuple[str, dict[str, str]] | None]
"""(flow id, step id) → the question an earlier version of the flow asked there and its
options' labels by value, if one did."""


def _question(catalog: Catalog, flow_id: str, step_id: str, earlier: Earlier) -> str:
    flow = catalog.get(flow_id)  # type: ignore[call-overload]
    local = step_id.rsplit("/", 1)[-1]
    if flow is None or not flow.has_step(local):
        # A step a newer version removed keeps the question it asked when it was answered.
        asked = earlier(flow_id, step_id) if "/" not in step_id else None
        if asked is None:
            return step_id
        text = asked[0]
        return text if len(text) <= 160 else text[:159] + "…"
    text = " ".join(flow.step(local).text.split())
    return text if len(text) <= 160 else text[:159] + "…"


def _text(text: Any) -> str:
    """Stored text as Markdown that shows it literally; further lines indented for a list."""
    return "\n  ".join(line for line in escape_markdown(str(text)).split("\n") if line)


def _strong(text: Any) -> str:
    shown = _text(text)
    return f"**{shown}**" if shown else ""


def export_markdown(
    rows: dict[str, list[dict[str, Any]]],
    catalog: Catalog,
    now: datetime,
    earlier: Earlier = lambda flow_id, step_id: None,
) -> bytes:
    """The same as the JSON, for reading; what the person wrote escaped, shown as written.
    `earlier` gives the question of a step that a newer version of its flow removed."""
    out = [f"# Everything Secure Base keeps about you\n\nExported {now:%Y-%m-%d %H:%M} UTC.\n"]
    user = (rows.get("users") or [{}])[0]
    out.append(f"First seen: {user.get('first_seen', '')[:10]}\n")
    memory = rows.get("memory", [])
    if memory:
        out.append("## What you chose and found\n")
        out += [f"- {m['name']}: {_text(m['label'])}" for m in memory]
        out.append("")
    answers: dict[int, list[dict[str, Any]]] = {}
    for answer in rows.get("answers", []):
        answers.setdefault(answer["run_id"], []).append(answer)
    for run in rows.get("runs", []):
        flow = catalog.get(run["flow_id"])
        title = flow.title if flow else run["flow_id"]
        out.append(f"## {title} ({run['started_at'][:10]}, {run['status']})\n")
        for answer in answers.get(run["id"], []):
            question = _question(catalog, run["flow_id"], answer["step"], earlier)
            shown = _strong(
                _label(catalog, run["flow_id"], answer["step"], answer["value"], earlier)
            )
            out.append(f"- {question}\n  {shown}")
        if run.get("reflection"):
            quoted = to_markdown([Block("quote", str(run["reflection"]))]).rstrip("\n")
            out.append(f"\nYour reflection:\n\n{quoted}")
        out.append("")
    scores = rows.get("scores", [])
    if scores:
        out.append("## Check-in scores\n")
        out += [f"- {s['at'][:10]} {s['name']}: {s['value']:.1f}" for s in scores]
        out.append("")
    events = rows.get("safety_events", [])
    if events:
        out.append("## Safety events (kind and time only)\n")
        out += [f"- {e['at'][:16]} {e['category']}: {e['shown']}" for e in events]
        out.append("")
    return "\n".join(out).encode("utf-8")
