"""`python -m bot`: run the bot, check flows, or play a flow in the terminal.

python -m bot                 run the Telegram bot (needs TELEGRAM_BOT_TOKEN)
python -m bot check [PATHS]   check flow files; every problem as path:line:col
python -m bot reload          a running bot loads its flows again (SIGHUP), if they check
python -m bot chat [--flow ID] [--db PATH]   play a flow in the terminal
python -m bot draw FLOW [--format mermaid|dot|svg|png]   a flow's diagram
python -m bot draw --docs docs/flows          the review page of every flow
python -m bot schema [--write FOLDER]         the flow schema, for editors
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from enum import IntEnum
from pathlib import Path
from typing import TYPE_CHECKING

from bot.config import Settings
from bot.flows import FlowError, load_catalog, shipped_flows_dir
from bot.flows.catalog import check_files
from bot.flows.model import Catalog
from bot.storage.versions import read_published
from bot.usecases.publishing import refusals, transcript_problems

if TYPE_CHECKING:
    from bot.usecases.screening import Screen


class ExitStatus(IntEnum):
    """What the commands return to the shell."""

    OK = 0
    PROBLEMS = 1
    USAGE = 2
    NO_TOKEN = 3
    NO_MODEL = 4


NO_TOKEN_HELP = (
    "No bot token: talk to @BotFather on Telegram (/newbot), then run again with"
    " TELEGRAM_BOT_TOKEN=<token> in the environment or in a .env file.\n"
    "To try the conversations without Telegram: python -m bot chat"
)


def flow_paths(settings: Settings, given: Sequence[str] = ()) -> list[Path]:
    """The folders to load flows from: the given ones, or the shipped ones plus FLOWS_DIR."""
    if given:
        return [Path(p) for p in given]
    paths = [shipped_flows_dir()]
    if settings.flows_dir:
        paths.append(settings.flows_dir)
    return paths


def checked_catalog(settings: Settings, lead: str = "") -> Catalog | None:
    """The flows, or None after printing every problem that keeps them from loading."""
    try:
        return load_catalog(flow_paths(settings))
    except FlowError as exc:
        print(f"{lead}{exc}", file=sys.stderr)
        return None


def cmd_check(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Check flows and their transcript tests; print every problem.

    Given files or folders are checked beside the shipped flows, which they may call (and
    whose own problems are not theirs to report); with none, the shipped flows and FLOWS_DIR.
    """
    paths = flow_paths(settings, args.paths)
    missing = [p for p in paths if not p.exists()]
    for path in missing:
        print(f"{path}: no such file or folder", file=sys.stderr)
    beside = [shipped_flows_dir()] if args.paths else []
    checked = check_files([p for p in paths if p.exists()], beside)
    problems = checked.problems
    if not problems:
        problems = transcript_problems(checked.catalog, checked.flows)
    if not problems:
        # Against what the bot (BOT_DB_PATH) has published: no open run may be stranded.
        problems = refusals(checked.flows, read_published(settings.db_path))
    for problem in problems:
        print(problem)
    if problems or missing:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return ExitStatus.PROBLEMS
    tests = sum(len(f.tests) for f in checked.flows.values())
    print(
        f"{len(checked.flows)} flow(s) checked, {tests} transcript test(s) passed.",
        file=sys.stderr,
    )
    return ExitStatus.OK


def cmd_chat(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Play a flow in the terminal, saving to SQLite so it can be resumed."""
    from datetime import UTC, datetime

    from bot.chat import play
    from bot.storage import Store, open_db
    from bot.usecases.publishing import publish
    from bot.usecases.service import Service
    from bot.usecases.understanding import shipped_similarity

    catalog = checked_catalog(settings)
    if catalog is None:
        return ExitStatus.PROBLEMS
    screen = loaded_screen(settings)
    if screen is None:
        return ExitStatus.NO_MODEL
    db_path = Path(args.db) if args.db else settings.db_path
    store = Store(open_db(db_path))
    # As the bot does: a half-played flow moves on to its new version, or the version is refused.
    refused = refusals(catalog, store.versions.latest())
    if refused:
        print(*refused, sep="\n", file=sys.stderr)
        return ExitStatus.PROBLEMS
    publish(store, catalog, datetime.now(UTC))
    similar = shipped_similarity(settings.screen_model_dir)
    service = Service(store, catalog, screen=screen, similar=similar)
    return ExitStatus(play(service, args.user, args.flow, sys.stdin, sys.stdout))


def cmd_draw(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Write a flow's diagram (Mermaid, DOT, or SVG/PNG with Graphviz), or every docs page."""
    from bot.flows.graph import dot, mermaid
    from bot.flows.pages import write_pages

    catalog = checked_catalog(settings)
    if catalog is None:
        return ExitStatus.PROBLEMS
    if args.docs:
        for path in write_pages(catalog, Path(args.docs)):
            print(path)
        return ExitStatus.OK
    if args.flow not in catalog:
        print(
            f"There is no flow '{args.flow}'. Flows: {', '.join(sorted(catalog))}", file=sys.stderr
        )
        return ExitStatus.USAGE
    flow = catalog[args.flow]
    text = mermaid(flow) if args.format == "mermaid" else dot(flow)
    if args.format in ("svg", "png"):
        graphviz = shutil.which("dot")
        if graphviz is None:
            print(
                "Graphviz is not installed (apt-get install graphviz); use --format mermaid"
                " or --format dot instead.",
                file=sys.stderr,
            )
            return ExitStatus.USAGE
        out = Path(args.out or f"{flow.id}.{args.format}")
        subprocess.run(
            [graphviz, f"-T{args.format}", "-o", str(out)], input=text.encode(), check=True
        )
        print(out)
        return ExitStatus.OK
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(args.out)
    else:
        print(text, end="")
    return ExitStatus.OK


def cmd_schema(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Print the JSON Schema of flows, or write it into a folder of flows and say what first
    line makes an editor use it there."""
    from bot.flows.editor import SCHEMA_NAME, flows_not_pointing_at, modeline_for, schema_text

    if not args.write:
        print(schema_text(), end="")
        return ExitStatus.OK
    folder = Path(args.write)
    if folder.exists() and not folder.is_dir():
        print(f"{folder} is not a folder", file=sys.stderr)
        return ExitStatus.USAGE
    folder.mkdir(parents=True, exist_ok=True)
    schema = folder / SCHEMA_NAME
    schema.write_text(schema_text(), encoding="utf-8")
    print(f"Wrote {schema}. Write it again after updating the bot.")
    print(f"Start each flow in {folder} with this line; VS Code's YAML extension then checks it:")
    print(modeline_for(folder / "any.yaml", schema))
    lacking = flows_not_pointing_at(folder, schema)
    if lacking:
        print("These do not start with it yet:")
        for path in lacking:
            print(f"  {path}: {modeline_for(path, schema)}")
    return ExitStatus.OK


def loaded_screen(settings: Settings) -> Screen | None:
    """The crisis screen with its language model loaded; None (and why, on stderr) when the
    model is missing or is not the file it should be."""
    from bot.meaning.encoder import ModelError
    from bot.usecases.screening import load

    try:
        return load(settings.screen_model_dir)
    except ModelError as error:
        print(error, file=sys.stderr)
        return None


def cmd_screen(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Screen each line of stdin; print one JSON object per line (category, severity, the
    listed phrase that matched, and the classifier's score)."""
    from bot.safety.screen import scored
    from bot.usecases.screening import shipped_reader

    if loaded_screen(settings) is None:
        return ExitStatus.NO_MODEL
    reader = shipped_reader(settings.screen_model_dir)
    for line in sys.stdin:
        flag, score = scored(line.rstrip("\n"), reader=reader)
        found: dict[str, str | float | None] = {"category": None, "severity": None}
        if flag is not None:
            found = {"category": flag.category, "severity": flag.severity}
            if flag.phrase:
                found["phrase"] = flag.phrase
        found["score"] = score if score is not None else 0.0
        print(json.dumps(found), flush=True)
    return ExitStatus.OK


def cmd_understand(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Read typed answers to one button question from stdin, one per line; print how each is
    understood as one JSON object per line: action (accept, confirm, other, retry) and values
    (the stored values, or the candidates offered in order)."""
    from bot.engine.reading import ACCEPT, OTHER, read
    from bot.flows.model import Kind
    from bot.usecases.understanding import shipped_similarity

    catalog = checked_catalog(settings)
    if catalog is None:
        return ExitStatus.PROBLEMS
    flow = catalog.get(args.flow)
    if flow is None or not flow.has_step(args.step):
        known = ", ".join(sorted(catalog)) if flow is None else ", ".join(
            s.id for s in flow.steps if s.kind in (Kind.CHOICE, Kind.MULTI, Kind.SCALE)
        )  # fmt: skip
        what = f"flow '{args.flow}'" if flow is None else f"step '{args.step}' in {args.flow}"
        print(f"There is no {what}. Known: {known}", file=sys.stderr)
        return ExitStatus.USAGE
    step = flow.step(args.step)
    if step.kind not in (Kind.CHOICE, Kind.MULTI, Kind.SCALE):
        print(f"'{args.step}' is a {step.kind} step; it has no buttons to match", file=sys.stderr)
        return ExitStatus.USAGE
    if loaded_screen(settings) is None:
        return ExitStatus.NO_MODEL
    similar = shipped_similarity(settings.screen_model_dir)
    for line in sys.stdin:
        reading = read(step, line.rstrip("\n"), str, similar)
        values: list[str | int] = list(reading.values)
        if step.kind is Kind.SCALE:
            values = [int(v) for v in reading.values]
        if reading.action not in (ACCEPT, OTHER) and reading.action != "confirm":
            values = []
        print(json.dumps({"action": reading.action, "values": values}), flush=True)
    return ExitStatus.OK


def cmd_therapists(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Grant, list or take back the therapist role (only the operator can: there is no chat way)."""
    from datetime import UTC, datetime

    from bot.storage import Store, open_db
    from bot.storage.practice import THERAPIST

    store = Store(open_db(Path(args.db) if args.db else settings.db_path))
    rows = store.practice
    now = datetime.now(UTC)
    if args.action == "add":
        if args.user_id is None:
            print(
                "Usage: python -m bot therapists add TELEGRAM_USER_ID [--name NAME]",
                file=sys.stderr,
            )
            return ExitStatus.USAGE
        with store.atomic():
            rows.set_role(args.user_id, THERAPIST, args.name, now)
        print(f"{args.user_id} is a therapist" + (f" ({args.name})" if args.name else ""))
    elif args.action == "remove":
        if args.user_id is None:
            print("Usage: python -m bot therapists remove TELEGRAM_USER_ID", file=sys.stderr)
            return ExitStatus.USAGE
        with store.atomic():
            rows.set_role(args.user_id, "client", None, now)
        print(f"{args.user_id} is no longer a therapist")
    else:
        listed = rows.therapists()
        for user_id, name in listed:
            print(f"{user_id}\t{name or ''}")
        for user_id in sorted(settings.therapist_ids - {u for u, _ in listed}):
            print(f"{user_id}\t(THERAPIST_IDS)")
    return ExitStatus.OK


def cmd_run(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Run the Telegram bot; refuse without a token or with an invalid flow."""
    if not settings.token:
        print(NO_TOKEN_HELP, file=sys.stderr)
        return ExitStatus.NO_TOKEN
    catalog = checked_catalog(settings, "The bot will not start while a flow is invalid:\n")
    if catalog is None:
        return ExitStatus.PROBLEMS
    screen = loaded_screen(settings)
    if screen is None:
        return ExitStatus.NO_MODEL
    from bot.tg.app import run

    return ExitStatus(run(settings, catalog, screen, flow_paths(settings)))


def cmd_reload(args: argparse.Namespace, settings: Settings) -> ExitStatus:
    """Check the flows as the running bot will, then ask it to load them again (SIGHUP)."""
    import os
    import signal

    from bot.tg.app import pid_file
    from bot.usecases.publishing import checked

    catalog, problems = checked(flow_paths(settings), read_published(settings.db_path))
    if catalog is None:
        print(f"Not reloaded; the bot keeps the flows it has:\n{problems}", file=sys.stderr)
        return ExitStatus.PROBLEMS
    pid = pid_file(settings)
    try:
        os.kill(int(pid.read_text(encoding="utf-8").strip()), signal.SIGHUP)
    except (OSError, ValueError):
        print(
            f"No bot is running on {settings.db_path} (no live process in {pid}).",
            file=sys.stderr,
        )
        return ExitStatus.USAGE
    print(f"{len(catalog)} flow(s) check clean; the bot is loading them (see its log).")
    return ExitStatus.OK


def parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    top = argparse.ArgumentParser(prog="python -m bot", description=__doc__.split("\n")[0])
    sub = top.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the Telegram bot (the default)")
    run.set_defaults(func=cmd_run)
    check = sub.add_parser("check", help="check flow files and their transcript tests")
    check.add_argument("paths", nargs="*", help="flow files or folders (default: shipped flows)")
    check.set_defaults(func=cmd_check)
    reload = sub.add_parser(
        "reload", help="a running bot loads its flows again (SIGHUP), if they check clean"
    )
    reload.set_defaults(func=cmd_reload)
    chat = sub.add_parser("chat", help="play a flow in the terminal")
    chat.add_argument("--flow", help="flow id to play (default: ask, or resume)")
    chat.add_argument("--db", help="SQLite file (default: BOT_DB_PATH or data/secure-base.db)")
    chat.add_argument("--user", type=int, default=1, help="player id, to keep separate progress")
    chat.set_defaults(func=cmd_chat)
    draw = sub.add_parser("draw", help="a flow's diagram, or the review pages of every flow")
    draw.add_argument("flow", nargs="?", help="flow id")
    draw.add_argument("--format", choices=["mermaid", "dot", "svg", "png"], default="mermaid")
    draw.add_argument("--out", help="file to write (default: stdout, or FLOW.svg/.png)")
    draw.add_argument("--docs", metavar="FOLDER", help="write one Markdown page per flow there")
    draw.set_defaults(func=cmd_draw)
    therapists = sub.add_parser("therapists", help="grant, list or remove the therapist role")
    therapists.add_argument("action", choices=["add", "list", "remove"])
    therapists.add_argument("user_id", type=int, nargs="?", help="their Telegram user id")
    therapists.add_argument("--name", help="how clients see them, like “Dr Ana Silva”")
    therapists.add_argument("--db", help="SQLite file (default: BOT_DB_PATH)")
    therapists.set_defaults(func=cmd_therapists)
    screen = sub.add_parser(
        "screen", help="read lines on stdin, print what the crisis screen finds (JSON lines)"
    )
    screen.set_defaults(func=cmd_screen)
    schema = sub.add_parser("schema", help="print the JSON Schema of flows, for editors")
    schema.add_argument(
        "--write",
        metavar="FOLDER",
        help="write it into a folder of flows (such as FLOWS_DIR) and print the line"
        " that points a flow there at it",
    )
    schema.set_defaults(func=cmd_schema)
    understand = sub.add_parser(
        "understand",
        help="read typed answers to one button question on stdin, print how each is read (JSON)",
    )
    understand.add_argument("flow", help="flow id")
    understand.add_argument("step", help="id of a choice, multi or scale step")
    understand.set_defaults(func=cmd_understand)
    top.set_defaults(func=cmd_run)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for `python -m bot` and the `secure-base` script."""
    args = parser().parse_args(argv)
    return int(args.func(args, Settings.load()))
