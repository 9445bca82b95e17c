"""Every sentence a flow assembles from answers reads as if a person wrote it.

For every text of every shipped flow (say, end, invalid, lock reasons, a sub-flow's `with:`),
the placeholders in it are filled with every combination of the answers that can feed them
(the options of the question or of the question an earlier flow kept, a few typed strings for
typed answers, the partner's pronoun choices), or a fixed random sample of 200 where the
combinations run into thousands. A second pass then reads each sentence for the faults a
person would notice: doubled words, empty or leftover placeholders, stray spaces before
punctuation, a sentence begun in lower case, a clause said twice, a label's capital letter in
mid-sentence.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator
from typing import Any

import pytest

from bot.engine.render import lookup, remembered, render
from bot.engine.state import Frame, RunState
from bot.flows import expr as expressions
from bot.flows import load_catalog, template
from bot.flows.model import Catalog, Flow, Kind, Step

CATALOG = load_catalog()
SAMPLE = 200
TYPED = [
    "idk",
    "When he scrolls on his phone",
    "we argued for an hour about whose turn it was to drive to her parents, again, like every"
    " single Sunday",
]
NAMES = ["Sam", "Jo"]
"""A partner's name, typed where a flow asks for one: a name, not words to quote."""
PRONOUNS: list[dict[str, str]] = [
    {},
    {"partner_pronoun": "he"},
    {"partner_pronoun": "she"},
    {"partner_pronoun": "they"},
    {"partner_pronoun": "name", "partner_name": "Sam"},
]
UNSET = object()
"""An answer not given (where a fallback or a flow's default speaks for it)."""


def option_values(step: Step) -> list[Any]:
    """The answers a question can hold, as stored."""
    if step.kind is Kind.CHOICE:
        return [o.value for o in step.options]
    if step.kind is Kind.MULTI:
        values = [o.value for o in step.options]
        picks: list[Any] = [[v] for v in values]
        picks += [list(p) for p in itertools.combinations(values, 2)][:12]
        picks += [list(p) for p in itertools.combinations(values, 3)][:6]
        return picks
    if step.kind is Kind.SCALE:
        middle = (step.scale_min + step.scale_max) // 2
        return sorted({step.scale_min, middle, step.scale_max})
    if step.kind is Kind.TEXT and (step.remember == "partner_name" or step.id == "partner"):
        return list(NAMES)
    if step.kind is Kind.TEXT:
        return list(TYPED)
    return ["ready"]


def answer_step(catalog: Catalog, flow: Flow, step: Step) -> Step:
    """For a call, the question of the sub-flow whose answer it returns."""
    if step.kind is Kind.CALL and step.call in catalog:
        callee = catalog[step.call]  # type: ignore[index]
        returned = next((s.returns for s in callee.steps if s.returns), None)
        if returned:
            return answer_step(catalog, callee, callee.step(returned))
    return step


def memory_values(catalog: Catalog, name: str) -> list[Any]:
    """What an earlier flow can keep under `name`, and nothing kept at all."""
    values: list[Any] = [UNSET]
    for flow in catalog.values():
        for step in flow.steps:
            if step.remember == name:
                values += [v for v in option_values(step) if v not in values]
    return values


def callers(catalog: Catalog, flow_id: str, name: str) -> list[str]:
    """The texts callers pass to a parameter (unfilled: they are rendered in the caller)."""
    found = []
    for flow in catalog.values():
        for step in flow.steps:
            if step.kind is Kind.CALL and step.call == flow_id and name in step.args:
                found.append(step.args[name])
    return found


def texts(flow: Flow) -> Iterator[tuple[Step, str, str]]:
    for step in flow.steps:
        if step.text:
            yield step, step.id, step.text
        if step.invalid:
            yield step, f"{step.id}.invalid", step.invalid


def shown(step: Step, flow: Flow, state: RunState, frame: Frame) -> bool:
    """Whether a step with these answers is reached at all (its `when` holds)."""
    if step.when is None:
        return True

    def value_of(name: str) -> Any:
        found, value = lookup(state, frame, name)
        if not found and name in flow.memory:
            return remembered(state, flow, name)[0]
        return value if found else expressions.MISSING

    return expressions.evaluate(step.when, value_of, lambda name: False)


def variants(catalog: Catalog, flow: Flow, text: str) -> list[tuple[dict[str, Any], Any, Any]]:
    """(answers, memory, params) combinations to render `text` with."""
    names = sorted({p.name for p in template.placeholders(text)})
    fallbacks = {p.name for p in template.placeholders(text) if p.fallback}
    axes: list[list[tuple[str, str, Any]]] = []
    for name in names:
        if name in flow.params:
            passed = [p for p in callers(catalog, flow.id, name) if "{" not in p]
            axes.append([("param", name, v) for v in [UNSET, *passed]])
        elif flow.has_step(name):
            step = answer_step(catalog, flow, flow.step(name))
            # Not given only where the text has a fallback for it (the checker sees to that).
            unset = [UNSET] if name in fallbacks else []  # a non-empty one
            axes.append([("answer", name, v) for v in [*option_values(step), *unset]])
        elif name in flow.memory:
            axes.append([("memory", name, v) for v in memory_values(catalog, name)])
    axes.append([("pronoun", "", p) for p in PRONOUNS])
    total = 1
    for axis in axes:
        total *= len(axis)
    if total <= SAMPLE:
        combos = list(itertools.product(*axes))
    else:
        rng = random.Random(f"{flow.id}:{text[:40]}")
        combos = [tuple(rng.choice(axis) for axis in axes) for _ in range(SAMPLE)]
    out = []
    for combo in combos:
        answers: dict[str, Any] = {}
        memory: dict[str, Any] = {}
        params: dict[str, Any] = {}
        for kind, name, value in combo:
            if kind == "pronoun":
                memory.update({k: {"value": v, "label": v} for k, v in value.items()})
            elif value is UNSET:
                continue
            elif kind == "answer":
                answers[name] = value
            elif kind == "memory":
                memory[name] = {"value": value, "label": kept_label(catalog, name, value)}
            else:
                params[name] = value
        out.append((answers, memory, params))
    return out


def kept_label(catalog: Catalog, name: str, value: Any) -> str:
    for flow in catalog.values():
        for step in flow.steps:
            if step.remember == name:
                option = step.option(str(value))
                if option is not None:
                    return option.label
    return str(value)


def rendered(catalog: Catalog, flow: Flow) -> Iterator[tuple[str, str]]:
    for step, where, text in texts(flow):
        for answers, memory, params in variants(catalog, flow, text):
            frame = Frame(flow.id, flow.version, flow.first.id, params=params)
            state = RunState(stack=(frame,), answers=answers, memory=memory)
            if shown(step, flow, state, frame):
                yield where, render(text, catalog, flow, state, frame)


CAPITALISED = ["When", "They", "He", "She", "Yes", "No", "Sometimes", "Often", "Never", "Rarely",
               "Not", "The", "Push", "Go", "Say", "Everything", "Nothing", "Status"]  # fmt: skip
"""How a button's label begins, where it reads wrong in mid-sentence."""
DOUBLED = re.compile(r"\b(\w+)[ \t]+\1\b", re.IGNORECASE)
FAULTS: list[tuple[str, re.Pattern[str]]] = [
    ("an empty placeholder (a space before punctuation)", re.compile(r" [.,;:!?]")),
    ("two spaces", re.compile(r"[^\s] {2,}[^\s]")),
    ("an empty clause", re.compile(r",\s*[.,]")),
    ("a leftover brace", re.compile(r"[{}]")),
    ("empty quotes", re.compile(r"“\s*”")),
    (
        "a button's label in brackets mid-sentence",
        re.compile(r"\((?:Yes|No|Sometimes|Often|Once|I'd)\b"),
    ),
    ("a sentence begun in lower case", re.compile(r"[.!?] +[a-z]")),
    (
        "a capital letter from a label mid-sentence",
        re.compile(r"[a-z,] (?:" + "|".join(CAPITALISED) + r")\b(?![’'])"),
    ),
]
ALLOWED_DOUBLES = {"that", "had", "very", "no"}
REPEAT = 5
"""Five words said twice in one text are a clause said twice."""
PARALLELS = {"some of the pull to"}
"""Repeats written on purpose, in one fixed text."""


def faults(sentence: str, option_labels: set[str]) -> list[str]:
    found = []
    for match in DOUBLED.finditer(sentence):
        if match.group(1).lower() not in ALLOWED_DOUBLES:
            found.append(f"a doubled word “{match.group()}”")
    for what, pattern in FAULTS:
        match = pattern.search(sentence)
        if match:
            found.append(f"{what}: “…{sentence[max(0, match.start() - 25) : match.end() + 25]}…”")
    for typed in TYPED:
        for match in re.finditer(re.escape(typed), sentence):
            before = sentence[: match.start()]
            if not before.endswith(("“", ": ", "\n")) and before:
                found.append(f"typed words spliced into a sentence: “…{before[-30:]}{typed[:20]}…”")
    for line in sentence.split("\n"):
        words = re.findall(r"[\w'’]+", line.lower())
        grams = [" ".join(words[i : i + REPEAT]) for i in range(len(words) - REPEAT + 1)]
        twice = {
            g
            for g in grams
            if grams.count(g) > 1 and g not in PARALLELS and not any(g in t.lower() for t in TYPED)
        }
        for gram in sorted(twice)[:1]:
            found.append(f"a clause said twice: “{gram}”")
    return found


def labels_of(catalog: Catalog) -> set[str]:
    return {o.label for f in catalog.values() for s in f.steps for o in s.options}


FLOWS = sorted(CATALOG)


@pytest.mark.parametrize("flow_id", FLOWS)
def test_every_assembled_sentence_reads_well(flow_id):
    flow = CATALOG[flow_id]  # type: ignore[index]
    problems: dict[str, str] = {}
    seen = labels_of(CATALOG)
    for where, sentence in rendered(CATALOG, flow):
        for fault in faults(sentence, seen):
            problems.setdefault(f"{where}: {fault.split(':')[0]}", fault)
    assert not problems, f"{len(problems)} faults in {flow_id}:\n" + "\n".join(
        f"{k}\n    {v}" for k, v in sorted(problems.items())
    )


def test_the_reader_finds_the_faults_it_is_for():
    assert faults("you push to talk it out now. They scroll on the phone.", set()) == []
    assert faults("When you notice When he scrolls, you", set())
    assert faults("Nothing needs fixing right now, including .", set())
    assert faults("the more you go quiet, the more you go quiet", set())
    assert faults("caught you around the the bill", set())
    assert faults("It went well. then it did not", set())
