"""Texts, button labels and the placeholders in them, and the options of a question."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from bot.flows import template
from bot.flows.checker.base import BuilderBase
from bot.flows.checker.vocabulary import (
    DISCLOSURES,
    MAX_LABEL,
    MAX_PAYLOAD,
    MAX_TEXT,
    PAYLOAD_RESERVE,
    payload_of,
    suggest,
)
from bot.flows.loader import Path
from bot.flows.model import Option
from bot.flows.words import words_key


class OptionEntry(NamedTuple):
    """One option as written, before its value and label are checked."""

    where: Path
    value: Any
    label: Any
    goto: Any
    label_at: Path
    """Where the label is written: `label:`, or the value when the label is the value."""
    disclose: str | None = None
    also: tuple[str, ...] = ()
    other: bool = False
    says: Mapping[str, str] = MappingProxyType({})


MAX_ALSO = 80
"""The longest synonym: a few words, like a label."""
MAX_SAYS = 120
"""The longest phrase an option says inside a sentence."""
FORM_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class TextReader(BuilderBase):
    """Reads what a person will see: message texts, button labels and options."""

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
        entries = self.option_entries(raw["options"], opath)
        if entries is None:
            return ()
        if not entries:
            self.report(opath, "'options' is empty", "a question needs at least one option")
            return ()
        options: list[Option] = []
        seen: set[str] = set()
        for entry in entries:
            value = entry.value
            if isinstance(value, bool) or not isinstance(value, str | int):
                self.report(entry.where, f"option value {value!r} must be text")
                continue
            value = str(value)
            if value in seen:
                self.report(
                    entry.where, f"duplicate option value '{value}'", "each value must be unique"
                )
                continue
            seen.add(value)
            size = len(payload_of(step_id, value).encode())
            budget = MAX_PAYLOAD - PAYLOAD_RESERVE
            if size > budget:
                self.report(
                    entry.where,
                    f"button payload for option '{value}' is {size} bytes; it must stay within"
                    f" {budget} (Telegram allows {MAX_PAYLOAD}, the bot needs {PAYLOAD_RESERVE})",
                    "shorten the step id or the option value",
                )
            label_text = self.label(entry.label, entry.label_at)
            goto = entry.goto
            target = self.step_ref(goto, (*entry.where, "goto")) if goto is not None else None
            options.append(
                Option(
                    value,
                    label_text,
                    target,
                    entry.disclose,
                    entry.also,
                    entry.other,
                    entry.says,
                )
            )
        self.check_synonyms(options, opath)
        return tuple(options)

    def check_synonyms(self, options: list[Option], opath: Path) -> None:
        """Each typed word means one option: a synonym given for two, or equal to another
        option's label, would be read as whichever came first."""
        owner: dict[str, str] = {}
        for option in options:
            owner.setdefault(words_key(option.label), option.value)
        for i, option in enumerate(options):
            for j, word in enumerate(option.also):
                first = owner.setdefault(words_key(word), option.value)
                if first != option.value:
                    self.report(
                        (*opath, i, "also", j),
                        f"'{word}' would mean both '{first}' and '{option.value}'",
                        "give each typed word to one option only",
                    )
        if sum(o.other for o in options) > 1:
            self.report(opath, "only one option can be the catch-all ('other: true')")

    def option_entries(self, items: Any, opath: Path) -> list[OptionEntry] | None:
        """The options as written, from a mapping of value: label or a list of values or
        {value, label, goto, disclose}; None when `options:` is neither a list nor a mapping."""
        if isinstance(items, dict):
            return [OptionEntry((*opath, k), k, v, None, (*opath, k)) for k, v in items.items()]
        if not isinstance(items, list):
            self.report(opath, "'options' must be a list or a mapping of value: label")
            return None
        entries: list[OptionEntry] = []
        for i, item in enumerate(items):
            ipath = (*opath, i)
            if not isinstance(item, dict):
                entries.append(OptionEntry(ipath, item, item, None, ipath))
                continue
            self.check_keys(
                item,
                ipath,
                ("value", "label", "goto", "disclose", "also", "other", "says"),
                "an option",
            )
            if "value" not in item:
                self.report(ipath, "missing required key 'value' in option")
                continue
            disclose: str | None = None
            if "disclose" in item:
                if item["disclose"] in DISCLOSURES:
                    disclose = item["disclose"]
                else:
                    self.report(
                        (*ipath, "disclose"),
                        f"'disclose' must be one of {', '.join(DISCLOSURES)},"
                        f" not {item['disclose']!r}",
                        suggest(str(item["disclose"]), DISCLOSURES),
                    )
            label_at = (*ipath, "label" if "label" in item else "value")
            label = item.get("label", item["value"])
            entries.append(
                OptionEntry(
                    ipath,
                    item["value"],
                    label,
                    item.get("goto"),
                    label_at,
                    disclose,
                    self.synonyms(item, ipath),
                    self.catch_all(item, ipath),
                    self.phrases(item, ipath),
                )
            )
        return entries

    def synonyms(self, item: dict[str, Any], ipath: Path) -> tuple[str, ...]:
        """`also:`, the other words a person may type for this option: a list of short texts."""
        if "also" not in item:
            return ()
        raw = item["also"]
        if not isinstance(raw, list):
            self.report((*ipath, "also"), "'also' must be a list of words, like [tight chest]")
            return ()
        words: list[str] = []
        for j, word in enumerate(raw):
            if isinstance(word, int | float) and not isinstance(word, bool):
                word = str(word)
            if not isinstance(word, str) or not words_key(word):
                self.report((*ipath, "also", j), "each entry of 'also' must be some words")
            elif len(word) > MAX_ALSO:
                self.report(
                    (*ipath, "also", j),
                    f"'{word[:20]}…' is {len(word)} characters; keep it to {MAX_ALSO}",
                )
            else:
                words.append(word)
        return tuple(words)

    def phrases(self, item: dict[str, Any], ipath: Path) -> Mapping[str, str]:
        """`says:`, how the option reads inside a sentence: one phrase, or named forms."""
        if "says" not in item:
            return {}
        raw = item["says"]
        spath = (*ipath, "says")
        written = {"": raw} if isinstance(raw, str) else raw
        if not isinstance(written, dict) or not written:
            self.report(
                spath,
                "'says' must be a phrase, or forms by name like {you: push, they: pushes}",
            )
            return {}
        forms: dict[str, str] = {}
        for name, phrase in written.items():
            at = spath if name == "" else (*spath, name)
            if name != "" and (not isinstance(name, str) or not FORM_NAME.match(name)):
                self.report(at, f"'{name}' is not a form name", "use a short word, like you")
            elif name in template.ATTRIBUTES:
                self.report(at, f"'{name}' is a placeholder's own attribute", "pick another name")
            elif not isinstance(phrase, str) or not phrase.strip():
                self.report(at, "each form under 'says' must be some words")
            elif len(phrase) > MAX_SAYS:
                self.report(
                    at, f"'{phrase[:20]}…' is {len(phrase)} characters; keep it to {MAX_SAYS}"
                )
            else:
                try:
                    template.placeholders(phrase)
                except template.TemplateError as exc:
                    self.report_at(self.doc.inside(at, exc.offset), exc.message)
                    continue
                forms[str(name)] = phrase
        return forms

    def catch_all(self, item: dict[str, Any], ipath: Path) -> bool:
        """`other: true` marks the option that takes typed words fitting no other."""
        value = item.get("other", False)
        if not isinstance(value, bool):
            self.report((*ipath, "other"), "'other' must be true or false")
            return False
        return value
