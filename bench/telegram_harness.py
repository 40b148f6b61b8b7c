"""The Telegram bench's harness: a lean Bot API emulator and a load generator, one asyncio process.

Playing Telegram on both sides in one process keeps the harness cheap (no
thread per connection, no HTTP library on the hot path) and lets the load
generator read each chat as the emulator shows it: a turn counts when its
replies have reached the emulator (by a Bot API call, or in the webhook's
answer as the Bot API allows). ``time.process_time()`` of this process is the
harness's own CPU.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

TOKEN = "123456:BENCH"
BOT = {"id": 123456, "is_bot": True, "first_name": "Bench", "username": "bench_bot"}
JSON_FIELDS = frozenset({"chat_id", "message_id", "reply_markup", "allowed_updates", "commands"})


@dataclass
class Chat:
    """What one chat shows: how many bot messages, and the last keyboard."""

    shown: int = 0
    keyboard: list[list[dict[str, Any]]] = field(default_factory=list)
    keyboard_message: int = 0
    keyboard_text: str = ""


class Emulator:
    """The Bot API methods a feedback bot uses, answered from memory."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency  # seconds each API call takes to answer (Telegram is far away)
        self.chats: dict[int, Chat] = {}
        self.calls: dict[str, int] = {}
        self._ids = itertools.count(1)

    def apply(self, method: str, params: dict[str, Any]) -> Any:
        """Record one call and return its result."""
        self.calls[method] = self.calls.get(method, 0) + 1
        if method == "getMe":
            return BOT
        if method in ("sendMessage", "editMessageText"):
            chat_id = int(params["chat_id"])
            chat = self.chats.setdefault(chat_id, Chat())
            keyboard = (params.get("reply_markup") or {}).get("inline_keyboard")
            message_id = int(params.get("message_id") or next(self._ids))
            if method == "sendMessage":
                chat.shown += 1
                if keyboard:
                    chat.keyboard, chat.keyboard_message = keyboard, message_id
                    chat.keyboard_text = str(params["text"])
            return {"message_id": message_id, "date": int(time.time()), "from": BOT,
                    "chat": {"id": chat_id, "type": "private"}, "text": str(params["text"])}
        return True

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer Bot API requests on one keep-alive connection."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                headers = {k.lower(): v.strip() for k, _s, v in
                           (line.partition(":") for line in lines[1:] if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                method = lines[0].split(" ")[1].rsplit("/", 1)[-1]
                result = self.apply(method, _params(body, headers.get("content-type", "")))
                if self.latency:
                    await asyncio.sleep(self.latency)
                data = json.dumps({"ok": True, "result": result}).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             b"Content-Length: %d\r\n\r\n%s" % (len(data), data))
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the bot closed the connection, or the bench is over
        finally:
            writer.close()


def _params(body: bytes, content_type: str) -> dict[str, Any]:
    """Read a JSON body or a form whose structured values are JSON."""
    if not body:
        return {}
    if "json" in content_type:
        return dict(json.loads(body))
    return {k: json.loads(v) if k in JSON_FIELDS else v
            for k, v in parse_qsl(body.decode(), keep_blank_values=True)}


async def post(port: int, path: str, payload: dict[str, Any],
               headers: dict[str, str]) -> tuple[int, bytes]:
    """POST JSON on a fresh connection (gunicorn's sync workers close after each answer)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    body = json.dumps(payload).encode()
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    writer.write(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(body)}\r\n{extra}Connection: close\r\n\r\n".encode()
                 + body)
    try:
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                       if line.lower().startswith(b"content-length:")), None)
        data = await (reader.readexactly(length) if length is not None else reader.read())
    finally:
        writer.close()
    return status, data


@dataclass
class Load:
    """Many people, each running three-turn NPS dialogues by webhook, for a while."""

    emulator: Emulator
    port: int
    path: str
    secret: str
    stats: dict[str, int] = field(default_factory=lambda: {"turns": 0, "errors": 0})
    _chat_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def turn(self, chat_id: int, update: dict[str, Any], replies: int) -> bool:
        """Post one update; true when its replies reached the emulator."""
        chat = self.emulator.chats.setdefault(chat_id, Chat())
        before = chat.shown
        status, body = await post(self.port, self.path, update,
                                  {"X-Telegram-Bot-Api-Secret-Token": self.secret})
        answer = json.loads(body or b"{}") if status == 200 else {}
        if isinstance(answer, dict) and "method" in answer:
            self.emulator.apply(str(answer.pop("method")), answer)
        ok = status == 200 and chat.shown >= before + replies
        self.stats["turns" if ok else "errors"] += 1
        return ok

    async def dialogue(self) -> None:
        """/start nps, tap 9, type a reason (a new person each time)."""
        chat_id = next(self._chat_ids)
        if not await self.turn(chat_id, self._message(chat_id, "/start nps"), 1):
            return
        if not await self.turn(chat_id, self._tap(chat_id, "9"), 1):
            return
        await self.turn(chat_id, self._message(chat_id, "great service"), 1)

    async def person(self, until: float) -> None:
        """Run dialogues one after another until the deadline."""
        while time.monotonic() < until:
            await self.dialogue()

    def _message(self, chat_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": 1, "date": int(time.time()), "text": text,
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "P", "language_code": "en"},
        }
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0,
                                    "length": len(text.split()[0])}]
        return {"update_id": next(self._update_ids), "message": message}

    def _tap(self, chat_id: int, label: str) -> dict[str, Any]:
        chat = self.emulator.chats[chat_id]
        data = next(b["callback_data"] for row in chat.keyboard for b in row
                    if b["text"] == label)
        message = {"message_id": chat.keyboard_message, "date": int(time.time()),
                   "chat": {"id": chat_id, "type": "private"}, "from": BOT,
                   "text": chat.keyboard_text, "reply_markup": {"inline_keyboard": chat.keyboard}}
        query = {"id": str(chat_id), "chat_instance": "1", "data": data, "message": message,
                 "from": {"id": chat_id, "is_bot": False, "first_name": "P",
                          "language_code": "en"}}
        return {"update_id": next(self._update_ids), "callback_query": query}
