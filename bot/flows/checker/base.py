"""What every part of the flow builder shares: reporting a problem where it is, and reading
whole numbers, true/false, conditions, step references and the keys of a mapping."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.flows import expr as expressions
from bot.flows.checker.vocabulary import ALL_STEP_KEYS, BOOLEAN_KEYS, suggest
from bot.flows.errors import ExpressionError, Location, Problem
from bot.flows.loader import Document, Path
from bot.flows.model import StepId


class BuilderBase:
    """Holds the document being built and the problems found in it so far."""

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

    # -- typed getters -----------------------------------------------------------------------
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

    def boolean(self, raw: dict[str, Any], path: Path, key: str) -> bool | None:
        """A true/false value; an unquoted yes/no counts (it was reported as a trap)."""
        value = raw[key]
        if isinstance(value, bool):
            return value
        if (*path, key) in self.doc.traps:
            return self.doc.traps[(*path, key)][1]
        return None

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
