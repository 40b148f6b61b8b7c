"""Slack DM turns per second through ``POST /slack/events`` under gunicorn, beside the baseline.

Usage::

    .venv/bin/python -m bench.slack_bench [--seconds 10] [--people 8]
    .venv/bin/python -m bench.slack_bench --postgres postgresql+psycopg://postgres@127.0.0.1/test

In one run, on a fresh store each: (a) the bare one-insert Flask baseline
(``bench/baseline_app.py``) and (b) Écoute's Slack endpoint, both under gunicorn
with 2 sync workers. ``--people`` threads each hold three-turn NPS dialogues by
DM (``start nps``, ``9``, a reason), every request signed as Slack signs it; a
turn counts when its last reply reached the loopback Web API emulator (this
process). Printed: the baseline's requests/s; Écoute's completed turns/s and
their ratio to the baseline; the p50/p99 of the ack (Slack's 3-second budget)
and of the whole turn (ack + Bolt's listener + the Web API calls).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from testkit.emulators.slack import Call, SlackEmulator, callback
from testkit.stores import fresh_store

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-signing-secret"
TURNS = (("start nps", 1), ("9", 1), ("Quick and kind", 2))  # text, replies it gets


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _gunicorn(target: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Start gunicorn (2 sync workers) on a free loopback port; wait until it answers."""
    port = _free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", target], cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(f"{url}/health", timeout=1)
            break
        except OSError as error:
            if getattr(error, "code", None):  # the baseline has no /health: any answer will do
                break
            time.sleep(0.05)
    return process, url


class Replies:
    """Counts the bot's replies per DM channel, so a person waits for theirs."""

    def __init__(self) -> None:
        self.count: dict[str, int] = {}
        self.changed = threading.Condition()

    def __call__(self, call: Call) -> None:
        if call.method == "chat.postMessage":
            with self.changed:
                channel = str(call.params.get("channel"))
                self.count[channel] = self.count.get(channel, 0) + 1
                self.changed.notify_all()

    def wait(self, channel: str, total: int, timeout: float = 10.0) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: self.count.get(channel, 0) >= total, timeout):
                raise TimeoutError(f"{channel}: {self.count.get(channel, 0)} of {total} replies")


def _signed(url: str, body: bytes) -> float:
    """POST a body signed as Slack signs it; return the seconds until the ack."""
    stamp = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body.decode())
    request = urllib.request.Request(f"{url}/slack/events", data=body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()
    return time.perf_counter() - started


def _person(url: str, replies: Replies, deadline: float, number: int,
            acks: list[float], turns: list[float]) -> None:
    """Hold dialogues one after the other until the deadline, as new people each time."""
    dialogue = 0
    while time.monotonic() < deadline:
        dialogue += 1
        user = f"U{number:03d}X{dialogue:05d}"
        channel, expected = "D" + user[1:], 0
        for text, count in TURNS:
            event = {"type": "message", "channel_type": "im", "channel": channel, "user": user,
                     "text": text, "ts": f"{time.time():.6f}"}
            body = json.dumps(callback(event, secrets.token_hex(8))).encode()
            started = time.perf_counter()
            acks.append(_signed(url, body))
            expected += count
            replies.wait(channel, expected)
            turns.append(time.perf_counter() - started)


def _baseline(url: str, seconds: float, people: int) -> float:
    """Return the baseline's requests/s with the same client and concurrency."""
    done: list[int] = []
    deadline = time.monotonic() + seconds

    def hammer() -> None:
        count = 0
        while time.monotonic() < deadline:
            urllib.request.urlopen(urllib.request.Request(f"{url}/insert", data=b"x"),
                                   timeout=10).read()
            count += 1
        done.append(count)

    threads = [threading.Thread(target=hammer) for _ in range(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def _percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100)[int(share * 100) - 1] * 1000


def main() -> None:
    """Run the baseline, then Écoute's Slack endpoint; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--people", type=int, default=8)
    parser.add_argument("--postgres", default=None)
    _run(parser.parse_args())


def _slack_turns(api: SlackEmulator, replies: Replies, options: argparse.Namespace,
                 store: str) -> tuple[list[float], list[float]]:
    """Run Écoute's Slack endpoint under load; return the ack and turn latencies."""
    env = {"DATABASE_URL": store, "SLACK_BOT_TOKEN": "xoxb-bench",
           "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_BASE_URL": api.api_url}
    server, url = _gunicorn("ecoute.wsgi:create_app()", env)
    acks: list[float] = []
    turns: list[float] = []
    try:
        deadline = time.monotonic() + options.seconds
        threads = [threading.Thread(target=_person, args=(url, replies, deadline, n, acks, turns))
                   for n in range(options.people)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait()
    return acks, turns


def _run(options: argparse.Namespace) -> None:
    """Measure both servers and print the figures."""
    with SlackEmulator() as api:
        replies = Replies()
        api.state.listeners.append(replies)
        with fresh_store(options.postgres) as store:
            server, url = _gunicorn("bench.baseline_app:create_app()", {"DATABASE_URL": store})
            try:
                baseline = _baseline(url, options.seconds, options.people)
            finally:
                server.terminate()
                server.wait()
        with fresh_store(options.postgres, migrated=True) as store:
            acks, turns = _slack_turns(api, replies, options, store)
    rate = len(turns) / options.seconds
    store = "PostgreSQL" if options.postgres else "SQLite"
    print(f"{store}, {options.people} people, {options.seconds:.0f} s, gunicorn 2 sync workers")
    print(f"baseline one-insert POST: {baseline:.0f} req/s")
    print(f"Slack DM turns: {rate:.0f} turns/s ({100 * rate / baseline:.0f} % of the baseline)")
    print(f"ack p50 {_percentile(acks, 0.5):.1f} ms, p99 {_percentile(acks, 0.99):.1f} ms; "
          f"turn p50 {_percentile(turns, 0.5):.1f} ms, p99 {_percentile(turns, 0.99):.1f} ms")


if __name__ == "__main__":
    main()
