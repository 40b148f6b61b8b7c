"""Time sending an announcement through the real Telegram client to the loopback emulator.

Usage::

    .venv/bin/python -m bench.announce_send [--people 3000]            # (b) rate limits lifted
    .venv/bin/python -m bench.announce_send --limits [--seconds 60]    # (c) Telegram's limits on

(b) One worker's dispatcher drains a published announcement (each message written
at send time, in the person's language) through python-telegram-bot to the Bot API
emulator, rate limits lifted; deliveries per second are printed beside a baseline
measured in the same run: the same number of plain, pre-written outbox messages (a
staff alert, nothing written at send time) through the same dispatcher and client.
Goal: ≥ 1,000 deliveries/s per worker. The emulator runs in a process of its own,
as Telegram's servers are not in the worker's process (``--same-process`` puts it
back in the worker's, sharing its interpreter lock, as the earlier figures had it);
``--in-flight`` sets how many sends the worker has in flight at once (16 by default,
``1`` gives the former one-at-a-time dispatcher). ``--api-latency-ms 40`` answers each
call 40 ms later (the asyncio stand-in of :mod:`bench.telegram_harness`, a round trip
to a far-away Telegram): what sending several at once is for.

(c) With Telegram's limits on (30/s overall, 1/s per chat), the dispatcher runs for
``--seconds`` (10 by default; the goal is stated over 60) on a real clock; every send
time is recorded. Printed: the most sent in any one-second window (goal: never more
than 30) and the mean rate over the window (goal: ≥ 95 % of 30/s).
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import multiprocessing
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.telegram_harness import TOKEN as BENCH_TOKEN
from bench.telegram_harness import Emulator
from bot import announcements
from bot.announcement_message import AnnouncementSettings
from bot.engine import utcnow
from bot.messages import Outbound
from bot.outbox import Dispatcher, OutboxSettings, enqueue
from bot.sending import Sender
from channels.telegram.runtime import TelegramSender, build_bot
from channels.telegram.settings import TelegramSettings
from storage.db import Database
from storage.migrate import upgrade
from storage.vocabulary import DeliveryKind
from testkit.announce_seed import seed
from testkit.emulators.telegram import TelegramEmulator

LOUD = AnnouncementSettings(quiet=None, per_week=5)


class Timed:
    """A sender that notes when each message leaves (for the rate-limit check)."""

    def __init__(self, inner: Sender) -> None:
        self.inner, self.times = inner, []  # type: ignore[var-annotated]

    def send(self, address: str, message: Outbound) -> None:
        self.times.append(time.monotonic())
        self.inner.send(address, message)


def store(folder: str, people: int) -> tuple[Database, int]:
    """Return a migrated SQLite store seeded with ``people`` Telegram users and the improvement."""
    db = Database(f"sqlite:///{Path(folder) / 'send.db'}")
    upgrade(db.engine)
    return db, seed(db, people, now=utcnow(), channels=("telegram",))


def _serve(pipe: multiprocessing.connection.Connection, latency: float | None) -> None:
    """Run the emulator in this (child) process until the parent says stop.

    With a ``latency`` (seconds), the bench's asyncio Bot API stand-in answers each
    call that much later, as a far-away Telegram would (:mod:`bench.telegram_harness`).
    """
    if latency is None:
        with TelegramEmulator() as api:
            pipe.send((api.url, api.token))
            pipe.recv()
        return

    async def far_away() -> None:
        server = await asyncio.start_server(Emulator(latency).serve, "127.0.0.1", 0)
        pipe.send((f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", BENCH_TOKEN))
        await asyncio.get_running_loop().run_in_executor(None, pipe.recv)
        server.close()
    asyncio.run(far_away())


@contextlib.contextmanager
def emulator(*, same_process: bool, latency: float | None = None) -> Iterator[TelegramSettings]:
    """Yield the client settings of a Bot API emulator, in its own process unless told."""
    if same_process:
        with TelegramEmulator() as api:
            yield TelegramSettings(token=api.token, api_base_url=api.url)
        return
    parent, child = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(target=_serve, args=(child, latency))
    process.start()
    url, token = parent.recv()
    try:
        yield TelegramSettings(token=token, api_base_url=url)
    finally:
        parent.send("stop")
        process.join(10)


def drain(worker: Dispatcher) -> tuple[int, float]:
    """Run passes until nothing more is sent; return (sent, seconds)."""
    sent, began = 0, time.perf_counter()
    while True:
        report = worker.run_once()
        sent += report.sent
        if not (report.sent or report.deferred or report.retried):
            return sent, time.perf_counter() - began


def client_ceiling(telegram: TelegramSettings, messages: int) -> float:
    """Return how many ``send_message`` a second the bare client makes to the emulator."""
    async def send_all() -> float:
        bot = build_bot(telegram)
        await bot.initialize()
        began = time.perf_counter()
        for n in range(messages):
            await bot.send_message(chat_id=10_000_000 + n, text="We doubled the support team.")
        spent = time.perf_counter() - began
        await bot.shutdown()
        return messages / spent
    return asyncio.run(send_all())


def lifted(people: int, in_flight: int, *, same_process: bool,
           latency: float | None = None) -> None:
    """(b): deliveries per second with the limits lifted, beside the plain-message baseline."""
    settings = OutboxSettings(default_rate="1000000/second",
                              default_respondent_rate="1000000/second", batch=200,
                              announcements=LOUD, in_flight=in_flight)
    with emulator(same_process=same_process, latency=latency) as telegram, \
            tempfile.TemporaryDirectory() as folder:
        sender = TelegramSender(telegram)
        db, improvement = store(folder, people)
        now = utcnow()
        for n in range(people):  # the baseline: plain messages to the same chats
            enqueue(db, key=f"plain-{n}", kind=DeliveryKind.ALERT, channel="telegram",
                    message=Outbound("We doubled the support team."),
                    address=str(10_000_000 + n), now=now)
        worker = Dispatcher(db, {"telegram": sender}, settings=settings, clock=utcnow)
        plain, plain_s = drain(worker)
        with db.transaction() as session:
            announcements.publish(session, improvement, actor="bench", now=utcnow())
        sent, sent_s = drain(worker)
        worker.close()
        sender.close()
        bare = client_ceiling(telegram, people)
    where = "in the worker's process" if same_process else "in its own process"
    if latency is not None:
        where += f", each call answered {latency * 1000:.0f} ms later"
    print(f"emulator {where}; {in_flight} send(s) in flight")
    print(f"ceiling: the bare python-telegram-bot client, {people} send_message one after "
          f"another, nothing else: {bare:.0f}/s")
    print(f"baseline: {plain} plain messages in {plain_s:.2f} s = {plain / plain_s:.0f}/s")
    print(f"announcement: {sent} personal messages in {sent_s:.2f} s = {sent / sent_s:.0f}/s "
          f"per worker = {sent / sent_s / (plain / plain_s):.2f}× the baseline; "
          f"goal ≥ 1,000/s: {'met' if sent / sent_s >= 1000 else 'NOT met'}")


def limited(seconds: float) -> None:
    """(c): Telegram's limits on, for ``seconds``: the busiest second and the mean rate."""
    people = int(seconds * 30 * 1.2) + 50
    with TelegramEmulator() as api, tempfile.TemporaryDirectory() as folder:
        telegram = TelegramSettings(token=api.token, api_base_url=api.url)
        sender = Timed(TelegramSender(telegram))
        db, improvement = store(folder, people)
        with db.transaction() as session:
            announcements.publish(session, improvement, actor="bench", now=utcnow())
        settings = OutboxSettings(channel_rates={"telegram": telegram.rate},
                                  respondent_rates={"telegram": telegram.per_chat_rate},
                                  announcements=LOUD)
        worker = Dispatcher(db, {"telegram": sender}, settings=settings, clock=utcnow)
        sender.inner.bot()  # type: ignore[attr-defined]  # the client's start-up is not a send
        began = time.monotonic()
        while time.monotonic() - began < seconds:
            worker.run_once()
        sender.inner.close()  # type: ignore[attr-defined]
    times = [t - began for t in sender.times if t - began < seconds]
    busiest = max((bisect.bisect_left(times, t + 1.0) - i for i, t in enumerate(times)),
                  default=0)
    mean = len(times) / seconds
    print(f"{len(times)} sent in {seconds:.0f} s with Telegram's limits (30/s, 1/s per chat)")
    print(f"busiest one-second window: {busiest} (goal ≤ 30: "
          f"{'met' if busiest <= 30 else 'NOT met'}); mean {mean:.1f}/s = "
          f"{mean * 100 / 30:.1f} % of 30/s (goal ≥ 95 %: {'met' if mean >= 28.5 else 'NOT met'})")


def main() -> None:
    """Run (b) or (c)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=3000)
    parser.add_argument("--limits", action="store_true", help="(c) with Telegram's limits on")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--in-flight", type=int, default=OutboxSettings().in_flight)
    parser.add_argument("--same-process", action="store_true",
                        help="run the emulator in the worker's process")
    parser.add_argument("--api-latency-ms", type=float,
                        help="each Bot API call takes this long (the asyncio stand-in)")
    args = parser.parse_args()
    latency = None if args.api_latency_ms is None else args.api_latency_ms / 1000
    if args.limits:
        limited(args.seconds)
    else:
        lifted(args.people, args.in_flight, same_process=args.same_process, latency=latency)


if __name__ == "__main__":
    main()
