"""A loopback Telegram Bot API for the tests: the real python-telegram-bot talks to it.

Usage::

    with TelegramEmulator() as telegram:
        app = Application.builder().token(telegram.token).base_url(telegram.bot_url).build()
        telegram.says(42, "/start")              # queued for getUpdates
        ...                                      # the bot answers
        telegram.taps(42, "9")                   # tap the button labelled 9
        assert telegram.chat(42)[-1].text == ...  # what the person sees

It speaks the Bot API's HTTP contract: methods under ``/bot<token>/``, form or
JSON bodies (python-telegram-bot sends form values that are themselves JSON),
answers ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": ...,
"description": ..., "parameters": {"retry_after": N}}``. ``getUpdates`` honours
``offset``, ``limit`` and ``timeout`` (a long poll waits for an update). It keeps
each chat's messages as the person sees them (edits included), records every
call, and :meth:`TelegramEmulator.fail` injects 429, 403, 400 or 500 answers.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote

from testkit.emulators.loopback import LoopbackServer, take

TOKEN = "123456:TEST-token"
BOT = {"id": 123456, "is_bot": True, "first_name": "Écoute", "username": "ecoute_test_bot",
       "can_join_groups": True, "can_read_all_group_messages": False,
       "supports_inline_queries": False}
JSON_FIELDS = frozenset({
    "chat_id", "message_id", "reply_markup", "offset", "limit", "timeout", "allowed_updates",
    "commands", "scope", "show_alert", "cache_time", "drop_pending_updates", "max_connections",
    "link_preview_options", "entities", "reply_parameters", "disable_notification",
})


@dataclass(frozen=True)
class Call:
    """One Bot API request the emulator received (``via`` "api" or "webhook" answer)."""

    method: str
    params: dict[str, Any]
    via: str = "api"


@dataclass
class Shown:
    """One message in a chat as the person sees it now."""

    message_id: int
    text: str
    from_bot: bool
    keyboard: list[list[dict[str, Any]]] = field(default_factory=list)

    @property
    def buttons(self) -> list[str]:
        """Return the labels of the message's buttons, row by row."""
        return [button["text"] for row in self.keyboard for button in row]


@dataclass
class _Failure:
    status: int
    description: str
    retry_after: int | None
    times: int


class TelegramEmulator(LoopbackServer):
    """A Bot API server on 127.0.0.1 (a port of its own), started and stopped by the test.

    Its ``url`` is what ``TELEGRAM_API_BASE_URL`` is set to.
    """

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[Call] = []
        self.chats: dict[int, list[Shown]] = defaultdict(list)
        self.commands: dict[str, list[dict[str, str]]] = {}
        self.webhook: dict[str, Any] = {"url": "", "pending_update_count": 0,
                                        "has_custom_certificate": False}
        self._updates: list[dict[str, Any]] = []
        self._failures: dict[str, list[_Failure]] = defaultdict(list)
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(1000)
        self._confirmed = 0
        self.polls = 0  # getUpdates calls (not recorded in ``calls``: there are many)
        self.files: dict[str, tuple[str, bytes]] = {}  # file id -> (file path, bytes): getFile
        self._changed = threading.Condition()
        super().__init__(_Handler, poll=0.05, emulator=self)

    @property
    def bot_url(self) -> str:
        """Return the ``base_url`` python-telegram-bot wants (it appends the token)."""
        return f"{self.url}/bot"

    # What people do ---------------------------------------------------------------

    def says(self, chat_id: int, text: str, *, language: str | None = "en",
             chat_type: str = "private", **extra: Any) -> dict[str, Any]:
        """Queue a text message from a person (returns the update)."""
        return self.push(self.message_update(chat_id, text=text, language=language,
                                             chat_type=chat_type, **extra))

    def taps(self, chat_id: int, label: str, *, message_id: int | None = None,
             language: str | None = "en") -> dict[str, Any]:
        """Queue a tap on the button labelled ``label`` of the chat's last keyboard."""
        return self.push(self.tap_update(chat_id, label, message_id=message_id,
                                         language=language))

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates."""
        with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update

    def message_update(self, chat_id: int, *, text: str | None = None,
                       language: str | None = "en", chat_type: str = "private",
                       is_bot: bool = False, **extra: Any) -> dict[str, Any]:
        """Return a ``message`` update from a person (or a bot) in a chat."""
        user = {"id": chat_id if chat_type == "private" else 777, "is_bot": is_bot,
                "first_name": "Ana"}
        if language:
            user["language_code"] = language
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type != "private":
            chat["title"] = "Shop staff"
        message: dict[str, Any] = {"message_id": next(self._ids), "date": int(time.time()),
                                   "chat": chat, "from": user, **extra}
        if text is not None:
            message["text"] = text
            if text.startswith("/"):
                length = len(text.split(" ", 1)[0])
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        if chat_type == "private":
            self.chats[chat_id].append(Shown(message["message_id"], text or "", False))
        return {"update_id": next(self._update_ids), "message": message}

    def tap_update(self, chat_id: int, label: str, *, message_id: int | None = None,
                   language: str | None = "en") -> dict[str, Any]:
        """Return a ``callback_query`` update for a tap on a button labelled ``label``."""
        shown = self._with_keyboard(chat_id, message_id)
        data = next(b["callback_data"] for row in shown.keyboard for b in row
                    if b["text"] == label)
        user = {"id": chat_id, "is_bot": False, "first_name": "Ana"}
        if language:
            user["language_code"] = language
        message = {"message_id": shown.message_id, "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private"}, "from": BOT, "text": shown.text,
                   "reply_markup": {"inline_keyboard": shown.keyboard}}
        query = {"id": str(next(self._ids)), "from": user, "chat_instance": "1",
                 "message": message, "data": data}
        return {"update_id": next(self._update_ids), "callback_query": query}

    def _with_keyboard(self, chat_id: int, message_id: int | None) -> Shown:
        """Return the given message, or the chat's last one with a keyboard."""
        for shown in reversed(self.chats[chat_id]):
            if shown.message_id == message_id or (message_id is None and shown.keyboard):
                return shown
        raise LookupError(f"no keyboard in chat {chat_id}")

    # What the tests look at -------------------------------------------------------

    def chat(self, chat_id: int) -> list[Shown]:
        """Return a chat's messages as the person sees them now."""
        return list(self.chats[chat_id])

    def bot_texts(self, chat_id: int) -> list[str]:
        """Return the texts the bot has shown in a chat, in order."""
        return [m.text for m in self.chats[chat_id] if m.from_bot]

    def calls_to(self, method: str) -> list[Call]:
        """Return the recorded calls of one method."""
        return [call for call in list(self.calls) if call.method == method]

    def wait_for(self, predicate: Any, timeout: float = 5.0) -> None:
        """Wait until ``predicate()`` is true (the bot works in the background)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not predicate():
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("the bot did not do what was expected in time")
                self._changed.wait(left)

    def pending_updates(self) -> int:
        """Return how many queued updates no getUpdates has confirmed yet."""
        with self._changed:
            return len([u for u in self._updates if u["update_id"] >= self._confirmed])

    def fail(self, method: str, status: int, description: str, *,
             retry_after: int | None = None, times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail as Telegram does."""
        self._failures[method].append(_Failure(status, description, retry_after, times))

    def answer_webhook(self, body: dict[str, Any] | None) -> None:
        """Apply a method call a bot returned in its webhook answer, as Telegram does."""
        if body and "method" in body:
            params = {k: v for k, v in body.items() if k != "method"}
            self.apply(str(body["method"]), params, via="webhook")

    # The Bot API ------------------------------------------------------------------

    def apply(self, method: str, params: dict[str, Any], via: str = "api") -> tuple[int, Any]:
        """Record and carry out one call; return (HTTP status, JSON answer)."""
        if method != "getUpdates":
            with self._changed:
                self.calls.append(Call(method, params, via))
        failure = self._failure(method)
        if failure is not None:
            return failure
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        result = handler(params)
        with self._changed:
            self._changed.notify_all()
        return 200, {"ok": True, "result": result}

    def _failure(self, method: str) -> tuple[int, Any] | None:
        failure = take(self._failures.get(method))
        if failure is None:
            return None
        body: dict[str, Any] = {"ok": False, "error_code": failure.status,
                                "description": failure.description}
        if failure.retry_after is not None:
            body["parameters"] = {"retry_after": failure.retry_after}
        return failure.status, body

    def _m_getMe(self, params: dict[str, Any]) -> Any:
        return BOT

    def _m_getUpdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0)
        with self._changed:
            self.polls += 1
            self._changed.notify_all()
            self._confirmed = max(self._confirmed, offset)
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            while not self._updates and time.monotonic() < deadline:
                self._changed.wait(min(0.05, max(deadline - time.monotonic(), 0)))
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
            return self._updates[:limit]

    def _m_sendMessage(self, params: dict[str, Any]) -> Any:
        chat_id = int(params["chat_id"])
        keyboard = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        shown = Shown(next(self._ids), str(params["text"]), True, keyboard)
        self.chats[chat_id].append(shown)
        return self._message(chat_id, shown)

    def _m_editMessageText(self, params: dict[str, Any]) -> Any:
        shown = self._find(params)
        shown.text = str(params["text"])
        shown.keyboard = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        return self._message(int(params["chat_id"]), shown)

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> Any:
        shown = self._find(params)
        shown.keyboard = (params.get("reply_markup") or {}).get("inline_keyboard", [])
        return self._message(int(params["chat_id"]), shown)

    def _find(self, params: dict[str, Any]) -> Shown:
        message_id = int(params["message_id"])
        return next(m for m in self.chats[int(params["chat_id"])] if m.message_id == message_id)

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> Any:
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> Any:
        self.commands[params.get("language_code") or ""] = params["commands"]
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> Any:
        return self.commands.get(params.get("language_code") or "", [])

    def _m_setWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": params["url"], "has_custom_certificate": False,
                        "pending_update_count": len(self._updates),
                        "allowed_updates": params.get("allowed_updates"),
                        "secret_token": params.get("secret_token")}
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> Any:
        self.webhook = {"url": "", "has_custom_certificate": False,
                        "pending_update_count": len(self._updates)}
        return True

    def _m_getFile(self, params: dict[str, Any]) -> Any:
        path, body = self.files[str(params["file_id"])]
        return {"file_id": params["file_id"], "file_unique_id": f"u{params['file_id']}",
                "file_size": len(body), "file_path": path}

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> Any:
        return {k: v for k, v in self.webhook.items() if k != "secret_token"}

    def _message(self, chat_id: int, shown: Shown) -> dict[str, Any]:
        message: dict[str, Any] = {"message_id": shown.message_id, "date": int(time.time()),
                                   "chat": {"id": chat_id, "type": "private"}, "from": BOT,
                                   "text": shown.text}
        if shown.keyboard:
            message["reply_markup"] = {"inline_keyboard": shown.keyboard}
        return message


class _Handler(BaseHTTPRequestHandler):
    """Decodes one Bot API request and writes the emulator's answer."""

    emulator: TelegramEmulator
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def handle(self) -> None:
        """Serve the connection; a client gone mid-poll (a bot stopping) is no error."""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            super().handle()

    def do_POST(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        files = f"/file/bot{self.emulator.token}/"
        path = unquote(self.path)  # python-telegram-bot quotes the token's colon
        if path.startswith(files):  # a file's download, by the path getFile gave
            found = [b for p, b in self.emulator.files.values() if p == path[len(files):]]
            self._answer_bytes(200 if found else 404, found[0] if found else b"")
            return
        self._serve()

    def _answer_bytes(self, status: int, data: bytes) -> None:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def _serve(self) -> None:
        prefix = f"/bot{self.emulator.token}/"
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not self.path.startswith(prefix):
            self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        method = self.path[len(prefix):].split("?", 1)[0]
        status, body = self.emulator.apply(method, _params(raw, self.headers))
        self._answer(status, body)

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""


def _params(raw: bytes, headers: Any) -> dict[str, Any]:
    """Read a JSON body, or a form whose structured values are JSON themselves."""
    if not raw:
        return {}
    if "json" in (headers.get("Content-Type") or ""):
        return dict(json.loads(raw))
    params: dict[str, Any] = {}
    for key, value in parse_qsl(raw.decode(), keep_blank_values=True):
        params[key] = _json(value) if key in JSON_FIELDS else value
    return params


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value

