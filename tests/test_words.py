"""The words for the partner: the pronoun chosen in onboarding, used in every flow, kept,
exported and erased like any answer, and a name never shown in a therapist's copy."""

from __future__ import annotations

import json

import pytest
from test_onboarding import CHOICES, CLEAR

from bot.engine import Ask, Choice, Document, Start, Text
from bot.engine.pronouns import chosen, partner_word
from bot.flows.template import partner_word as parse
from bot.usecases.service import Service

USER = 31


@pytest.fixture
def service(shipped, store) -> Service:
    return Service(store, shipped)


def word(body: str, pronoun: str, name: str = "", private: bool = False) -> str:
    parsed = parse(body)
    assert parsed is not None, body
    return partner_word(parsed, pronoun, name, private=private)


@pytest.mark.parametrize(
    ("pronoun", "they", "them", "their", "theirs"),
    [
        ("he", "he", "him", "his", "his"),
        ("she", "she", "her", "her", "hers"),
        ("they", "they", "them", "their", "theirs"),
    ],
)
def test_each_pronoun_gives_its_own_forms(pronoun, they, them, their, theirs):
    assert [word(w, pronoun) for w in ("they", "them", "their", "theirs")] == [
        they,
        them,
        their,
        theirs,
    ]
    assert word("They", pronoun) == they.capitalize()


def test_a_verb_agrees_with_the_pronoun_or_the_name():
    assert word("push/pushes", "they") == "push"
    assert word("push/pushes", "she") == "pushes"
    assert word("push/pushes", "name", "Sam") == "pushes"


def test_a_name_stands_for_they_and_its_possessive_for_their():
    assert word("they", "name", "Sam") == "Sam"
    assert word("their", "name", "Sam") == "Sam's"
    assert word("Their", "name", "sam") == "Sam's"


def test_a_therapist_copy_never_shows_the_name():
    assert "Sam" not in word("they", "name", "Sam", private=True)
    assert "Sam" not in word("their", "name", "Sam", private=True)
    assert "Sam" not in word("your_partner", "name", "Sam", private=True)


def test_nothing_chosen_reads_as_they():
    assert chosen({}) == ("they", "")
    assert chosen({"partner_pronoun": {"value": "name"}})[0] == "they"


def texts(effects) -> str:
    return " ".join(getattr(e, "text", "") or "" for e in effects)


def onboard_with_name(service: Service, now, name: str) -> str:
    """getting-started, choosing 'Use their name' and typing it; what the bot said."""
    outcome = service.handle(USER, Start("getting-started"), now)
    said = texts(outcome.effects)
    answers = [*CLEAR[:2], "name", Text(name), *CLEAR[3:], *CHOICES]
    for answer in answers:
        ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
        event = answer if isinstance(answer, Text) else Choice(answer, ask.seq)
        outcome = service.handle(USER, event, now)
        said += " " + texts(outcome.effects)
    return said


def test_the_name_is_used_kept_exported_and_erased(service, now):
    onboarding = onboard_with_name(service, now, "Robin")
    assert "Do you ever feel afraid of Robin?" in onboarding
    kept = service.store.memory_of(USER)
    assert kept["partner_pronoun"]["value"] == "name"
    assert kept["partner_name"]["value"] == "Robin"
    outcome = service.handle(USER, Start("name-the-cycle"), now)
    for answer in ["money", "tone", "pursue", "talk_now"]:
        ask = [e for e in outcome.effects if isinstance(e, Ask)][-1]
        outcome = service.handle(USER, Choice(answer, ask.seq), now)
    assert "what does Robin tend to do?" in " ".join(texts(outcome.effects).split())
    documents = [e for e in service.export(USER, now) if isinstance(e, Document)]
    data = json.loads(next(d for d in documents if d.filename.endswith(".json")).data)
    assert "Robin" in json.dumps(data)
    assert "Robin" in next(d for d in documents if d.filename.endswith(".md")).data.decode()
    assert service.erase(USER) > 0
    assert "partner_name" not in service.store.memory_of(USER)
    assert "partner_pronoun" not in service.store.memory_of(USER)
