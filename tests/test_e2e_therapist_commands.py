"""End to end on the fake Bot API: a therapist finds their commands. Their chat gets its own
command menu (setMyCommands for that chat only), at start-up, when `python -m bot therapists
add` makes them one while the bot runs, and it is taken away when the role is; /help and /start
speak to them as a therapist, and a client sees what they always saw."""

from __future__ import annotations

import subprocess
import sys

from bot_process import ROOT, BotProcess
from fake_telegram import FakeTelegram
from test_e2e import onboard

THERAPIST, CLIENT, LATER = 700, 701, 703
THEIRS = ["clients", "invite", "assign", "report"]


def chat(user_id: int) -> dict[str, object]:
    return {"type": "chat", "chat_id": user_id}


def menu(fake: FakeTelegram, user_id: int) -> list[str]:
    """The commands Telegram shows in this person's chat, as set for their chat alone."""
    return [c["command"] for c in fake.commands_for(chat(user_id))]


def therapists(bot: BotProcess, *args: str) -> None:
    """`python -m bot therapists …` from another process, as an operator would run it."""
    run = subprocess.run(
        [sys.executable, "-m", "bot", "therapists", *args],
        cwd=ROOT, env=bot.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr


def test_a_therapist_gets_their_own_menu_help_and_start(fake, launch):
    launch(THERAPIST_IDS=str(THERAPIST))
    scoped = [p for p in fake.requests_to("setMyCommands", ok_only=True) if p.get("scope")]
    assert [p["scope"] for p in scoped] == [chat(THERAPIST)]
    assert menu(fake, THERAPIST)[:4] == THEIRS
    assert {"flows", "help", "sos", "therapist"} <= set(menu(fake, THERAPIST))
    everyone = {c["command"] for c in fake.commands}
    assert "flows" in everyone and not everyone & set(THEIRS)

    fake.send_text(THERAPIST, "/help")
    help_ = fake.wait_for_text(THERAPIST, "As a therapist, you can use")
    for command in ("/invite", "/assign", "/clients", "/report", "/flows", "/sos"):
        assert command in help_.text

    fake.send_text(THERAPIST, "/start")
    start = fake.wait_for_text(THERAPIST, "You are set up here as a therapist")
    for command in ("/clients", "/invite", "/assign", "/report"):
        assert command in start.text
    assert not any("18 or older" in m.content for m in fake.messages(THERAPIST))

    # A client's /start and /help are what they always were; their chat has no menu of its own.
    fake.send_text(CLIENT, "/start")
    fake.wait_for_text(CLIENT, "Are you 18 or older?")
    onboard(fake, CLIENT)
    fake.send_text(CLIENT, "/help")
    client_help = fake.wait_for_text(CLIENT, "Here is what you can do")
    assert "/invite" not in client_help.text and "therapist" not in client_help.text.split("\n")[0]
    assert menu(fake, CLIENT) == []

    # With a client linked, the therapist's /start has a button that begins /assign.
    mark = fake.mark()
    fake.send_text(THERAPIST, "/invite Sam")
    link = fake.wait_for_text(THERAPIST, "https://t.me/", since=mark)
    code = link.text.split("?start=", 1)[1].split()[0]
    fake.send_text(CLIENT, f"/start {code}")
    fake.wait_for_text(CLIENT, "invites you to share your progress")
    fake.press_button(CLIENT, "Status only")
    fake.wait_for_text(CLIENT, "You're linked")
    mark = fake.mark()
    fake.send_text(THERAPIST, "/start")
    fake.wait_for_text(THERAPIST, "You are set up here as a therapist", since=mark)
    fake.press_button(THERAPIST, "Assign homework")
    fake.wait_for_text(THERAPIST, "Which client is this homework for?", since=mark)

    # A therapist can still try the exercises as a client would.
    mark = fake.mark()
    fake.send_text(THERAPIST, "/flows")
    flows = fake.wait_for_text(THERAPIST, "Which conversation would you like?", since=mark)
    fake.press_button(THERAPIST, flows.button_labels[0], message_id=flows.message_id)
    fake.wait_for_text(THERAPIST, "Are you 18 or older?", since=mark)


def test_the_menu_follows_the_role_given_and_taken_by_the_operator(fake, launch):
    bot = launch(REMINDER_TICK_SECONDS="0.2")
    fake.send_text(LATER, "/start")
    fake.wait_for_text(LATER, "Are you 18 or older?")
    assert menu(fake, LATER) == []

    therapists(bot, "add", str(LATER), "--name", "Dr Ana Silva")
    fake.wait_until(lambda: menu(fake, LATER)[:4] == THEIRS, what="the therapist's menu")
    mark = fake.mark()
    fake.send_text(LATER, "/help")
    fake.wait_for_text(LATER, "As a therapist, you can use", since=mark)

    therapists(bot, "remove", str(LATER))
    fake.wait_until(lambda: menu(fake, LATER) == [], what="the menu taken away")
    assert fake.requests_to("deleteMyCommands", ok_only=True)[-1]["scope"] == chat(LATER)
    mark = fake.mark()
    fake.send_text(LATER, "/help")
    again = fake.wait_for_text(LATER, "Here is what you can do", since=mark)
    assert "/invite" not in again.text

    # Given and taken while the bot is down: the next start-up catches up.
    bot.stop()
    therapists(bot, "add", str(LATER))
    bot.start()
    assert menu(fake, LATER)[:4] == THEIRS
    bot.stop()
    therapists(bot, "remove", str(LATER))
    deleted = len(fake.requests_to("deleteMyCommands", ok_only=True))
    bot.start()
    assert len(fake.requests_to("deleteMyCommands", ok_only=True)) == deleted + 1
    assert menu(fake, LATER) == []
