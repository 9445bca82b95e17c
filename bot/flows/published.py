"""Published versions of a flow: what each one had, and whether a new one may replace it.

A new version that drops a step of the last published one without saying, under `migrate:`,
where it went is refused, so no open run is ever left standing on a step that no longer exists
(bot/engine/carry.py moves the runs on).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.flows.errors import Location, Problem
from bot.flows.model import Flow, Migration


@dataclass(frozen=True)
class Published:
    """One version of a flow as it was published: its step ids, its migration, its questions."""

    flow_id: str
    version: int
    steps: tuple[str, ...]
    migrate: Migration | None = None
    questions: Mapping[str, str] = field(default_factory=dict)
    """Step id → the question's text, so an answer to a step removed later keeps its question."""
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Choice step id → option value → its label, for the same reason."""

    def to_json(self) -> str:
        """The record as stored (steps, migration and questions; never anything a person wrote)."""
        migrate = None
        if self.migrate is not None:
            migrate = {
                "from": self.migrate.from_version,
                "renamed": dict(self.migrate.renamed),
                "removed": dict(self.migrate.removed),
            }
        data = {
            "steps": list(self.steps),
            "migrate": migrate,
            "questions": dict(self.questions),
            "labels": {k: dict(v) for k, v in self.labels.items()},
        }
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, flow_id: str, version: int, text: str) -> Published:
        """A stored record back."""
        data: dict[str, Any] = json.loads(text)
        raw = data.get("migrate")
        migrate = None
        if isinstance(raw, dict):
            migrate = Migration(int(raw["from"]), dict(raw["renamed"]), dict(raw["removed"]))
        labels = {str(k): dict(v) for k, v in data.get("labels", {}).items()}
        return cls(flow_id, version, tuple(data["steps"]), migrate, dict(data["questions"]), labels)


def published(flow: Flow) -> Published:
    """The record of a checked flow, to be kept as one of its published versions."""
    questions = {str(s.id): " ".join(s.text.split()) for s in flow.steps if s.text}
    labels = {str(s.id): {o.value: o.label for o in s.options} for s in flow.steps if s.options}
    steps = tuple(s.id for s in flow.steps)
    return Published(flow.id, flow.version, steps, flow.migrate, questions, labels)


def version_problems(flow: Flow, last: Published | None) -> list[Problem]:
    """Why this flow may not replace its last published version; nothing when it may."""
    if last is None:
        return []
    where = Location(flow.source, flow.version_line, 1)
    if flow.version < last.version:
        return [
            Problem(
                where,
                f"version {flow.version} is older than version {last.version}, already published",
                f"publish changes as version {last.version + 1}",
            )
        ]
    gone = [s for s in last.steps if not flow.has_step(s)]
    if not gone:
        return []
    ids = ", ".join(f"'{s}'" for s in gone)
    if flow.version == last.version:
        return [
            Problem(
                where,
                f"step id(s) {ids} of published version {last.version} are gone,"
                " but the version was not raised",
                f"raise it to {last.version + 1} and add migrate: {{from: {last.version},"
                " renamed: {old: new}, removed: {old: the step to go on from}}",
            )
        ]
    migration = flow.migrate
    if migration is None or migration.from_version != last.version:
        said = "no migrate" if migration is None else f"migrate from {migration.from_version}"
        return [
            Problem(
                where,
                f"version {flow.version} drops step id(s) {ids} of published version"
                f" {last.version}, and has {said}",
                f"add migrate: {{from: {last.version}, renamed: {{old: new}},"
                " removed: {old: the step to go on from}}, so open runs can go on",
            )
        ]
    unmapped = [s for s in gone if s not in migration.moves()]
    if not unmapped:
        return []
    listed = ", ".join(f"'{s}'" for s in unmapped)
    return [
        Problem(
            where,
            f"version {flow.version} drops step id(s) {listed} of published version"
            f" {last.version} without a mapping",
            "name each under migrate's renamed (old: new) or removed (old: the step to go on from)",
        )
    ]
