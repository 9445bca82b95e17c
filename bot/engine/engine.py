"""The pure engine: `step(catalog, state, event, now) -> (state, effects)`.

No I/O, no clock (the caller passes `now`), no Telegram, no SQLite. Everything a shell needs to
show comes back as effects; everything to remember comes back as the new state.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.engine import texts
from bot.engine.effects import (
    Answered,
    Ask,
    Button,
    Disclosed,
    Effect,
    Finished,
    Remembered,
    Say,
)
from bot.engine.events import Back, Choice, Event, Picks, Resume, Skip, Start, Text
from bot.engine.numbers import small_int
from bot.engine.progress import counted, progress
from bot.engine.reading import ACCEPT, CONFIRM, OTHER, Reading, Similar, read
from bot.engine.render import LEVELS, display, labels, lookup, remembered, render
from bot.engine.state import SKIPPED, Frame, Mark, RunState, is_skipped
from bot.flows import expr as expressions
from bot.flows.model import Catalog, Flow, FlowId, Kind, Step, called_flow

MAX_AUTO_STEPS = 500
"""Steps the engine may pass without asking anything before it gives up (the checker
rejects silent loops; this is the belt to its braces)."""


class EngineError(RuntimeError):
    """The flow and the state disagree in a way the checker should have prevented."""


class _Invalid(Exception):
    """An answer that does not fit the question; carries the kind re-prompt."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def start(
    catalog: Catalog,
    flow_id: str,
    now: datetime | None = None,
    memory: Mapping[str, Mapping[str, Any]] | None = None,
) -> tuple[RunState, list[Effect]]:
    """A fresh run of `flow_id`, up to its first question; `memory` is what earlier flows kept."""
    flow = catalog[FlowId(flow_id)]
    state = RunState(
        stack=(Frame(flow.id, flow.version, flow.first.id),), memory=dict(memory or {})
    )
    effects: list[Effect] = []
    state = _enter(catalog, state, flow.first.id, effects)
    return state, effects


NONE_OF_THESE = "~none"
"""The value of the "None of these" button under "Did you mean…?"."""
SAID_PLAINLY = frozenset({"number", "label"})
"""Ways of reading typed words that need no "I took that as…": the person typed the option."""


def step(
    catalog: Catalog,
    state: RunState,
    event: Event,
    now: datetime | None = None,
    similar: Similar | None = None,
) -> tuple[RunState, list[Effect]]:
    """Apply one event to a run; return the new state and what to show. `similar` reads typed
    words at button questions for their meaning (without it: numbers, labels, synonyms, typos)."""
    if isinstance(event, Start):
        return start(catalog, event.flow_id, now)
    if state.done:
        return state, [Say(texts.FINISHED_ALREADY)]
    flow, current = _here(catalog, state)
    if isinstance(event, Resume):
        return state, [_ask(catalog, state, flow, current)]
    seq = getattr(event, "seq", None)
    if seq is not None and seq != state.seq:
        return state, [Say(texts.STALE), _ask(catalog, state, flow, current)]
    if isinstance(event, Back):
        return _back(catalog, state)
    if isinstance(event, Skip):
        if not current.optional:
            return state, [Say(texts.NOT_SKIPPABLE), _ask(catalog, state, flow, current)]
        return _advance(catalog, state, flow, current, dict(SKIPPED), now)
    if isinstance(event, Text) and current.kind in (Kind.CHOICE, Kind.MULTI, Kind.SCALE):
        return _typed(catalog, state, flow, current, event.text, now, similar)
    if isinstance(event, Choice) and event.value == NONE_OF_THESE:
        return _none_fits(catalog, state, flow, current, now)
    try:
        value = _interpret(current, event)
    except _Invalid as invalid:
        return _retry(catalog, state, flow, current, current.invalid or invalid.message)
    return _advance(catalog, state, flow, current, value, now)


def _here(catalog: Catalog, state: RunState) -> tuple[Flow, Step]:
    frame = state.frame
    flow = catalog.get(frame.flow_id)
    if flow is None or not flow.has_step(frame.step_id):
        raise EngineError(f"flow={frame.flow_id} step={frame.step_id} no longer exists")
    return flow, flow.step(frame.step_id)


# -- reading answers -------------------------------------------------------------------------

_NUMBER = re.compile(r"^\s*(-?\d+)\s*[.)]?\s*$")


def _interpret(step: Step, event: Event) -> Any:
    """The value to store for this event at this step, or _Invalid."""
    kind = step.kind
    if kind is Kind.PAUSE:
        if isinstance(event, Choice):
            return "ready"
        raise _Invalid(texts.pause(step.button))
    if kind is Kind.TEXT:
        if not isinstance(event, Text):
            raise _Invalid(texts.TYPE_IT)
        answer = event.text.strip()
        if len(answer) < step.min_chars:
            raise _Invalid(texts.TOO_SHORT)
        if len(answer) > step.max_chars:
            raise _Invalid(texts.too_long(step.max_chars))
        return answer
    if kind is Kind.CHOICE:
        raw = event.value if isinstance(event, Choice) else None
        if raw is None or step.option(raw) is None:
            raise _Invalid(texts.PICK_ONE)
        return raw
    if kind is Kind.SCALE:
        raw_text = event.value if isinstance(event, Choice) else getattr(event, "text", "")
        number = _NUMBER.match(raw_text or "")
        point = small_int(number.group(1)) if number else None
        if point is None or not step.scale_min <= point <= step.scale_max:
            raise _Invalid(texts.scale(step.scale_min, step.scale_max))
        return point
    if kind is Kind.MULTI:
        if isinstance(event, Picks):
            values = list(dict.fromkeys(event.values))
        else:
            raise _Invalid(texts.pick_many(step.min_picks, step.max_picks or 1))
        high = step.max_picks or len(step.options)
        if any(step.option(v) is None for v in values) or not step.min_picks <= len(values) <= high:
            raise _Invalid(texts.pick_many(step.min_picks, high))
        order = [o.value for o in step.options]
        return sorted(values, key=order.index)
    raise EngineError(f"step {step.id} of kind {kind} does not take answers")


# -- typed words at a button question -------------------------------------------------------


def _typed(
    catalog: Catalog,
    state: RunState,
    flow: Flow,
    current: Step,
    text: str,
    now: datetime | None,
    similar: Similar | None,
) -> tuple[RunState, list[Effect]]:
    """Typed words at a button question: taken (saying how they were read), asked about
    ("Did you mean…?"), kept as the catch-all, or asked again with the options as text."""
    fill = labels(catalog, flow, state, state.frame)
    reading = read(current, text, fill, similar)
    if reading.action == ACCEPT:
        value = _stored(current, reading.values)
        after, effects = _advance(catalog, state, flow, current, value, now)
        if reading.how not in SAID_PLAINLY:
            effects.insert(0, Say(texts.took(_shown(current, reading.values, fill))))
        return after, effects
    if reading.action == CONFIRM:
        return state, [_did_you_mean(catalog, state, flow, current, reading, fill)]
    if reading.action == OTHER:
        return _kept_as_other(catalog, state, flow, current, reading.values[0], text, now, similar)
    if reading.how == "unsure" and current.optional:
        after, effects = _advance(catalog, state, flow, current, dict(SKIPPED), now)
        return after, [Say(texts.LEFT_OPEN), *effects]
    return _retry(catalog, state, flow, current, _typed_retry(current, reading, fill))


def _stored(step: Step, values: tuple[str, ...]) -> Any:
    """The answer as the buttons would have stored it."""
    if step.kind is Kind.SCALE:
        return int(values[0])
    if step.kind is Kind.MULTI:
        order = [o.value for o in step.options]
        return sorted(values, key=order.index)
    return values[0]


def _shown(step: Step, values: tuple[str, ...], fill: Callable[[str], str]) -> str:
    """An answer in the words of its buttons."""
    if step.kind is Kind.SCALE:
        point = int(values[0])
        label = step.scale_labels.get(point)
        return f"{point} – {label}" if label else str(point)
    named = {o.value: fill(o.label) for o in step.options}
    return "”, “".join(named[v] for v in values) if values else "none of them"


def _did_you_mean(
    catalog: Catalog,
    state: RunState,
    flow: Flow,
    current: Step,
    reading: Reading,
    fill: Callable[[str], str],
) -> Ask:
    """The question again with the closest readings: the candidates as buttons for a pick-one
    question or a scale, or the whole list with them ticked for a multi-select one."""
    ask = _ask(catalog, state, flow, current)
    if current.kind is Kind.MULTI:
        ticked = set(reading.values)
        buttons = tuple(replace(b, on=b.value in ticked) for b in ask.buttons)
        return replace(ask, text=f"{texts.TICKED}\n\n{ask.text}", buttons=buttons)
    offered = tuple(Button(_shown(current, (v,), fill), v) for v in reading.values)
    return replace(
        ask,
        kind=Kind.CHOICE.value,
        text=texts.DID_YOU_MEAN,
        buttons=(*offered, Button(texts.NONE_OF_THESE, NONE_OF_THESE)),
    )


def _kept_as_other(
    catalog: Catalog,
    state: RunState,
    flow: Flow,
    current: Step,
    value: str,
    text: str,
    now: datetime | None,
    similar: Similar | None,
) -> tuple[RunState, list[Effect]]:
    """Words that fit no option, kept as the catch-all; a follow-up question that only asks
    for those words (a text step shown just for this option) is answered with them."""
    fill = labels(catalog, flow, state, state.frame)
    catch_all = current.option(value)
    label = fill(catch_all.label) if catch_all else value
    after, effects = _advance(catalog, state, flow, current, value, now)
    if not after.done:
        next_flow, follow = _here(catalog, after)
        asks_for_words = (
            next_flow is flow
            and follow.kind is Kind.TEXT
            and re.search(rf"\b{re.escape(current.id)}\b", follow.when_source) is not None
            and follow.min_chars <= len(text.strip()) <= follow.max_chars
        )
        if asks_for_words:
            shown = [e for e in effects if not isinstance(e, Ask)]
            after, more = step(catalog, after, Text(text), now, similar)
            return after, [Say(texts.kept_words(label)), *shown, *more]
    return after, [Say(texts.took(label)), *effects]


def _none_fits(
    catalog: Catalog, state: RunState, flow: Flow, current: Step, now: datetime | None
) -> tuple[RunState, list[Effect]]:
    """ "None of these" under "Did you mean…?": the catch-all where there is one (its own
    question then asks for the words), else the whole question again."""
    catch_all = next((o for o in current.options if o.other), None)
    if catch_all is not None and current.kind is Kind.CHOICE:
        return _advance(catalog, state, flow, current, catch_all.value, now)
    return state, [Say(texts.NONE_FITS), _ask(catalog, state, flow, current)]


def _typed_retry(current: Step, reading: Reading, fill: Callable[[str], str]) -> str:
    """The gentle re-prompt for typed words that were not read as any option."""
    if current.kind is Kind.SCALE:
        if current.invalid:
            return current.invalid
        if reading.how == "unsure":
            return texts.SCALE_UNSURE.format(low=current.scale_min, high=current.scale_max)
        return texts.scale(current.scale_min, current.scale_max)
    lead = {"unsure": texts.UNSURE, "several": texts.SEVERAL}.get(reading.how, texts.UNCLEAR)
    lead = current.invalid or lead
    if current.kind is Kind.MULTI:
        high = current.max_picks or len(current.options)
        lead = f"{lead} {texts.pick_many(current.min_picks, high)}"
    return texts.numbered(lead, [fill(o.label) for o in current.options])


# -- moving ----------------------------------------------------------------------------------


def _retry(
    catalog: Catalog, state: RunState, flow: Flow, current: Step, message: str
) -> tuple[RunState, list[Effect]]:
    """A kind re-prompt; after too many tries, the step's fallback if it has one."""
    retries = state.retries + 1
    if current.fallback and retries >= current.retries:
        effects: list[Effect] = [Say(message)]
        state = state.with_(retries=0)
        return _enter(catalog, state, current.fallback, effects), effects
    state = state.with_(retries=retries)
    return state, [Say(message), _ask(catalog, state, flow, current)]


def _advance(
    catalog: Catalog,
    state: RunState,
    flow: Flow,
    current: Step,
    value: Any,
    now: datetime | None,
) -> tuple[RunState, list[Effect]]:
    """Store the answer and move to whatever comes next."""
    effects: list[Effect] = []
    if current.kind is not Kind.PAUSE:
        key = state.frame.key(current.id)
        answers = {k: v for k, v in state.answers.items() if k != key}
        answers[key] = value
        state = state.with_(answers=answers)
        effects.append(Answered(key, value, now))
        picked = value if isinstance(value, list) else [value]
        effects += [
            Disclosed(o.disclose, key) for o in current.options if o.disclose and o.value in picked
        ]
        if current.remember and not is_skipped(value):
            state = _remember(catalog, state, current, current.remember, value, effects)
    target = _continuation(catalog, state, flow, current, value)
    return _enter(catalog, state.with_(retries=0), target, effects), effects


def _remember(
    catalog: Catalog, state: RunState, step: Step, name: str, value: Any, effects: list[Effect]
) -> RunState:
    """Keep an answer for later flows, and for the rest of this run."""
    flow = catalog[state.frame.flow_id]
    label = display(catalog, step, value, None, labels(catalog, flow, state, state.frame))
    effects.append(Remembered(name, value, label))
    return state.with_(memory={**state.memory, name: {"value": value, "label": label}})


def _condition(catalog: Catalog, state: RunState, frame: Frame, source: Any) -> bool:
    flow = catalog[frame.flow_id]

    def value_of(name: str) -> Any:
        found, value = lookup(state, frame, name)
        if not found and name in flow.memory:
            return remembered(state, flow, name)[0]
        return value if found else expressions.MISSING

    def skipped(name: str) -> bool:
        return is_skipped(state.answers.get(frame.key(name)))

    return expressions.evaluate(source, value_of, skipped)


def _continuation(catalog: Catalog, state: RunState, flow: Flow, current: Step, value: Any) -> str:
    """The step after `current` once it is answered (or passed)."""
    if current.kind is Kind.CHOICE and not is_skipped(value):
        option = current.option(str(value))
        if option and option.goto:
            return option.goto
    for rule in current.next:
        if rule.when is None or _condition(catalog, state, state.frame, rule.when):
            return rule.goto
    following = flow.after(current.id)
    if following is None:
        raise EngineError(f"flow={flow.id} step={current.id} has no way forward")
    return following.id


def _enter(catalog: Catalog, state: RunState, target: str, effects: list[Effect]) -> RunState:
    """Walk from `target` through steps that ask nothing, until a question or the end."""
    for _ in range(MAX_AUTO_STEPS):
        frame = state.frame
        flow = catalog[frame.flow_id]
        here = flow.step(target)
        state = state.with_(stack=(*state.stack[:-1], _at(frame, here.id)))
        frame = state.frame
        if here.when is not None and not _condition(catalog, state, frame, here.when):
            following = flow.after(here.id)
            if following is None:
                raise EngineError(f"flow={flow.id} step={here.id} skipped with nothing after it")
            target = following.id
            continue
        if here.kind is Kind.SAY:
            effects.append(Say(render(here.text, catalog, flow, state, frame)))
            target = _continuation(catalog, state, flow, here, None)
            continue
        if here.kind is Kind.CALL:
            callee = called_flow(catalog, here)
            params = dict(callee.params)
            params.update({k: render(v, catalog, flow, state, frame) for k, v in here.args.items()})
            inner = Frame(
                callee.id, callee.version, callee.first.id, frame.key(here.id) + "/", params
            )
            state = state.with_(stack=(*state.stack, inner))
            target = callee.first.id
            continue
        if here.kind is Kind.END:
            text = render(here.text, catalog, flow, state, frame)
            if len(state.stack) == 1:
                shared = {
                    level: render(here.text, catalog, flow, state, frame, level) for level in LEVELS
                }
                effects.append(Finished(flow.id, text, _scores(flow, state), shared))
                return state.with_(done=True, reflection=text, seq=state.seq + 1)
            if text:
                effects.append(Say(text))
            state, target = _return(catalog, state, here, effects)
            continue
        state = state.with_(
            seq=state.seq + 1,
            retries=0,
            history=(*state.history, Mark(state.stack, len(state.answers))),
        )
        state = counted(catalog, state)
        effects.append(_ask(catalog, state, flow, here))
        return state
    raise EngineError(
        f"flow={state.frame.flow_id} passed {MAX_AUTO_STEPS} steps without a question"
    )


def _scores(flow: Flow, state: RunState) -> dict[str, float]:
    """Each score: the mean of its answered scale items; left out when none was answered."""
    scores: dict[str, float] = {}
    for name, score in flow.scores.items():
        points = [state.answers[i] for i in score.items if isinstance(state.answers.get(i), int)]
        if points:
            scores[name] = round(sum(points) / len(points), 2)
    return scores


def _at(frame: Frame, step_id: str) -> Frame:
    return Frame(frame.flow_id, frame.version, step_id, frame.scope, frame.params)


def _return(
    catalog: Catalog, state: RunState, end: Step, effects: list[Effect]
) -> tuple[RunState, str]:
    """Leave a sub-flow: store its return value on the caller's call step, then move on."""
    inner = state.frame
    stack = state.stack[:-1]
    caller = stack[-1]
    flow = catalog[caller.flow_id]
    call_step = flow.step(caller.step_id)
    state = state.with_(stack=stack)
    if end.returns:
        found, value = lookup(state, inner, end.returns)
        if found:
            key = caller.key(call_step.id)
            answers = {k: v for k, v in state.answers.items() if k != key}
            answers[key] = value
            state = state.with_(answers=answers)
            effects.append(Answered(key, value, None))
            if call_step.remember:
                state = _remember(catalog, state, call_step, call_step.remember, value, effects)
    return state, _continuation(catalog, state, flow, call_step, None)


def _back(catalog: Catalog, state: RunState) -> tuple[RunState, list[Effect]]:
    """Return to the previous question; later answers are set aside and asked again."""
    flow, current = _here(catalog, state)
    if len(state.history) < 2:
        return state, [Say(texts.NOTHING_BEFORE), _ask(catalog, state, flow, current)]
    mark = state.history[-2]
    target_frame = mark.stack[-1]
    target_flow = catalog[target_frame.flow_id]
    target = target_flow.step(target_frame.step_id)
    if not target.back:
        return state, [Say(texts.CANNOT_GO_BACK), _ask(catalog, state, flow, current)]
    answers = dict(list(state.answers.items())[: mark.answered])
    state = state.with_(
        stack=mark.stack,
        answers=answers,
        history=state.history[:-1],
        seq=state.seq + 1,
        retries=0,
    )
    return state, [_ask(catalog, state, target_flow, target)]


def _ask(catalog: Catalog, state: RunState, flow: Flow, here: Step) -> Ask:
    """The question effect for the current step."""
    frame = state.frame
    number, total = progress(catalog, state)
    buttons: tuple[Button, ...] = ()
    if here.kind in (Kind.CHOICE, Kind.MULTI):
        fill = labels(catalog, flow, state, frame)
        buttons = tuple(Button(fill(o.label), o.value) for o in here.options)
    elif here.kind is Kind.SCALE:
        buttons = tuple(Button(str(p), str(p)) for p in range(here.scale_min, here.scale_max + 1))
    elif here.kind is Kind.PAUSE:
        buttons = (Button(here.button, "ready"),)
    text = render(here.text, catalog, flow, state, frame)
    if here.kind is Kind.SCALE and here.scale_labels:
        anchors = " · ".join(f"{p} = {label}" for p, label in sorted(here.scale_labels.items()))
        text = f"{text}\n({anchors})"
    return Ask(
        key=frame.key(here.id),
        kind=here.kind.value,
        text=text,
        seq=state.seq,
        number=number,
        total=total,
        buttons=buttons,
        min_picks=here.min_picks if here.kind is Kind.MULTI else 1,
        max_picks=(here.max_picks or len(here.options)) if here.kind is Kind.MULTI else 1,
        skip_label=here.optional,
        can_go_back=len(state.history) > 1,
    )
