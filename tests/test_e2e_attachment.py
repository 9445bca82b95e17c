"""End to end on the fake Bot API: "How you reach for closeness" comes after naming the loop,
keeps what it finds for /journal, and a partner who frightens stops it and closes every
exercise that turns to the partner, with no "next step" button pointing at one."""

from __future__ import annotations

from fake_telegram import FakeTelegram
from test_newcomer import CATALOG, answer, first_test, said, settle

PARTNER_FACING = ("Naming the loop", "How you reach for closeness", "Revisiting a rocky moment")


def begin(fake: FakeTelegram, user: int) -> None:
    """Onboarding and "Naming the loop", as their first transcript tests answer them."""
    mark = fake.mark()
    fake.send_text(user, "/start")
    settle(fake, user, mark)
    for flow_id in ("getting-started", "name-the-cycle"):
        if flow_id != "getting-started":
            mark = fake.mark()
            fake.send_text(user, f"/start {flow_id}")
            settle(fake, user, mark)
        for item in first_test(flow_id).inputs:
            answer(fake, user, item)


def flows_list(fake: FakeTelegram, user: int) -> list[str]:
    mark = fake.mark()
    fake.send_text(user, "/flows")
    return fake.wait_for_text(user, "Which conversation would you like?", since=mark).button_labels


def test_the_exercise_follows_the_loop_and_keeps_what_it_finds(fake, bot):
    user = 5151
    begin(fake, user)
    offer = fake.last_message(user)
    assert "Start “How you reach for closeness”" in offer.button_labels, fake.dump(user)
    mark = fake.mark()
    fake.press_button(user, "Start “How you reach for closeness”")
    settle(fake, user, mark)
    for item in first_test("attachment").inputs:
        answer(fake, user, item)
    shown = said(fake, user, mark)
    assert "secure base" in shown and "security can be earned" in shown
    assert "Your reflection" in shown
    mark = fake.mark()
    fake.send_text(user, "/journal")
    journal = fake.wait_for_text(user, "Your reflections, newest first", since=mark).text
    assert "Your first pull under stress: " in journal
    assert "How you reach for closeness" in journal


def test_a_partner_who_frightens_stops_it_and_closes_the_partner_exercises(fake, bot):
    user = 5252
    begin(fake, user)
    assert "How you reach for closeness · not started" in flows_list(fake, user)
    mark = fake.mark()
    fake.send_text(user, "/start attachment")
    settle(fake, user, mark)
    frightened = next(t for t in CATALOG["attachment"].tests if "frighten" in t.inputs)
    for item in frightened.inputs:
        answer(fake, user, item)
    shown = said(fake, user, mark)
    assert "it is not your fault" in shown and "Your safety comes first" in shown
    goes = [
        b["callback_data"]
        for m in fake.messages(user)
        if m.changed_seq > mark
        for row in m.buttons
        for b in row
        if "|go:" in b.get("callback_data", "")
    ]
    assert not [g for g in goes if g.split("|go:")[1] in ("rocky-moment", "reaching-out")], goes
    labels = flows_list(fake, user)
    for title in PARTNER_FACING:
        assert f"{title} · locked" in labels, labels
    assert any(label.startswith("Finding the raw spot") for label in labels)
    assert not any(label.startswith("Finding the raw spot · locked") for label in labels)
