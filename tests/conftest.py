"""Shared fixtures: real YAML flows, a fresh SQLite store, a fixed clock."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bot_process import BotProcess
from fake_telegram import FakeTelegram

from bot.flows import load_catalog
from bot.flows.model import Catalog
from bot.storage import Store, open_db
from bot.usecases.service import Service

# PTB 22 warns about retry_after's coming type on every RetryAfter unless told we're ready;
# warnings are errors in this suite, and the bot accepts both types.
os.environ.setdefault("PTB_TIMEDELTA", "true")

NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)


@pytest.fixture
def now() -> datetime:
    """A fixed moment: tests never read the clock."""
    return NOW


@pytest.fixture(scope="session")
def shipped() -> Catalog:
    """The flows that ship with the bot, loaded and checked once."""
    return load_catalog()


@pytest.fixture
def make_catalog(tmp_path: Path) -> Callable[..., Catalog]:
    """Write YAML flows to real files and load them: make_catalog(a="flow: a ...")."""

    def make(**files: str) -> Catalog:
        folder = tmp_path / "flows"
        folder.mkdir(exist_ok=True)
        for name, text in files.items():
            (folder / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        return load_catalog([folder])

    return make


@pytest.fixture
def store() -> Store:
    """A fresh in-memory database with every migration applied."""
    return Store(open_db(None))


@pytest.fixture
def file_store(tmp_path: Path) -> Store:
    """A fresh database in a real file, as the bot uses."""
    return Store(open_db(tmp_path / "bot.db"))


@pytest.fixture
def service(file_store: Store, shipped: Catalog) -> Service:
    """The service over the shipped flows and a real SQLite file."""
    return Service(file_store, shipped)


# -- end to end: the real bot process against the fake Bot API server ------------------------
@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    with FakeTelegram(strict_html=True) as server:
        yield server


@pytest.fixture
def launch(fake: FakeTelegram, tmp_path: Path) -> Iterator[Callable[..., BotProcess]]:
    """Start bot processes; every one still running is stopped when the test ends."""
    started: list[BotProcess] = []

    def start(ready: str = "getUpdates", **env: str) -> BotProcess:
        process = BotProcess(fake, tmp_path, **env).start(ready=ready)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def bot(launch: Callable[..., BotProcess]) -> BotProcess:
    return launch()
