"""A loopback Socket Mode endpoint: the WebSocket ``apps.connections.open`` points clients to.

Usage::

    with SlackEmulator() as api:          # api.socket is started with the emulator
        envelope = api.socket.push("events_api", {"type": "event_callback", ...})
        api.socket.wait_for_ack(envelope)

It speaks just enough RFC 6455 for slack-sdk's built-in Socket Mode client on a
plain (non-TLS) port: the handshake, Slack's ``hello``, text frames both ways,
and pong for ping. Acknowledgements (``{"envelope_id": ...}``) are recorded.
"""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class SocketModeServer:
    """Accepts Socket Mode clients on 127.0.0.1 and pushes envelopes to them."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.clients: list[socket.socket] = []
        self.acks: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        """Return the WebSocket URL handed out by ``apps.connections.open``."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket=test"

    def close(self) -> None:
        """Stop accepting and drop every client."""
        self._closed = True
        self._listener.close()
        with self._lock:
            for client in self.clients:
                client.close()

    def wait_for_client(self, timeout: float = 5.0) -> None:
        """Wait until a client has connected."""
        _until(lambda: bool(self.clients), timeout, "no Socket Mode client connected")

    def push(self, kind: str, payload: dict[str, Any]) -> str:
        """Send an envelope (``events_api``, ``interactive``, ``slash_commands``); return its id."""
        envelope_id = uuid.uuid4().hex
        self._broadcast({"envelope_id": envelope_id, "type": kind, "payload": payload,
                         "accepts_response_payload": kind != "events_api", "retry_attempt": 0,
                         "retry_reason": ""})
        return envelope_id

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the client's acknowledgement of an envelope and return it."""
        _until(lambda: any(a.get("envelope_id") == envelope_id for a in self.acks), timeout,
               f"envelope {envelope_id} not acknowledged")
        return next(a for a in self.acks if a.get("envelope_id") == envelope_id)

    def _broadcast(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        with self._lock:
            for client in self.clients:
                client.sendall(_frame(0x1, data))

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _address = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        """Do the handshake, say hello, then read the client's frames."""
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                request += client.recv(4096)
            key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                       if line.lower().startswith(b"sec-websocket-key:"))
            accept = base64.b64encode(hashlib.sha1(key + GUID.encode()).digest()).decode()
            client.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n")
                           .encode())
            client.sendall(_frame(0x1, json.dumps({"type": "hello", "num_connections": 1})
                                  .encode()))
            with self._lock:
                self.clients.append(client)
            self._read(client)
        except (OSError, StopIteration, struct.error):
            pass

    def _read(self, client: socket.socket) -> None:
        while True:
            opcode, data = _read_frame(client)
            if opcode == 0x8:
                return
            if opcode == 0x9:
                client.sendall(_frame(0xA, data))
            elif opcode == 0x1:
                self.acks.append(json.loads(data))


def _frame(opcode: int, data: bytes) -> bytes:
    """Encode one unmasked server frame."""
    head = bytes([0x80 | opcode])
    if len(data) < 126:
        return head + bytes([len(data)]) + data
    if len(data) < 65536:
        return head + bytes([126]) + struct.pack("!H", len(data)) + data
    return head + bytes([127]) + struct.pack("!Q", len(data)) + data


def _read_frame(client: socket.socket) -> tuple[int, bytes]:
    """Read one (masked) client frame."""
    first, second = _exactly(client, 2)
    length = second & 0x7F
    if length == 126:
        length = struct.unpack("!H", _exactly(client, 2))[0]
    elif length == 127:
        length = struct.unpack("!Q", _exactly(client, 8))[0]
    mask = _exactly(client, 4) if second & 0x80 else b"\0\0\0\0"
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(_exactly(client, length)))
    return first & 0x0F, data


def _exactly(client: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = client.recv(size - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def _until(condition: Any, timeout: float, problem: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.005)
    raise AssertionError(problem)
