"""The safety path through the real service and an SQLite file: pause, ask, card, and after."""

from __future__ import annotations

from datetime import timedelta

from test_e2e import rows_naming
from test_onboarding import CHOICES, CLEAR, play

from bot.engine import Ask, Choice, ClearChat, Document, Offer, Say, Start, Text
from bot.engine.transcript import last_ask
from bot.storage import ACTIVE, PAUSED

USER = 21


def onboarded(service, now, country: str = "gb") -> None:
    play(service, USER, "getting-started", ["adult_yes", country, *CLEAR[2:], *CHOICES], now)


def mid_tour(service, now) -> None:
    """The tour is open at its free-text question about a recent moment."""
    service.handle(USER, Start("tour"), now)
    service.handle(USER, Choice("ready"), now)
    service.handle(USER, Text("Sam"), now)
    assert service.active(USER).state.frame.step_id == "moment"


def only_offer(effects) -> Offer:
    offers = [e for e in effects if isinstance(e, Offer)]
    assert len(offers) == 1, effects
    return offers[0]


def actions(offer: Offer) -> list[str]:
    return [b.value for b in offer.actions]


def db_text(service) -> str:
    """Every value in every table, as one string: what a leak would look like."""
    conn = service.store.db.conn
    found = []
    for (table,) in conn.execute("select name from sqlite_master where type = 'table'"):
        for row in conn.execute(f"select * from [{table}]"):
            found += [str(v) for v in row]
    return "\n".join(found)


def test_a_crisis_message_mid_flow_pauses_it_and_asks_one_question(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    outcome = service.handle(USER, Text("honestly i just want to die"), now)
    offer = only_offer(outcome.effects)
    assert "Are you having thoughts of ending your life" in offer.text
    assert "I've paused the exercise" in offer.text
    assert actions(offer) == ["ans:suicide:y", "ans:suicide:n"]
    assert not any(isinstance(e, Ask) for e in outcome.effects)  # the exercise does not go on
    assert service.active(USER) is None
    statuses = [r.status for r in service.store.runs_of(USER) if r.flow_id == "tour"]
    assert statuses == [PAUSED]
    # Only the kind of concern and when: the words are nowhere in the database.
    assert service.store.personal.safety_events(USER) == [
        (service.store.personal.safety_events(USER)[0][0], "suicide", "urgent", "question")
    ]
    assert "want to die" not in db_text(service)


def test_yes_brings_the_card_for_the_persons_country(service, now):
    onboarded(service, now, "gb")
    mid_tour(service, now)
    service.handle(USER, Text("i want to kill myself"), now)
    card = only_offer(service.action(USER, "ans:suicide:y", now).effects)
    assert "Samaritans: 116 123" in card.text and "call 999" in card.text
    assert actions(card) == ["ground", "plan", "follow"]
    assert service.active(USER) is None


def test_after_a_card_nothing_continues_the_exercise_until_the_person_chooses(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    service.handle(USER, Text("i want to kill myself"), now)
    service.action(USER, "ans:suicide:y", now)
    later = service.handle(USER, Text("the dishes again, like always"), now).effects
    assert not any(isinstance(e, Ask) for e in later)
    assert [r.status for r in service.store.runs_of(USER) if r.flow_id == "tour"] == [PAUSED]
    # Choosing it again is the person's choice: it opens where it was, nothing lost.
    resumed = service.handle(USER, Start("tour"), now).effects
    ask = last_ask(resumed)
    assert ask is not None and ask.key == "moment"
    assert service.active(USER).status == ACTIVE


def test_no_offers_to_go_back_and_going_back_opens_the_same_question(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    service.handle(USER, Text("i cant go on"), now)
    kind = only_offer(service.action(USER, "ans:suicide:n", now).effects)
    assert "resume" in actions(kind)
    back = service.action(USER, "resume", now).effects
    ask = last_ask(back)
    assert ask is not None and ask.key == "moment"


def test_a_typed_yes_answers_the_waiting_question(service, now):
    onboarded(service, now, "us")
    mid_tour(service, now)
    service.handle(USER, Text("i want to die"), now)
    card = only_offer(service.handle(USER, Text("yes"), now).effects)
    assert "988" in card.text
    again = service.handle(USER, Text("hello?"), now).effects
    assert not any(isinstance(e, Ask) for e in again)


def test_anything_else_while_waiting_asks_again_kindly(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    service.handle(USER, Text("i want to die"), now)
    effects = service.handle(USER, Text("the dishes, again"), now).effects
    assert effects == [Say(effects[0].text)] and "tap one of the answers" in effects[0].text


def test_a_disclosure_of_violence_closes_every_partner_flow_at_once(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    offer = only_offer(service.handle(USER, Text("he choked me last night"), now).effects)
    assert "Are you safe to talk right now?" in offer.text
    assert "If you are in danger right now, call 999." in offer.text  # the highest marker
    for flow in ("reaching-out", "responding", "rocky-moment", "weekly-check-in"):
        lock = service.lock_of(USER, flow)
        assert lock is not None and lock.safety, flow
    card = only_offer(service.action(USER, "ans:violence:y", now).effects)
    assert "National Domestic Abuse Helpline" in card.text
    assert "may be able to read this chat" in card.text
    assert actions(card) == ["clear", "plan", "ground"]
    not_safe = only_offer(service.action(USER, "ans:violence:n", now).effects)
    assert actions(not_safe) == ["clear"]


def test_an_unclear_hint_of_violence_checks_gently_first(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    offer = only_offer(service.handle(USER, Text("he grabbed me"), now).effects)
    assert "Has someone hurt you" in offer.text
    assert (
        service.lock_of(USER, "reaching-out") is None
        or not service.lock_of(USER, "reaching-out").safety
    )
    follow = only_offer(service.action(USER, "chk:violence:y", now).effects)
    assert "Are you safe to talk right now?" in follow.text
    assert service.lock_of(USER, "responding").safety  # type: ignore[union-attr]


def test_an_affair_mentioned_in_passing_closes_reaching_out_for_a_therapist(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    only_offer(service.handle(USER, Text("he's having an affair with his colleague"), now).effects)
    card = only_offer(service.action(USER, "ans:affair:y", now).effects)
    assert "couples therapist" in card.text and "resume" in actions(card)
    assert service.store.memory_of(USER)["affair"]["value"] == "yes_affair"
    lock = service.lock_of(USER, "reaching-out")
    assert lock is not None and not lock.safety


def test_benign_hyperbole_goes_to_the_exercise(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    outcome = service.handle(USER, Text("this argument is killing me, honestly"), now)
    ask = last_ask(outcome.effects)
    assert ask is not None and ask.key == "my_move"


def test_sos_pauses_and_shows_every_line(service, now):
    onboarded(service, now, "au")
    mid_tour(service, now)
    offer = only_offer(service.sos(USER, now))
    for line in ("000", "Lifeline: 13 11 14", "1800RESPECT"):
        assert line in offer.text
    assert "findahelpline.com" in offer.text
    assert actions(offer) == ["ground", "plan", "clear", "resume"]
    assert service.active(USER) is None


def test_somewhere_else_gets_the_international_lines(service, now):
    onboarded(service, now, "other")
    offer = only_offer(service.sos(USER, now))
    assert "your local emergency number" in offer.text and "findahelpline.com" in offer.text


def test_the_card_offers_start_grounding_and_the_plan(service, now):
    onboarded(service, now)
    grounding = last_ask(service.action(USER, "ground", now).effects)
    assert grounding is not None and "five things you can see" in grounding.text
    service.cancel(USER, now)
    plan = last_ask(service.action(USER, "plan", now).effects)
    assert plan is not None and "warning signs" in plan.text


def test_the_safety_plan_is_kept_and_shown_by_slash_safety(service, now):
    onboarded(service, now)
    empty = only_offer(service.safety_plan(USER))
    assert "Fill in my plan" in [b.label for b in empty.actions]
    service.handle(USER, Start("safety-plan"), now)
    for answer in ["I stop sleeping", "a hot shower", "my sister Ana", "the river park"]:
        service.handle(USER, Text(answer), now)
    plan = only_offer(service.safety_plan(USER))
    assert "People I can contact: my sister Ana" in plan.text
    assert "Update my plan" in [b.label for b in plan.actions]
    assert "Samaritans" in plan.text


def test_a_follow_up_is_sent_once_a_day_later(service, now):
    onboarded(service, now)
    reply = service.action(USER, "follow", now).effects
    assert "I'll check in with you tomorrow" in reply[0].text  # type: ignore[union-attr]
    assert service.due_reminders(now + timedelta(hours=23)) == []
    due = service.due_reminders(now + timedelta(days=1, minutes=1))
    assert [(d.user_id, [type(e) for e in d.effects]) for d in due] == [(USER, [Say])]
    assert service.due_reminders(now + timedelta(days=2)) == []  # once, never twice


def test_clear_chat_gives_the_ids_of_the_last_two_days_only(service, now):
    onboarded(service, now)
    service.note_messages(USER, [10, 11], now - timedelta(hours=50))
    service.note_messages(USER, [12, 13], now - timedelta(hours=1))
    cleared, stored = service.action(USER, "clear", now).effects
    assert cleared == ClearChat()
    assert "your journal and your safety plan are empty" in only_offer([stored]).text
    assert service.clear_targets(USER, now) == [13, 12]
    assert service.clear_targets(USER, now) == []  # forgotten once cleared


def test_a_caption_is_screened_too(service, now):
    onboarded(service, now)
    mid_tour(service, now)
    assert service.screen_text(USER, "our wedding day", now) is None
    found = service.screen_text(USER, "he hit me, look at my arm", now)
    assert found is not None and "Are you safe to talk" in only_offer(found.effects).text
    # While that question waits, anything else asks for an answer first.
    waiting = service.screen_text(USER, "our wedding day", now)
    assert waiting is not None and "tap one of the answers" in waiting.effects[0].text  # type: ignore[union-attr]


def test_export_holds_every_answer_and_delete_leaves_no_row(service, now, tmp_path):
    onboarded(service, now)
    mid_tour(service, now)
    service.handle(USER, Text("the dishes, again and again"), now)
    service.handle(USER, Text("i want to die"), now)
    service.action(USER, "ans:suicide:n", now)
    service.action(USER, "follow", now)
    service.note_messages(USER, [5, 6], now)
    other = USER + 1
    play(service, other, "getting-started", CLEAR + CHOICES, now)
    files = service.export(USER, now)
    assert [type(f) for f in files] == [Document, Document]
    data, readable = files[0].data.decode(), files[1].data.decode()
    for answer in ("Sam", "the dishes, again and again", "United Kingdom"):
        assert answer in data and answer in readable, answer
    assert "suicide" in data and "want to die" not in data  # the event, never the words
    before = service.store.db.conn.execute("select count(*) from users").fetchone()[0]
    assert service.erase(USER) > 0
    scanned = rows_naming(tmp_path / "bot.db", USER)
    assert ("users", "id") in scanned and not any(scanned.values()), scanned
    assert service.store.db.conn.execute("select count(*) from users").fetchone()[0] == before - 1
    assert service.store.memory_of(other)["country"]["value"] == "gb"  # others keep theirs
