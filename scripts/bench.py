"""Benchmarks that print figures (never timed tests).

    python scripts/bench.py core [--users 10000 100000] [--samples 2000]

`core`: the time of one `Service.handle()` step, commit included, on a real SQLite file that
already holds N people mid-flow; and, in the same run, the time python-telegram-bot's
PicklePersistence takes to persist the same per-person state for one person at the same N
(it rewrites its whole file on each update).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.engine import Choice, RunState, Text, start, step
from bot.flows import load_catalog
from bot.flows.model import Catalog
from bot.service import Service
from bot.storage import Store, open_db

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


def main(argv: Sequence[str] | None = None) -> int:
    """Parse arguments and run one benchmark."""
    parser = argparse.ArgumentParser(prog="scripts/bench.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command")
    core = sub.add_parser("core", help="handle() latency vs PicklePersistence")
    core.add_argument("--users", type=int, nargs="+", default=[10_000, 100_000])
    core.add_argument("--samples", type=int, default=2000)
    core.set_defaults(func=cmd_core)
    args = parser.parse_args(argv)
    if args.command is None:
        args = parser.parse_args(["core", *(argv or [])])
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
