"""The person's data rights: everything stored about them, and erasing all of it."""

from __future__ import annotations

from datetime import datetime

from bot.documents.export import export_json, export_markdown
from bot.engine import Document, Effect
from bot.flows.model import Catalog
from bot.storage import Store

EXPORT_JSON = "Everything stored about you, as data (JSON)."
EXPORT_MD = "The same, to read."


class Rights:
    """Export and erase; the caller holds the transaction."""

    def __init__(self, store: Store, catalog: Catalog) -> None:
        self.store = store
        self.catalog = catalog

    def export(self, user_id: int, now: datetime) -> list[Effect]:
        """Everything stored about the person: a JSON file and a readable Markdown file."""
        self.store.practice.audit(user_id, user_id, "export", now)
        rows = self.store.personal.everything_about(user_id)
        name = f"secure-base-{now:%Y-%m-%d}"
        readable = export_markdown(rows, self.catalog, now, self.store.versions.question)
        return [
            Document(f"{name}.json", export_json(rows, now), EXPORT_JSON),
            Document(f"{name}.md", readable, EXPORT_MD),
        ]

    def erase(self, user_id: int) -> int:
        """Delete every row about the person, in every table; returns how many."""
        return self.store.personal.erase(user_id)
