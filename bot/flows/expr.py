"""The small condition language used by `when:`; parsed by hand and never passed to `eval`.

    closeness <= 2 and not answered(partner)
    'scared' in under or my_move == 'pursue'
    count(under) >= 2 and my_move in ['pursue', 'blame']

Names are step ids (or sub-flow parameters). An unanswered or skipped answer makes every
comparison false, so a condition never crashes a conversation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from bot.flows.errors import ExpressionError

FUNCTIONS = ("answered", "skipped", "count")

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<op>==|!=|<=|>=|<|>|\(|\)|\[|\]|,)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)
_KEYWORDS = {"and", "or", "not", "in", "true", "false"}
_COMPARATORS = {"==", "!=", "<", "<=", ">", ">=", "in", "not in"}


@dataclass(frozen=True)
class Token:
    """One lexical token with its 0-based column."""

    kind: str
    text: str
    col: int


@dataclass(frozen=True)
class Literal:
    """A number, string or boolean."""

    value: Any


@dataclass(frozen=True)
class Name:
    """A reference to an answer by step id."""

    name: str
    col: int


@dataclass(frozen=True)
class ListOf:
    """A literal list such as ['a', 'b']."""

    items: tuple[Expr, ...]


@dataclass(frozen=True)
class Func:
    """answered(x), skipped(x) or count(x)."""

    func: str
    arg: Name


@dataclass(frozen=True)
class Not:
    """Logical negation."""

    operand: Expr


@dataclass(frozen=True)
class BoolOp:
    """`and` / `or` over two or more operands."""

    op: str
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Compare:
    """A single comparison: ==, !=, <, <=, >, >=, in, not in."""

    op: str
    left: Expr
    right: Expr


Expr = Literal | Name | ListOf | Func | Not | BoolOp | Compare


class Missing:
    """Stands for an answer that is not there, or was skipped."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING = Missing()


def _tokens(source: str) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise ExpressionError(f"unexpected character '{source[pos]}'", pos)
        kind = match.lastgroup or ""
        if kind != "space":
            text = match.group()
            if kind == "name" and text in _KEYWORDS:
                kind = text
            tokens.append(Token(kind, text, pos))
        pos = match.end()
    tokens.append(Token("end", "", len(source)))
    return tokens


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.pos = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def take(self, *kinds: str) -> Token | None:
        if self.tok.kind in kinds or (self.tok.kind == "op" and self.tok.text in kinds):
            token = self.tok
            self.pos += 1
            return token
        return None

    def expect(self, text: str, what: str) -> Token:
        token = self.take(text)
        if token is None:
            raise ExpressionError(f"expected {what} but found {_describe(self.tok)}", self.tok.col)
        return token

    def parse(self) -> Expr:
        if self.tok.kind == "end":
            raise ExpressionError("the condition is empty", 0)
        expr = self.or_()
        if self.tok.kind != "end":
            raise ExpressionError(f"unexpected {_describe(self.tok)}", self.tok.col)
        return expr

    def or_(self) -> Expr:
        items = [self.and_()]
        while self.take("or"):
            items.append(self.and_())
        return items[0] if len(items) == 1 else BoolOp("or", tuple(items))

    def and_(self) -> Expr:
        items = [self.not_()]
        while self.take("and"):
            items.append(self.not_())
        return items[0] if len(items) == 1 else BoolOp("and", tuple(items))

    def not_(self) -> Expr:
        if self.take("not"):
            return Not(self.not_())
        return self.compare()

    def compare(self) -> Expr:
        left = self.primary()
        op: str | None = None
        if self.tok.kind == "op" and self.tok.text in _COMPARATORS:
            op = self.tok.text
            self.pos += 1
        elif self.take("in"):
            op = "in"
        elif self.tok.kind == "not" and self.tokens[self.pos + 1].kind == "in":
            self.pos += 2
            op = "not in"
        if op is None:
            return left
        return Compare(op, left, self.primary())

    def primary(self) -> Expr:
        tok = self.tok
        if self.take("number"):
            return Literal(float(tok.text) if "." in tok.text else int(tok.text))
        if self.take("string"):
            return Literal(tok.text[1:-1])
        if self.take("true", "false"):
            return Literal(tok.kind == "true")
        if self.take("("):
            inner = self.or_()
            self.expect(")", "')'")
            return inner
        if self.take("["):
            items: list[Expr] = []
            if not self.take("]"):
                items.append(self.primary())
                while self.take(","):
                    items.append(self.primary())
                self.expect("]", "']' or ','")
            return ListOf(tuple(items))
        if self.take("name"):
            if self.take("("):
                if tok.text not in FUNCTIONS:
                    raise ExpressionError(
                        f"unknown function '{tok.text}' (use one of {', '.join(FUNCTIONS)})",
                        tok.col,
                    )
                arg = self.tok
                if not self.take("name"):
                    raise ExpressionError(
                        f"{tok.text}() takes a step id, not {_describe(arg)}", arg.col
                    )
                self.expect(")", "')'")
                return Func(tok.text, Name(arg.text, arg.col))
            return Name(tok.text, tok.col)
        raise ExpressionError(f"expected a value but found {_describe(tok)}", tok.col)


def _describe(tok: Token) -> str:
    return "the end of the condition" if tok.kind == "end" else f"'{tok.text}'"


def parse(source: str) -> Expr:
    """Parse a condition; raise ExpressionError with the 0-based column of the fault."""
    return _Parser(source).parse()


def names(
    expr: Expr, guarded: bool = False, safe: frozenset[str] = frozenset()
) -> Iterator[tuple[Name, bool]]:
    """Every name in `expr`, with True where it is guarded: inside answered() or skipped(),
    or after `answered(name) and` in the same `and` (`safe` holds those names)."""
    if isinstance(expr, Name):
        yield expr, guarded or expr.name in safe
    elif isinstance(expr, Func):
        yield expr.arg, guarded or expr.func in ("answered", "skipped")
    elif isinstance(expr, Not):
        yield from names(expr.operand, guarded, safe)
    elif isinstance(expr, BoolOp):
        for item in expr.operands:
            yield from names(item, guarded, safe)
            if expr.op == "and" and isinstance(item, Func) and item.func == "answered":
                safe = safe | {item.arg.name}
    elif isinstance(expr, Compare):
        yield from names(expr.left, guarded, safe)
        yield from names(expr.right, guarded, safe)
    elif isinstance(expr, ListOf):
        for item in expr.items:
            yield from names(item, guarded, safe)


Lookup = Callable[[str], Any]  # returns the answer, MISSING if unanswered, SKIPPED_MARK if skipped


def evaluate(expr: Expr, lookup: Lookup, is_skipped: Callable[[str], bool]) -> bool:
    """Evaluate a condition to a bool; missing answers make comparisons false."""
    return bool(_value(expr, lookup, is_skipped))


def _value(expr: Expr, lookup: Lookup, is_skipped: Callable[[str], bool]) -> Any:
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Name):
        return lookup(expr.name)
    if isinstance(expr, ListOf):
        return [_value(item, lookup, is_skipped) for item in expr.items]
    if isinstance(expr, Func):
        if expr.func == "skipped":
            return is_skipped(expr.arg.name)
        value = lookup(expr.arg.name)
        if expr.func == "answered":
            return value is not MISSING
        if isinstance(value, list | str):
            return len(value)
        return 0 if value is MISSING else 1
    if isinstance(expr, Not):
        return not _value(expr.operand, lookup, is_skipped)
    if isinstance(expr, BoolOp):
        results = (_value(item, lookup, is_skipped) for item in expr.operands)
        return all(results) if expr.op == "and" else any(results)
    left = _value(expr.left, lookup, is_skipped)
    right = _value(expr.right, lookup, is_skipped)
    return _compare(expr.op, left, right)


def _compare(op: str, left: Any, right: Any) -> bool:
    if left is MISSING or right is MISSING:
        return False
    try:
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op in ("in", "not in"):
            found = left in right if isinstance(right, list | str) else False
            return found if op == "in" else not found
        if isinstance(left, bool) or isinstance(right, bool):
            return False
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        return False
