"""The `when:` condition language: parsed by our own code, never by eval."""

from __future__ import annotations

import pytest

from bot.flows.errors import ExpressionError
from bot.flows.expr import MISSING, evaluate, names, parse

ANSWERS = {"closeness": 2, "under": ["scared", "hurt"], "move": "pursue", "note": "so tired"}


def run(source: str, skipped: tuple[str, ...] = ()) -> bool:
    return evaluate(parse(source), lambda n: ANSWERS.get(n, MISSING), lambda n: n in skipped)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("closeness <= 2", True),
        ("closeness < 2", False),
        ("closeness >= 2 and closeness != 3", True),
        ("'scared' in under", True),
        ("'lonely' in under or move == 'pursue'", True),
        ("not ('lonely' in under)", True),
        ("'lonely' not in under", True),
        ("move in ['pursue', 'blame']", True),
        ("answered(move) and not answered(missing)", True),
        ("count(under) == 2", True),
        ("skipped(partner)", False),
        ("missing == 1 or missing != 1", False),  # an unanswered name never compares true
        ("missing < 3", False),
        ("move > 3", False),  # mismatched types compare false instead of crashing
        ("true and not false", True),
        ("'tired' in note", True),
    ],
)
def test_conditions_evaluate(source, expected):
    assert run(source) is expected


def test_skipped_is_told_apart_from_unanswered():
    assert run("skipped(partner)", skipped=("partner",)) is True


@pytest.mark.parametrize(
    ("source", "message", "col"),
    [
        ("closeness <=", "expected a value but found the end of the condition", 12),
        ("closeness = 2", "unexpected character '='", 10),
        (
            "__import__('os')",
            "unknown function '__import__' (use one of answered, skipped, count)",
            0,
        ),
        ("a and (b or c", "expected ')' but found the end of the condition", 13),
        ("answered('x')", "answered() takes a step id, not ''x''", 9),
        ("move == 'a' extra", "unexpected 'extra'", 12),
        ("", "the condition is empty", 0),
        ("a.b == 1", "unexpected character '.'", 1),
    ],
)
def test_bad_conditions_name_the_fault_and_its_column(source, message, col):
    with pytest.raises(ExpressionError) as info:
        parse(source)
    assert (info.value.message, info.value.col) == (message, col)


def test_names_know_which_are_guarded():
    found = [(n.name, guarded) for n, guarded in names(parse("answered(a) and b > 1"))]
    assert found == [("a", True), ("b", False)]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("answered(a) and a == 'x'", [("a", True), ("a", True)]),
        ("(answered(a) and a == 'x') or b == 1", [("a", True), ("a", True), ("b", False)]),
        ("answered(a) or a == 'x'", [("a", True), ("a", False)]),
        ("a == 'x' and answered(a)", [("a", False), ("a", True)]),
    ],
)
def test_answered_first_in_an_and_guards_the_rest_of_it(source, expected):
    assert [(n.name, guarded) for n, guarded in names(parse(source))] == expected
