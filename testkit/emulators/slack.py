"""A loopback Slack Web API for the tests: the real slack-sdk and slack-bolt talk to it.

Usage::

    with SlackEmulator() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.api_url)
        slack.add_user("U1", locale="fr-FR", tz="Europe/Paris")
        client.chat_postMessage(channel="U1", text="hi")
        assert slack.calls("chat.postMessage")[0].params["text"] == "hi"

It answers ``auth.test``, ``chat.postMessage``, ``chat.update``, ``chat.delete``,
``conversations.open``,
``conversations.members`` (paginated), ``users.info``, ``views.open``,
``views.publish``, ``views.update`` and ``apps.connections.open`` (which points to
the Socket Mode endpoint of :mod:`testkit.emulators.slack_socket`), plus posts to
the ``response_url`` it hands out. Every call is recorded with its parameters
(query string, form or JSON body alike), and the messages the bot posted are kept
as a channel would show them (:meth:`SlackEmulator.messages`: updated in place,
gone once deleted). :meth:`SlackEmulator.fail` makes the
next calls of a method answer ``ok: false`` with an error, or HTTP 429 with a
``Retry-After`` header, as Slack does.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from testkit.emulators.loopback import LoopbackServer, take
from testkit.emulators.slack_socket import SocketModeServer

BOT_USER = "UBOT"
KEPT_MESSAGES = 10_000  # the newest posts a channel shows (memory stays bounded)


@dataclass(frozen=True)
class Call:
    """One request the emulator received."""

    method: str
    params: dict[str, Any]
    token: str | None


@dataclass
class _Failure:
    """A canned failure for the next ``times`` calls of a method."""

    error: str | None
    retry_after: int | None
    times: int


@dataclass
class SlackState:
    """What the emulated workspace holds and what it was asked."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[_Failure]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    socket_url: str = ""
    delays: dict[str, float] = field(default_factory=dict)
    listeners: list[Any] = field(default_factory=list)  # called with each Call (benchmarks)
    posted: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (channel, ts)


class SlackEmulator(LoopbackServer):
    """A Slack Web API on 127.0.0.1 (a port of its own), started and stopped by the test."""

    def __init__(self) -> None:
        self.state = SlackState()
        super().__init__(_Handler, state=self.state)
        self.socket = SocketModeServer()
        self.state.socket_url = self.socket.url

    @property
    def api_url(self) -> str:
        """Return the Web API base URL (what ``SLACK_API_BASE_URL`` is set to)."""
        return f"{self.url}/api/"

    def __exit__(self, *exc: object) -> None:
        super().__exit__(*exc)
        self.socket.close()

    def add_user(self, user_id: str, *, locale: str = "en-US", is_bot: bool = False,
                 deleted: bool = False, tz: str | None = "Europe/Paris") -> None:
        """Add a person (or a bot) to the workspace; ``tz`` is their IANA timezone (None: unset)."""
        self.state.users[user_id] = {"id": user_id, "name": user_id.lower(), "is_bot": is_bot,
                                     "deleted": deleted, "locale": locale}
        if tz is not None:
            self.state.users[user_id]["tz"] = tz

    def fail(self, method: str, *, error: str | None = None, retry_after: int | None = None,
             times: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail (``ok: false`` or HTTP 429)."""
        self.state.failures[method].append(_Failure(error, retry_after, times))

    def slow_down(self, method: str, seconds: float) -> None:
        """Make every call of ``method`` take ``seconds`` longer (a slow Slack)."""
        self.state.delays[method] = seconds

    def calls(self, method: str | None = None) -> list[Call]:
        """Return the calls received, of one method or all."""
        with self.state.lock:
            return [c for c in self.state.calls if method is None or c.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Return what ``channel`` shows now: the bot's posts (``ts``, ``text``, ``blocks``)."""
        with self.state.lock:
            return [dict(m) for (where, _ts), m in self.state.posted.items() if where == channel]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until ``method`` was called ``count`` times (listeners run after the ack)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.calls(method)
            if len(found) >= count:
                return found
            time.sleep(0.005)
        raise AssertionError(f"{method} called {len(self.calls(method))} times, not {count}")


class _Handler(BaseHTTPRequestHandler):
    """Answers one Web API call from the canned state."""

    state: SlackState
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        """Record the call, apply a canned failure if any, else answer it."""
        parts = urlsplit(self.path)
        params = self._params(parts.query)
        token = (self.headers.get("Authorization") or "").removeprefix("Bearer ") or None
        if parts.path.startswith("/response/"):
            self._record("response_url", {**params, "hook": parts.path}, token)
            self._reply(200, "ok", "text/plain")
            return
        method = parts.path.removeprefix("/api/")
        self._record(method, params, token)
        time.sleep(self.state.delays.get(method, 0.0))
        failure = self._failure(method)
        if failure is not None and failure.retry_after is not None:
            self._reply(429, json.dumps({"ok": False, "error": "ratelimited"}),
                        headers={"Retry-After": str(failure.retry_after)})
            return
        if failure is not None:
            self._reply(200, json.dumps({"ok": False, "error": failure.error}))
            return
        self._reply(200, json.dumps(self._answer(method, params)))

    def _params(self, query: str) -> dict[str, Any]:
        """Merge the query string with a form or JSON body; decode JSON-valued fields."""
        params: dict[str, Any] = dict(parse_qsl(query))
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        if raw and "json" in (self.headers.get("Content-Type") or ""):
            params.update(json.loads(raw))
        elif raw:
            params.update(parse_qsl(raw))
        for key in ("blocks", "view", "payload"):
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        return params

    def _record(self, method: str, params: dict[str, Any], token: str | None) -> None:
        call = Call(method, params, token)
        with self.state.lock:
            self.state.calls.append(call)
        for listener in self.state.listeners:
            listener(call)

    def _failure(self, method: str) -> _Failure | None:
        """Take one canned failure of ``method``, if any is left."""
        with self.state.lock:
            return take(self.state.failures.get(method))

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        """Return the successful answer to a Web API method."""
        number = next(self.state.counter)
        if method == "auth.test":
            return {"ok": True, "url": "https://ecoute-test.slack.com/", "team": "Test",
                    "user": "ecoute", "team_id": "T1", "user_id": BOT_USER, "bot_id": "BBOT"}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "")).lstrip("U")}}
        if method.startswith("chat."):
            return self._chat(method, params, number)
        if method == "users.info":
            user = self.state.users.get(str(params.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method == "conversations.members":
            return self._members(params)
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": f"V{number}", **(params.get("view") or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.state.socket_url}
        return {"ok": False, "error": "unknown_method"}

    def _chat(self, method: str, params: dict[str, Any], number: int) -> dict[str, Any]:
        """Post, update or delete a message of a channel (``message_not_found`` when absent)."""
        channel = str(params.get("channel", ""))
        ts = str(params.get("ts") or f"{1700000000 + number}.000100")
        message = {"ts": ts, "text": params.get("text"), "blocks": params.get("blocks")}
        with self.state.lock:
            if method == "chat.postMessage":
                self.state.posted[(channel, ts)] = message
                if len(self.state.posted) > KEPT_MESSAGES:  # benchmarks post a lot
                    del self.state.posted[next(iter(self.state.posted))]
            elif (channel, ts) not in self.state.posted:
                return {"ok": False, "error": "message_not_found"}
            elif method == "chat.update":
                self.state.posted[(channel, ts)] = message
            elif method == "chat.delete":
                del self.state.posted[(channel, ts)]
            else:
                return {"ok": False, "error": "unknown_method"}
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _members(self, params: dict[str, Any]) -> dict[str, Any]:
        """Return one page of a channel's members (cursor = offset)."""
        members = self.state.members.get(str(params.get("channel")))
        if members is None:
            return {"ok": False, "error": "channel_not_found"}
        start = int(params.get("cursor") or 0)
        limit = int(params.get("limit") or 100)
        page = members[start:start + limit]
        following = str(start + limit) if start + limit < len(members) else ""
        return {"ok": True, "members": page, "response_metadata": {"next_cursor": following}}

    def _reply(self, status: int, body: str, content_type: str = "application/json",
               headers: dict[str, str] | None = None) -> None:
        data = body.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass


def callback(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    """Wrap an event in the Events API's ``event_callback`` envelope."""
    return {"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
            "event": event, "event_id": event_id, "event_time": int(time.time())}


class SlackWorkspace:
    """Slack's side of the app's endpoint: signed events, taps, commands and modal submissions.

    Requests go to ``POST /slack/events`` of a Flask test client, signed exactly as
    Slack signs them (``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``).
    """

    def __init__(self, client: Any, api: SlackEmulator, secret: str) -> None:
        self.client = client
        self.api = api
        self.secret = secret
        self._count = itertools.count(1)

    def post(self, body: str, content_type: str, *, headers: dict[str, str] | None = None,
             timestamp: int | None = None, secret: str | None = None) -> Any:
        """Post a body as Slack would, signed with ``secret`` at ``timestamp`` (now)."""
        from slack_sdk.signature import SignatureVerifier

        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = SignatureVerifier(secret or self.secret).generate_signature(
            timestamp=stamp, body=body)
        signed = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature,
                  "Content-Type": content_type, **(headers or {})}
        return self.client.post("/slack/events", data=body.encode(), headers=signed)

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              retry: int | None = None) -> Any:
        """Deliver an Events API callback (a retry carries ``X-Slack-Retry-Num``)."""
        envelope = callback(event, event_id or f"Ev{next(self._count)}")
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} \
            if retry else {}
        return self.post(json.dumps(envelope), "application/json", headers=headers)

    def dm(self, user: str, text: str, **options: Any) -> Any:
        """Send the bot a direct message from ``user``."""
        return self.event({"type": "message", "channel_type": "im", "channel": "D" + user[1:],
                           "user": user, "text": text, "ts": f"{time.time():.6f}"}, **options)

    def tap(self, user: str, call: Call, value: str) -> Any:
        """Tap the button whose value is ``value`` in a message the bot posted."""
        blocks = call.params.get("blocks") or []
        for block in blocks:
            for element in block.get("elements") or []:
                if element.get("value") == value:
                    return self._action(user, call, block, element)
        raise AssertionError(f"no button {value!r} in {blocks}")

    def _action(self, user: str, call: Call, block: dict[str, Any],
                element: dict[str, Any]) -> Any:
        """Post the ``block_actions`` payload of one tap."""
        number = next(self._count)
        payload = {
            "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user},
            "api_app_id": "A1", "trigger_id": f"trigger{number}",
            "channel": {"id": str(call.params.get("channel"))},
            "container": {"type": "message", "message_ts": f"{number}.0"},
            "message": {"type": "message", "ts": f"{number}.0", "text": call.params.get("text"),
                        "blocks": call.params.get("blocks")},
            "response_url": f"{self.api.url}/response/{number}",
            "actions": [{**element, "block_id": block["block_id"],
                         "action_ts": f"{time.time():.6f}"}],
        }
        return self.post(urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded")

    def tap_view(self, user: str, view: dict[str, Any], action_id: str) -> Any:
        """Tap the button ``action_id`` of a published view (App Home), as Slack posts it."""
        number = next(self._count)
        for index, block in enumerate(view.get("blocks") or []):
            for element in block.get("elements") or []:
                if element.get("action_id") == action_id:
                    payload = {
                        "type": "block_actions", "team": {"id": "T1"}, "user": {"id": user},
                        "api_app_id": "A1", "trigger_id": f"trigger{number}",
                        "container": {"type": "view", "view_id": f"V{number}"},
                        "view": {**view, "id": f"V{number}"},
                        "actions": [{**element, "block_id": block.get("block_id", f"b{index}"),
                                     "action_ts": f"{time.time():.6f}"}],
                    }
                    return self.post(urlencode({"payload": json.dumps(payload)}),
                                     "application/x-www-form-urlencoded")
        raise AssertionError(f"no button {action_id!r} in the view")

    def command(self, user: str, command: str = "/feedback", text: str = "") -> Any:
        """Run a slash command as ``user``."""
        number = next(self._count)
        form = {"token": "legacy", "team_id": "T1", "channel_id": "C1", "user_id": user,
                "command": command, "text": text, "trigger_id": f"trigger{number}",
                "response_url": f"{self.api.url}/response/{number}", "api_app_id": "A1"}
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def submit(self, user: str, view: dict[str, Any], values: dict[str, str], *,
               anonymous: bool = False, view_id: str = "VSUBMIT") -> Any:
        """Submit a modal the bot opened, with ``values`` by block id."""
        state: dict[str, Any] = {}
        for block in view.get("blocks") or []:
            block_id = block.get("block_id")
            if block.get("type") != "input":
                continue
            kind = block["element"]["type"]
            if block_id == "ecoute_anonymous":
                chosen = block["element"]["options"] if anonymous else []
                state[block_id] = {"value": {"type": kind, "selected_options": chosen}}
            elif kind == "plain_text_input":
                state[block_id] = {"value": {"type": kind, "value": values.get(block_id)}}
            else:
                option = next((o for o in block["element"]["options"]
                               if o["value"] == values.get(block_id)), None)
                state[block_id] = {"value": {"type": kind, "selected_option": option}}
        payload = {"type": "view_submission", "team": {"id": "T1"}, "user": {"id": user},
                   "api_app_id": "A1", "trigger_id": "trigger-submit",
                   "view": {**view, "id": view_id, "state": {"values": state}}}
        return self.post(urlencode({"payload": json.dumps(payload)}),
                         "application/x-www-form-urlencoded")

    def home(self, user: str) -> Any:
        """Open the app's Home tab as ``user``."""
        return self.event({"type": "app_home_opened", "user": user, "channel": "D" + user[1:],
                           "tab": "home"})
