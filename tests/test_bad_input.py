"""No input crashes anything: huge numbers, forged or stale button payloads, odd texts.

Regression tests for each input that once raised, and property-based tests that throw
arbitrary texts, actions and question-button events at the service in a person mid-flow and
in a therapist mid-/assign. Every one must get a kind reply and never an exception.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_practice import CLIENT, THERAPIST, linked, offer, said

from bot.engine import Ask, Back, Choice, Event, Picks, Resume, Skip, Start, Text
from bot.engine.numbers import small_int
from bot.flows.model import Catalog
from bot.storage import Store, open_db
from bot.tg.callback_data import decode
from bot.usecases.practice import VERBS
from bot.usecases.practice.homework import TYPE_A_DATE
from bot.usecases.replies import OLD_BUTTON
from bot.usecases.service import Service

PERSON = 7
HUGE = "9" * 4301
SCALE_AGAIN = "Please choose a number from 1 to 5."
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def ask_of(effects: list) -> Ask:
    return [e for e in effects if isinstance(e, Ask)][-1]


def at_closeness(service: Service, now: datetime) -> Ask:
    """The tour up to its scale question (1 to 5); the live Ask."""
    for event in [Start("tour"), Choice("ready"), Text("Sam"), Text("we argued again")]:
        outcome = service.handle(PERSON, event, now)
    outcome = service.handle(PERSON, Text("pursue"), now)
    ask = ask_of(outcome.effects)
    assert ask.kind == "scale"
    return ask


def at_under(service: Service, now: datetime) -> Ask:
    """The tour up to its multi-select (choose up to three); the live Ask."""
    at_closeness(service, now)
    ask = ask_of(service.handle(PERSON, Text("4"), now).effects)
    assert ask.kind == "multi"
    return ask


def at_due_date(service: Service, now: datetime) -> None:
    """A therapist with a linked client, /assign waiting for the due date."""
    linked(service, now)
    first = service.therapist_command(THERAPIST, "assign", "", now)
    service.action(THERAPIST, offer(first.effects).actions[0].value, now)
    due = service.action(THERAPIST, "as:f:reaching-out", now)
    assert "When is it due?" in said(due.effects)


# -- the helper --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "number"),
    [("7", 7), (" -3 ", -3), ("+12", 12), ("٣", 3), ("0", 0), ("123456789", 123456789)],
)
def test_small_int_reads_short_plain_integers(text, number):
    assert small_int(text) == number


@pytest.mark.parametrize(
    "text", [None, "", "-", "+", "abc", "1.5", "1e3", "²", "1_000", HUGE, "1234567890", "- 1"]
)
def test_small_int_is_none_for_anything_else(text):
    assert small_int(text) is None


# -- regressions at the service ----------------------------------------------------------------
@pytest.mark.parametrize("typed", [HUGE, "-" + HUGE, f"{HUGE}.", f"  {HUGE} )"])
def test_a_huge_number_at_a_scale_asks_the_scale_again(service, now, typed):
    ask = at_closeness(service, now)
    outcome = service.handle(PERSON, Text(typed), now)
    assert SCALE_AGAIN in said(outcome.effects)
    assert ask_of(outcome.effects).key == ask.key
    huge_press = service.handle(PERSON, Choice(HUGE, ask.seq), now)
    assert SCALE_AGAIN in said(huge_press.effects)


def test_a_huge_number_at_a_choice_asks_again(service, now):
    service.handle(PERSON, Start("tour"), now)
    for event in [Choice("ready"), Text("Sam"), Text("we argued again")]:
        outcome = service.handle(PERSON, event, now)
    choice = ask_of(outcome.effects)
    assert choice.kind == "choice"
    for typed in (HUGE, f"{HUGE})", "-" + HUGE):
        assert ask_of(service.handle(PERSON, Text(typed), now).effects).key == choice.key


def test_a_huge_number_at_a_multi_select_asks_again(service, now):
    multi = at_under(service, now)
    for typed in (HUGE, f"1, {HUGE}"):
        assert ask_of(service.handle(PERSON, Text(typed), now).effects).key == multi.key


@pytest.mark.parametrize(
    "action", ["snooze:abc", "snooze:", f"snooze:{HUGE}", "scope:abc:full", f"scope:{HUGE}:none",
               "scope:1:bogus", "early:abc:on", "early:1:maybe", "tz:x", "tz", "chk:violence:x",
               "chk:", "ans:suicide:maybe", "ans:bogus:y", "nonsense", "", ":::"],
)  # fmt: skip
def test_forged_actions_get_a_kind_word(service, now, action):
    at_closeness(service, now)
    outcome = service.action(PERSON, action, now)
    assert outcome.effects, action
    shown = said(outcome.effects)
    assert shown, action
    if not action.startswith("tz"):
        assert shown == OLD_BUTTON or "already ended" in shown, action


def test_a_forged_zone_shows_the_list_of_zones(service, now):
    assert "Which is closest to you?" in said(service.action(PERSON, "tz:x", now).effects)
    assert "Which is closest to you?" in said(
        service.action(PERSON, "tz:set:Mars/Base", now).effects
    )


@pytest.fixture
def practice(file_store: Store, shipped: Catalog) -> Service:
    return Service(file_store, shipped, therapist_ids=[THERAPIST])


@pytest.mark.parametrize("value", ["abc", "±99999999999", "-99999999999", HUGE, "", "2", "-1"])
def test_a_forged_due_date_asks_for_a_date_again(practice, now, value):
    at_due_date(practice, now)
    outcome = practice.action(THERAPIST, f"as:d:{value}", now)
    assert said(outcome.effects) == TYPE_A_DATE
    still = practice.action(THERAPIST, "as:d:3", now)  # the real button still works
    assert "Add a note for them?" in said(still.effects)


@pytest.mark.parametrize("value", ["abc", HUGE, "99999999999999999999", "", "-1"])
def test_a_forged_client_is_no_longer_linked(practice, now, value):
    at_due_date(practice, now)
    outcome = practice.action(THERAPIST, f"as:c:{value}", now)
    assert said(outcome.effects) == "That client is no longer linked."


@pytest.mark.parametrize("action", ["as", "as:", "as:zz", "as:f:bogus", "as:n:-"])
def test_a_forged_assign_step_says_start_again(practice, now, action):
    at_due_date(practice, now)
    assert said(practice.action(THERAPIST, action, now).effects) == "Start again with /assign."


def test_a_client_forging_a_scope_change_gets_a_kind_word(practice, now):
    linked(practice, now)
    for action in ("scope:abc:full", "scope:1:bogus", f"scope:{HUGE}:full", "snooze:abc"):
        assert said(practice.action(CLIENT, action, now).effects), action


# -- callback data ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "data", ["c|" + "z" * 13 + "|1|x", "c|1|1|" + "x" * 80, "c| 1|1|x", "c|1_0|1|x", "c|+1|1|x",
             "c||1|x", "c|1|-1|x", "d|" + HUGE + "|0|1-3"],
)  # fmt: skip
def test_payloads_out_of_shape_decode_to_none(data):
    assert decode(data) is None


@PROPERTY
@given(st.text(max_size=100))
def test_decoding_any_text_never_raises(data):
    payload = decode(data)
    assert payload is None or decode(payload.encode()) == payload


# -- properties at the service ------------------------------------------------------------------
SPECIAL = [HUGE, "-" + HUGE, "x" * 4096, "\x00\x01\x1f\x7f", "😀" * 50, "\u202e\u200b", "٣",
           "1", "0", "-1", "5", "6", "1, 2, 3", "  ", "\n", "yes", "no", "/assign", "2026-12-24",
           "31.02", "9999-12-31", "24.12.9999"]  # fmt: skip
TEXTS = st.one_of(st.sampled_from(SPECIAL), st.text(max_size=300))
FIELD = st.one_of(
    st.sampled_from(["", "y", "n", "violence", "suicide", "full", "none", "status", "on", "off",
                     "set", "list", "c", "d", "f", "n", "1", "3", "-", "UTC", "tour", HUGE,
                     "±99999999999", "abc"]),
    st.text(max_size=20),
)  # fmt: skip
VERB = st.sampled_from(
    sorted(VERBS | {"go", "chk", "ans", "follow", "clear", "wipe", "keep", "rev", "ground",
                    "plan", "resume"})
)  # fmt: skip
ACTIONS = st.one_of(
    st.builds(lambda verb, parts: ":".join([verb, *parts]), VERB, st.lists(FIELD, max_size=3)),
    st.text(max_size=64),
)
SEQS = st.one_of(st.none(), st.integers(-(2**70), 2**70), st.integers(0, 12))
EVENTS: st.SearchStrategy[Event] = st.one_of(
    st.builds(Text, TEXTS),
    st.builds(Choice, FIELD, SEQS),
    st.builds(Picks, st.lists(FIELD, max_size=6).map(tuple), SEQS),
    st.builds(Skip, SEQS),
    st.builds(Back, SEQS),
    st.just(Resume()),
    st.builds(Start, FIELD),
)
RUN_IDS = st.one_of(st.none(), st.integers(-(2**70), 2**70), st.integers(0, 3))
MOVES = st.lists(
    st.one_of(
        st.tuples(st.just("handle"), EVENTS, RUN_IDS),
        st.tuples(st.just("action"), ACTIONS, st.none()),
        st.tuples(st.just("screen"), TEXTS, st.none()),
        st.tuples(st.just("command"), st.sampled_from(["invite", "assign", "clients", "report"]),
                  TEXTS),
    ),
    min_size=1,
    max_size=4,
)  # fmt: skip


def throw(service: Service, user: int, moves: list, now: datetime) -> None:
    """Apply each move; none may raise, and each that the person should hear says something."""
    for kind, what, extra in moves:
        if kind == "handle":
            outcome = service.handle(user, what, now, run_id=extra)
            assert outcome.effects or outcome.duplicate, (what, extra)
        elif kind == "action":
            outcome = service.action(user, what, now)
            assert outcome.effects, what
        elif kind == "screen":
            found = service.screen_text(user, what, now)
            assert found is None or found.effects, what
        else:
            outcome = service.therapist_command(user, what, extra, now)
            assert outcome.effects, (what, extra)


@PROPERTY
@given(start=st.sampled_from(["scale", "multi"]), moves=MOVES)
def test_a_person_mid_flow_survives_anything(shipped, now, start, moves):
    service = Service(Store(open_db(None)), shipped)
    (at_closeness if start == "scale" else at_under)(service, now)
    throw(service, PERSON, moves, now)


@PROPERTY
@given(moves=MOVES)
def test_a_therapist_mid_assign_survives_anything(shipped, now, moves):
    service = Service(Store(open_db(None)), shipped, therapist_ids=[THERAPIST])
    at_due_date(service, now)
    throw(service, THERAPIST, moves, now)
