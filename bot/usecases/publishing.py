"""Publishing flows: whether a catalog may replace the versions already published, keeping its
new versions, and moving the open runs on to them.

The bot publishes at start-up and on every reload (SIGHUP). A catalog that fails a check, a
transcript test, or would strand an open run (a step of the last published version dropped
without a `migrate:` mapping) is refused as a whole, and the bot keeps the one it has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.engine.carry import carry, needs_carrying
from bot.engine.transcript import run_transcript
from bot.flows import FlowError, Location, Problem, load_catalog
from bot.flows.model import Catalog
from bot.flows.published import Published, published, version_problems
from bot.storage import Store


def transcript_problems(catalog: Catalog, flows: Catalog | None = None) -> list[Problem]:
    """Run the transcript tests of `flows` (default: every flow), with the whole catalog there
    for their sub-flows; each failure is a located problem."""
    problems: list[Problem] = []
    for flow in (catalog if flows is None else flows).values():
        for test in flow.tests:
            result = run_transcript(catalog, flow.id, test)
            for failure in result.failures:
                problems.append(
                    Problem(Location(flow.source, test.line, 5), f"test '{test.name}': {failure}")
                )
    return problems


def refusals(catalog: Catalog, latest: dict[str, Published]) -> list[Problem]:
    """Every way the catalog would break a published version (see version_problems)."""
    return [p for flow in catalog.values() for p in version_problems(flow, latest.get(flow.id))]


def checked(paths: Sequence[Path], latest: dict[str, Published]) -> tuple[Catalog | None, str]:
    """The catalog in these folders if it checks clean, passes its transcript tests and may
    replace what was published; otherwise None and every problem, one a line."""
    try:
        catalog = load_catalog(paths)
    except FlowError as exc:
        return None, str(exc)
    problems = transcript_problems(catalog) + refusals(catalog, latest)
    if problems:
        return None, "\n".join(str(p) for p in problems)
    return catalog, ""


@dataclass(frozen=True)
class Outcome:
    """What publishing a catalog changed (ids and counts only: never anyone's words)."""

    new: list[Published] = field(default_factory=list)
    carried: int = 0
    moved: int = 0
    """Runs whose step was removed, so the person goes on from another one."""
    stranded: int = 0
    """Runs that cannot go on (their flow is gone); they are closed kindly when next used."""

    def summary(self) -> str:
        """One line for the log."""
        versions = ", ".join(f"{p.flow_id} v{p.version}" for p in self.new) or "none"
        return (
            f"new versions: {versions}; open runs moved on: {self.carried}"
            f" ({self.moved} from a removed step), left as they were: {self.stranded}"
        )


def publish(store: Store, catalog: Catalog, now: datetime) -> Outcome:
    """Keep the catalog's new versions and move every open run of a changed flow on to them,
    in one transaction."""
    with store.atomic():
        new = store.versions.publish([published(f) for f in catalog.values()], now)
        carried = moved = stranded = 0
        for run_id, state in list(store.open_runs_of(p.flow_id for p in new)):
            if not needs_carrying(state, catalog):
                continue
            result = carry(state, catalog, store.versions.history)
            if result is None:
                stranded += 1
                continue
            store.rename_answers(run_id, result.renamed)
            store.carry_run(run_id, result.state)
            carried += 1
            moved += int(result.state.moved and not state.moved)
    return Outcome(new, carried, moved, stranded)
