"""The top level of a flow file (id, version, share, params) and its memory, locks and scores;
`FlowBuilder` puts the parts together."""

from __future__ import annotations

from typing import Any

from bot.flows.checker.steps import StepReader
from bot.flows.checker.transcripts import TranscriptReader
from bot.flows.checker.vocabulary import FLOW_ID_PATTERN, MEMORY_PATTERN, TOP_KEYS, suggest
from bot.flows.loader import Document
from bot.flows.model import DEFAULT_ORDER, Flow, FlowId, Lock, Migration, Score, Step, StepId

_REQUIRED_HINTS = {
    "flow": "name the flow, like: flow: name-the-cycle",
    "version": "add version: 1, and raise it when you publish a change",
    "steps": "a flow needs a list of steps",
}


class FlowBuilder(StepReader, TranscriptReader):
    """Builds a Flow from a Document; `problems` lists everything wrong with it."""

    def __init__(self, doc: Document) -> None:
        super().__init__(doc)
        self.dropped: dict[int, str] = {}
        """The steps written in the file but left out of the flow (already reported): their
        place in `steps:` and their id ("" when they have none). The whole-flow checks must
        not take their absence for a mistake of its own."""

    def build(self) -> Flow | None:
        """The Flow, or None when the file is too broken to build one."""
        self.traps()
        raw = self.doc.data
        if not isinstance(raw, dict):
            self.report((), "a flow file must be a mapping with 'flow', 'version' and 'steps'")
            return None
        self.check_keys(raw, (), TOP_KEYS, "a flow")
        for key in ("flow", "version", "steps"):
            if key not in raw:
                self.report((), f"missing required key '{key}'", _REQUIRED_HINTS[key])
        flow_id = raw.get("flow")
        if "flow" in raw and (not isinstance(flow_id, str) or not FLOW_ID_PATTERN.match(flow_id)):
            self.report(
                ("flow",), f"flow id {flow_id!r} must be lower-case letters, digits, - or _"
            )
        version = self.integer(raw, (), "version", 1, low=1)
        order = self.integer(raw, (), "order", DEFAULT_ORDER, low=1)
        params = self.params(raw.get("params", {}))
        memory = self.memory(raw.get("memory", {}))
        share = self.share(raw.get("share", "full"))
        scores = self.scores(raw.get("scores", {}))
        locks = self.locks(raw.get("locks", []))
        steps = self.steps(raw)
        migrate = self.migration(raw, version, {s.id for s in steps}) if "migrate" in raw else None
        tests = self.tests(raw.get("tests", []))
        if not isinstance(flow_id, str) or not steps:
            return None
        title = raw.get("title", flow_id)
        return Flow(
            id=FlowId(flow_id),
            version=version,
            order=order,
            title=str(title),
            description=str(raw.get("description", "")),
            steps=steps,
            params=params,
            tests=tests,
            source=self.doc.path,
            memory=memory,
            locks=locks,
            scores=scores,
            share=share,
            migrate=migrate,
            version_line=self.doc.at(("version",)).line if "version" in raw else 1,
        )

    def params(self, raw: Any) -> dict[str, str]:
        """`params:` the parameters a caller may pass with `with:`, each with a default."""
        if not isinstance(raw, dict) or not all(isinstance(k, str) for k in raw):
            self.report(("params",), "'params' must map each parameter name to a default text")
            return {}
        return {str(k): str(v) for k, v in raw.items()}

    def share(self, raw: Any) -> str:
        """A flow's `share:`: never keeps the whole flow out of reports; full is the default."""
        if raw not in ("never", "full"):
            self.report(
                ("share",),
                f"a flow's 'share' must be never or full, not {raw!r}",
                "never keeps the whole conversation out of every therapist report",
            )
            return "full"
        return str(raw)

    def migration(self, raw: dict[str, Any], version: int, ids: set[str]) -> Migration | None:
        """`migrate:` {from, renamed, removed}: where open runs of an earlier version go."""
        spec = raw["migrate"]
        path: tuple[str, ...] = ("migrate",)
        if not isinstance(spec, dict) or "from" not in spec:
            self.report(
                path,
                "'migrate' must be a mapping with 'from' (the version it moves runs from)",
                "for example: migrate: {from: 2, renamed: {old_id: new_id}, removed: {gone: next}}",
            )
            return None
        self.check_keys(spec, path, ("from", "renamed", "removed"), "migrate")
        start = self.integer(spec, path, "from", 0, low=1)
        if start and start >= version:
            self.report(
                (*path, "from"),
                f"'from: {start}' must be an earlier version than this one ({version})",
                "raise 'version' when you publish a change, and migrate from the one before",
            )
        moves: dict[str, dict[str, str]] = {}
        for part, hint in (
            ("renamed", "the step's id in this version"),
            ("removed", "the step a person standing on the removed one goes on from"),
        ):
            mapping = spec.get(part, {})
            if not isinstance(mapping, dict):
                self.report((*path, part), f"'{part}' must map each old step id to {hint}")
                mapping = {}
            moves[part] = {}
            for old, new in mapping.items():
                where = (*path, part, old)
                if str(old) in ids:
                    self.report(
                        where,
                        f"'{old}' is still a step of this flow, so it was not {part}",
                        "list only the ids the earlier version had and this one does not",
                        key=True,
                    )
                elif not isinstance(new, str) or new not in ids:
                    self.report(
                        where,
                        f"'{old}' {part} to {new!r}, which is not a step of this flow",
                        suggest(str(new), sorted(ids)) or f"give {hint}",
                    )
                else:
                    moves[part][str(old)] = new
        return Migration(start, moves["renamed"], moves["removed"])

    def steps(self, raw: dict[str, Any]) -> tuple[Step, ...]:
        """`steps:` in order; a step with a broken or duplicate id is left out."""
        steps_raw = raw.get("steps", [])
        if not isinstance(steps_raw, list) or ("steps" in raw and not steps_raw):
            self.report(("steps",), "'steps' must be a non-empty list of steps")
            steps_raw = []
        steps: list[Step] = []
        first_seen: dict[str, int] = {}
        for i, step_raw in enumerate(steps_raw):
            step = self.step(step_raw, ("steps", i))
            if step is None:
                written = step_raw.get("id") if isinstance(step_raw, dict) else None
                self.dropped[i] = written if isinstance(written, str) else ""
                continue
            if step.id in first_seen:
                line = self.doc.at(("steps", first_seen[step.id], "id")).line
                self.report(
                    ("steps", i, "id"),
                    f"duplicate step id '{step.id}'",
                    f"it is already used on line {line}; step ids must be unique",
                )
                self.dropped[i] = step.id
                continue
            first_seen[step.id] = i
            steps.append(step)
        return tuple(steps)

    def memory(self, raw: Any) -> dict[str, str]:
        """`memory:` names this flow reads from earlier flows, each with a default text."""
        if not isinstance(raw, dict):
            self.report(("memory",), "'memory' must map each remembered name to a default text")
            return {}
        memory: dict[str, str] = {}
        for name in raw:
            if not isinstance(name, str) or not MEMORY_PATTERN.match(name):
                self.report(
                    ("memory", name), f"memory name {name!r} must be like cycle_name", key=True
                )
                continue
            memory[name] = self.text(raw, ("memory",), name)
        return memory

    def scores(self, raw: Any) -> dict[str, Score]:
        """`scores:` name → {label, items}: the scale steps whose mean it is."""
        if not isinstance(raw, dict):
            self.report(("scores",), "'scores' must map each score name to {label, items}")
            return {}
        scores: dict[str, Score] = {}
        for name, spec in raw.items():
            spath = ("scores", name)
            if not isinstance(name, str) or not MEMORY_PATTERN.match(name):
                self.report(spath, f"score name {name!r} must be like accessible", key=True)
                continue
            if not isinstance(spec, dict):
                self.report(spath, f"score '{name}' needs {{label: ..., items: [scale ids]}}")
                continue
            self.check_keys(spec, spath, ("label", "items"), "a score")
            items = spec.get("items")
            if (
                not isinstance(items, list)
                or not items
                or not all(isinstance(i, str) for i in items)
            ):
                self.report(spath, f"score '{name}' needs 'items': a list of scale step ids")
                continue
            label = self.text(spec, spath, "label") or name
            scores[name] = Score(label, tuple(StepId(i) for i in items))
        return scores

    def locks(self, raw: Any) -> tuple[Lock, ...]:
        """`locks:` conditions under which the flow cannot be started, with the reason."""
        if not isinstance(raw, list):
            self.report(("locks",), "'locks' must be a list of {when, because, safety}")
            return ()
        locks: list[Lock] = []
        for i, item in enumerate(raw):
            lpath = ("locks", i)
            if not isinstance(item, dict) or "when" not in item or "because" not in item:
                self.report(lpath, "a lock needs 'when' (a condition) and 'because' (the reason)")
                continue
            self.check_keys(item, lpath, ("when", "because", "safety"), "a lock")
            when = self.condition(item["when"], (*lpath, "when"))
            because = self.text(item, lpath, "because", required=True)
            safety = item.get("safety", False)
            if not isinstance(safety, bool):
                self.report((*lpath, "safety"), "'safety' must be true or false")
                safety = False
            if when is not None:
                locks.append(Lock(when, because, safety, str(item["when"])))
        return tuple(locks)
