"""End to end: the real bot process and python-telegram-bot's HTTP stack against a fake Bot API
server on 127.0.0.1, driven the way people use it on a phone."""

from __future__ import annotations

import json
import signal
import socket
import sqlite3
import urllib.error
import urllib.request
from pathlib import Path

from fake_telegram import BotMessage, FakeTelegram

SECRET_WORDS = "Marisol-7731"  # typed by users below; must never reach a log


def rows(db: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def rows_naming(db: Path, person: int) -> dict[tuple[str, str], int]:
    """For every column that names a person (and users.id): how many rows name this one."""
    from bot.storage.personal import PERSON_COLUMNS

    found: dict[tuple[str, str], int] = {}
    with sqlite3.connect(db) as conn:
        tables = [t for (t,) in conn.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            columns = [c[1] for c in conn.execute(f"pragma table_info([{table}])")]
            for column in columns:
                if column in PERSON_COLUMNS or (table == "users" and column == "id"):
                    found[(table, column)] = conn.execute(
                        f"select count(*) from [{table}] where [{column}] = ?", [person]
                    ).fetchone()[0]
    return found


def onboard(fake: FakeTelegram, user: int, reminders: bool = False) -> BotMessage:
    """Answer getting-started's questions after /start (a clear check); its last message."""
    wants = "Yes, gentle reminders are fine" if reminders else "No reminders, thanks"
    for label, next_question in [
        ("Yes, I'm 18 or older", "Which country are you in?"),
        ("Ireland", "When I talk about your partner, which words should I use?"),
        ("She / her", "Do you ever feel afraid of your partner?"),
        ("No", "has your partner hurt you"),
        ("No", "Is there an affair"),
        ("No", "Is drinking, drug use or gambling"),
        ("No", "Are you seeing a therapist"),
        ("No", "May I send you the odd gentle reminder"),
        (wants, "how much may they see?"),
    ]:
        fake.press_button(user, label)
        fake.wait_for_text(user, next_question)
    fake.press_button(user, "Status only")
    setup = fake.wait_for_text(user, "You're set up.")
    return setup


def begin_tour(fake: FakeTelegram, user: int) -> None:
    """A deep link to the tour, then "I'm ready": the partner question is showing."""
    fake.send_text(user, "/start tour")
    fake.wait_for_text(user, "Tap the button when you're ready")
    fake.press_button(user, "I'm ready")
    fake.wait_for_text(user, "What would you like me to call your partner here?")


def test_a_whole_flow_with_buttons_text_toggles_and_a_reflection(fake, bot):
    user = 101
    fake.send_text(user, "/start")
    welcome = fake.wait_for_text(user, "Are you 18 or older?")
    assert "a program, not a person" in welcome.text
    assert "not therapy and not a crisis service" in welcome.text
    setup = onboard(fake, user)
    assert "Country for helplines: Ireland" in setup.text
    onboarding_presses = 10
    fake.send_text(user, "/flows")
    fake.wait_for_text(user, "Which conversation would you like?")
    assert {c["command"] for c in fake.commands} >= {"flows", "resume", "back", "journal"}
    fake.send_text(user, "/start tour")  # the authors' tour: a deep link, not in the list
    ready = fake.wait_for_text(user, "Tap the button when you're ready")
    assert "Question 1 of 8\n\nFind a quiet moment" in ready.text  # one message per step
    fake.press_button(user, "I'm ready")
    fake.wait_for_text(user, "Question 2 of 8")
    fake.send_text(user, f"{SECRET_WORDS} <b>&")
    moment = fake.wait_for_text(user, "What happened, in a line or two?")
    assert f"you and {SECRET_WORDS} <b>& got stuck" in moment.text  # escaped, shown as typed
    fake.send_text(user, "we argued about the dishes again")
    fake.wait_for_text(user, "what do you usually do?")
    fake.send_text(user, "i go quiet or leave")  # a typed label counts as the button
    fake.wait_for_text(user, "how close do you feel")
    fake.press_button(user, "4")
    question = fake.wait_for_text(user, "Choose up to three")
    fake.press_button(user, "☐ lonely")
    fake.wait_until(lambda: "☑ lonely" in fake.last_message(user).button_labels)
    fake.press_button(user, "☐ hurt")
    fake.wait_until(lambda: "☑ hurt" in fake.last_message(user).button_labels)
    assert fake.last_message(user).message_id == question.message_id  # edited in place
    fake.press_button(user, "Done ✓")
    reflection = fake.wait_for_text(user, "Your reflection")
    assert "your way of coping is “I go quiet or leave”" in reflection.text
    assert "you felt lonely and hurt" in reflection.text
    # Every one of the tour's five presses was answered (the answers overlap with the work).
    fake.wait_until(lambda: len(fake.requests_to("answerCallbackQuery")) == onboarding_presses + 5)
    fake.send_text(user, "/journal")
    journal = fake.wait_for_text(user, "Your reflections, newest first")
    assert "you felt lonely and hurt" in journal.text
    assert SECRET_WORDS not in bot.logs()
    assert fake.token not in bot.logs()


def test_sigkill_mid_flow_loses_nothing_and_never_advances_twice(fake, bot):
    user = 102
    begin_tour(fake, user)
    fake.send_text(user, "Sam")
    fake.wait_for_text(user, "you and Sam got stuck")
    # Killed right after the reply: Telegram has not been told the update was handled, so it
    # is delivered again after the restart. It must not be applied twice.
    assert bot.kill(signal.SIGKILL) == -signal.SIGKILL
    bot.start()
    fake.send_text(user, "/resume")
    again = fake.wait_for_text(user, "What happened, in a line or two?")
    assert "you and Sam got stuck" in again.text
    assert rows(bot.db, "select count(*) from answers where step = 'partner'") == [(1,)]
    fake.send_text(user, "a cold evening after the party")
    fake.wait_for_text(user, "what do you usually do?")
    bot.kill(signal.SIGKILL)
    bot.start()
    fake.press_button(user, "I push to talk it out")
    fake.wait_for_text(user, "how close do you feel to Sam?")
    answers = rows(bot.db, "select step, value from answers order by id")
    assert answers == [
        ("partner", '"Sam"'),
        ("moment", '"a cold evening after the party"'),
        ("my_move", '"pursue"'),
    ]


def test_old_buttons_double_taps_and_redelivered_updates_never_advance_twice(fake, bot):
    user = 103
    begin_tour(fake, user)
    fake.send_text(user, "Sam")
    fake.send_text(user, "we argued about money")
    choice = fake.wait_for_text(user, "what do you usually do?")
    data = choice.button("I push to talk it out")["callback_data"]
    first = fake.press(user, choice.message_id, data)
    fake.press(user, choice.message_id, data)  # the double tap
    fake.wait_for_text(user, "how close do you feel")
    moved = fake.wait_for_text(user, "That question has moved on")
    assert moved is not None
    live = fake.wait_for_text(user, "how close do you feel", since=moved.sent_seq - 1)
    assert live.buttons  # the live step again, with fresh buttons
    before = len(fake.messages(user))
    mark = fake.mark()
    fake.redeliver(first)
    # The redelivered press changes nothing, and shows the live question again.
    again = fake.wait_for_text(user, "how close do you feel", since=mark)
    fake.send_text(user, "/help")  # something that certainly gets an answer
    fake.wait_for_text(user, "Here is what you can do", since=mark)
    assert len(fake.messages(user)) == before + 2
    assert again.buttons
    assert rows(bot.db, "select count(*) from answers where step = 'my_move'") == [(1,)]
    # A button from an earlier message, long gone: the ready button of the first question.
    ready = next(m for m in fake.messages(user) if "I'm ready" in m.button_labels)
    fake.press(user, ready.message_id, ready.button("I'm ready")["callback_data"])
    fake.wait_for_text(user, "That question has moved on")


def test_stickers_voice_and_photos_get_a_kind_reply_and_the_question(fake, bot):
    user = 104
    begin_tour(fake, user)
    for send in (fake.send_sticker, fake.send_voice, fake.send_location):
        send(user)
        reply = fake.wait_for_text(user, "all I can take in is typed words and button presses")
        assert reply is not None
        fake.wait_for_text(user, "What would you like me to call your partner here?")
    fake.send_photo(user, caption="Sam")
    fake.wait_for_text(user, "all I can take in is typed words")
    assert rows(bot.db, "select count(*) from answers") == [(0,)]


def test_an_edited_message_does_not_change_the_answer(fake, bot):
    user = 105
    begin_tour(fake, user)
    fake.send_text(user, "Sam")
    fake.wait_for_text(user, "you and Sam got stuck")
    sent = fake.user_messages(user)[-1]
    fake.edit_text(user, sent["message_id"], "Alex")
    fake.wait_for_text(user, "send /back to return to the question")
    assert rows(bot.db, "select value from answers") == [('"Sam"',)]


def test_a_burst_of_429s_and_a_502_are_waited_out(fake, bot):
    user = 106
    begin_tour(fake, user)
    fake.fail_next("sendMessage", 429, retry_after=1, count=3)
    fake.fail_next("sendMessage", 502)
    fake.send_text(user, "Sam")
    fake.wait_for_text(user, "you and Sam got stuck", timeout=20)
    assert rows(bot.db, "select value from answers") == [('"Sam"',)]
    failures = [c for c in fake.call_log if c.method == "sendMessage" and c.injected]
    assert len(failures) == 4


def test_a_user_who_blocked_the_bot_is_marked_and_not_sent_to(fake, bot):
    user = 107
    begin_tour(fake, user)
    fake.block(user)
    sends = len(fake.requests_to("sendMessage"))
    fake.send_text(user, "Sam")
    fake.wait_until(lambda: rows(bot.db, "select blocked_at from users where id = ?", user)[0][0])
    assert rows(bot.db, "select value from answers") == [('"Sam"',)]  # the answer counted
    assert len(fake.requests_to("sendMessage")) == sends + 1  # one refused try, no retries
    fake.unblock(user)
    fake.send_text(user, "/resume")
    fake.wait_for_text(user, "What happened, in a line or two?")
    assert rows(bot.db, "select blocked_at from users where id = ?", user) == [(None,)]


def test_long_messages_are_split_at_paragraphs(fake, launch, tmp_path):
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "long.yaml").write_text(
        "flow: long\nversion: 1\ntitle: Long\nsteps:\n"
        "  - id: a\n    ask: text\n    say: First part?\n    validate: {max_chars: 2000}\n"
        "  - id: b\n    ask: text\n    say: Second part?\n    validate: {max_chars: 2000}\n"
        "  - id: c\n    ask: text\n    say: Third part?\n    validate: {max_chars: 2000}\n"
        '  - id: done\n    end: "{a}\\n\\n{b}\\n\\n{c}"\n'
    )
    launch(FLOWS_DIR=str(flows))
    user = 108
    fake.send_text(user, "/start long")
    for part in ("First", "Second", "Third"):
        fake.wait_for_text(user, f"{part} part?")
        fake.send_text(user, (part.lower() + " ") * (1990 // (len(part) + 1)))
    last = fake.wait_for_text(user, "third third")
    texts = [m.text for m in fake.messages(user)]
    assert all(len(t) <= 4096 for t in texts)
    head = next(t for t in texts if t.startswith("Your reflection"))
    assert "second second" in head and "third" not in head
    assert last.text.startswith("third third")


def test_sigterm_stops_cleanly_and_logs_hold_no_user_text_or_token(fake, bot):
    user = 109
    begin_tour(fake, user)
    fake.send_text(user, SECRET_WORDS)
    fake.wait_for_text(user, f"you and {SECRET_WORDS} got stuck")
    assert bot.kill(signal.SIGTERM) == 0
    logs = bot.logs()
    assert "stopped cleanly" in logs
    assert SECRET_WORDS not in logs and fake.token not in logs
    assert "stored state" not in logs
    assert json.dumps(SECRET_WORDS) not in logs


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def post_update(url: str, update: dict, secret: str | None) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(update).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    if secret is not None:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def help_update(update_id: int, user: int) -> dict:
    """A /help message from `user`, as Telegram would POST it to a webhook."""
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_790_000_000,
            "text": "/help",
            "chat": {"id": user, "type": "private", "first_name": "Ana"},
            "from": {"id": user, "is_bot": False, "first_name": "Ana"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


def test_webhook_mode_checks_the_secret_token(fake, launch):
    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    secret = "a-long-webhook-secret-0123"
    process = launch(
        WEBHOOK_URL=url,
        WEBHOOK_PORT=str(port),
        WEBHOOK_SECRET=secret,
        WEBHOOK_LISTEN="127.0.0.1",
        ready="setWebhook",
    )
    assert fake.requests_to("setWebhook")[-1]["secret_token"] == secret
    fake.wait_until(lambda: accepts(port), what="the webhook server to listen")
    user = 110
    fake.add_user(user, "Ana")
    update = help_update(5001, user)
    assert post_update(url, update, "wrong-secret") == 403
    assert post_update(url, update, None) == 403
    mark = fake.mark()
    assert post_update(url, update, secret) == 200
    fake.wait_for_text(user, "Here is what you can do", since=mark)
    assert process.kill(signal.SIGTERM) == 0


def test_commands_and_limits_a_person_meets_along_the_way(fake, bot):
    user = 111
    fake.send_text(user, "hello?")  # a greeting is met as one, then the list
    fake.wait_for_text(user, "Which conversation would you like?")
    fake.send_text(user, "zxcvb qwerty")  # anything else: the list, as before
    fake.wait_for_text(user, "There is no conversation open right now")
    fake.send_text(user, "/frobnicate")
    fake.wait_for_text(user, "I don't know that command")
    begin_tour(fake, user)
    fake.send_text(user, "/skip")  # the partner's name may be skipped
    fake.wait_for_text(user, "you and your partner got stuck")
    fake.send_text(user, "/back")
    fake.wait_for_text(user, "What would you like me to call your partner here?")
    fake.send_text(user, "Sam")
    fake.wait_for_text(user, "you and Sam got stuck")
    fake.send_text(user, "the dishes, again and again")
    fake.wait_for_text(user, "what do you usually do?")
    fake.press_button(user, "I push to talk it out")
    fake.wait_for_text(user, "how close do you feel")
    fake.press_button(user, "4")
    fake.wait_for_text(user, "Choose up to three")
    fake.press_button(user, "Done ✓")  # nothing ticked yet
    fake.wait_until(
        lambda: any(a.get("text") == "Please choose at least 1." for a in fake.callback_answers)
    )
    for label in ("☐ lonely", "☐ scared", "☐ hurt"):
        fake.press_button(user, label)
        ticked = "☑ " + label[2:]
        fake.wait_until(lambda t=ticked: t in fake.last_message(user).button_labels)
    fake.press_button(user, "☐ unseen")  # a fourth is one too many
    fake.wait_until(
        lambda: any(
            a.get("text") == "You can choose up to 3. Untick one first."
            for a in fake.callback_answers
        )
    )
    assert "☐ unseen" in fake.last_message(user).button_labels
    fake.send_text(user, "/flows")
    overview = fake.wait_for_text(user, "Which conversation would you like?")
    # The minute of settling was not needed, so its two questions no longer count.
    assert "A first look around · in progress, 6/6" in overview.button_labels
    fake.send_text(user, "/cancel")
    fake.wait_for_text(user, "Close “A first look around”?")
    fake.press_button(user, "Yes, close it")
    fake.wait_for_text(user, "I've closed this conversation")
    assert rows(bot.db, "select status from runs") == [("abandoned",)]
    fake.send_text(user, "/resume")
    fake.wait_for_text(user, "There is no conversation open right now")


def test_the_readiness_questions_are_offered_again_after_two_weeks(fake, bot):
    user = 131
    fake.send_text(user, "/start")
    fake.wait_for_text(user, "Are you 18 or older?")
    onboard(fake, user)
    fake.send_text(user, "/flows")
    fake.wait_for_text(user, "Which conversation would you like?")
    assert not any("two weeks since" in (m.text or "") for m in fake.messages(user))
    # Fifteen days pass: the answers were kept that long ago.
    with sqlite3.connect(bot.db) as conn:
        conn.execute(
            "update memory set kept_at = '2000-01-01T00:00:00+00:00' where user_id = ?", [user]
        )
    fake.send_text(user, "/start")
    offer = fake.wait_for_text(user, "It's been two weeks since")
    fake.wait_for_text(user, "Which conversation would you like?")
    fake.send_text(user, "/start")
    fake.wait_until(
        lambda: len([m for m in fake.messages(user) if "Which conversation" in (m.text or "")]) == 3
    )
    assert len([m for m in fake.messages(user) if "two weeks since" in (m.text or "")]) == 1
    fake.press_button(user, "Go through them now", message_id=offer.message_id)
    fake.wait_for_text(user, "Do you ever feel afraid of your partner?")
