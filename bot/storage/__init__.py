"""SQLite storage: the only package that imports sqlite_utils."""

from bot.storage.db import open_db
from bot.storage.repos import ABANDONED, ACTIVE, COMPLETED, PAUSED, RunRecord, Store

__all__ = ["ABANDONED", "ACTIVE", "COMPLETED", "PAUSED", "RunRecord", "Store", "open_db"]
