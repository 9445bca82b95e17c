"""The immutable flow model: what a checked YAML flow becomes.

A `Flow` is shared by every user; per-user position lives in `bot.engine.state`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NewType

from bot.flows.expr import Expr

FlowId = NewType("FlowId", str)
StepId = NewType("StepId", str)


class Kind(StrEnum):
    """What a step does: `ask:` picks a question kind; `end:` and `call:` mark their own."""

    SAY = "say"
    PAUSE = "pause"
    TEXT = "text"
    CHOICE = "choice"
    MULTI = "multi"
    SCALE = "scale"
    CALL = "call"
    END = "end"


QUESTION_KINDS = frozenset({Kind.PAUSE, Kind.TEXT, Kind.CHOICE, Kind.MULTI, Kind.SCALE})
"""Steps that wait for the person; all others move on by themselves."""


@dataclass(frozen=True)
class Option:
    """A button: `value` is what is stored, `label` what is shown."""

    value: str
    label: str
    goto: StepId | None = None
    disclose: str | None = None
    """Choosing it tells of danger (`violence`, `fear`, `harm`, `child`): kept as a disclosure."""
    also: tuple[str, ...] = ()
    """Other words a person may type for it (`also:`), matched like the label."""
    other: bool = False
    """The catch-all (`other: true`): typed words that fit no option are kept as this one."""
    says: Mapping[str, str] = field(default_factory=dict)
    """How the option reads when a sentence quotes it (`says:`): under "" the phrase used by
    default, under a name a form that `{step.name}` asks for (like "you" or "they")."""

    def phrase(self, form: str | None = None) -> str:
        """The words that stand for this option in a sentence: the named form, else the first
        phrase `says:` gives, else the label."""
        if form and form in self.says:
            return self.says[form]
        return next(iter(self.says.values()), self.label)


@dataclass(frozen=True)
class Rule:
    """One `next:` rule; a rule without `when` always matches."""

    goto: StepId
    when: Expr | None = None
    source: str = ""


@dataclass(frozen=True)
class Step:
    """One step of a flow. Fields that do not apply to a kind keep their defaults."""

    id: StepId
    kind: Kind
    text: str = ""
    options: tuple[Option, ...] = ()
    min_picks: int = 1
    max_picks: int | None = None
    scale_min: int = 1
    scale_max: int = 5
    scale_labels: Mapping[int, str] = field(default_factory=dict)
    min_chars: int = 1
    max_chars: int = 2000
    invalid: str | None = None
    retries: int = 3
    fallback: StepId | None = None
    optional: str | None = None
    next: tuple[Rule, ...] = ()
    when: Expr | None = None
    when_source: str = ""
    call: FlowId | None = None
    args: Mapping[str, str] = field(default_factory=dict)
    returns: StepId | None = None
    button: str = "I'm ready"
    back: bool = True
    share: str = "full"
    remember: str | None = None

    def option(self, value: str) -> Option | None:
        """The option stored as `value`, if any."""
        return next((o for o in self.options if o.value == value), None)

    @property
    def is_question(self) -> bool:
        """True for steps that wait for an answer."""
        return self.kind in QUESTION_KINDS


@dataclass(frozen=True)
class TranscriptTest:
    """An author's test: answers in order, the step ids they should pass, and text to expect."""

    name: str
    inputs: tuple[Any, ...]
    path: tuple[StepId, ...] | None = None
    expect: tuple[str, ...] = ()
    line: int = 0
    memory: Mapping[str, str] = field(default_factory=dict)
    """What is kept for the person before the test starts (name: value)."""


@dataclass(frozen=True)
class Lock:
    """When `when` holds, the flow cannot be started; `because` tells the person why.

    A `safety` lock also holds against a therapist's assignment.
    """

    when: Expr
    because: str
    safety: bool = False
    source: str = ""


@dataclass(frozen=True)
class Score:
    """The mean of some scale answers, shown to the person under `label`."""

    label: str
    items: tuple[StepId, ...]


@dataclass(frozen=True)
class Migration:
    """`migrate:` how runs of an earlier version move to this one, step by step id."""

    from_version: int
    renamed: Mapping[str, str] = field(default_factory=dict)
    """Old step id → its new id."""
    removed: Mapping[str, str] = field(default_factory=dict)
    """Old step id → the step a run standing on it goes on from."""

    def moves(self) -> dict[str, str]:
        """Every old id this version no longer has → where a run on it goes."""
        return {**self.removed, **self.renamed}


DEFAULT_ORDER = 100
"""The list position of a flow that gives no `order`: after every flow that does."""


@dataclass(frozen=True)
class Flow:
    """A checked flow, ready for the engine."""

    id: FlowId
    version: int
    title: str
    steps: tuple[Step, ...]
    description: str = ""
    order: int = DEFAULT_ORDER
    """Where the flow sits in the person's list: lower comes first, then by title."""
    params: Mapping[str, str] = field(default_factory=dict)
    tests: tuple[TranscriptTest, ...] = ()
    source: str = ""
    memory: Mapping[str, str] = field(default_factory=dict)
    """What this flow reads from the person's memory of earlier flows, with defaults."""
    locks: tuple[Lock, ...] = ()
    scores: Mapping[str, Score] = field(default_factory=dict)
    """Named scores, each the mean of some scale answers, kept when a run finishes."""
    share: str = "full"
    """With "never", nothing of this flow reaches a therapist, not even that it was done."""
    migrate: Migration | None = None
    version_line: int = 1
    """Where `version:` is written in the source, for problems about the version."""
    _index: Mapping[str, int] = field(init=False, repr=False, compare=False)
    """Step id → position in `steps`, built once."""

    def __post_init__(self) -> None:
        index: dict[str, int] = {s.id: i for i, s in enumerate(self.steps)}
        object.__setattr__(self, "_index", index)  # the dataclass is frozen

    def step(self, step_id: str) -> Step:
        """The step with this id; KeyError if there is none."""
        return self.steps[self._index[step_id]]

    def has_step(self, step_id: str) -> bool:
        """True when the flow has a step with this id."""
        return step_id in self._index

    def after(self, step_id: str) -> Step | None:
        """The step written after `step_id`, or None for the last one."""
        i = self._index[step_id] + 1
        return self.steps[i] if i < len(self.steps) else None

    @property
    def first(self) -> Step:
        """Where every run of this flow begins."""
        return self.steps[0]


Catalog = Mapping[FlowId, Flow]
"""Every loaded flow by id; sub-flow calls are resolved through it."""


class LiveCatalog(Mapping[FlowId, Flow]):
    """The catalog a running bot holds. Every part of the bot reads through this one object,
    so a reload replaces the flows for all of them at once."""

    def __init__(self, flows: Mapping[FlowId, Flow]) -> None:
        self._flows: dict[FlowId, Flow] = dict(flows)

    def __getitem__(self, flow_id: FlowId) -> Flow:
        return self._flows[flow_id]

    def __iter__(self) -> Iterator[FlowId]:
        return iter(self._flows)

    def __len__(self) -> int:
        return len(self._flows)

    def replace(self, flows: Mapping[FlowId, Flow]) -> None:
        """Swap in a newly checked catalog."""
        self._flows = dict(flows)


def called_flow(catalog: Catalog, step: Step) -> Flow:
    """The flow a call step runs; KeyError when it names none (a checked one always does)."""
    if step.call is None:
        raise KeyError(f"step '{step.id}' calls no flow")
    return catalog[step.call]
