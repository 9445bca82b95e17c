"""The fake Bot API server behaves like Telegram, as seen by the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import io
import json
import threading
import time
import urllib.error
import urllib.request

import pytest
import telegram
from fake_telegram import NOT_MODIFIED, FakeTelegram, parse_html
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

USER = 1001


@pytest.fixture
def fake(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)  # talk to 127.0.0.1 directly
    with FakeTelegram() as server:
        server.add_user(USER, "Dana")
        yield server


@pytest.fixture
async def bot(fake):
    async with telegram.Bot(fake.token, base_url=fake.base_url) as client:
        yield client


def wire_error(fake: FakeTelegram) -> str | None:
    """The description the fake answered the last call with, before PTB rewrites it.

    PTB drops "Bad Request: " and capitalize()s the rest: "BUTTON_DATA_INVALID" reaches the bot
    as "Button_data_invalid".
    """
    return fake.call_log[-1].description


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=data) for label, data in row] for row in rows]
    )


def raw_post(fake: FakeTelegram, method: str, body: bytes, content_type: str, token=None):
    """A request without PTB: (status, decoded envelope)."""
    url = f"{fake.base_url}{token or fake.token}/{method}"
    request = urllib.request.Request(url, data=body, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


# -- basics ---------------------------------------------------------------------------------------


def test_listens_on_loopback_only(fake):
    assert fake.base_url == f"http://127.0.0.1:{fake.port}/bot"
    assert fake._server.server_address[0] == "127.0.0.1"


async def test_get_me(bot, fake):
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "SecureBaseTestBot"
    assert [method for method, _ in fake.calls] == ["getMe", "getMe"]  # initialize() calls it too


async def test_unknown_token_is_unauthorized(fake):
    # initialize() calls getMe; PTB rewrites the 401's "Unauthorized" there
    with pytest.raises(InvalidToken, match=r"The token `999:WRONG` was rejected by the server"):
        async with telegram.Bot("999:WRONG", base_url=fake.base_url):
            pass
    assert fake.calls == []  # a request with a wrong token is not a call of this bot


async def test_unknown_method_is_not_found_and_unknown_parameter_is_refused(bot, fake):
    with pytest.raises(EndPointNotFound, match=r"Endpoint 'sendTelepathy' not found in Bot API"):
        await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": USER})
    with pytest.raises(BadRequest, match=r"^Unknown parameter colour$"):
        await bot.send_message(USER, "hi", api_kwargs={"colour": "red"})
    assert wire_error(fake) == "Bad Request: unknown parameter colour"
    with pytest.raises(BadRequest, match=r"^Method getchat is not implemented by faketelegram$"):
        await bot.get_chat(USER)  # in the spec, but not served: loud, not silently wrong
    assert fake.messages(USER) == []


def test_raw_errors_use_the_telegram_envelope(fake):
    assert raw_post(fake, "getMe", b"", "application/json", token="1:nope") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    assert raw_post(fake, "noSuchMethod", b"", "application/json") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    status, answer = raw_post(fake, "sendMessage", b"text=hi", "application/x-www-form-urlencoded")
    assert (status, answer["description"]) == (400, "Bad Request: chat_id is empty")
    status, answer = raw_post(
        fake, "sendChatAction", b"chat_id=1001", "application/x-www-form-urlencoded"
    )
    assert (status, answer["description"]) == (400, 'Bad Request: parameter "action" is required')


def test_json_bodies_are_accepted_with_markup_as_an_object(fake):
    markup = {"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}
    body = json.dumps({"chat_id": USER, "text": "Sure?", "reply_markup": markup}).encode()
    status, answer = raw_post(fake, "sendMessage", body, "application/json")
    assert status == 200
    assert answer["ok"] is True
    assert answer["result"]["reply_markup"] == markup
    assert fake.last_message(USER).reply_markup == markup
    status, answer = raw_post(fake, "sendmessage", body, "application/json")  # any case
    assert status == 200


def test_method_names_are_checked_against_the_spec(fake):
    with pytest.raises(ValueError, match=r"unknown Bot API method"):
        fake.fail_next("sendTelepathy")


# -- sending, limits, formatting ------------------------------------------------------------------


async def test_send_message_with_an_inline_keyboard_round_trips(bot, fake):
    markup = keyboard([("Yes", "answer:yes"), ("No", "answer:no")], [("Later", "later")])
    sent = await bot.send_message(USER, "Ready?", reply_markup=markup)
    assert sent.reply_markup == markup
    assert sent.chat.id == USER
    assert sent.chat.first_name == "Dana"
    assert sent.from_user.is_bot

    stored = fake.last_message(USER)
    assert (stored.message_id, stored.text, stored.parse_mode) == (sent.message_id, "Ready?", None)
    assert stored.reply_markup == markup.to_dict()
    assert stored.button_labels == ["Yes", "No", "Later"]

    update_id = fake.press_button(USER, "No")
    (update,) = await bot.get_updates()
    assert update.update_id == update_id
    query = update.callback_query
    assert query.data == "answer:no"
    assert query.message.message_id == sent.message_id
    assert query.message.reply_markup == markup
    assert query.from_user.first_name == "Dana"
    assert not fake.was_answered(update_id)
    assert await query.answer("Noted")
    assert fake.was_answered(update_id)
    assert fake.callback_answers == [{"callback_query_id": query.id, "text": "Noted"}]
    with pytest.raises(BadRequest, match=r"^Query is too old"):
        await query.answer()


async def test_callback_data_is_limited_to_64_bytes(bot, fake):
    await bot.send_message(USER, "ok", reply_markup=keyboard([("a", "x" * 64)]))
    await bot.send_message(USER, "ok", reply_markup=keyboard([("a", "é" * 32)]))  # 64 bytes
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(USER, "no", reply_markup=keyboard([("a", "x" * 65)]))
    assert wire_error(fake) == "Bad Request: BUTTON_DATA_INVALID"
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(USER, "no", reply_markup=keyboard([("a", "é" * 32 + "x")]))
    with pytest.raises(BadRequest, match=r"^Button_data_invalid$"):
        await bot.send_message(USER, "no", reply_markup=keyboard([("a", "")]))
    assert [m.text for m in fake.messages(USER)] == ["ok", "ok"]


async def test_text_is_limited_to_4096_characters_after_entity_parsing(bot, fake):
    await bot.send_message(USER, "a" * 4096)
    await bot.send_message(USER, "<b>" + "&amp;" * 4096 + "</b>", parse_mode="HTML")
    await bot.send_message(USER, "\N{SMILING FACE WITH SMILING EYES}" * 4096)  # code points
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(USER, "a" * 4097)
    assert wire_error(fake) == "Bad Request: message is too long"
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await bot.send_message(USER, "<i>" + "a" * 4097 + "</i>", parse_mode="HTML")
    assert fake.messages(USER)[1].text == "&" * 4096


async def test_empty_text_is_refused(bot, fake):
    for text in (" \n ", "<b></b>", "<b> </b>"):
        with pytest.raises(BadRequest, match=r"^Message text is empty$"):
            await bot.send_message(USER, text, parse_mode="HTML")
    assert fake.messages(USER) == []


async def test_text_is_trimmed_and_entities_follow(bot, fake):
    sent = await bot.send_message(USER, "\n  <b>Hi</b> there  \n", parse_mode="HTML")
    assert sent.text == "Hi there"
    assert sent.entities[0].offset == 0
    assert sent.entities[0].length == 2
    assert fake.last_message(USER).raw == "\n  <b>Hi</b> there  \n"


async def test_html_is_checked_like_telegram(bot, fake):
    sent = await bot.send_message(USER, "<b>ok</b>", parse_mode="HTML")
    assert sent.text == "ok"
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [("bold", 0, 2)]
    with pytest.raises(BadRequest, match=r'^Can\'t parse entities: unsupported start tag "x" at'):
        await bot.send_message(USER, "<x>hm</x>", parse_mode="HTML")
    assert wire_error(fake) == (
        'Bad Request: can\'t parse entities: Unsupported start tag "x" at byte offset 0'
    )
    with pytest.raises(BadRequest, match=r'unsupported start tag "" at byte offset 2$'):
        await bot.send_message(USER, "a < b", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"can't find end tag corresponding to start tag b"):
        await bot.send_message(USER, "<b>bold", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r'expected "</i>", found "</b>"'):
        await bot.send_message(USER, "<b><i>x</b></i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match=r"unexpected end tag at byte offset 1$"):
        await bot.send_message(USER, "x</b>", parse_mode="HTML")
    # the same text without parse_mode is plain text
    assert (await bot.send_message(USER, "a < b")).text == "a < b"
    assert [m.text for m in fake.messages(USER)] == ["ok", "a < b"]


async def test_a_bare_ampersand_passes_like_on_telegram_unless_strict(bot, fake):
    sent = await bot.send_message(USER, "Tom & Jerry &copy; &lt;3", parse_mode="HTML")
    assert sent.text == "Tom & Jerry &copy; <3"
    fake.strict_html = True
    with pytest.raises(BadRequest, match=r'character "&" at byte offset 4'):
        await bot.send_message(USER, "Tom & Jerry", parse_mode="HTML")


@pytest.mark.parametrize(
    ("html", "error"),
    [
        # tdlib's own test cases (td/test/message_entities.cpp)
        ("🏟 🏟&lt;<abacaba", "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;<abac aba>", 'Unsupported start tag "abac" at byte offset 13'),
        ("🏟 🏟&lt;<i   =aba>", 'Empty attribute name in the tag "i" at byte offset 13'),
        (
            "🏟 🏟&lt;<i    aba>",
            'Expected equal sign in declaration of an attribute of the tag "i" at byte offset 13',
        ),
        ("🏟 🏟&lt;<i    aba  =  ", 'Unclosed start tag "i" at byte offset 13'),
        ("🏟 🏟&lt;<i    aba  =  190azAz-.,", "Unexpected end of name token at byte offset 27"),
        ('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', "Unclosed start tag at byte offset 13"),
        ("🏟 🏟&lt;</", "Unexpected end tag at byte offset 13"),
        ("🏟 🏟&lt;<b></b></", "Unexpected end tag at byte offset 20"),
        ("🏟 🏟&lt;<i>a</i   ", "Unclosed end tag at byte offset 17"),
        (
            "🏟 🏟&lt;<i>a</em   >",
            'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"',
        ),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("&#xDFDF;", "Text contains invalid Unicode characters after decoding HTML entities"),
    ],
)
def test_html_errors_match_tdlib(html, error):
    with pytest.raises(Exception, match=r"^" + error.replace("(", r"\(")):
        parse_html(html)


@pytest.mark.parametrize(
    ("html", "text", "entities"),
    [
        ("&lt;&gt;&amp;&quot;&laquo;&#12345678;", '<>&"&laquo;&#12345678;', []),
        ("🏟 🏟<i>🏟 &lt🏟</i>", "🏟 🏟🏟 <🏟", [("italic", 5, 6)]),
        ("<b>a<i>b</i></b>", "ab", [("bold", 0, 2), ("italic", 1, 1)]),
        ('<a href="https://example.org/?a=1&amp;b=2">x</a>', "x", [("text_link", 0, 1)]),
        ("<b></b>x", "x", []),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st", [("spoiler", 0, 1)]),
        ("<blockquote expandable>q</blockquote>", "q", [("expandable_blockquote", 0, 1)]),
        ("<i>a</>", "a", [("italic", 0, 1)]),
    ],
)
def test_html_parses_like_tdlib(html, text, entities):
    visible, found = parse_html(html)
    assert visible == text
    assert [(e["type"], e["offset"], e["length"]) for e in found][: len(entities)] == entities


def test_pre_with_a_language():
    _, found = parse_html('<pre><code class="language-python">x = 1</code></pre>')
    assert found == [{"type": "pre", "offset": 0, "length": 5, "language": "python"}]
    _, found = parse_html('<code class="language-python">x</code>')
    assert found == [{"type": "code", "offset": 0, "length": 1}]


# -- edits and deletes ----------------------------------------------------------------------------


async def test_an_edit_that_changes_nothing_is_refused(bot, fake):
    markup = keyboard([("Go", "go")])
    sent = await bot.send_message(USER, "<b>Step 1</b>", parse_mode="HTML", reply_markup=markup)
    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message"):
        await bot.edit_message_text(
            "<b>Step 1</b>", USER, sent.message_id, parse_mode="HTML", reply_markup=markup
        )
    assert wire_error(fake) == "Bad Request: " + NOT_MODIFIED
    # same visible text, different formatting: that is a change
    await bot.edit_message_text("Step 1", USER, sent.message_id, reply_markup=markup)
    # only the keyboard changes: a change too
    await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=keyboard([("X", "x")]))
    with pytest.raises(BadRequest, match=r"Message is not modified"):
        await bot.edit_message_reply_markup(
            USER, sent.message_id, reply_markup=keyboard([("X", "x")])
        )
    # an edit without reply_markup removes the keyboard, as on Telegram
    edited = await bot.edit_message_text("Step 2", USER, sent.message_id)
    assert edited.reply_markup is None

    stored = fake.last_message(USER)
    assert (stored.message_id, stored.text, stored.reply_markup) == (
        sent.message_id,
        "Step 2",
        None,
    )
    assert [v.method for v in stored.history] == [
        "sendMessage",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageText",
    ]
    assert [v.text for v in stored.history] == ["Step 1", "Step 1", "Step 1", "Step 2"]
    assert stored.history[0].raw == "<b>Step 1</b>"
    assert stored.history[2].reply_markup == keyboard([("X", "x")]).to_dict()
    assert len(stored.edits) == 3


async def test_edit_and_delete_of_missing_messages(bot, fake):
    sent = await bot.send_message(USER, "hello")
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", USER, sent.message_id + 10)
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(USER, sent.message_id + 10)
    assert await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await bot.delete_message(USER, sent.message_id)
    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await bot.edit_message_text("x", USER, sent.message_id)
    assert fake.messages(USER) == []
    assert fake.messages(USER, include_deleted=True)[0].deleted
    fake.send_text(USER, "mine")
    (mine,) = fake.user_messages(USER)
    with pytest.raises(BadRequest, match=r"^Message can't be edited$"):
        await bot.edit_message_text("x", USER, mine["message_id"])
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await bot.send_message(4242, "who?")


# -- updates --------------------------------------------------------------------------------------


async def test_get_updates_returns_queued_updates_and_drops_confirmed_ones(bot, fake):
    first = fake.send_text(USER, "/start")
    second = fake.send_sticker(USER)
    third = fake.send_location(USER)
    assert fake.pending_updates() == 3

    updates = await bot.get_updates(limit=2)
    assert [u.update_id for u in updates] == [first, second]
    assert updates[0].message.text == "/start"
    assert updates[0].message.entities[0].type == "bot_command"
    assert updates[1].message.sticker is not None
    # not confirmed yet: the same batch again
    assert [u.update_id for u in await bot.get_updates(limit=2)] == [first, second]
    # confirming the first two
    assert [u.update_id for u in await bot.get_updates(offset=second + 1)] == [third]
    assert fake.pending_updates() == 1
    assert (await bot.get_updates(offset=second + 1))[0].message.location is not None
    assert await bot.get_updates(offset=third + 1) == ()
    assert fake.pending_updates() == 0


async def test_every_kind_of_user_action_parses(bot, fake):
    fake.send_photo(USER, caption="look")
    fake.send_voice(USER)
    fake.send_document(USER, file_name="plan.pdf", mime_type="application/pdf")
    original = fake.send_text(USER, "typo")
    updates = await bot.get_updates()
    assert updates[0].message.photo[-1].width == 800
    assert updates[0].message.caption == "look"
    assert updates[1].message.voice.mime_type == "audio/ogg"
    assert updates[2].message.document.file_name == "plan.pdf"
    message_id = updates[3].message.message_id
    fake.edit_text(USER, message_id, "fixed")
    updates = await bot.get_updates(offset=original + 1)
    assert updates[0].edited_message.text == "fixed"
    assert updates[0].edited_message.message_id == message_id
    assert updates[0].edited_message.edit_date is not None


async def test_long_poll_returns_as_soon_as_an_update_arrives(bot, fake):
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < time.monotonic() - started < 3

    poll = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.3)
    assert not poll.done()
    started = time.monotonic()
    update_id = fake.send_text(USER, "hello")
    updates = await asyncio.wait_for(poll, 5)
    assert [u.update_id for u in updates] == [update_id]
    assert time.monotonic() - started < 2


async def test_a_second_poll_terminates_the_first(bot, fake):
    first = asyncio.create_task(bot.get_updates(timeout=20))
    await asyncio.sleep(0.3)
    async with telegram.Bot(fake.token, base_url=fake.base_url) as other:
        assert await other.get_updates(timeout=0) == ()
    with pytest.raises(telegram.error.Conflict, match=r"terminated by other getUpdates request"):
        await asyncio.wait_for(first, 5)


async def test_redelivery_repeats_the_same_update_id(bot, fake):
    update_id = fake.send_text(USER, "once")
    assert [u.update_id for u in await bot.get_updates()] == [update_id]
    assert await bot.get_updates(offset=update_id + 1) == ()
    assert fake.redeliver(update_id) == update_id
    (again,) = await bot.get_updates(offset=update_id + 1)
    assert (again.update_id, again.message.text) == (update_id, "once")
    assert await bot.get_updates(offset=update_id + 1) == ()


async def test_delete_webhook_can_drop_pending_updates(bot, fake):
    fake.send_text(USER, "old")
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert fake.pending_updates() == 0
    assert await bot.get_updates() == ()


# -- failures -------------------------------------------------------------------------------------


async def test_fail_next_429_raises_retry_after(bot, fake, monkeypatch):
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # else reading retry_after warns (an error here)
    fake.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hi")
    assert caught.value.retry_after == dtm.timedelta(seconds=7)
    assert fake.messages(USER) == []
    await bot.send_message(USER, "hi")  # only the next call failed
    assert [m.text for m in fake.messages(USER)] == ["hi"]
    call = fake.call_log[-2]
    assert (call.status, call.description, call.injected) == (
        429,
        "Too Many Requests: retry after 7",
        True,
    )


async def test_fail_next_server_errors_and_counts(bot, fake):
    fake.fail_next("sendMessage", status=500, count=2)
    fake.fail_next("getMe", status=502)
    for _ in range(2):
        with pytest.raises(NetworkError, match=r"Internal Server Error"):
            await bot.send_message(USER, "hi")
    with pytest.raises(NetworkError, match=r"Bad Gateway"):
        await bot.get_me()
    await bot.send_message(USER, "hi")
    assert len(fake.requests_to("sendMessage")) == 3
    assert len(fake.requests_to("sendMessage", ok_only=True)) == 1


async def test_a_lost_response_still_delivers_the_message(bot, fake):
    fake.fail_next("sendMessage", status=502, applied=True)
    with pytest.raises(NetworkError):
        await bot.send_message(USER, "sent twice?")
    assert [m.text for m in fake.messages(USER)] == ["sent twice?"]


async def test_blocked_user_forbids_sends_and_edits(bot, fake):
    sent = await bot.send_message(USER, "before")
    fake.block(USER)
    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await bot.send_message(USER, "after")
    with pytest.raises(Forbidden):
        await bot.edit_message_text("edit", USER, sent.message_id)
    with pytest.raises(Forbidden):
        await bot.send_document(USER, b"data", filename="a.txt")
    fake.unblock(USER)
    await bot.send_message(USER, "again")
    assert [m.text for m in fake.messages(USER)] == ["before", "again"]


# -- files, commands, actions ---------------------------------------------------------------------


async def test_send_document_stores_the_file_name_and_bytes(bot, fake):
    data = bytes(range(256)) + b"\r\n--boundary-looking\r\n" + "é".encode()
    sent = await bot.send_document(
        USER,
        io.BytesIO(data),
        filename='journal "2026" é.txt',
        caption="<i>Your</i> journal",
        parse_mode="HTML",
    )
    assert sent.document.file_name == 'journal "2026" é.txt'
    assert sent.document.file_size == len(data)
    assert sent.caption == "Your journal"
    stored = fake.last_message(USER)
    assert stored.kind == "document"
    assert stored.file["file_name"] == 'journal "2026" é.txt'
    assert stored.file["mime_type"] == "text/plain"
    assert stored.data == data
    assert stored.caption == "Your journal"
    (params,) = fake.requests_to("sendDocument")
    assert params["document"].data == data
    # the file_id can be sent again
    again = await bot.send_document(USER, sent.document.file_id)
    assert again.document.file_name == 'journal "2026" é.txt'
    with pytest.raises(BadRequest, match=r"^Wrong file identifier/http url specified$"):
        await bot.send_document(USER, "no-such-file-id")
    with pytest.raises(BadRequest, match=r"caption is too long"):
        await bot.send_document(USER, b"x", filename="x.txt", caption="c" * 1025)


async def test_send_photo(bot, fake):
    sent = await bot.send_photo(USER, b"\x89PNG fake", caption="a picture")
    assert sent.photo[-1].file_size == len(b"\x89PNG fake")
    assert fake.last_message(USER).kind == "photo"
    assert fake.last_message(USER).caption == "a picture"
    assert fake.last_message(USER).message_id == sent.message_id


async def test_commands_and_chat_actions(bot, fake):
    await bot.set_my_commands([("start", "Begin"), ("help", "What this bot does")])
    assert fake.commands == [
        {"command": "start", "description": "Begin"},
        {"command": "help", "description": "What this bot does"},
    ]
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start!", "Begin")])
    assert await bot.send_chat_action(USER, "typing")
    assert fake.chat_actions == [(USER, "typing")]
    with pytest.raises(BadRequest, match=r"^Wrong parameter action in request$"):
        await bot.send_chat_action(USER, "dancing")
    assert await bot.close()
    assert await bot.log_out()
    assert fake.closed
    assert fake.logged_out


# -- waiting --------------------------------------------------------------------------------------


async def test_wait_for_text_finds_answers_to_the_latest_user_action(bot, fake):
    await bot.send_message(USER, "Welcome!")
    fake.send_text(USER, "/start")
    with pytest.raises(AssertionError, match=r"(?s)waiting in chat 1001.*Welcome!.*sendMessage"):
        await fake.wait_for_text_async(USER, "Welcome", timeout=0.2)  # that one came before
    # found even though it arrives before the wait starts
    await bot.send_message(USER, "Welcome back!")
    found = await fake.wait_for_text_async(USER, "Welcome")
    assert found.text == "Welcome back!"
    assert (await fake.wait_for_text_async(USER, "Welcome", since=0)).text == "Welcome!"

    mark = fake.mark()
    await bot.edit_message_text("Welcome, edited", USER, found.message_id)
    edited = await fake.wait_for_text_async(USER, "edited", since=mark)
    assert edited.message_id == found.message_id
    assert edited.changed_seq > mark >= edited.sent_seq


async def test_waits_refuse_to_block_the_event_loop(fake):
    with pytest.raises(RuntimeError, match=r"wait_for_text_async"):
        fake.wait_for_text(USER, "x", timeout=0.1)


def test_wait_until_times_out_with_a_dump(fake):
    fake.send_text(USER, "anyone?")
    with pytest.raises(AssertionError, match=r"(?s)timed out.*anyone\?"):
        fake.wait_until(lambda: fake.messages(USER), timeout=0.2)


def test_user_actions_need_real_targets(fake):
    with pytest.raises(AssertionError, match=r"no bot message with an inline keyboard"):
        fake.press_button(USER, "Yes")
    with pytest.raises(AssertionError, match=r"no bot message 5"):
        fake.press(USER, 5, "x")
    with pytest.raises(AssertionError, match=r"sent no text message 9"):
        fake.edit_text(USER, 9, "x")


# -- a whole PTB Application polling the fake ------------------------------------------------------


async def test_an_application_polls_answers_and_stops_cleanly(fake):
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.effective_message.reply_text(
            "<b>Hello</b>, pick one", parse_mode="HTML", reply_markup=keyboard([("Tea", "tea")])
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer()
        await query.edit_message_text(f"You chose {query.data}")

    app: Application = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1, drop_pending_updates=True)
        fake.send_text(USER, "/start")
        greeting = await fake.wait_for_text_async(USER, "Hello, pick one")
        assert greeting.entities == [{"type": "bold", "offset": 0, "length": 5}]
        update_id = fake.press_button(USER, "Tea")
        chosen = await fake.wait_for_text_async(USER, "You chose tea")
        assert chosen.message_id == greeting.message_id
        assert chosen.reply_markup is None
        assert fake.was_answered(update_id)
        await app.updater.stop()
        await app.stop()
    methods = [method for method, _ in fake.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert {"getUpdates", "sendMessage", "answerCallbackQuery", "editMessageText"} <= set(methods)
    assert fake.pending_updates() == 0
    assert fake.server_errors == []


def test_wait_until_also_notices_changes_outside_the_fake(fake):
    flag = threading.Event()
    threading.Timer(0.2, flag.set).start()
    started = time.monotonic()
    assert fake.wait_until(flag.is_set, timeout=5)
    assert time.monotonic() - started < 1
