"""One step: its id, which kind it is, the keys that kind allows, and where it goes next."""

from __future__ import annotations

from typing import Any

from bot.flows.checker.kinds import Fields, KindReader
from bot.flows.checker.vocabulary import (
    ASK_KINDS,
    COMMON_KEYS,
    ID_PATTERN,
    SHARE_LEVELS,
    STEP_KEYS,
    suggest,
)
from bot.flows.loader import Path
from bot.flows.model import Kind, Rule, Step, StepId


class StepReader(KindReader):
    """Reads a step from its mapping, handing each kind's own keys to `KindReader`."""

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
        fields = self.kind_fields(raw, path, kind, step_id or "")
        fields.update(self.common_fields(raw, path))
        if step_id is None:
            return None
        return Step(id=StepId(step_id), kind=kind, **fields)

    def kind_fields(self, raw: dict[str, Any], path: Path, kind: Kind, step_id: str) -> Fields:
        """The text of a step and the keys its kind has."""
        what = f"{kind.value} step"
        fields: Fields = {}
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
            fields["options"] = self.options(raw, path, step_id)
        if kind is Kind.MULTI:
            fields.update(self.picks(raw, path, len(fields["options"])))
        if kind is Kind.SCALE:
            fields.update(self.scale(raw, path, step_id))
        if kind is Kind.TEXT:
            fields.update(self.text_rules(raw, path))
        if kind is Kind.PAUSE and "button" in raw:
            fields["button"] = self.label(raw["button"], (*path, "button"))
        if kind in ASK_KINDS.values() and kind is not Kind.PAUSE:
            fields.update(self.answer_rules(raw, path))
        return fields

    def common_fields(self, raw: dict[str, Any], path: Path) -> Fields:
        """`when`, `next`, `back` and `share`, which any step may have."""
        fields: Fields = {}
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
        return fields

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
