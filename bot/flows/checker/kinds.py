"""What only some kinds of step have: a multi step's picks, a scale, a text step's length
rules, a call's flow and parameters, and what every question shares (retries, fallback,
optional, remember)."""

from __future__ import annotations

from typing import Any

from bot.flows.checker.texts import TextReader
from bot.flows.checker.vocabulary import (
    DEFAULT_SKIP_LABEL,
    MAX_PAYLOAD,
    MAX_SCALE_SPAN,
    MEMORY_PATTERN,
    PAYLOAD_RESERVE,
    RESERVED_MEMORY,
    payload_of,
)
from bot.flows.loader import Path
from bot.flows.model import FlowId

Fields = dict[str, Any]
"""Keyword arguments for `Step`, gathered part by part."""


class KindReader(TextReader):
    """Reads the parts of a step that depend on its kind; each returns fields for `Step`."""

    def picks(self, raw: dict[str, Any], path: Path, count: int) -> Fields:
        """min/max picks of a multi step."""
        low = self.integer(raw, path, "min", 1, low=0)
        high = self.integer(raw, path, "max", max(count, 1), low=1)
        if count and high > count:
            self.report((*path, "max"), f"'max' is {high} but there are only {count} options")
        if low > high:
            self.report((*path, "min"), f"'min' ({low}) is above 'max' ({high})")
        return {"min_picks": low, "max_picks": high}

    def scale(self, raw: dict[str, Any], path: Path, step_id: str) -> Fields:
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

    def text_rules(self, raw: dict[str, Any], path: Path) -> Fields:
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

    def answer_rules(self, raw: dict[str, Any], path: Path) -> Fields:
        """invalid / retries / fallback / optional, shared by every question kind."""
        fields: Fields = {}
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

    def call(self, raw: dict[str, Any], path: Path) -> Fields:
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
        fields: Fields = {
            "call": FlowId(target),
            "args": {str(k): str(v) for k, v in args.items()},
        }
        if "remember" in raw:
            fields.update(self.remember(raw, path))
        return fields

    def remember(self, raw: dict[str, Any], path: Path) -> Fields:
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
