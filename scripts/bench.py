"""Benchmarks that print figures (never timed tests).

    python scripts/bench.py core [--users 10000 100000] [--samples 2000]
    python scripts/bench.py e2e [--users 200]
    python scripts/bench.py reminders [--pending 100000] [--due 1000]
    python scripts/bench.py chaos [--users 10] [--kills 8] [--seed 1]
    python scripts/bench.py screen
    python scripts/bench.py typed

`core`: the time of one `Service.handle()` step, commit included, on a real SQLite file that
already holds N people mid-flow; and, in the same run, the time python-telegram-bot's
PicklePersistence takes to persist the same per-person state for one person at the same N
(it rewrites its whole file on each update).

`e2e`: N simulated people go through a conversation with the real bot process, over
python-telegram-bot's HTTP stack, against the fake Bot API server of the test suite on
127.0.0.1; then the same updates go to a bare python-telegram-bot echo bot. Prints updates per
second and p50/p99 latency (update queued → first reply) for both, and the ratio.

`chaos`: N people walk the tour against the real bot process while it is SIGKILLed at random
moments M times and restarted; a person who hears nothing for a while sends /resume, as a
person would. Prints the answers acknowledged, acknowledged answers lost, answers applied twice,
updates never answered, and the worst delay that four chats waiting out a 429 cause another.

`screen`: the crisis screen with its language model: the time to screen one message (every line
of the labelled sets in tests/data, short and long, phrase lists and classifier together), in this
process; then the real bot against the fake Bot API server: its start-up (process start → flows
checked and model loaded → first getUpdates), and its resident memory once it has screened a
few hundred messages from 50 people.

`typed`: reading one typed answer at a button question (number, label, synonyms, typos, then
meaning through the sentence encoder), for every answer of the typed sets in tests/data, once
the labels and synonyms have been encoded.

`reminders`: one tick of the reminder job (`Service.due_reminders`: find what is due, mark it
sent, build each message, look for conversations to nudge) on a real SQLite file holding N
pending reminders and as many people with a conversation in progress: with nothing due, and
with M homework reminders due at once (sending them is Telegram's part, not timed here).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.engine import Choice, RunState, Text, start, step
from bot.flows import load_catalog
from bot.flows.model import Catalog
from bot.storage import Store, open_db
from bot.usecases.service import Service

NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def mid_flow_state(catalog: Catalog) -> RunState:
    """A person three questions into the tour, waiting to describe the moment."""
    state, _ = start(catalog, "tour")
    state, _ = step(catalog, state, Choice("ready"))
    state, _ = step(catalog, state, Text("Sam"))
    return state


def seed(store: Store, users: int, state: RunState) -> None:
    """Store `users` people, each with an active run and one answer, in bulk."""
    payload = json.dumps(state.to_dict())
    at = NOW.isoformat()
    db = store.db
    with store.atomic():
        db.conn.executemany(
            "insert into users (id, first_seen) values (?, ?)",
            ((uid, at) for uid in range(1, users + 1)),
        )
        db.conn.executemany(
            "insert into runs (id, user_id, flow_id, flow_version, status, step, seq, state,"
            " started_at, updated_at) values (?, ?, 'tour', 1, 'active', ?, ?, ?, ?, ?)",
            (
                (uid, uid, state.frame.step_id, state.seq, payload, at, at)
                for uid in range(1, users + 1)
            ),
        )
        db.conn.executemany(
            "insert into answers (run_id, user_id, step, value, answered_at)"
            " values (?, ?, 'partner', '\"Sam\"', ?)",
            ((uid, uid, at) for uid in range(1, users + 1)),
        )
        db.conn.execute("update users set active_run = id")


def bench_handle(catalog: Catalog, users: int, samples: int, folder: Path) -> list[float]:
    """Milliseconds for each of `samples` handle() calls, each for a different person."""
    store = Store(open_db(folder / f"bench-{users}.db"))
    seed(store, users, mid_flow_state(catalog))
    service = Service(store, catalog)
    step_ = max(1, users // samples)
    timings: list[float] = []
    for n, uid in enumerate(range(1, users + 1, step_)):
        if n >= samples:
            break
        began = time.perf_counter()
        outcome = service.handle(
            uid,
            Text("we argued about the dishes again"),
            NOW + timedelta(seconds=n),
            event_id=f"bench-{uid}",
        )
        timings.append((time.perf_counter() - began) * 1000)
        assert outcome.effects, "the service answered nothing"
    store.db.close()
    return timings


def bench_pickle(users: int, samples: int, folder: Path, state: dict[str, Any]) -> list[float]:
    """Milliseconds for PicklePersistence to persist one person's changed state."""
    from telegram.ext import ExtBot, PicklePersistence

    async def run() -> list[float]:
        persistence = PicklePersistence(folder / f"pickle-{users}.pickle", single_file=True)
        persistence.set_bot(ExtBot("123456:bench-token-not-used"))
        persistence.user_data = {uid: {"run": dict(state)} for uid in range(1, users + 1)}
        timings: list[float] = []
        for n in range(samples):
            changed = {"run": {**state, "seq": state["seq"] + n + 1}}
            began = time.perf_counter()
            await persistence.update_user_data(1 + n % users, changed)
            timings.append((time.perf_counter() - began) * 1000)
        return timings

    return asyncio.run(run())


def line(label: str, timings: list[float]) -> str:
    """One row of figures."""
    return (
        f"{label:<44} median {statistics.median(timings):8.3f} ms"
        f"   p99 {percentile(timings, 99):8.3f} ms   (n={len(timings)})"
    )


def cmd_core(args: argparse.Namespace) -> int:
    """The storage benchmark: SQLite step vs PicklePersistence."""
    catalog = load_catalog()
    state = mid_flow_state(catalog).to_dict()
    print("One handle() step, commit included (SQLite WAL, synchronous=FULL), on a real file:")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for users in args.users:
            timings = bench_handle(catalog, users, args.samples, folder)
            print(line(f"  secure-base handle(), {users:>7,} people stored", timings))
            pickle_samples = max(5, min(args.samples, 2_000_000 // users))
            ptb = bench_pickle(users, pickle_samples, folder, state)
            print(line(f"  PTB PicklePersistence, {users:>7,} people", ptb))
            print(
                f"  ratio of medians (pickle / sqlite): "
                f"{statistics.median(ptb) / statistics.median(timings):.1f}x"
            )
    return 0


# -- reminders -------------------------------------------------------------------------------
def seed_reminders(service: Service, pending: int, due: int) -> None:
    """N people, each with a conversation in progress and a reminder far ahead; `due` of them
    linked to a therapist with homework whose reminder is due now."""
    db = service.store.db
    state = json.dumps(mid_flow_state(service.catalog).to_dict())
    stamp = NOW.isoformat()
    later = (NOW + timedelta(days=30)).isoformat()
    with service.store.atomic():
        db.conn.executemany(
            "insert into users (id, first_seen, role, consent) values (?, ?, 'client', '{}')",
            [(u, stamp) for u in range(1, pending + 1)],
        )
        db.conn.executemany(
            "insert into runs (user_id, flow_id, flow_version, status, state, started_at,"
            " updated_at) values (?, 'tour', 1, 'paused', ?, ?, ?)",
            [(u, state, stamp, stamp) for u in range(1, pending + 1)],
        )
        db.conn.executemany(
            "insert into reminders (user_id, kind, due_at, payload, created_at)"
            " values (?, 'follow_up', ?, '{}', ?)",
            [(u, later, stamp) for u in range(1, pending + 1)],
        )
        therapist = pending + 1
        db.conn.execute(
            "insert into users (id, first_seen, role, consent) values (?, ?, 'therapist', '{}')",
            (therapist, stamp),
        )
        for u in range(1, due + 1):
            link = db.conn.execute(
                "insert into therapist_links (therapist_id, client_id, label, scope, created_at)"
                " values (?, ?, ?, 'status', ?)",
                (therapist, u, f"client {u}", stamp),
            ).lastrowid
            assignment = db.conn.execute(
                "insert into assignments (link_id, therapist_id, client_id, flow_id, note,"
                " due_at, status, created_at) values (?, ?, ?, 'tour', '', ?, 'open', ?)",
                (link, therapist, u, later, stamp),
            ).lastrowid
            db.conn.execute(
                "insert into reminders (user_id, kind, due_at, payload, created_at)"
                " values (?, 'assignment_due', ?, ?, ?)",
                (u, later, json.dumps({"assignment": assignment}), stamp),
            )


def cmd_reminders(args: argparse.Namespace) -> int:
    """One reminder tick with nothing due, and with M due, among N pending."""
    catalog = load_catalog()
    with tempfile.TemporaryDirectory() as tmp:
        service = Service(Store(open_db(Path(tmp) / "bench.db")), catalog)
        started = time.perf_counter()
        seed_reminders(service, args.pending, args.due)
        print(
            f"{args.pending:,} pending reminders and conversations in progress"
            f" (seeded in {time.perf_counter() - started:.1f} s); one tick of the reminder job:"
        )
        idle = []
        for _ in range(args.samples):
            begin = time.perf_counter()
            assert service.due_reminders(NOW) == []
            idle.append((time.perf_counter() - begin) * 1000)
        print(line("  nothing due", idle))
        busy = []
        for round_ in range(args.rounds):
            moment = NOW + timedelta(minutes=round_ + 1)
            with service.store.atomic():
                service.store.db.execute(
                    "update reminders set due_at = ?, sent_at = null where kind = 'assignment_due'",
                    [moment.isoformat()],
                )
            begin = time.perf_counter()
            sent = service.due_reminders(moment)
            busy.append((time.perf_counter() - begin) * 1000)
            assert len(sent) == args.due, len(sent)
        print(line(f"  {args.due:,} due at once", busy))
    return 0


# -- end to end ------------------------------------------------------------------------------

TOUR_SCRIPT: list[tuple[str, str]] = [
    ("text", "/start tour"),
    ("button", "I'm ready"),
    ("text", "Sam"),
    ("text", "we argued about the dishes again"),
    ("button", "I push to talk it out"),
    ("button", "4"),
    ("button", "☐ scared"),
    ("button", "Done ✓"),
]


def echo_bot() -> int:
    """A bare python-telegram-bot bot: echoes texts, answers and acknowledges presses."""
    import os

    from telegram import Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, MessageHandler
    from telegram.ext import filters as f

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message and update.effective_user:
            await context.bot.send_message(
                update.effective_user.id, update.effective_message.text or "?"
            )

    async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query and update.effective_user:
            await update.callback_query.answer()
            await context.bot.send_message(update.effective_user.id, "pressed")

    app = (
        ApplicationBuilder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(os.environ["TELEGRAM_API_BASE_URL"])
        .build()
    )
    app.add_handler(MessageHandler(f.TEXT, echo))
    app.add_handler(CallbackQueryHandler(press))
    app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def _is_question(message: Any) -> bool:
    text = message.text or ""
    return (
        "Question " in text or "Your reflection" in text or "☑" in " ".join(message.button_labels)
    )


def drive(
    fake: Any, users: list[int], script: list[tuple[str, str]], echo: bool
) -> tuple[list[float], float]:
    """Play `script` for every user in lockstep rounds; return latencies (ms) and seconds."""
    latencies: list[float] = []
    began = time.monotonic()
    for kind, value in script:
        sent: dict[int, tuple[int, float]] = {}
        for user in users:
            mark = fake.mark()
            at = time.monotonic()
            if kind == "text":
                fake.send_text(user, value)
            elif echo:
                last = fake.messages(user)[-1]
                fake.press(user, last.message_id, "p|0|0|x")
            else:
                fake.press_button(user, value)
            sent[user] = (mark, at)
        # The round is over for a person when the whole reply is there: for our bot, the
        # next question (or the reflection); for the echo bot, its one message.
        complete = None if echo else _is_question
        for user, (mark, at) in sent.items():
            fake.wait_for_message(user, complete, since=mark, timeout=120)
            first = min(m.changed_at for m in fake.messages(user) if m.changed_seq > mark)
            latencies.append((first - at) * 1000)
    return latencies, time.monotonic() - began


def run_against_fake(command: list[str], users: int, echo: bool) -> tuple[list[float], float, int]:
    """Start a bot process against a fresh fake server and drive `users` people through it."""
    import os
    import subprocess

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fake_telegram import FakeTelegram

    with FakeTelegram() as fake, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "BOT_DB_PATH": str(Path(tmp) / "bench.db"),
            "LOG_LEVEL": "WARNING",
            # The echo bot paces nothing and the fake server has no overall limit: so that
            # both are measured alike, our bot's pacing at Telegram's 30 sends/s is off here.
            "TELEGRAM_MAX_SENDS_PER_SECOND": "0",
        }
        proc = subprocess.Popen(command, env=env, cwd=tmp)
        try:
            fake.wait_until(lambda: fake.requests_to("getUpdates"), timeout=60)
            ids = list(range(5000, 5000 + users))
            latencies, seconds = drive(fake, ids, TOUR_SCRIPT, echo)
            updates = users * len(TOUR_SCRIPT)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return latencies, seconds, updates


def cmd_e2e(args: argparse.Namespace) -> int:
    """The Telegram benchmark: our bot and a bare echo bot against the same fake server."""
    import os

    root = Path(__file__).resolve().parents[1]
    results = {}
    for name, command, echo in (
        ("secure-base bot", [sys.executable, "-m", "bot"], False),
        (
            "bare PTB echo bot",
            [sys.executable, str(root / "scripts" / "bench.py"), "echo-bot"],
            True,
        ),
    ):
        if name == "secure-base bot" and os.environ.get("BENCH_BOT_COMMAND"):
            command = os.environ["BENCH_BOT_COMMAND"].split()
        elif name == "secure-base bot":
            command = [
                sys.executable,
                "-c",
                f"import sys; sys.path.insert(0, {str(root)!r}); "
                "from bot.cli import main; sys.exit(main([]))",
            ]
        latencies, seconds, updates = run_against_fake(command, args.users, echo)
        rate = updates / seconds
        results[name] = rate
        print(
            f"{name:<20} {updates} updates from {args.users} people in {seconds:6.2f} s:"
            f" {rate:7.1f} updates/s, p50 {percentile(latencies, 50):7.2f} ms,"
            f" p99 {percentile(latencies, 99):7.2f} ms"
        )
    ratio = results["secure-base bot"] / results["bare PTB echo bot"]
    print(f"throughput ratio (secure-base / echo): {ratio:.0%}")
    print("(pacing at Telegram's overall limit off for both; with it, sends cap at 30/s)")
    return 0


# -- screen ---------------------------------------------------------------------------------
def _screen_lines() -> list[str]:
    import yaml

    lines: list[str] = []
    for path in sorted((Path(__file__).resolve().parents[1] / "tests" / "data").glob("screen_*")):
        for group in yaml.safe_load(path.read_text(encoding="utf-8")).values():
            lines += [str(line) for line in group]
    return lines


def _memory(pid: int) -> tuple[float, float]:
    """Resident memory now and at its peak, in MB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def cmd_screen(args: argparse.Namespace) -> int:
    """The screen's speed in-process, and the real bot's start-up and memory."""
    import os
    import subprocess

    from bot.usecases.screening import load

    began = time.perf_counter()
    screen = load()
    print(f"model and classifier loaded in-process: {time.perf_counter() - began:.2f} s")
    lines = _screen_lines()
    screen(lines[0])
    timings: list[float] = []
    for text in lines:
        at = time.perf_counter()
        screen(text)
        timings.append((time.perf_counter() - at) * 1000)
    print(line(f"  one message screened ({len(lines)} lines)", timings))
    long = [t for text, t in zip(lines, timings, strict=True) if len(text) > 120]
    if long:
        print(line("  messages over 120 characters", long))

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from fake_telegram import FakeTelegram

    root = Path(__file__).resolve().parents[1]
    with FakeTelegram() as fake, tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(root),
            "TELEGRAM_BOT_TOKEN": fake.token,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "BOT_DB_PATH": str(Path(tmp) / "bench.db"),
            "LOG_LEVEL": "WARNING",
            "TELEGRAM_MAX_SENDS_PER_SECOND": "0",
        }
        at = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "bot"], env=env, cwd=tmp)
        try:
            fake.wait_until(lambda: fake.requests_to("getUpdates"), timeout=60)
            print(f"bot start-up (process start → first getUpdates): {time.monotonic() - at:.2f} s")
            now, peak = _memory(proc.pid)
            print(f"  resident memory after start-up: {now:.0f} MB (peak {peak:.0f} MB)")
            users = list(range(7000, 7050))
            for user in users:
                mark = fake.mark()
                fake.send_text(user, "/start")
                fake.wait_for_text(user, "Are you 18 or older?", since=mark, timeout=60)
            for i, text in enumerate(lines[:400]):
                user = users[i % len(users)]
                mark = fake.mark()
                fake.send_text(user, text)
                fake.wait_for_message(user, None, since=mark, timeout=60)
            now, peak = _memory(proc.pid)
            print(
                f"  resident memory after 50 people and 400 messages: {now:.0f} MB"
                f" (peak {peak:.0f} MB)"
            )
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    return 0


# -- chaos ----------------------------------------------------------------------------------

CHAOS_STEPS: list[tuple[str, str, str]] = [
    # (how, what, a fragment of the question that waits for this step's answer)
    ("text", "/start tour", ""),
    ("button", "I'm ready", "Tap the button when you're ready"),
    ("text", "Sam", "What would you like me to call your partner"),
    ("text", "we argued about the dishes again", "got stuck. What happened"),
    ("button", "I push to talk it out", "what do you usually do?"),
    ("button", "4", "how close do you feel"),
    ("multi", "scared", "what else might have been there?"),
]
CHAOS_ANSWERS = ("partner", "moment", "my_move", "closeness", "under")
"""The tour's stored answers along that walk: each must be there exactly once at the end."""


def _finished(message: Any) -> bool:
    return "Your reflection" in (message.text or "")


def _asks(fragment: str) -> Callable[[Any], bool]:
    return lambda message: fragment in (message.text or "")


def _where(fake: Any, user: int) -> int:
    """Which step a person is at, from the newest question the bot showed them."""
    for message in reversed(fake.messages(user)):
        if _finished(message):
            return len(CHAOS_STEPS)
        for index, (_how, _what, fragment) in enumerate(CHAOS_STEPS):
            if fragment and fragment in (message.text or ""):
                return index
    return 0


def _take_step(fake: Any, user: int, index: int) -> tuple[int, bool]:
    """Send what the person does at this step: (its update id, whether it is a press)."""
    how, what, _fragment = CHAOS_STEPS[index]
    if how == "text":
        return fake.send_text(user, what), False
    if how == "button":
        return fake.press_button(user, what), True
    fake.press_button(user, f"☐ {what}")
    fake.wait_for_message(user, lambda m: f"☑ {what}" in " ".join(m.button_labels))
    return fake.press_button(user, "Done ✓"), True


def _heard(fake: Any, user: int, mark: int, sent: tuple[int, bool] | None) -> bool:
    """Whether the bot answered at all: a message or an edit since `mark`, or the press's
    callback answered (a pop-up, say, when the press found a question that had moved on)."""
    if any(m.changed_seq > mark for m in fake.messages(user)):
        return True
    return sent is not None and sent[1] and bool(fake.was_answered(sent[0]))


def _waits_for(index: int) -> Callable[[Any], bool]:
    """What the reply to step `index` looks like: the next question, or the reflection."""
    if index + 1 < len(CHAOS_STEPS):
        return _asks(CHAOS_STEPS[index + 1][2])
    return _finished


def cmd_chaos(args: argparse.Namespace) -> int:
    """Walk people through the tour while the bot is killed; count what went missing."""
    import random
    import sqlite3

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from bot_process import BotProcess
    from fake_telegram import FakeTelegram

    rng = random.Random(args.seed)
    users = list(range(7000, 7000 + args.users))
    acknowledged = never_answered = answered_otherwise = kills = 0
    with FakeTelegram() as fake, tempfile.TemporaryDirectory() as tmp:
        bot = BotProcess(fake, Path(tmp), LOG_LEVEL="WARNING").start()
        at = dict.fromkeys(users, 0)
        # The kills fall at random sends over the whole walk, each 0-120 ms after the send:
        # before delivery, between delivery and handling, or between the commit and the reply.
        sends = 0
        kill_after = set(rng.sample(range(args.users * len(CHAOS_STEPS)), args.kills))
        rounds = 0
        while any(i < len(CHAOS_STEPS) for i in at.values()) and rounds < 40:
            rounds += 1
            walking = [u for u in users if at[u] < len(CHAOS_STEPS)]
            marks: dict[int, int] = {}
            sent: dict[int, tuple[int, bool] | None] = {}
            for user in walking:
                marks[user] = fake.mark()
                sent[user] = None
                # A button not where the person expected it: the /resume below sorts it out.
                with contextlib.suppress(AssertionError):
                    sent[user] = _take_step(fake, user, at[user])
                sends += 1
                if sends in kill_after:
                    time.sleep(rng.uniform(0, 0.12))
                    bot.kill()
                    kills += 1
                    bot.start()
            for user in walking:
                try:
                    fake.wait_for_message(user, _waits_for(at[user]), since=marks[user], timeout=8)
                    acknowledged += 1
                    at[user] += 1
                except AssertionError:
                    if _heard(fake, user, marks[user], sent[user]):
                        answered_otherwise += 1
                    else:
                        never_answered += 1
                    mark = fake.mark()
                    fake.send_text(user, "/resume")
                    fake.wait_for_message(user, since=mark, timeout=15)
                    time.sleep(0.3)
                    at[user] = _where(fake, user)
        # Four chats wait out a 429 of six seconds; how long does a fifth person wait?
        fake.fail_next("sendMessage", 429, retry_after=6, count=4)
        for user in users[:4]:
            fake.send_text(user, "/resume")
        time.sleep(0.1)
        mark = fake.mark()
        begin = time.monotonic()
        fake.send_text(users[4], "/resume")
        fake.wait_for_message(users[4], since=mark, timeout=30)
        blocked = time.monotonic() - begin
        bot.stop()
        with sqlite3.connect(bot.db) as conn:
            rows = conn.execute(
                "select a.user_id, a.step, count(*) from answers a join runs r on r.id = a.run_id"
                " where r.flow_id = 'tour' group by a.user_id, a.run_id, a.step"
            ).fetchall()
    counts = {(u, step): n for u, step, n in rows}
    finished = [u for u in users if at[u] >= len(CHAOS_STEPS)]
    lost = sum(1 for u in finished for step in CHAOS_ANSWERS if (u, step) not in counts)
    twice = sum(1 for n in counts.values() if n > 1)
    print(f"{args.users} people, the bot SIGKILLed {kills} times, {rounds} rounds")
    print(f"  answers acknowledged (a reply came)  {acknowledged}")
    print(f"  people who finished the tour         {len(finished)} of {args.users}")
    print(f"  acknowledged answers lost            {lost}")
    print(f"  answers applied twice                {twice}")
    print(f"  updates never answered (in 8 s)      {never_answered}")
    print(f"  answered, but not with the next step {answered_otherwise}")
    print(f"  another chat's reply while 4 wait out a 429 (retry_after 6): {blocked:.2f} s")
    return 0


# -- typed answers ----------------------------------------------------------------------------
def cmd_typed(args: argparse.Namespace) -> int:
    """How long reading one typed answer at a button question takes, with the encoder."""
    import yaml

    from bot.engine.reading import read
    from bot.usecases.understanding import shipped_similarity

    catalog = load_catalog()
    similar = shipped_similarity()
    answers = []
    for path in sorted((Path(__file__).resolve().parents[1] / "tests" / "data").glob("typed_*")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")):
            here = catalog[entry["flow"]].step(entry["step"])
            answers += [(here, str(a["text"])) for a in entry["answers"]]
    for here, text in answers[:200]:  # labels and synonyms are encoded once, on first use
        read(here, text, str, similar)
    timings: list[float] = []
    for here, text in answers:
        began = time.perf_counter()
        read(here, text, str, similar)
        timings.append((time.perf_counter() - began) * 1000)
    print(f"typed answers read: {len(timings)} (every answer of the labelled sets)")
    print(line("one typed answer understood", timings))
    long = [t for (_, text), t in zip(answers, timings, strict=True) if len(text) > 40]
    print(line("  answers over 40 characters", long))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run one benchmark."""
    parser = argparse.ArgumentParser(prog="scripts/bench.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    core = sub.add_parser("core", help="handle() latency vs PicklePersistence")
    core.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000])
    core.add_argument("--samples", type=int, default=2000)
    core.set_defaults(func=cmd_core)
    e2e = sub.add_parser("e2e", help="the real bot vs a bare echo bot, against a fake server")
    e2e.add_argument("--users", type=int, default=200)
    e2e.set_defaults(func=cmd_e2e)
    reminders = sub.add_parser("reminders", help="one reminder tick among many pending")
    reminders.add_argument("--pending", type=int, default=100_000)
    reminders.add_argument("--due", type=int, default=1000)
    reminders.add_argument("--samples", type=int, default=50)
    reminders.add_argument("--rounds", type=int, default=5)
    reminders.set_defaults(func=cmd_reminders)
    chaos = sub.add_parser("chaos", help="walks through the tour while the bot is SIGKILLed")
    chaos.add_argument("--users", type=int, default=10)
    chaos.add_argument("--kills", type=int, default=8)
    chaos.add_argument("--seed", type=int, default=1)
    chaos.set_defaults(func=cmd_chaos)
    screen = sub.add_parser("screen", help="the crisis screen: speed, start-up, memory")
    screen.set_defaults(func=cmd_screen)
    typed = sub.add_parser("typed", help="reading a typed answer at a button question")
    typed.set_defaults(func=cmd_typed)
    echo = sub.add_parser("echo-bot", help=argparse.SUPPRESS)
    echo.set_defaults(func=lambda _args: echo_bot())
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["core", *(argv or [])])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
