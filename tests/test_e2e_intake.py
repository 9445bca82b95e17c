"""End to end on the fake Bot API: an update is in SQLite before Telegram is told it arrived.

The bot is SIGKILLed between delivery and handling, and after it had applied an answer but
before its reply went out; an update the client library cannot read is set aside. Nothing is
lost, nothing is applied twice, and every message gets an answer.
"""

from __future__ import annotations

import random
import time

from test_e2e import begin_tour, rows

USER = 901


def answers(bot, step: str) -> int:
    return rows(bot.db, "select count(*) from answers where step = ?", step)[0][0]


def test_killed_after_the_answer_was_applied_the_reply_still_comes_once(fake, bot):
    begin_tour(fake, USER)
    # The reply to "Sam" hangs on its way out; the bot dies with the answer committed.
    fake.hang_next("sendMessage", 30, chat_id=USER)
    mark = fake.mark()
    fake.send_text(USER, "Sam")
    fake.wait_until(lambda: answers(bot, "partner") == 1, what="the answer committed")
    bot.kill()
    bot.start()
    question = fake.wait_for_text(USER, "got stuck. What happened", since=mark)
    assert question is not None
    assert answers(bot, "partner") == 1  # applied once
    # And forgotten once handled (the row goes just after the reply).
    fake.wait_until(lambda: rows(bot.db, "select count(*) from inbox") == [(0,)])
    assert "Traceback" not in bot.logs()


def test_killed_between_delivery_and_handling_no_message_is_lost(fake, bot):
    begin_tour(fake, USER)
    rng = random.Random(7)
    fake.send_text(USER, "Sam")
    fake.wait_for_text(USER, "got stuck. What happened")
    # Each message, the bot killed moments after it is sent, gets its answer: the moment is
    # taken once, and each /resume after it shows the next question.
    for text in ["we argued about the dishes again", *["/resume"] * 4]:
        mark = fake.mark()
        fake.send_text(USER, text)
        time.sleep(rng.uniform(0.005, 0.08))
        bot.kill()
        bot.start()
        fake.wait_for_text(USER, "what do you usually do?", since=mark)
    assert answers(bot, "moment") == 1
    assert "Traceback" not in bot.logs()


def test_a_redelivered_answer_gets_the_live_question_not_silence(fake, bot):
    begin_tour(fake, USER)
    sent = fake.send_text(USER, "Sam")
    fake.wait_for_text(USER, "got stuck. What happened")
    mark = fake.mark()
    fake.redeliver(sent)
    again = fake.wait_for_text(USER, "got stuck. What happened", since=mark)
    assert again is not None
    assert answers(bot, "partner") == 1


def test_an_update_that_cannot_be_read_is_set_aside_and_polling_goes_on(fake, bot):
    begin_tour(fake, USER)
    broken = fake.send_raw_update(USER, {"message": {"message_id": 1}})  # no date, no chat
    fake.send_text(USER, "Sam")
    fake.wait_for_text(USER, "got stuck. What happened")
    assert rows(bot.db, "select update_id from inbox where set_aside_at is not null") == [(broken,)]
    log = bot.logs()
    assert "Error while parsing updates" not in log and "Traceback" not in log


def test_in_webhook_mode_an_update_is_kept_before_the_200(fake, launch):
    from test_e2e import accepts, free_port, help_update, post_update

    port = free_port()
    url = f"http://127.0.0.1:{port}/telegram"
    env = {
        "WEBHOOK_URL": url,
        "WEBHOOK_PORT": str(port),
        "WEBHOOK_SECRET": "a-long-webhook-secret-0123",
        "WEBHOOK_LISTEN": "127.0.0.1",
    }
    bot = launch(ready="setWebhook", **env)
    fake.wait_until(lambda: accepts(port), what="the webhook server to listen")
    fake.add_user(USER, "Ana")
    update = help_update(6001, USER)
    # Answered 200 only once kept: the reply then hangs, and the bot dies before sending it.
    fake.hang_next("sendMessage", 30, chat_id=USER)
    mark = fake.mark()
    assert post_update(url, update, env["WEBHOOK_SECRET"]) == 200
    assert rows(bot.db, "select update_id from inbox") == [(6001,)]
    # Killed only once its reply is held: killed sooner, the hang would catch the next bot's reply.
    fake.wait_until(lambda: fake.hangs_left("sendMessage") == 0, what="the reply to be held")
    bot.kill()
    bot.start(ready="setWebhook")
    fake.wait_for_text(USER, "Here is what you can do", since=mark)
    fake.wait_until(lambda: rows(bot.db, "select count(*) from inbox") == [(0,)])
    assert post_update(url, {"not": "an update"}, env["WEBHOOK_SECRET"]) == 200
    assert post_update(url, update, "wrong") == 403
