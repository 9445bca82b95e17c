"""Turn one YAML document into a `Flow`, collecting every structural problem on the way.

Graph and variable checks that need the whole flow live in `bot.flows.checks`; checks across
flows (sub-flow calls) live in `bot.flows.catalog`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any

from bot.flows import expr as expressions
from bot.flows import template
from bot.flows.errors import ExpressionError, Location, Problem
from bot.flows.loader import Document, Path
from bot.flows.model import (
    DEFAULT_ORDER,
    Flow,
    FlowId,
    Kind,
    Lock,
    Option,
    Rule,
    Score,
    Step,
    StepId,
    TranscriptTest,
)

MAX_TEXT = 4096
"""Telegram's limit for one message."""
MAX_LABEL = 40
"""Longer button labels are cut off on a phone screen."""
MAX_PAYLOAD = 64
"""Telegram's limit for a button's callback data, in bytes."""
PAYLOAD_RESERVE = 16
"""Bytes of callback data the bot keeps for the run and sequence number."""
MAX_SCALE_SPAN = 10

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
FLOW_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")

ASK_KINDS = {k.value: k for k in (Kind.TEXT, Kind.CHOICE, Kind.MULTI, Kind.SCALE, Kind.PAUSE)}
TOP_KEYS = (
    "flow",
    "version",
    "title",
    "description",
    "order",
    "share",
    "params",
    "memory",
    "locks",
    "scores",
    "steps",
    "tests",
)
COMMON_KEYS = ("id", "when", "next", "back", "share")
MEMORY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
_ANSWER_KEYS = ("invalid", "retries", "fallback", "optional", "remember")
STEP_KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.SAY: ("say",),
    Kind.PAUSE: ("ask", "say", "button"),
    Kind.TEXT: ("ask", "say", "validate", *_ANSWER_KEYS),
    Kind.CHOICE: ("ask", "say", "options", *_ANSWER_KEYS),
    Kind.MULTI: ("ask", "say", "options", "min", "max", *_ANSWER_KEYS),
    Kind.SCALE: ("ask", "say", "scale", *_ANSWER_KEYS),
    Kind.CALL: ("call", "with", "remember"),
    Kind.END: ("end", "return"),
}
ALL_STEP_KEYS = sorted({k for keys in STEP_KEYS.values() for k in keys} | set(COMMON_KEYS))
SHARE_LEVELS = ("never", "summary", "full")
DISCLOSURES = ("violence", "fear", "harm", "child")
RESERVED_MEMORY = ("disclosed",)
"""Memory names the bot fills itself: `disclosed` is the newest open disclosure, or "none"."""
"""What an option may disclose (`disclose:`): each closes the flows that turn to the partner."""
BOOLEAN_KEYS = ("back", "optional")
DEFAULT_SKIP_LABEL = "Skip for now"


def suggest(word: str, choices: Iterable[str]) -> str:
    """A 'did you mean' hint, or an empty string when nothing is close."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def payload_of(step_id: str, value: str) -> str:
    """The engine's token for a button; the adapter adds the run and sequence number."""
    return f"{step_id}:{value}"


class FlowBuilder:
    """Builds a Flow from a Document; `problems` lists everything wrong with it."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    # -- reporting ---------------------------------------------------------------------------
    def report(self, path: Path, message: str, hint: str = "", *, key: bool = False) -> None:
        """Record a problem at the node (or the key) at `path`."""
        where = self.doc.key_at(path) if key else self.doc.at(path)
        self.problems.append(Problem(where, message, hint))

    def report_at(self, where: Location, message: str, hint: str = "") -> None:
        """Record a problem at an explicit location."""
        self.problems.append(Problem(where, message, hint))

    # -- typed getters -----------------------------------------------------------------------
    def text(self, raw: dict[str, Any], path: Path, key: str, *, required: bool = False) -> str:
        """A text value: a string no longer than one Telegram message."""
        if key not in raw:
            return ""
        value = raw[key]
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or (required and not value.strip()):
            self.report((*path, key), f"'{key}' must be text", 'write it in quotes: "..."')
            return ""
        if len(value) > MAX_TEXT:
            self.report(
                (*path, key),
                f"'{key}' is {len(value)} characters; Telegram allows {MAX_TEXT} in one message",
                "split it into two steps",
            )
        try:
            template.placeholders(value)
        except template.TemplateError as exc:
            self.report_at(self.doc.inside((*path, key), exc.offset), exc.message)
        return value

    def integer(
        self, raw: dict[str, Any], path: Path, key: str, default: int, *, low: int | None = None
    ) -> int:
        """A whole number, at least `low` when given."""
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.report((*path, key), f"'{key}' must be a whole number, not {value!r}")
            return default
        if low is not None and value < low:
            self.report((*path, key), f"'{key}' must be at least {low}, not {value}")
            return default
        return value

    def condition(self, value: Any, path: Path) -> expressions.Expr | None:
        """Parse a `when:` condition; report its fault at the exact column."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.report(path, "a condition must be text, like: closeness <= 2")
            return None
        source = str(value)
        try:
            parsed = expressions.parse(source)
        except ExpressionError as exc:
            self.report_at(
                self.doc.inside(path, exc.col),
                f"invalid condition '{source}': {exc.message}",
                "conditions look like: closeness <= 2 and 'scared' in under",
            )
            return None
        return parsed

    def traps(self) -> None:
        """Report unquoted yes/no/on/off, with advice that fits what the key expects."""
        for path, (word, value) in self.doc.traps.items():
            meaning = str(value).lower()
            if len(path) >= 1 and path[-1] in BOOLEAN_KEYS:
                self.report(
                    path,
                    f"'{word}' is read by YAML as the boolean {meaning}",
                    f"write {meaning} here",
                )
            else:
                self.report(
                    path,
                    f"'{word}' is read by YAML as the boolean {meaning}",
                    f'put it in quotes, "{word}", if you mean the word',
                )

    def boolean(self, raw: dict[str, Any], path: Path, key: str) -> bool | None:
        """A true/false value; an unquoted yes/no counts (it was reported as a trap)."""
        value = raw[key]
        if isinstance(value, bool):
            return value
        if (*path, key) in self.doc.traps:
            return self.doc.traps[(*path, key)][1]
        return None

    def step_ref(self, value: Any, path: Path) -> StepId | None:
        """A reference to a step id (checked against the flow later)."""
        if not isinstance(value, str) or not value:
            self.report(path, f"expected a step id, not {value!r}")
            return None
        return StepId(value)

    def check_keys(
        self, raw: dict[str, Any], path: Path, allowed: Iterable[str], what: str
    ) -> None:
        """Report every key of `raw` that is not allowed, with a suggestion."""
        allowed = tuple(allowed)
        for key in raw:
            if key in allowed:
                continue
            if key in ALL_STEP_KEYS and what.endswith("step"):
                self.report(
                    (*path, key),
                    f"'{key}' does not apply to a {what}",
                    "allowed here: " + ", ".join(allowed),
                    key=True,
                )
                continue
            hint = suggest(key, allowed) or "allowed here: " + ", ".join(allowed)
            self.report((*path, key), f"unknown key '{key}' in {what}", hint, key=True)

    # -- the flow ----------------------------------------------------------------------------
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
        params = raw.get("params", {})
        if not isinstance(params, dict) or not all(isinstance(k, str) for k in params):
            self.report(("params",), "'params' must map each parameter name to a default text")
            params = {}
        memory = self.memory(raw.get("memory", {}))
        share = raw.get("share", "full")
        if share not in ("never", "full"):
            self.report(
                ("share",),
                f"a flow's 'share' must be never or full, not {share!r}",
                "never keeps the whole conversation out of every therapist report",
            )
            share = "full"
        scores = self.scores(raw.get("scores", {}))
        locks = self.locks(raw.get("locks", []))
        steps_raw = raw.get("steps", [])
        if not isinstance(steps_raw, list) or ("steps" in raw and not steps_raw):
            self.report(("steps",), "'steps' must be a non-empty list of steps")
            steps_raw = []
        steps: list[Step] = []
        first_seen: dict[str, int] = {}
        for i, step_raw in enumerate(steps_raw):
            step = self.step(step_raw, ("steps", i))
            if step is None:
                continue
            if step.id in first_seen:
                line = self.doc.at(("steps", first_seen[step.id], "id")).line
                self.report(
                    ("steps", i, "id"),
                    f"duplicate step id '{step.id}'",
                    f"it is already used on line {line}; step ids must be unique",
                )
                continue
            first_seen[step.id] = i
            steps.append(step)
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
            steps=tuple(steps),
            params={str(k): str(v) for k, v in params.items()},
            tests=tests,
            source=self.doc.path,
            memory=memory,
            locks=locks,
            scores=scores,
            share=str(share),
        )

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

    # -- steps -------------------------------------------------------------------------------
    def step(self, raw: Any, path: Path) -> Step | None:
        """One step; None when it lacks an id or a kind."""
        if not isinstance(raw, dict):
            self.report(path, "a step must be a mapping with at least an 'id'")
            return None
        kind = self.kind_of(raw, path)
        step_id = raw.get("id")
        if "id" not in raw:
            self.report(path, "missing required key 'id' in step", "every step needs a unique id")
        elif not isinstance(step_id, str) or not ID_PATTERN.match(step_id):
            self.report(
                (*path, "id"),
                f"step id {step_id!r} must start with a letter and use only a-z, 0-9 and _",
                "ids are used in conditions and placeholders, like {my_move}",
            )
            step_id = None
        if kind is None:
            return None
        what = f"{kind.value} step"
        self.check_keys(raw, path, (*COMMON_KEYS, *STEP_KEYS[kind]), what)
        fields: dict[str, Any] = {}
        if kind is Kind.END:
            fields["text"] = self.text(raw, path, "end")
            if "return" in raw:
                fields["returns"] = self.step_ref(raw["return"], (*path, "return"))
        elif kind is Kind.CALL:
            fields.update(self.call(raw, path))
        else:
            if "say" not in raw:
                self.report(
                    path, f"missing required key 'say' in {what}", "what should the bot say?"
                )
            fields["text"] = self.text(raw, path, "say", required=True)
        if kind in (Kind.CHOICE, Kind.MULTI):
            fields["options"] = self.options(raw, path, step_id or "")
        if kind is Kind.MULTI:
            fields.update(self.picks(raw, path, len(fields["options"])))
        if kind is Kind.SCALE:
            fields.update(self.scale(raw, path, step_id or ""))
        if kind is Kind.TEXT:
            fields.update(self.text_rules(raw, path))
        if kind is Kind.PAUSE and "button" in raw:
            fields["button"] = self.label(raw["button"], (*path, "button"))
        if kind in ASK_KINDS.values() and kind is not Kind.PAUSE:
            fields.update(self.answer_rules(raw, path))
        if "when" in raw:
            fields["when"] = self.condition(raw["when"], (*path, "when"))
            fields["when_source"] = str(raw["when"])
        if "next" in raw:
            fields["next"] = self.rules(raw["next"], (*path, "next"))
        if "back" in raw:
            back = self.boolean(raw, path, "back")
            if back is None:
                self.report((*path, "back"), "'back' must be true or false")
            else:
                fields["back"] = back
        if "share" in raw:
            if raw["share"] not in SHARE_LEVELS:
                self.report(
                    (*path, "share"),
                    f"'share' must be one of {', '.join(SHARE_LEVELS)}, not {raw['share']!r}",
                    suggest(raw["share"], SHARE_LEVELS),
                )
            else:
                fields["share"] = raw["share"]
        if step_id is None:
            return None
        return Step(id=StepId(step_id), kind=kind, **fields)

    def kind_of(self, raw: dict[str, Any], path: Path) -> Kind | None:
        """Which kind of step this is, from `ask:`, `end:` or `call:`."""
        markers = [k for k in ("ask", "end", "call") if k in raw]
        if len(markers) > 1:
            self.report(
                (*path, markers[1]),
                f"a step cannot have both '{markers[0]}' and '{markers[1]}'",
                "split it into two steps",
                key=True,
            )
            return None
        if "end" in raw:
            return Kind.END
        if "call" in raw:
            return Kind.CALL
        if "ask" not in raw:
            return Kind.SAY
        ask = raw["ask"]
        if not isinstance(ask, str) or ask not in ASK_KINDS:
            hint = suggest(ask, ASK_KINDS) or "use one of " + ", ".join(ASK_KINDS)
            self.report((*path, "ask"), f"unknown question kind {ask!r}", hint)
            return None
        return ASK_KINDS[ask]

    def label(self, value: Any, path: Path) -> str:
        """A button label: short text."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.report(path, "a button label must be non-empty text")
            return "?"
        if len(value) > MAX_LABEL:
            self.report(
                path,
                f"button label '{value}' is {len(value)} characters; keep it to {MAX_LABEL}",
                "long labels are cut off on a phone; move detail into the question",
            )
        return value

    def options(self, raw: dict[str, Any], path: Path, step_id: str) -> tuple[Option, ...]:
        """The options of a choice or multi step, in any of the three accepted shapes."""
        opath = (*path, "options")
        if "options" not in raw:
            self.report(path, "missing required key 'options'", "list the buttons to choose from")
            return ()
        items = raw["options"]
        entries: list[tuple[Path, Any, Any, Any, Path]] = []
        disclosed: dict[Path, str] = {}
        if isinstance(items, dict):
            entries = [((*opath, k), k, v, None, (*opath, k)) for k, v in items.items()]
        elif isinstance(items, list):
            for i, item in enumerate(items):
                ipath = (*opath, i)
                if isinstance(item, dict):
                    self.check_keys(
                        item, ipath, ("value", "label", "goto", "disclose"), "an option"
                    )
                    if "value" not in item:
                        self.report(ipath, "missing required key 'value' in option")
                        continue
                    if "disclose" in item:
                        if item["disclose"] in DISCLOSURES:
                            disclosed[ipath] = item["disclose"]
                        else:
                            self.report(
                                (*ipath, "disclose"),
                                f"'disclose' must be one of {', '.join(DISCLOSURES)},"
                                f" not {item['disclose']!r}",
                                suggest(str(item["disclose"]), DISCLOSURES),
                            )
                    label = item.get("label", item["value"])
                    entries.append(
                        (
                            ipath,
                            item["value"],
                            label,
                            item.get("goto"),
                            (*ipath, "label" if "label" in item else "value"),
                        )
                    )
                else:
                    entries.append((ipath, item, item, None, ipath))
        else:
            self.report(opath, "'options' must be a list or a mapping of value: label")
            return ()
        if not entries:
            self.report(opath, "'options' is empty", "a question needs at least one option")
            return ()
        options: list[Option] = []
        seen: set[str] = set()
        for ipath, value, label, goto, lpath in entries:
            if isinstance(value, bool) or not isinstance(value, str | int):
                self.report(ipath, f"option value {value!r} must be text")
                continue
            value = str(value)
            if value in seen:
                self.report(ipath, f"duplicate option value '{value}'", "each value must be unique")
                continue
            seen.add(value)
            size = len(payload_of(step_id, value).encode())
            budget = MAX_PAYLOAD - PAYLOAD_RESERVE
            if size > budget:
                self.report(
                    ipath,
                    f"button payload for option '{value}' is {size} bytes; it must stay within"
                    f" {budget} (Telegram allows {MAX_PAYLOAD}, the bot needs {PAYLOAD_RESERVE})",
                    "shorten the step id or the option value",
                )
            label_text = self.label(label, lpath)
            target = self.step_ref(goto, (*ipath, "goto")) if goto is not None else None
            options.append(Option(value, label_text, target, disclosed.get(ipath)))
        return tuple(options)

    def picks(self, raw: dict[str, Any], path: Path, count: int) -> dict[str, Any]:
        """min/max picks of a multi step."""
        low = self.integer(raw, path, "min", 1, low=0)
        high = self.integer(raw, path, "max", max(count, 1), low=1)
        if count and high > count:
            self.report((*path, "max"), f"'max' is {high} but there are only {count} options")
        if low > high:
            self.report((*path, "min"), f"'min' ({low}) is above 'max' ({high})")
        return {"min_picks": low, "max_picks": high}

    def scale(self, raw: dict[str, Any], path: Path, step_id: str) -> dict[str, Any]:
        """The range and anchor labels of a scale step."""
        spath = (*path, "scale")
        spec = raw.get("scale")
        if not isinstance(spec, dict):
            self.report(
                path if spec is None else spath,
                "missing required key 'scale'" if spec is None else "'scale' must be a mapping",
                "for example: scale: {min: 1, max: 5, labels: {1: far apart, 5: very close}}",
            )
            return {}
        self.check_keys(spec, spath, ("min", "max", "labels"), "a scale")
        low = self.integer(spec, spath, "min", 1)
        high = self.integer(spec, spath, "max", 5)
        if low >= high:
            self.report(spath, f"scale min ({low}) must be below its max ({high})")
            return {}
        if high - low > MAX_SCALE_SPAN:
            self.report(
                spath,
                f"a scale of {high - low + 1} points is too long for one screen",
                f"use at most {MAX_SCALE_SPAN + 1} points, like 0 to 10",
            )
        labels_raw = spec.get("labels", {})
        labels: dict[int, str] = {}
        if not isinstance(labels_raw, dict):
            self.report((*spath, "labels"), "'labels' must map numbers to words")
            labels_raw = {}
        for point, text in labels_raw.items():
            lpath = (*spath, "labels", point)
            if isinstance(point, bool) or not isinstance(point, int) or not low <= point <= high:
                self.report(
                    lpath, f"label key {point!r} is not a point of the scale {low}-{high}", key=True
                )
                continue
            labels[point] = self.label(text, lpath)
        size = len(payload_of(step_id, str(high)).encode())
        if size > MAX_PAYLOAD - PAYLOAD_RESERVE:
            self.report(
                (*path, "id"),
                f"button payload for this scale is {size} bytes",
                "shorten the step id",
            )
        return {"scale_min": low, "scale_max": high, "scale_labels": labels}

    def text_rules(self, raw: dict[str, Any], path: Path) -> dict[str, Any]:
        """The `validate:` block of a text step."""
        spec = raw.get("validate", {})
        vpath = (*path, "validate")
        if not isinstance(spec, dict):
            self.report(vpath, "'validate' must be a mapping like {min_chars: 2, max_chars: 500}")
            return {}
        self.check_keys(spec, vpath, ("min_chars", "max_chars"), "validate")
        low = self.integer(spec, vpath, "min_chars", 1, low=0)
        high = self.integer(spec, vpath, "max_chars", 2000, low=1)
        if low > high:
            self.report(vpath, f"min_chars ({low}) is above max_chars ({high})")
        return {"min_chars": low, "max_chars": high}

    def answer_rules(self, raw: dict[str, Any], path: Path) -> dict[str, Any]:
        """invalid / retries / fallback / optional, shared by every question kind."""
        fields: dict[str, Any] = {}
        if "invalid" in raw:
            fields["invalid"] = self.text(raw, path, "invalid", required=True)
        if "retries" in raw:
            fields["retries"] = self.integer(raw, path, "retries", 3, low=1)
        if "fallback" in raw:
            fields["fallback"] = self.step_ref(raw["fallback"], (*path, "fallback"))
        if "remember" in raw:
            fields.update(self.remember(raw, path))
        if "optional" in raw:
            flag = self.boolean(raw, path, "optional")
            value = raw["optional"] if flag is None else flag
            if value is True:
                fields["optional"] = DEFAULT_SKIP_LABEL
            elif value is not False:
                fields["optional"] = self.label(value, (*path, "optional"))
        return fields

    def rules(self, raw: Any, path: Path) -> tuple[Rule, ...]:
        """`next:` as a step id, or as an ordered list of {when, goto}."""
        if isinstance(raw, str):
            return (Rule(StepId(raw)),)
        if not isinstance(raw, list) or not raw:
            self.report(path, "'next' must be a step id or a list of {when, goto} rules")
            return ()
        rules: list[Rule] = []
        for i, item in enumerate(raw):
            rpath = (*path, i)
            if not isinstance(item, dict):
                self.report(rpath, "a rule must be a mapping like {when: ..., goto: step_id}")
                continue
            self.check_keys(item, rpath, ("when", "goto"), "a next rule")
            if "goto" not in item:
                self.report(rpath, "missing required key 'goto' in rule")
                continue
            goto = self.step_ref(item["goto"], (*rpath, "goto"))
            when = self.condition(item["when"], (*rpath, "when")) if "when" in item else None
            if goto is not None:
                rules.append(Rule(goto, when, str(item.get("when", ""))))
            if "when" not in item and i < len(raw) - 1:
                self.report(
                    (*path, i + 1),
                    "this rule can never apply",
                    "the rule before it has no 'when' and always matches",
                )
        return tuple(rules)

    def call(self, raw: dict[str, Any], path: Path) -> dict[str, Any]:
        """`call: flow_id` with optional `with:` parameters."""
        target = raw["call"]
        if not isinstance(target, str) or not target:
            self.report((*path, "call"), "'call' must name a flow id")
            return {}
        args = raw.get("with", {})
        if not isinstance(args, dict):
            self.report((*path, "with"), "'with' must map parameter names to texts")
            args = {}
        for key in args:
            self.text(args, (*path, "with"), key)
        fields: dict[str, Any] = {
            "call": FlowId(target),
            "args": {str(k): str(v) for k, v in args.items()},
        }
        if "remember" in raw:
            fields.update(self.remember(raw, path))
        return fields

    def remember(self, raw: dict[str, Any], path: Path) -> dict[str, Any]:
        """`remember: name`: keep this answer for later flows under `name`."""
        name = raw["remember"]
        if not isinstance(name, str) or not MEMORY_PATTERN.match(name):
            self.report(
                (*path, "remember"), f"'remember' needs a name like cycle_name, not {name!r}"
            )
            return {}
        if name in RESERVED_MEMORY:
            self.report(
                (*path, "remember"),
                f"'{name}' is kept by the bot itself (what a person disclosed), not by a flow",
                "choose another name; an option can disclose with 'disclose:'",
            )
            return {}
        return {"remember": name}

    # -- author tests ------------------------------------------------------------------------
    def tests(self, raw: Any) -> tuple[TranscriptTest, ...]:
        """The flow's transcript tests."""
        if not isinstance(raw, list):
            self.report(("tests",), "'tests' must be a list of {name, inputs, path, expect}")
            return ()
        tests: list[TranscriptTest] = []
        for i, item in enumerate(raw):
            tpath = ("tests", i)
            if not isinstance(item, dict) or not isinstance(item.get("inputs"), list):
                self.report(tpath, "a test needs 'inputs': a list of answers in order")
                continue
            self.check_keys(item, tpath, ("name", "inputs", "path", "expect", "memory"), "a test")
            memory = item.get("memory", {})
            if not isinstance(memory, dict):
                self.report((*tpath, "memory"), "'memory' must map remembered names to values")
                memory = {}
            path = item.get("path")
            expect = item.get("expect", [])
            if isinstance(expect, str):
                expect = [expect]
            if not isinstance(expect, list):
                self.report((*tpath, "expect"), "'expect' must be a list of texts to be shown")
                expect = []
            tests.append(
                TranscriptTest(
                    name=str(item.get("name", f"test {i + 1}")),
                    inputs=tuple(item["inputs"]),
                    path=tuple(StepId(str(p)) for p in path) if isinstance(path, list) else None,
                    expect=tuple(str(e) for e in expect),
                    line=self.doc.at(tpath).line,
                    memory={str(k): str(v) for k, v in memory.items()},
                )
            )
        return tuple(tests)


_REQUIRED_HINTS = {
    "flow": "name the flow, like: flow: name-the-cycle",
    "version": "add version: 1, and raise it when you publish a change",
    "steps": "a flow needs a list of steps",
}
