"""Errors raised while reading and checking flow files.

Every error knows where it is (file, line, column) so authors can jump straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    """A 1-based position in a flow file."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a flow, with where it is and how to fix it."""

    where: Location
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class FlowError(Exception):
    """Root of every flow error: carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.where.path, p.where.line, p.where.col))
        super().__init__("\n".join(str(p) for p in self.problems))


class ExpressionError(ValueError):
    """A `when:` condition that does not parse; `col` is 0-based within the expression."""

    def __init__(self, message: str, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.col = col
