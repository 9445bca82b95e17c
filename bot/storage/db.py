"""Open the SQLite database: owner-only file, WAL journal, migrations applied."""

from __future__ import annotations

import os
from pathlib import Path

from sqlite_utils import Database

from bot.storage.migrations import migrations


def open_db(path: str | Path | None) -> Database:
    """Open (creating if needed) the database at `path`; None or ":memory:" gives a memory one."""
    if path is None or str(path) == ":memory:":
        db = Database(memory=True)
    else:
        file = Path(path)
        file.parent.mkdir(parents=True, exist_ok=True)
        # Create the file readable by its owner only before SQLite opens it: it holds what
        # people wrote on their worst nights.
        fd = os.open(file, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(fd)
        db = Database(file)
        db.enable_wal()
        # FULL makes each commit durable against power loss, not only against a crash.
        db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=5000")
    migrations.apply(db)
    return db
