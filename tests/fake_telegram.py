"""A fake Telegram Bot API server for end-to-end tests, standard library only.

It listens on 127.0.0.1 (a free port) in a background thread and answers the way
api.telegram.org does: every answer is the Bot API envelope ``{"ok": true, "result": ...}`` or
``{"ok": false, "error_code": N, "description": "..."}``, with Telegram's real error texts for the
limits a bot commonly hits (empty or too long text, bad HTML, callback_data over 64 bytes,
"message is not modified", blocked users, flood control).

Point python-telegram-bot at it (in an async test)::

    with FakeTelegram() as fake:
        app = ApplicationBuilder().token(fake.token).base_url(fake.base_url).build()
        ...  # add handlers
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0, timeout=1)
            fake.send_text(1001, "/start")
            await fake.wait_for_text_async(1001, "Welcome")
            fake.press_button(1001, "Begin")
            ...
            await app.updater.stop()
            await app.stop()

Reading ``RetryAfter.retry_after`` in PTB 22 warns unless PTB_TIMEDELTA=true is set, and this
project's pytest turns warnings into errors: set that variable when testing flood control.

Every call is checked against the machine-readable Bot API description
(``telegram-bot-api-spec/api.json``): an unknown method gives 404, a parameter the method does not
have gives 400 "Bad Request: unknown parameter X", a missing required one gives 400. Real
Telegram ignores unknown parameters; the fake is stricter on purpose, to catch typos.

Tests act as users (``send_text``, ``press_button``, ...) and observe what the bot did
(``messages``, ``wait_for_text``, ``calls``). Users are private chats: chat id == user id.
All waits are bounded and raise AssertionError with a transcript of the chat on timeout. The
waits block the calling thread: inside an ``async def`` test use the ``*_async`` variants, or the
bot (running on the same event loop) would never get to answer.

Not modelled: groups and channels, inline mode, payments, webhooks delivering updates (setWebhook
is only recorded), Markdown/MarkdownV2 parsing (text is stored as sent), automatic detection of
URLs/mentions in the bot's text.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import os
import re
import select
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "BLOCKED",
    "NOT_MODIFIED",
    "BotMessage",
    "Call",
    "FakeTelegram",
    "HtmlParseError",
    "MessageVersion",
    "UploadedFile",
    "load_spec",
    "parse_html",
    "parse_multipart",
]

# -- the Bot API description ----------------------------------------------------------------------

SPEC_ENV = "TELEGRAM_BOT_API_SPEC"
# Kept in the repository (MIT, see its LICENSE and README there), so that a fresh clone on its
# own runs the end-to-end tests; TELEGRAM_BOT_API_SPEC points at a newer one.
_SPEC_CANDIDATES = (
    Path(__file__).resolve().parent / "data" / "telegram-bot-api-spec" / "api.json",
)
_spec_cache: dict[Path, dict[str, Any]] = {}
_spec_lock = threading.Lock()


def _find_spec(path: str | os.PathLike[str] | None) -> Path:
    if path is not None:
        return Path(path)
    if os.environ.get(SPEC_ENV):
        return Path(os.environ[SPEC_ENV])
    for candidate in _SPEC_CANDIDATES:
        if candidate.is_file():
            return candidate
    tried = ", ".join(str(c) for c in _SPEC_CANDIDATES)
    raise FileNotFoundError(
        f"Bot API description api.json not found; set {SPEC_ENV} or put it at one of: {tried}"
    )


def load_spec(path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    """The ``methods`` table of api.json, cached per file."""
    where = _find_spec(path)
    with _spec_lock:
        if where not in _spec_cache:
            data = json.loads(where.read_text(encoding="utf-8"))
            _spec_cache[where] = data["methods"]
        return _spec_cache[where]


# -- errors and small records --------------------------------------------------------------------


class ApiError(Exception):
    """An error answer: HTTP status, description, optional ``parameters``."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


class _ClientGone(Exception):
    """The client closed the connection while a long poll was waiting."""


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    field: str
    filename: str
    content_type: str
    data: bytes = field(repr=False)

    def __repr__(self) -> str:
        return f"UploadedFile({self.field!r}, {self.filename!r}, {len(self.data)} bytes)"


@dataclass
class Call:
    """One request the fake received (recorded even when it was answered with an error)."""

    method: str
    params: dict[str, Any]
    status: int | None = None
    description: str | None = None
    injected: bool = False  # the answer came from fail_next()


@dataclass
class MessageVersion:
    """One state of a bot message: the original send, then one per successful edit."""

    seq: int
    method: str
    text: str | None
    caption: str | None
    raw: str | None
    parse_mode: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None


@dataclass
class BotMessage:
    """A message the bot sent, with edits applied in place and the history kept.

    ``text``/``caption`` are what the user sees (tags removed, entities decoded, trimmed), ``raw``
    is the text or caption exactly as the bot sent it, ``entities`` the parsed formatting.
    ``sent_seq``/``changed_seq`` are ``fake.mark()`` values of the send and of the last edit.
    """

    chat_id: int
    message_id: int
    kind: str  # "text" | "document" | "photo"
    text: str | None
    caption: str | None
    raw: str | None
    parse_mode: str | None
    entities: list[dict[str, Any]]
    reply_markup: dict[str, Any] | None
    date: int
    sent_seq: int
    changed_seq: int
    history: list[MessageVersion]
    file: dict[str, Any] | None = None  # file_id, file_unique_id, file_name, mime_type, file_size
    data: bytes | None = field(default=None, repr=False)  # uploaded bytes, if uploaded
    edit_date: int | None = None
    changed_at: float = 0.0  # time.monotonic() of the send or the last edit, for benchmarks
    deleted: bool = False

    @property
    def content(self) -> str:
        """Text or caption, whichever the message has ('' if neither)."""
        return self.text if self.text is not None else (self.caption or "")

    @property
    def edits(self) -> list[MessageVersion]:
        """Every edit, oldest first (the states after each edit)."""
        return self.history[1:]

    @property
    def buttons(self) -> list[list[dict[str, Any]]]:
        """Rows of inline keyboard buttons ([] without an inline keyboard)."""
        if not self.reply_markup:
            return []
        return self.reply_markup.get("inline_keyboard") or []

    @property
    def button_labels(self) -> list[str]:
        """Labels of the inline buttons, row by row."""
        return [button.get("text", "") for row in self.buttons for button in row]

    def button(self, label: str) -> dict[str, Any]:
        """The inline button with exactly this label."""
        for row in self.buttons:
            for button in row:
                if button.get("text") == label:
                    return button
        raise AssertionError(
            f"no button {label!r} on message {self.message_id}; it has {self.button_labels}"
        )


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    applied: bool
    chat_id: int | None = None  # only calls to this chat; None: any call


@dataclass
class _Hang:
    seconds: float
    chat_id: int | None = None  # only calls to this chat; None: any call


@dataclass
class _Queued:
    update_id: int
    payload: dict[str, Any]
    forced: bool = False  # queued by redeliver(): delivered whatever the offset
    delivered: bool = False


@dataclass
class _UserMessage:
    chat_id: int
    message_id: int
    json: dict[str, Any]
    deleted: bool = False


# -- Telegram's HTML parser, re-implemented -------------------------------------------------------


class HtmlParseError(Exception):
    """Telegram would answer "Bad Request: can't parse entities: <this message>"."""


_HTML_TAGS = frozenset(
    {"a", "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "code", "pre"}
    | {"blockquote", "tg-spoiler", "span", "tg-emoji"}
)
_SPACES = frozenset(" \t\r\n\v\f\0")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_ENTITY = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _u16(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(s: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at s[pos] == '&' as Telegram does; None if it is not one."""

    def at(i: int) -> str:
        return s[i] if i < len(s) else ""

    end = pos + 1
    if at(end) == "#":
        end += 1
        if at(end) == "x":
            end += 1
            start = end
            while at(end) and at(end) in "0123456789abcdefABCDEF":
                end += 1
            code = int(s[start:end], 16) if end > start else 0
        else:
            start = end
            while at(end) and at(end) in "0123456789":
                end += 1
            code = int(s[start:end]) if end > start else 0
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return None
        char = chr(code)
    else:
        while at(end) and at(end).isascii() and at(end).isalpha():
            end += 1
        char = _NAMED_ENTITIES.get(s[pos + 1 : end], "")
        if not char:
            return None
    if at(end) == ";":
        end += 1
    return char, end


def _checked_link(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    scheme = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*)://", url)
    if scheme:
        return url if scheme.group(1).lower() in {"http", "https", "tg", "ton"} else None
    if re.match(r"[\w-]+(\.[\w-]+)+(?::\d+)?(?:[/?#]|$)", url):
        return "http://" + url + ("" if re.search(r"[/?#]", url) else "/")
    return None


def parse_html(text: str, *, strict_ampersand: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Telegram's HTML parse mode: (visible text, Bot API MessageEntity dicts).

    Follows tdlib's parser (td/telegram/MessageEntity.cpp): the supported tags, attribute rules,
    entity decoding (&lt; &gt; &amp; &quot; and numeric references; anything else after '&' is kept
    literally, as Telegram does), and its error messages with UTF-8 byte offsets. With
    ``strict_ampersand`` a '&' that starts no entity is an error, as the Bot API documentation
    (but not the server) demands. Offsets and lengths of entities are in UTF-16 code units.
    """
    s = text
    n = len(s)

    def at(i: int) -> str:
        return s[i] if i < n else ""

    def byte_offset(i: int) -> int:
        return len(s[:i].encode("utf-8", "surrogatepass"))

    def is_space(ch: str) -> bool:
        return ch in _SPACES

    out: list[str] = []
    utf16 = 0
    entities: list[dict[str, Any]] = []
    # (tag, argument, utf16 offset, visible-text length at start, expandable)
    stack: list[tuple[str, str, int, int, bool]] = []
    saw_surrogate = False
    i = 0
    while i < n:
        c = s[i]
        if c == "&":
            decoded = _decode_entity(s, i)
            if decoded is not None:
                char, i = decoded
                if 0xD800 <= ord(char) <= 0xDFFF:
                    saw_surrogate = True
                out.append(char)
                utf16 += _u16(char) if not 0xD800 <= ord(char) <= 0xDFFF else 1
                continue
            if strict_ampersand:
                raise HtmlParseError(
                    f'Character "&" at byte offset {byte_offset(i)} must be escaped as "&amp;"'
                )
        if c != "<":
            out.append(c)
            utf16 += _u16(c) if not 0xD800 <= ord(c) <= 0xDFFF else 1
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != "/":
            while at(i) and not is_space(at(i)) and at(i) != ">":
                i += 1
            if not at(i):
                raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            tag = s[begin + 1 : i].lower()
            if tag not in _HTML_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{tag}" at byte offset {byte_offset(begin)}'
                )
            argument = ""
            expandable = False
            while at(i) != ">":
                while at(i) and is_space(at(i)):
                    i += 1
                if at(i) == ">":
                    break
                if not at(i):
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                name_begin = i
                while at(i) and not is_space(at(i)) and at(i) not in "=>":
                    i += 1
                name = s[name_begin:i]
                if not name:
                    raise HtmlParseError(
                        f'Empty attribute name in the tag "{tag}" '
                        f"at byte offset {byte_offset(begin)}"
                    )
                while at(i) and is_space(at(i)):
                    i += 1
                if at(i) != "=":
                    if tag == "blockquote" and name.lower() == "expandable":
                        expandable = True
                        continue
                    raise HtmlParseError(
                        "Expected equal sign in declaration of an attribute of the tag "
                        f'"{tag}" at byte offset {byte_offset(begin)}'
                    )
                i += 1
                while at(i) and is_space(at(i)):
                    i += 1
                if not at(i):
                    raise HtmlParseError(
                        f'Unclosed start tag "{tag}" at byte offset {byte_offset(begin)}'
                    )
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i) and (at(i) in _ASCII_ALNUM or at(i) in ".-"):
                        i += 1
                    value = s[token_begin:i].lower()
                    if at(i) and not is_space(at(i)) and at(i) != ">":
                        raise HtmlParseError(
                            "Unexpected end of name token at byte offset "
                            f"{byte_offset(token_begin)}"
                        )
                else:
                    quote = at(i)
                    i += 1
                    chars: list[str] = []
                    while at(i) and at(i) != quote:
                        if at(i) == "&":
                            decoded = _decode_entity(s, i)
                            if decoded is not None:
                                chars.append(decoded[0])
                                i = decoded[1]
                                continue
                        chars.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = "".join(chars)
                if not at(i):
                    raise HtmlParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                if tag == "a" and name == "href":
                    argument = value
                elif tag == "code" and name == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and name == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and name == "emoji-id":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise HtmlParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}'
                )
            stack.append((tag, argument, utf16, len(out), expandable))
            i += 1  # the '>'
            continue

        # an end tag
        if not stack:
            raise HtmlParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
        while at(i) and not is_space(at(i)) and at(i) != ">":
            i += 1
        end_tag = s[begin + 2 : i].lower()
        while at(i) and is_space(at(i)):
            i += 1
        if at(i) != ">":
            raise HtmlParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
        tag, argument, start, out_start, expandable = stack[-1]
        if end_tag and end_tag != tag:
            raise HtmlParseError(
                f"Unmatched end tag at byte offset {byte_offset(begin)}, "
                f'expected "</{tag}>", found "</{end_tag}>"'
            )
        length = utf16 - start
        if length > 0:
            _add_entity(
                entities, tag, argument, start, length, "".join(out[out_start:]), expandable
            )
        stack.pop()
        i += 1  # the '>'

    if stack:
        raise HtmlParseError(f"Can't find end tag corresponding to start tag {stack[-1][0]}")
    if saw_surrogate:
        raise HtmlParseError(
            "Text contains invalid Unicode characters after decoding HTML entities, "
            "check for unmatched surrogate code units"
        )
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)  # only a <pre> keeps the language of its <code>
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _add_entity(
    entities: list[dict[str, Any]],
    tag: str,
    argument: str,
    offset: int,
    length: int,
    inner: str,
    expandable: bool,
) -> None:
    if tag in _SIMPLE_ENTITY:
        entities.append({"type": _SIMPLE_ENTITY[tag], "offset": offset, "length": length})
    elif tag == "tg-emoji":
        if not argument.isdigit() or int(argument) == 0:
            raise HtmlParseError("Invalid custom emoji identifier specified")
        entities.append(
            {
                "type": "custom_emoji",
                "offset": offset,
                "length": length,
                "custom_emoji_id": argument,
            }
        )
    elif tag == "a":
        url = argument or inner
        user = re.fullmatch(r"tg://user\?id=(\d+)", url.strip())
        if user:
            entities.append(
                {
                    "type": "text_mention",
                    "offset": offset,
                    "length": length,
                    "user": {"id": int(user.group(1)), "is_bot": False, "first_name": inner},
                }
            )
        else:
            checked = _checked_link(url)
            if checked is not None:
                entities.append(
                    {"type": "text_link", "offset": offset, "length": length, "url": checked}
                )
    elif tag == "pre":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "code"
            and (last["offset"], last["length"]) == (offset, length)
            and last.get("language")
        ):
            last["type"] = "pre"
        else:
            entities.append({"type": "pre", "offset": offset, "length": length})
    elif tag == "code":
        last = entities[-1] if entities else None
        if (
            last is not None
            and last["type"] == "pre"
            and (last["offset"], last["length"]) == (offset, length)
            and argument
        ):
            last["language"] = argument
        else:
            entity: dict[str, Any] = {"type": "code", "offset": offset, "length": length}
            if argument:
                entity["language"] = argument  # dropped below unless a <pre> claims it
            entities.append(entity)
    elif tag == "blockquote":
        kind = "expandable_blockquote" if expandable else "blockquote"
        entities.append({"type": kind, "offset": offset, "length": length})


_TRIM = " \t\r\n\v\f"


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Telegram strips leading and trailing whitespace of message texts and captions."""
    left = len(text) - len(text.lstrip(_TRIM))
    trimmed = text.strip(_TRIM)
    if not trimmed:
        return "", []
    total = _u16(trimmed)
    shift = _u16(text[:left])
    fixed = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, total)
        if end > start:
            fixed.append({**entity, "offset": start, "length": end - start})
    return trimmed, fixed


# -- multipart and form parsing -------------------------------------------------------------------


def _disposition_param(header: str, name: str) -> str | None:
    star = re.search(rf"(?:^|;)\s*{name}\*\s*=\s*([^';]*)'[^']*'([^;]*)", header, re.IGNORECASE)
    if star:
        return unquote(star.group(2).strip(), encoding=star.group(1) or "utf-8")
    quoted = re.search(rf'(?:^|;)\s*{name}\s*=\s*"((?:[^"\\]|\\.)*)"', header, re.IGNORECASE)
    if quoted:
        value = quoted.group(1)
        # httpx/HTML5 form encoding: '"' -> %22, '\' -> '\\', control characters -> %XX
        value = re.sub(r"\\(.)", r"\1", value)
        return re.sub(r"%([01][0-9A-F]|22)", lambda m: chr(int(m.group(1), 16)), value)
    token = re.search(rf"(?:^|;)\s*{name}\s*=\s*([^;\s]+)", header, re.IGNORECASE)
    return token.group(1) if token else None


def parse_multipart(
    body: bytes, content_type: str
) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    """Split a multipart/form-data body into text fields and file parts."""
    found = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', content_type, re.IGNORECASE)
    if not found:
        raise _bad("multipart boundary is not specified")
    boundary = (found.group(1) or found.group(2)).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    chunks = (b"\r\n" + body).split(b"\r\n--" + boundary)
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break
        part = chunk.split(b"\r\n", 1)[1] if b"\r\n" in chunk else b""
        head, sep, data = part.partition(b"\r\n\r\n")
        if not sep:
            raise _bad("can't parse multipart/form-data body")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name = _disposition_param(disposition, "name")
        if name is None:
            raise _bad("can't parse multipart/form-data body: a part has no name")
        filename = _disposition_param(disposition, "filename")
        if filename is None:
            fields[name] = data.decode("utf-8", "replace")
        else:
            content = headers.get("content-type", "application/octet-stream")
            files[name] = UploadedFile(name, filename, content, data)
    return fields, files


# -- typing parameters against the spec -----------------------------------------------------------

_PRIMITIVES = {"Integer", "Float", "Boolean", "String", "InputFile"}


def _coerce_one(kind: str, value: Any) -> Any:
    if kind == "Integer":
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value):
            return int(value)
        raise ValueError
    if kind == "Float":
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            return float(value)
        raise ValueError
    if kind == "Boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in {"true", "1", "false", "0"}:
            return value.strip().lower() in {"true", "1"}
        raise ValueError
    if kind == "String":
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        raise ValueError
    if kind == "InputFile":
        raise ValueError  # only a file part is an InputFile; handled by the caller
    # "Array of X" or an object type: JSON-serialized in form data, native in a JSON body
    if isinstance(value, str):
        value = json.loads(value)  # ValueError on bad JSON
    if kind.startswith("Array of "):
        if not isinstance(value, list):
            raise ValueError
        return value
    if not isinstance(value, dict):
        raise ValueError
    return value


def _json_error(name: str) -> ApiError:
    if name == "reply_markup":
        return _bad("can't parse reply keyboard markup JSON object")
    if name in ("entities", "caption_entities"):
        return _bad("can't parse entities JSON object")
    return _bad(f"can't parse {name} JSON object")


# -- the fake -------------------------------------------------------------------------------------

_REQUIRED_MESSAGES = {
    "chat_id": "chat_id is empty",
    "text": "message text is empty",
    "document": "there is no document in the request",
    "photo": "there is no photo in the request",
    "message_id": "message identifier is not specified",
    "callback_query_id": "QUERY_ID_INVALID",
}
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice"}
    | {"upload_document", "choose_sticker", "find_location", "record_video_note"}
    | {"upload_video_note"}
)
_DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
BLOCKED = "Forbidden: bot was blocked by the user"
_FAILURE_TEXT = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_BOT_COMMAND = re.compile(r"/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\w/<>])")


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 resets connections when a bot opens dozens at once.
    request_queue_size = 256
    fake: FakeTelegram

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection errors are expected (clients go away); anything else is a fake bug."""
        error = traceback.format_exc()
        if "ConnectionError" in error or "BrokenPipe" in error or "ConnectionReset" in error:
            return
        self.fake._record_server_error(error)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body go out in separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.fake._connection_opened(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.fake._connection_closed(self.connection)

    def handle(self) -> None:
        with contextlib.suppress(OSError):  # the client or stop() closed the connection
            super().handle()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet; see fake.call_log

    def do_POST(self) -> None:
        self.server.fake._serve(self)

    def do_GET(self) -> None:
        self.server.fake._serve(self)


class FakeTelegram:
    """A fake Bot API server plus a thread-safe API for tests to act as users and observe the bot.

    Users are private chats (chat id == user id). A chat is known once the user did something
    (or after ``add_user``); sending to an unknown chat gives 400 "chat not found", as Telegram
    does for users who never started the bot.
    """

    def __init__(
        self,
        token: str = "123456:TEST-TOKEN",
        *,
        bot_username: str = "SecureBaseTestBot",
        bot_first_name: str = "Secure Base (test)",
        strict_html: bool = False,
        spec_path: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.token = token
        self.strict_html = strict_html
        self._spec = load_spec(spec_path)
        self._method_names = {name.lower(): name for name in self._spec}
        self._clock = clock
        bot_id = int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self._cond = threading.Condition(threading.RLock())
        self._version = 0  # bumped on every change; waits watch it
        self._seq = 0  # the mark() counter
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()
        self._stopping = False
        # state
        self._users: dict[int, dict[str, Any]] = {}
        self._blocked: set[int] = set()
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._bot_messages: dict[int, dict[int, BotMessage]] = {}
        self._user_messages: dict[int, dict[int, _UserMessage]] = {}
        self._queue: list[_Queued] = []
        self._updates: dict[int, dict[str, Any]] = {}
        self._update_ids = itertools.count(700_000_001)
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._callback_ids = itertools.count(4_386_000_000_000_001)
        self._callbacks: dict[str, dict[str, Any]] = {}
        self._files: dict[str, dict[str, Any]] = {}
        self._file_numbers = itertools.count(1)
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._call_log: list[Call] = []
        self._failures: dict[str, list[_Failure]] = {}
        self._hangs: dict[str, list[_Hang]] = {}
        self._chat_actions: list[tuple[int, str]] = []
        self._last_action_seq: dict[int, int] = {}
        self._events: list[tuple[int, int | None, str]] = []
        self._server_errors: list[str] = []
        self.webhook: dict[str, Any] | None = None
        self.closed = False
        self.logged_out = False

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> FakeTelegram:
        """Bind 127.0.0.1 on a free port and serve in a background thread."""
        if self._server is not None:
            return self
        self._stopping = False
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.name = f"FakeTelegram:{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake long polls, close every connection, join the server thread."""
        server = self._server
        if server is None:
            return
        with self._cond:
            self._stopping = True
            self._bump()
        server.shutdown()
        server.server_close()
        with self._cond:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeTelegram:
        return self.start()

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        self.stop()
        if exc_type is None and self._server_errors:
            raise AssertionError("FakeTelegram crashed while serving:\n" + self._server_errors[0])

    @property
    def port(self) -> int:
        """The port the server listens on."""
        if self._server is None:
            raise RuntimeError("FakeTelegram is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url(...)`` / ``Bot(base_url=...)``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def server_errors(self) -> list[str]:
        """Tracebacks of crashes inside the fake (each was answered with a 500)."""
        with self._cond:
            return list(self._server_errors)

    # -- failure injection -------------------------------------------------------------------------
    def fail_next(
        self,
        method: str,
        status: int = 429,
        retry_after: int = 1,
        count: int = 1,
        *,
        description: str | None = None,
        applied: bool = False,
        chat_id: int | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` ("*" for any) with an error.

        429 comes with ``parameters.retry_after``; 500/502 with "Internal Server Error"/"Bad
        Gateway". With ``applied=True`` the call takes effect (the message is stored) and only
        the answer is an error: a lost response. With ``chat_id`` only calls naming that chat
        count (Telegram's flood control is per chat as well as per bot).
        """
        key = self._method_key(method)
        if description is None:
            if status == 429:
                description = f"Too Many Requests: retry after {retry_after}"
            else:
                description = _FAILURE_TEXT.get(status) or HTTPStatus(status).phrase
        failure = _Failure(
            status, description, retry_after if status == 429 else None, applied, chat_id
        )
        with self._cond:
            self._failures.setdefault(key, []).extend(copy.copy(failure) for _ in range(count))

    def hang_next(
        self, method: str, seconds: float, count: int = 1, *, chat_id: int | None = None
    ) -> None:
        """Hold the next ``count`` calls of ``method`` ("*" for any) ``seconds`` before serving.

        A slow network or a slow Telegram: the call then goes on as usual (other connections are
        served meanwhile). With ``chat_id`` only calls naming that chat are held.
        """
        key = self._method_key(method)
        with self._cond:
            self._hangs.setdefault(key, []).extend(_Hang(seconds, chat_id) for _ in range(count))

    def hangs_left(self, method: str) -> int:
        """How many held calls of ``method`` set up by ``hang_next`` have not been met yet."""
        key = self._method_key(method)
        with self._cond:
            return len(self._hangs.get(key, []))

    def _method_key(self, method: str) -> str:
        key = "*" if method == "*" else self._canonical(method)
        if key is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        return key

    def block(self, user_id: int) -> None:
        """The user blocks the bot: every send/edit to that chat answers 403."""
        with self._cond:
            self._blocked.add(user_id)
            self._event(user_id, f"user {user_id} blocked the bot")

    def unblock(self, user_id: int) -> None:
        """The user unblocks the bot."""
        with self._cond:
            self._blocked.discard(user_id)
            self._event(user_id, f"user {user_id} unblocked the bot")

    # -- users acting ------------------------------------------------------------------------------
    def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict[str, Any]:
        """Register (or rename) a user; returns the Bot API User object."""
        with self._cond:
            user: dict[str, Any] = {
                "id": user_id,
                "is_bot": False,
                "first_name": first_name or f"User{user_id}",
            }
            if last_name:
                user["last_name"] = last_name
            if username:
                user["username"] = username
            if language_code:
                user["language_code"] = language_code
            self._users[user_id] = user
            self._message_ids.setdefault(user_id, itertools.count(1))
            return dict(user)

    def send_text(self, user_id: int, text: str) -> int:
        """The user sends a text message (a leading /command gets a bot_command entity)."""
        extra: dict[str, Any] = {"text": text}
        entities = _command_entities(text)
        if entities:
            extra["entities"] = entities
        return self._user_message(user_id, extra, f"text {text!r}")

    def send_sticker(self, user_id: int) -> int:
        """The user sends a sticker."""
        number = self._next_file_number()
        sticker = {
            "file_id": f"CAACAgFakeSticker{number}",
            "file_unique_id": f"AgADSticker{number}",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "\N{THUMBS UP SIGN}",
            "file_size": 20_000,
        }
        return self._user_message(user_id, {"sticker": sticker}, "sticker")

    def send_photo(self, user_id: int, caption: str | None = None) -> int:
        """The user sends a photo, with an optional caption."""
        extra: dict[str, Any] = {"photo": self._photo_sizes(self._next_file_number())}
        if caption is not None:
            extra["caption"] = caption
        return self._user_message(user_id, extra, f"photo caption={caption!r}")

    def send_voice(self, user_id: int, duration: int = 3) -> int:
        """The user sends a voice message."""
        number = self._next_file_number()
        voice = {
            "file_id": f"AwACAgFakeVoice{number}",
            "file_unique_id": f"AgADVoice{number}",
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": 8_000,
        }
        return self._user_message(user_id, {"voice": voice}, "voice")

    def send_location(
        self, user_id: int, latitude: float = 52.520008, longitude: float = 13.404954
    ) -> int:
        """The user shares a location."""
        location = {"latitude": latitude, "longitude": longitude}
        return self._user_message(user_id, {"location": location}, "location")

    def send_document(
        self,
        user_id: int,
        file_name: str = "notes.txt",
        mime_type: str = "text/plain",
        data: bytes = b"hello",
        caption: str | None = None,
    ) -> int:
        """The user sends a file."""
        number = self._next_file_number()
        document = {
            "file_id": f"BQACAgFakeDocument{number}",
            "file_unique_id": f"AgADDocument{number}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(data),
        }
        with self._cond:
            self._files[document["file_id"]] = {**document, "data": data}
        extra: dict[str, Any] = {"document": document}
        if caption is not None:
            extra["caption"] = caption
        return self._user_message(user_id, extra, f"document {file_name!r}")

    def edit_text(self, user_id: int, message_id: int, new_text: str) -> int:
        """The user edits a text message they sent earlier (an edited_message update)."""
        with self._cond:
            original = self._user_messages.get(user_id, {}).get(message_id)
            if original is None or "text" not in original.json:
                raise AssertionError(
                    f"user {user_id} sent no text message {message_id}\n" + self.dump(user_id)
                )
            message = copy.deepcopy(original.json)
            message["text"] = new_text
            message.pop("entities", None)
            entities = _command_entities(new_text)
            if entities:
                message["entities"] = entities
            message["edit_date"] = self._now()
            original.json = message
            return self._queue_update(
                user_id, {"edited_message": message}, f"edits #{message_id} to {new_text!r}"
            )

    def press(self, user_id: int, message_id: int, callback_data: str) -> int:
        """The user presses an inline button with this data on bot message ``message_id``.

        Does not check that the message carries a button with this data: use it to send stale or
        forged payloads. ``press_button`` presses a button that is really there.
        """
        with self._cond:
            message = self._bot_messages.get(user_id, {}).get(message_id)
            if message is None or message.deleted:
                raise AssertionError(
                    f"no bot message {message_id} in chat {user_id}\n" + self.dump(user_id)
                )
            query_id = str(next(self._callback_ids))
            query = {
                "id": query_id,
                "from": self._user(user_id),
                "message": self._message_json(message),
                "chat_instance": f"-{7_000_000_000 + user_id}",
                "data": callback_data,
            }
            update_id = self._queue_update(
                user_id, {"callback_query": query}, f"presses {callback_data!r} on #{message_id}"
            )
            self._callbacks[query_id] = {"update_id": update_id, "answered": False}
            return update_id

    def press_button(self, user_id: int, label: str, message_id: int | None = None) -> int:
        """Press the button labelled exactly ``label`` on the newest bot message with an inline
        keyboard in that chat (or on ``message_id``)."""
        with self._cond:
            candidates = [
                m
                for m in self._bot_messages.get(user_id, {}).values()
                if not m.deleted
                and m.buttons
                and (message_id is None or m.message_id == message_id)
            ]
            if not candidates:
                raise AssertionError(
                    f"no bot message with an inline keyboard in chat {user_id}\n"
                    + self.dump(user_id)
                )
            message = max(candidates, key=lambda m: m.message_id)
            for row in message.buttons:
                for button in row:
                    if button.get("text") == label:
                        if "callback_data" not in button:
                            raise AssertionError(f"button {label!r} is not a callback button")
                        return self.press(user_id, message.message_id, button["callback_data"])
            raise AssertionError(
                f"no button {label!r} on message {message.message_id} in chat {user_id}; "
                f"it has {message.button_labels}\n" + self.dump(user_id)
            )

    def send_raw_update(self, chat_id: int, content: dict[str, Any]) -> int:
        """Queue an update with this content as it stands, however malformed (an update a
        client library may fail to read); returns its update_id."""
        with self._cond:
            return self._queue_update(chat_id, content, "raw update")

    def redeliver(self, update_id: int) -> int:
        """Queue an update again with the same update_id (delivered on the next getUpdates,
        whatever the offset, as after a crash before the offset was confirmed)."""
        with self._cond:
            if update_id not in self._updates:
                raise AssertionError(f"no update {update_id} was ever queued")
            payload = copy.deepcopy(self._updates[update_id])
            self._queue.append(_Queued(update_id, payload, forced=True))
            chat = _update_chat(payload)
            self._seq += 1
            if chat is not None:
                self._last_action_seq[chat] = self._seq
            self._event(chat, f"update {update_id} redelivered")
            return update_id

    # -- observing ---------------------------------------------------------------------------------
    def mark(self) -> int:
        """A marker: messages sent or edited after this call have ``changed_seq > mark``."""
        with self._cond:
            return self._seq

    def messages(self, chat_id: int, *, include_deleted: bool = False) -> list[BotMessage]:
        """Snapshots of the bot's messages in a chat, oldest first."""
        with self._cond:
            found = sorted(self._bot_messages.get(chat_id, {}).values(), key=lambda m: m.message_id)
            return [copy.deepcopy(m) for m in found if include_deleted or not m.deleted]

    def last_message(self, chat_id: int) -> BotMessage:
        """The bot's newest (not deleted) message in the chat; AssertionError if none."""
        found = self.messages(chat_id)
        if not found:
            raise AssertionError(f"the bot sent nothing to chat {chat_id}\n" + self.dump(chat_id))
        return found[-1]

    def user_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The Message objects the user sent in the chat (as last edited), oldest first."""
        with self._cond:
            found = self._user_messages.get(chat_id, {})
            return [copy.deepcopy(found[k].json) for k in sorted(found) if not found[k].deleted]

    @property
    def calls(self) -> list[tuple[str, dict[str, Any]]]:
        """Every request, in order, as (method, typed params), failed ones included."""
        with self._cond:
            return [(c.method, copy.deepcopy(c.params)) for c in self._call_log]

    @property
    def call_log(self) -> list[Call]:
        """Every request with the status and description it was answered with."""
        with self._cond:
            return copy.deepcopy(self._call_log)

    def requests_to(self, method: str, *, ok_only: bool = False) -> list[dict[str, Any]]:
        """The params of every call to ``method`` (any case), in order."""
        name = self._canonical(method) or method
        with self._cond:
            return [
                copy.deepcopy(c.params)
                for c in self._call_log
                if c.method == name and (not ok_only or c.status == 200)
            ]

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        """The params of every answerCallbackQuery call."""
        return self.requests_to("answerCallbackQuery")

    def was_answered(self, update_id: int) -> bool:
        """Whether the callback query of this update (from ``press``) was answered."""
        with self._cond:
            return any(
                q["answered"] for q in self._callbacks.values() if q["update_id"] == update_id
            )

    @property
    def commands(self) -> list[dict[str, Any]]:
        """The commands set by setMyCommands for the default scope and no language."""
        return self.commands_for()

    def commands_for(
        self, scope: dict[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, Any]]:
        """The commands set for a scope (default ``{"type": "default"}``) and language."""
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        with self._cond:
            return copy.deepcopy(self._commands.get(key, []))

    @property
    def chat_actions(self) -> list[tuple[int, str]]:
        """(chat_id, action) of every successful sendChatAction."""
        with self._cond:
            return list(self._chat_actions)

    def pending_updates(self) -> int:
        """Updates queued and not yet confirmed by a getUpdates offset (delivered or not).

        Note that PTB confirms updates with its next getUpdates, before it has finished
        handling them: 0 here does not mean the bot is done.
        """
        with self._cond:
            return len(self._queue)

    def is_blocked(self, user_id: int) -> bool:
        """Whether ``block(user_id)`` is in force."""
        with self._cond:
            return user_id in self._blocked

    # -- waiting -----------------------------------------------------------------------------------
    def wait_until(
        self, predicate: Callable[[], Any], timeout: float = 10, *, what: str | None = None
    ) -> Any:
        """Wait until ``predicate()`` is truthy and return its value; AssertionError on timeout.

        The predicate is re-evaluated after every change in the fake (a request served, an
        update queued) and at least every 0.1 s, so it may also watch outside state (a child
        process exiting); it must be thread-safe.
        """
        _refuse_in_event_loop("wait_until")
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                version = self._version
            value = predicate()
            if value:
                return value
            with self._cond:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    label = what or getattr(predicate, "__name__", repr(predicate))
                    raise AssertionError(
                        f"timed out after {timeout} s waiting for {label}\n" + self.dump()
                    )
                self._wait_change(version, min(remaining, 0.1))

    def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10,
        *,
        since: int | None = None,
        what: str = "a message",
    ) -> BotMessage:
        """The first bot message in the chat (ordered by when it was sent or last edited) sent or
        edited after ``since`` that satisfies ``predicate``.

        ``since`` defaults to the moment of the user's latest action in this chat (the last
        send_text/press/... for that chat), so "the bot's answer to what the user just did" is
        found even if it arrived before this call; pass ``since=fake.mark()`` taken earlier, or
        ``since=0`` for the whole history.
        """
        _refuse_in_event_loop("wait_for_message")
        with self._cond:
            floor = self._last_action_seq.get(chat_id, 0) if since is None else since

        def find() -> BotMessage | None:
            with self._cond:
                found = sorted(
                    (
                        m
                        for m in self._bot_messages.get(chat_id, {}).values()
                        if not m.deleted and m.changed_seq > floor
                    ),
                    key=lambda m: m.changed_seq,
                )
                for message in found:
                    if predicate is None or predicate(message):
                        return copy.deepcopy(message)
                return None

        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                version = self._version
            message = find()
            if message is not None:
                return message
            with self._cond:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        f"timed out after {timeout} s waiting in chat {chat_id} for {what} "
                        f"sent or edited after mark {floor}\n" + self.dump(chat_id)
                    )
                self._wait_change(version, min(remaining, 0.1))

    def wait_for_text(
        self, chat_id: int, fragment: str, timeout: float = 10, *, since: int | None = None
    ) -> BotMessage:
        """The first bot message whose current visible text (or caption) contains ``fragment``,
        sent or edited after ``since`` (see ``wait_for_message`` for the default)."""
        _refuse_in_event_loop("wait_for_text")
        return self.wait_for_message(
            chat_id,
            lambda m: fragment in m.content,
            timeout,
            since=since,
            what=f"text containing {fragment!r}",
        )

    async def wait_until_async(
        self, predicate: Callable[[], Any], timeout: float = 10, *, what: str | None = None
    ) -> Any:
        """``wait_until`` for async tests: waits in a worker thread, the event loop runs on."""
        return await asyncio.to_thread(self.wait_until, predicate, timeout, what=what)

    async def wait_for_message_async(
        self,
        chat_id: int,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10,
        *,
        since: int | None = None,
    ) -> BotMessage:
        """``wait_for_message`` for async tests."""
        return await asyncio.to_thread(
            self.wait_for_message, chat_id, predicate, timeout, since=since
        )

    async def wait_for_text_async(
        self, chat_id: int, fragment: str, timeout: float = 10, *, since: int | None = None
    ) -> BotMessage:
        """``wait_for_text`` for async tests."""
        return await asyncio.to_thread(self.wait_for_text, chat_id, fragment, timeout, since=since)

    def dump(self, chat_id: int | None = None) -> str:
        """A readable transcript: events (of one chat, or all), recent calls, queue, crashes."""
        with self._cond:
            lines = ["--- FakeTelegram transcript" + (f" of chat {chat_id}" if chat_id else "")]
            events = [e for e in self._events if chat_id is None or e[1] in (chat_id, None)]
            lines += [f"  [{seq}] {text}" for seq, _, text in events[-60:]]
            lines.append("--- last calls (successful getUpdates left out)")
            shown = [
                c
                for c in self._call_log
                if not (c.method == "getUpdates" and c.status in (200, None))
                and (chat_id is None or c.params.get("chat_id") in (None, chat_id))
            ]
            for call in shown[-20:]:
                chat = call.params.get("chat_id")
                summary = ", ".join(
                    f"{k}={_short(v)}" for k, v in call.params.items() if k != "chat_id"
                )
                tail = f" -> {call.status}" + (f" {call.description}" if call.description else "")
                lines.append(f"  {call.method}(chat={chat}; {summary}){tail}")
            lines.append(
                f"--- {len(self._queue)} unconfirmed updates: "
                + ", ".join(f"{q.update_id}{'*' if q.delivered else ''}" for q in self._queue[:20])
            )
            for key, failures in self._failures.items():
                if failures:
                    lines.append(f"--- injected failures waiting for {key}: {len(failures)}")
            if self._server_errors:
                lines.append("--- the fake crashed:\n" + self._server_errors[-1])
            return "\n".join(lines)

    # -- internals: state helpers (call with the lock held) ----------------------------------------
    def _wait_change(self, version: int, timeout: float) -> None:
        self._cond.wait_for(lambda: self._version != version, timeout=timeout)

    def _bump(self) -> None:
        self._version += 1
        self._cond.notify_all()

    def _event(self, chat_id: int | None, text: str) -> None:
        self._events.append((self._seq, chat_id, text))
        self._bump()

    def _now(self) -> int:
        return int(self._clock())

    def _canonical(self, method: str) -> str | None:
        return self._method_names.get(method.lower())

    def _user(self, user_id: int) -> dict[str, Any]:
        with self._cond:
            if user_id not in self._users:
                self.add_user(user_id)
            return dict(self._users[user_id])

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        user = self._users.get(chat_id) or {"first_name": f"User{chat_id}"}
        chat: dict[str, Any] = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if key in user:
                chat[key] = user[key]
        return chat

    def _next_file_number(self) -> int:
        with self._cond:
            return next(self._file_numbers)

    @staticmethod
    def _photo_sizes(number: int, size: int = 20_000) -> list[dict[str, Any]]:
        return [
            {
                "file_id": f"AgACAgFakePhoto{number}s",
                "file_unique_id": f"AQADPhoto{number}s",
                "width": 90,
                "height": 90,
                "file_size": max(size // 20, 1),
            },
            {
                "file_id": f"AgACAgFakePhoto{number}m",
                "file_unique_id": f"AQADPhoto{number}m",
                "width": 800,
                "height": 800,
                "file_size": size,
            },
        ]

    def _user_message(self, user_id: int, content: dict[str, Any], summary: str) -> int:
        with self._cond:
            user = self._user(user_id)
            message_id = next(self._message_ids[user_id])
            message = {
                "message_id": message_id,
                "from": user,
                "chat": self._chat_json(user_id),
                "date": self._now(),
                **content,
            }
            self._user_messages.setdefault(user_id, {})[message_id] = _UserMessage(
                user_id, message_id, message
            )
            return self._queue_update(user_id, {"message": message}, f"#{message_id} {summary}")

    def _queue_update(self, chat_id: int, content: dict[str, Any], summary: str) -> int:
        update_id = next(self._update_ids)
        payload = {"update_id": update_id, **copy.deepcopy(content)}
        self._updates[update_id] = payload
        self._queue.append(_Queued(update_id, copy.deepcopy(payload)))
        self._seq += 1
        self._last_action_seq[chat_id] = self._seq
        self._event(chat_id, f"user {chat_id} {summary} (update {update_id})")
        return update_id

    def _message_json(self, message: BotMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": message.message_id,
            "from": dict(self.bot_user),
            "chat": self._chat_json(message.chat_id),
            "date": message.date,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.kind == "text":
            data["text"] = message.text
            if message.entities:
                data["entities"] = copy.deepcopy(message.entities)
        else:
            if message.kind == "document" and message.file is not None:
                data["document"] = copy.deepcopy(message.file)
            elif message.kind == "photo" and message.file is not None:
                data["photo"] = copy.deepcopy(message.file["sizes"])
            if message.caption is not None:
                data["caption"] = message.caption
                if message.entities:
                    data["caption_entities"] = copy.deepcopy(message.entities)
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = copy.deepcopy(message.reply_markup)
        return data

    def _record_server_error(self, error: str) -> None:
        with self._cond:
            self._server_errors.append(error)
            self._bump()

    def _connection_opened(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.add(conn)

    def _connection_closed(self, conn: socket.socket) -> None:
        with self._cond:
            self._connections.discard(conn)

    # -- internals: HTTP ---------------------------------------------------------------------------
    def _serve(self, handler: _Handler) -> None:
        try:
            body = _read_body(handler)
            status, payload = self._process(handler, body)
        except _ClientGone:
            handler.close_connection = True
            return
        except Exception:
            self._record_server_error(traceback.format_exc())
            status, payload = (
                500,
                {
                    "ok": False,
                    "error_code": 500,
                    "description": "Internal Server Error: the fake crashed, see server_errors",
                },
            )
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(data)))
            if self._stopping:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            handler.wfile.write(data)
            handler.wfile.flush()
        except OSError:
            handler.close_connection = True

    def _process(self, handler: _Handler, body: bytes) -> tuple[int, dict[str, Any]]:
        url = urlsplit(handler.path)
        found = re.fullmatch(r"/bot([^/]*)/([^/]*)", url.path)
        if not found:
            return _envelope(ApiError(404, "Not Found"))
        token, method_name = found.groups()
        if token != self.token:
            return _envelope(ApiError(401, "Unauthorized"))
        method = self._canonical(method_name)
        if method is None:
            return _envelope(ApiError(404, "Not Found"))
        call = Call(method, {})
        with self._cond:
            self._call_log.append(call)
            self._bump()
        try:
            raw, files = _request_params(handler, url.query, body)
            with self._cond:
                call.params = {**raw, **files}
            chat = _raw_chat(raw)
            self._hang(method, chat)
            failure = self._take_failure(method, chat)
            if failure is not None and not failure.applied:
                call.injected = True
                raise _failure_error(failure)
            params = self._typed_params(method, raw, files)
            with self._cond:
                call.params = params
            result = self._dispatch(method, params, handler)
            if failure is not None:
                call.injected = True
                raise _failure_error(failure)
        except ApiError as error:
            with self._cond:
                call.status, call.description = error.status, error.description
                self._bump()
            return _envelope(error)
        with self._cond:
            call.status = 200
            self._bump()
        return 200, {"ok": True, "result": result}

    def _take_failure(self, method: str, chat: int | None = None) -> _Failure | None:
        with self._cond:
            for key in (method, "*"):
                queue = self._failures.get(key) or []
                for index, failure in enumerate(queue):
                    if failure.chat_id is None or failure.chat_id == chat:
                        return queue.pop(index)
            return None

    def _hang(self, method: str, chat: int | None) -> None:
        with self._cond:
            hang = None
            for key in (method, "*"):
                queue = self._hangs.get(key) or []
                for index, candidate in enumerate(queue):
                    if candidate.chat_id is None or candidate.chat_id == chat:
                        hang = queue.pop(index)
                        break
                if hang is not None:
                    break
            if hang is not None:
                # Waiting on the condition lets every other request go on; stop() wakes it.
                self._cond.wait_for(lambda: self._stopping, timeout=hang.seconds)

    def _typed_params(
        self, method: str, raw: dict[str, Any], files: dict[str, UploadedFile]
    ) -> dict[str, Any]:
        fields = {f["name"]: f for f in self._spec[method].get("fields", [])}
        params: dict[str, Any] = {}
        attached: set[str] = set()
        for name, value in raw.items():
            spec = fields.get(name)
            if spec is None:
                raise _bad(f"unknown parameter {name}")
            types = spec["types"]
            if isinstance(value, str) and value.startswith("attach://") and "InputFile" in types:
                part = value[len("attach://") :]
                if part not in files:
                    raise _bad(f"file {value} not found in the request")
                attached.add(part)
                params[name] = files[part]
                continue
            params[name] = _coerce(name, types, value)
        for name, upload in files.items():
            if name in attached or name in params:
                continue
            spec = fields.get(name)
            if spec is None:
                raise _bad(f"unknown parameter {name}")
            if "InputFile" not in spec["types"]:
                raise _bad(f'field "{name}" must be of type {" or ".join(spec["types"])}')
            params[name] = upload
        for spec in fields.values():
            name = spec["name"]
            if spec.get("required") and params.get(name) in (None, ""):
                raise _bad(_REQUIRED_MESSAGES.get(name, f'parameter "{name}" is required'))
        return params

    def _dispatch(self, method: str, params: dict[str, Any], handler: _Handler) -> Any:
        if method == "getUpdates":
            return self._get_updates(params, handler)
        implementation = getattr(self, f"_api_{method}", None)
        if implementation is None:
            raise _bad(f"method {method} is not implemented by FakeTelegram")
        with self._cond:
            return implementation(params)

    # -- internals: the methods --------------------------------------------------------------------
    def _api_getMe(self, p: dict[str, Any]) -> Any:
        return dict(self.bot_user)

    def _api_close(self, p: dict[str, Any]) -> Any:
        self.closed = True
        self._event(None, "bot called close")
        return True

    def _api_logOut(self, p: dict[str, Any]) -> Any:
        self.logged_out = True
        self._event(None, "bot called logOut")
        return True

    def _api_deleteWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = None
        if p.get("drop_pending_updates"):
            dropped = len(self._queue)
            self._queue.clear()
            self._event(None, f"deleteWebhook dropped {dropped} pending updates")
        return True

    def _api_setWebhook(self, p: dict[str, Any]) -> Any:
        self.webhook = dict(p) if p["url"] else None
        if p.get("drop_pending_updates"):
            self._queue.clear()
        if p.get("allowed_updates") is not None:
            self._allowed_updates = p["allowed_updates"] or None
        self._bump()
        return True

    def _api_getWebhookInfo(self, p: dict[str, Any]) -> Any:
        info: dict[str, Any] = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    def _api_setMyCommands(self, p: dict[str, Any]) -> Any:
        commands = p["commands"]
        if len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand: Object expected")
            name, about = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise _bad("BOT_COMMAND_INVALID")
            if not isinstance(about, str) or not 1 <= len(about.strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        key = (
            json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True),
            p.get("language_code", ""),
        )
        self._commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        self._event(None, f"commands set: {[c['command'] for c in commands]}")
        return True

    def _api_getMyCommands(self, p: dict[str, Any]) -> Any:
        key = (
            json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True),
            p.get("language_code", ""),
        )
        return copy.deepcopy(self._commands.get(key, []))

    def _api_deleteMyCommands(self, p: dict[str, Any]) -> Any:
        key = (
            json.dumps(p.get("scope") or {"type": "default"}, sort_keys=True),
            p.get("language_code", ""),
        )
        self._commands.pop(key, None)
        self._bump()
        return True

    def _api_sendMessage(self, p: dict[str, Any]) -> Any:
        chat_id = self._target_chat(p["chat_id"])
        text, entities = self._formatted(
            p.get("text"), p.get("parse_mode"), p.get("entities"), "text"
        )
        markup = self._markup(p.get("reply_markup"), inline_only=False)
        self._check_reply(chat_id, p)
        message = self._store(chat_id, "sendMessage", "text", p, text, None, entities, markup)
        return self._message_json(message)

    def _api_sendDocument(self, p: dict[str, Any]) -> Any:
        return self._send_file(p, "document")

    def _api_sendPhoto(self, p: dict[str, Any]) -> Any:
        return self._send_file(p, "photo")

    def _send_file(self, p: dict[str, Any], kind: str) -> Any:
        chat_id = self._target_chat(p["chat_id"])
        caption, entities = self._formatted(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), "caption"
        )
        markup = self._markup(p.get("reply_markup"), inline_only=False)
        self._check_reply(chat_id, p)
        source = p[kind]
        number = next(self._file_numbers)
        data: bytes | None = None
        if isinstance(source, UploadedFile):
            if not source.data:
                raise _bad("file must be non-empty")
            data = source.data
            if kind == "document":
                info: dict[str, Any] = {
                    "file_id": f"BQACAgFakeBotDocument{number}",
                    "file_unique_id": f"AgADBotDocument{number}",
                    "file_name": source.filename,
                    "mime_type": source.content_type,
                    "file_size": len(source.data),
                }
            else:
                info = {"sizes": self._photo_sizes(number, len(source.data))}
        elif source in self._files:
            known = self._files[source]
            data = known.get("data")
            if kind == "document":
                info = {k: v for k, v in known.items() if k not in ("data", "sizes")}
            else:
                info = {"sizes": known.get("sizes") or self._photo_sizes(number)}
        elif re.match(r"https?://", source):
            name = urlsplit(source).path.rsplit("/", 1)[-1] or "file"
            if kind == "document":
                info = {
                    "file_id": f"BQACAgFakeBotDocument{number}",
                    "file_unique_id": f"AgADBotDocument{number}",
                    "file_name": name,
                    "mime_type": "application/octet-stream",
                    "file_size": 1,
                }
            else:
                info = {"sizes": self._photo_sizes(number)}
        else:
            raise _bad("wrong file identifier/HTTP URL specified")
        if kind == "document":
            self._files[info["file_id"]] = {**info, "data": data}
        else:
            for size in info["sizes"]:
                self._files[size["file_id"]] = {**size, "sizes": info["sizes"], "data": data}
        method = "sendDocument" if kind == "document" else "sendPhoto"
        message = self._store(chat_id, method, kind, p, None, caption, entities, markup)
        message.file = info
        message.data = data
        return self._message_json(message)

    def _api_editMessageText(self, p: dict[str, Any]) -> Any:
        message = self._message_to_edit(p)
        if message.kind != "text":
            raise _bad("there is no text in the message to edit")
        text, entities = self._formatted(
            p.get("text"), p.get("parse_mode"), p.get("entities"), "text"
        )
        markup = self._markup(p.get("reply_markup"), inline_only=True)
        if (text, entities, markup) == (message.text, message.entities, message.reply_markup):
            raise _bad(NOT_MODIFIED)
        self._apply_edit(message, "editMessageText", p, text, None, entities, markup)
        return self._message_json(message)

    def _api_editMessageCaption(self, p: dict[str, Any]) -> Any:
        message = self._message_to_edit(p)
        if message.kind == "text":
            raise _bad("there is no caption in the message to edit")
        caption, entities = self._formatted(
            p.get("caption"), p.get("parse_mode"), p.get("caption_entities"), "caption"
        )
        markup = self._markup(p.get("reply_markup"), inline_only=True)
        if (caption, entities, markup) == (message.caption, message.entities, message.reply_markup):
            raise _bad(NOT_MODIFIED)
        self._apply_edit(message, "editMessageCaption", p, None, caption, entities, markup)
        return self._message_json(message)

    def _api_editMessageReplyMarkup(self, p: dict[str, Any]) -> Any:
        message = self._message_to_edit(p)
        markup = self._markup(p.get("reply_markup"), inline_only=True)
        if markup == message.reply_markup:
            raise _bad(NOT_MODIFIED)
        self._apply_edit(
            message,
            "editMessageReplyMarkup",
            {"parse_mode": message.parse_mode},
            message.text,
            message.caption,
            message.entities,
            markup,
            raw=message.raw,
        )
        return self._message_json(message)

    def _api_deleteMessage(self, p: dict[str, Any]) -> Any:
        chat_id = self._target_chat(p["chat_id"], check_blocked=False)
        message_id = p["message_id"]
        bot_message = self._bot_messages.get(chat_id, {}).get(message_id)
        user_message = self._user_messages.get(chat_id, {}).get(message_id)
        if bot_message is not None and not bot_message.deleted:
            bot_message.deleted = True
        elif user_message is not None and not user_message.deleted:
            user_message.deleted = True
        else:
            raise _bad("message to delete not found")
        self._seq += 1
        self._event(chat_id, f"bot deleted #{message_id}")
        return True

    def _api_answerCallbackQuery(self, p: dict[str, Any]) -> Any:
        query = self._callbacks.get(p["callback_query_id"])
        if query is None or query["answered"]:
            raise _bad("query is too old and response timeout expired or query ID is invalid")
        if len(p.get("text") or "") > 200:
            raise _bad("MESSAGE_TOO_LONG")
        query["answered"] = True
        chat = _update_chat(self._updates[query["update_id"]])
        self._event(chat, f"bot answered callback of update {query['update_id']}")
        return True

    def _api_sendChatAction(self, p: dict[str, Any]) -> Any:
        chat_id = self._target_chat(p["chat_id"])
        if p["action"] not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        self._chat_actions.append((chat_id, p["action"]))
        self._bump()
        return True

    # -- internals: getUpdates ---------------------------------------------------------------------
    def _get_updates(self, p: dict[str, Any], handler: _Handler) -> Any:
        with self._cond:
            if self.webhook:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            self._bump()  # an older long poll gets "terminated by other getUpdates request"
            if "allowed_updates" in p:
                self._allowed_updates = list(p["allowed_updates"]) or None
            offset = p.get("offset")
            limit = min(max(p.get("limit") or 100, 1), 100)
            timeout = max(p.get("timeout") or 0, 0)
            self._confirm(offset)
            deadline = time.monotonic() + timeout
            while True:
                batch = self._deliverable(offset, limit)
                if batch:
                    for queued in batch:
                        queued.delivered = True
                    self._bump()
                    return [copy.deepcopy(q.payload) for q in batch]
                if self._stopping:
                    return []
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; make sure that only "
                        "one bot instance is running",
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                if _client_gone(handler.connection):
                    raise _ClientGone
                self._cond.wait(min(remaining, 0.1))

    def _confirm(self, offset: int | None) -> None:
        if not offset:
            return
        before = len(self._queue)
        if offset < 0:
            normal = [q for q in self._queue if not q.forced]
            keep = {id(q) for q in normal[offset:]}
            self._queue = [q for q in self._queue if q.forced or id(q) in keep]
        else:
            self._queue = [
                q for q in self._queue if (q.forced and not q.delivered) or q.update_id >= offset
            ]
        if len(self._queue) != before:
            self._bump()

    def _deliverable(self, offset: int | None, limit: int) -> list[_Queued]:
        allowed = self._allowed_updates
        kept: list[_Queued] = []
        for queued in self._queue:
            kind = next(k for k in queued.payload if k != "update_id")
            if (allowed and kind not in allowed) or (
                not allowed and kind in _DEFAULT_EXCLUDED_UPDATES
            ):
                continue  # Telegram never creates updates of types the bot did not ask for
            kept.append(queued)
        self._queue = kept
        forced = [q for q in kept if q.forced and not q.delivered]
        normal = sorted(
            (
                q
                for q in kept
                if not q.forced and (not offset or offset < 0 or q.update_id >= offset)
            ),
            key=lambda q: q.update_id,
        )
        return (forced + normal)[:limit]

    # -- internals: sending and editing ------------------------------------------------------------
    def _target_chat(self, chat: Any, *, check_blocked: bool = True) -> int:
        if not isinstance(chat, int) or chat not in self._users:
            raise _bad("chat not found")
        if check_blocked and chat in self._blocked:
            raise ApiError(403, BLOCKED)
        return chat

    def _formatted(
        self,
        raw: str | None,
        parse_mode: str | None,
        entities: list[dict[str, Any]] | None,
        what: str,
    ) -> tuple[str | None, list[dict[str, Any]]]:
        if not raw:
            if what == "text":
                raise _bad("message text is empty")
            return None, []
        if entities is not None:
            visible, found = raw, copy.deepcopy(entities)
        elif parse_mode:
            mode = parse_mode.lower()
            if mode == "html":
                try:
                    visible, found = parse_html(raw, strict_ampersand=self.strict_html)
                except HtmlParseError as error:
                    raise _bad(f"can't parse entities: {error}") from None
            elif mode in ("markdown", "markdownv2"):
                visible, found = raw, []  # not parsed by the fake
            else:
                raise _bad(f"unsupported parse_mode {parse_mode!r}")
        else:
            visible, found = raw, []
        visible, found = _trim(visible, found)
        if not visible:
            if what == "text":
                raise _bad("message text is empty")
            return None, []
        limit = 4096 if what == "text" else 1024
        if len(visible) > limit:
            raise _bad("message is too long" if what == "text" else "message caption is too long")
        return visible, found

    def _markup(self, markup: dict[str, Any] | None, *, inline_only: bool) -> dict[str, Any] | None:
        if markup is None:
            return None
        if "inline_keyboard" not in markup:
            if inline_only:
                raise _bad("inline keyboard expected")
            if not any(k in markup for k in ("keyboard", "remove_keyboard", "force_reply")):
                raise _bad("can't parse reply keyboard markup JSON object")
            return copy.deepcopy(markup)
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise _bad(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        if sum(len(row) for row in rows) > 100:
            raise _bad("BUTTONS_TOO_MUCH")
        for row in rows:
            for button in row:
                if not isinstance(button, dict):
                    raise _bad(
                        "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                    )
                if not isinstance(button.get("text"), str):
                    raise _bad(
                        'can\'t parse inline keyboard button: Field "text" must be of type String'
                    )
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                        raise _bad("BUTTON_DATA_INVALID")
                if not any(k in button for k in _BUTTON_ACTIONS):
                    raise _bad(
                        "can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard"
                    )
                if "url" in button and not _checked_link(str(button["url"])):
                    raise _bad("BUTTON_URL_INVALID")
        return copy.deepcopy(markup)

    def _check_reply(self, chat_id: int, p: dict[str, Any]) -> None:
        reply = p.get("reply_parameters")
        if not reply:
            return
        target = reply.get("message_id")
        exists = target in self._bot_messages.get(chat_id, {}) or target in self._user_messages.get(
            chat_id, {}
        )
        if not exists and not reply.get("allow_sending_without_reply"):
            raise _bad("message to be replied not found")

    def _store(
        self,
        chat_id: int,
        method: str,
        kind: str,
        p: dict[str, Any],
        text: str | None,
        caption: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
    ) -> BotMessage:
        self._seq += 1
        raw = p.get("text") if kind == "text" else p.get("caption")
        version = MessageVersion(
            self._seq, method, text, caption, raw, p.get("parse_mode"), entities, markup
        )
        message = BotMessage(
            chat_id=chat_id,
            message_id=next(self._message_ids[chat_id]),
            kind=kind,
            text=text,
            caption=caption,
            raw=raw,
            parse_mode=p.get("parse_mode"),
            entities=copy.deepcopy(entities),
            reply_markup=copy.deepcopy(markup),
            date=self._now(),
            sent_seq=self._seq,
            changed_seq=self._seq,
            history=[version],
            changed_at=time.monotonic(),
        )
        self._bot_messages.setdefault(chat_id, {})[message.message_id] = message
        shown = text if text is not None else f"[{kind}] {caption or ''}"
        buttons = f" buttons {message.button_labels}" if message.buttons else ""
        self._event(chat_id, f"bot #{message.message_id} {method}: {_short(shown)}{buttons}")
        return message

    def _message_to_edit(self, p: dict[str, Any]) -> BotMessage:
        if p.get("inline_message_id"):
            raise _bad("MESSAGE_ID_INVALID")  # inline messages are not modelled
        if p.get("chat_id") in (None, ""):
            raise _bad("chat_id is empty")
        if p.get("message_id") is None:
            raise _bad("message identifier is not specified")
        chat_id = self._target_chat(p["chat_id"])
        message_id = p["message_id"]
        message = self._bot_messages.get(chat_id, {}).get(message_id)
        if message is None or message.deleted:
            user_message = self._user_messages.get(chat_id, {}).get(message_id)
            if user_message is not None and not user_message.deleted:
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return message

    def _apply_edit(
        self,
        message: BotMessage,
        method: str,
        p: dict[str, Any],
        text: str | None,
        caption: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        *,
        raw: str | None = None,
    ) -> None:
        self._seq += 1
        if raw is None:
            raw = p.get("text") if message.kind == "text" else p.get("caption")
        message.text, message.caption, message.raw = text, caption, raw
        message.parse_mode = p.get("parse_mode")
        message.entities = copy.deepcopy(entities)
        message.reply_markup = copy.deepcopy(markup)
        message.changed_seq = self._seq
        message.changed_at = time.monotonic()
        message.edit_date = self._now()
        message.history.append(
            MessageVersion(
                self._seq, method, text, caption, raw, message.parse_mode, entities, markup
            )
        )
        shown = text if text is not None else f"[{message.kind}] {caption or ''}"
        buttons = f" buttons {message.button_labels}" if message.buttons else " no buttons"
        self._event(
            message.chat_id, f"bot edited #{message.message_id} {method}: {_short(shown)}{buttons}"
        )


# -- module helpers -------------------------------------------------------------------------------


def _coerce(name: str, types: list[str], value: Any) -> Any:
    if isinstance(value, UploadedFile):
        if "InputFile" in types:
            return value
        raise _bad(f'field "{name}" must be of type {" or ".join(types)}')
    json_failed = False
    for kind in types:
        try:
            return _coerce_one(kind, value)
        except json.JSONDecodeError:
            json_failed = True
        except ValueError:
            continue
    if json_failed and not any(t in _PRIMITIVES for t in types):
        raise _json_error(name)
    raise _bad(f'field "{name}" must be of type {" or ".join(types)}')


def _command_entities(text: str) -> list[dict[str, Any]]:
    found = _BOT_COMMAND.match(text)
    if not found:
        return []
    return [{"type": "bot_command", "offset": 0, "length": _u16(found.group(0))}]


def _update_chat(payload: dict[str, Any]) -> int | None:
    for key, value in payload.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        message = value.get("message", value) if key == "callback_query" else value
        chat = message.get("chat") if isinstance(message, dict) else None
        if chat:
            return chat["id"]
        if "from" in value:
            return value["from"]["id"]
    return None


def _raw_chat(raw: dict[str, Any]) -> int | None:
    """The chat a request names, before its parameters are checked (None if none or odd)."""
    try:
        return int(raw["chat_id"])
    except (KeyError, TypeError, ValueError):
        return None


def _envelope(error: ApiError) -> tuple[int, dict[str, Any]]:
    payload: dict[str, Any] = {
        "ok": False,
        "error_code": error.status,
        "description": error.description,
    }
    if error.parameters:
        payload["parameters"] = error.parameters
    return error.status, payload


def _failure_error(failure: _Failure) -> ApiError:
    parameters = {"retry_after": failure.retry_after} if failure.retry_after is not None else None
    return ApiError(failure.status, failure.description, parameters)


def _read_body(handler: _Handler) -> bytes:
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _request_params(
    handler: _Handler, query: str, body: bytes
) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    raw: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    files: dict[str, UploadedFile] = {}
    content_type = handler.headers.get("Content-Type", "")
    kind = content_type.split(";")[0].strip().lower()
    if kind == "application/json":
        if body.strip():
            try:
                decoded = json.loads(body)
            except ValueError:
                raise _bad("can't parse JSON encoded request body") from None
            if not isinstance(decoded, dict):
                raise _bad("JSON body must be an object")
            raw.update({k: v for k, v in decoded.items() if v is not None})
    elif kind == "multipart/form-data":
        fields, files = parse_multipart(body, content_type)
        raw.update(fields)
    elif body:
        raw.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return raw, files


def _client_gone(conn: socket.socket) -> bool:
    try:
        readable, _, _ = select.select([conn], [], [], 0)
        if not readable:
            return False
        return conn.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _refuse_in_event_loop(name: str) -> None:
    if _in_event_loop():
        raise RuntimeError(
            f"FakeTelegram.{name}() blocks the thread, and this thread runs an event loop (the "
            f"bot's, probably): use `await fake.{name}_async(...)` in async tests"
        )


def _short(value: Any, width: int = 70) -> str:
    text = repr(value) if not isinstance(value, str) else value
    text = text.replace("\n", "\\n")
    return text if len(text) <= width else text[: width - 1] + "\N{HORIZONTAL ELLIPSIS}"
