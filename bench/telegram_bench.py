"""Telegram webhook turns per second under gunicorn (2 workers), beside the baseline and yardstick.

Usage::

    .venv/bin/python -m bench.telegram_bench                  # SQLite, 10 s a target
    .venv/bin/python -m bench.telegram_bench --postgres postgresql+psycopg://postgres@127.0.0.1/test

In one run, against a fresh store each, measured in interleaved slices so that
whatever else the machine does weighs on every target alike: (a) the bare one-insert Flask baseline
(``bench/baseline_app.py``), (b) the yardstick, a plain ConversationHandler bot
with its state in the database (``bench/telegram_yardstick.py``), and (c) Écoute's
webhook. Many people at once each hold three-turn NPS dialogues (``/start nps``,
tap 9, type a reason); a turn counts when its replies reached the emulator. The
harness (emulator + load generator, this process) reports its own CPU, and the
servers' CPU is read from ``/proc``: on two cores, they share the same machine.
``--api-latency-ms 40`` makes each Bot API call take as long as a round trip to
Telegram's servers does from most hosts (a webhook's own answer is not delayed).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path

from bench.telegram_harness import TOKEN, Emulator, Load, post
from testkit.stores import fresh_store

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"
TARGETS = {
    "baseline": "bench.baseline_app:create_app()",
    "yardstick": "bench.telegram_yardstick:create_app()",
    "ecoute": "ecoute.wsgi:create_app()",
}


def _cpu_seconds(pid: int) -> float:
    """Return the user+system CPU seconds of a process and its children (gunicorn workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    with suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    for one in pids:
        with suppress(OSError):
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


async def _serve(target: str, url: str, api: str) -> tuple[subprocess.Popen[bytes], int]:
    """Start gunicorn with two sync workers on a free port; wait until it answers."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    env = {**os.environ, "DATABASE_URL": url, "TELEGRAM_BOT_TOKEN": TOKEN,
           "TELEGRAM_API_BASE_URL": api, "TELEGRAM_WEBHOOK_SECRET": SECRET}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", TARGETS[target]],
        cwd=ROOT, env=env,
    )
    for _ in range(200):
        with suppress(OSError):
            _r, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return server, port
        await asyncio.sleep(0.05)
    server.kill()
    raise RuntimeError(f"{target} did not start")


async def _run(work: Callable[[float], Awaitable[None]], people: int, seconds: float) -> None:
    """Run ``people`` loops of ``work`` until ``seconds`` have passed."""
    until = time.monotonic() + seconds
    await asyncio.gather(*(work(until) for _ in range(people)))


@dataclass
class Target:
    """One server under test, its own emulator, and what was measured on it so far."""

    name: str
    server: subprocess.Popen[bytes]
    port: int
    load: Load
    api: asyncio.Server
    latencies: list[float] = field(default_factory=list)
    totals: dict[str, float] = field(default_factory=lambda: dict.fromkeys(
        ("turns", "errors", "seconds", "server_cpu", "harness_cpu"), 0.0))

    async def work(self, until: float) -> None:
        """One person: dialogues (or bare inserts for the baseline) until the deadline."""
        while time.monotonic() < until:
            started = time.perf_counter()
            if self.name == "baseline":
                status, _body = await post(self.port, "/insert", {"x": 1}, {})
                self.load.stats["turns" if status == 200 else "errors"] += 1
                self.latencies.append(time.perf_counter() - started)
            else:
                await self.load.dialogue()
                self.latencies.append((time.perf_counter() - started) / 3)

    async def slice(self, people: int, seconds: float) -> None:
        """Measure for ``seconds`` and add to the totals."""
        self.load.stats.update(turns=0, errors=0)
        cpu_server, cpu_harness = _cpu_seconds(self.server.pid), time.process_time()
        started = time.monotonic()
        await _run(self.work, people, seconds)
        totals = self.totals
        totals["seconds"] += time.monotonic() - started
        totals["server_cpu"] += _cpu_seconds(self.server.pid) - cpu_server
        totals["harness_cpu"] += time.process_time() - cpu_harness
        totals["turns"] += self.load.stats["turns"]
        totals["errors"] += self.load.stats["errors"]

    def report(self) -> dict[str, float]:
        """Return turns/s, p50 latency and CPU per turn over every slice."""
        t = self.totals
        turns = max(t["turns"], 1)
        return {"turns_per_s": t["turns"] / t["seconds"], "errors": t["errors"],
                "p50_ms": statistics.median(self.latencies) * 1000 if self.latencies else 0.0,
                "server_cpu_ms_per_turn": 1000 * t["server_cpu"] / turns,
                "harness_cpu_ms_per_turn": 1000 * t["harness_cpu"] / turns,
                "server_cores": t["server_cpu"] / t["seconds"],
                "harness_cores": t["harness_cpu"] / t["seconds"]}

    async def close(self) -> None:
        """Stop the server and its emulator."""
        self.server.terminate()
        self.server.wait(10)
        self.api.close()


async def start(name: str, url: str, latency: float) -> Target:
    """Start a target's emulator and server, and warm both workers up."""
    emulator = Emulator(latency)
    api = await asyncio.start_server(emulator.serve, "127.0.0.1", 0)
    server, port = await _serve(name, url, f"http://127.0.0.1:{api.sockets[0].getsockname()[1]}")
    target = Target(name, server, port, Load(emulator, port, "/telegram/webhook", SECRET), api)
    await _run(target.work, 8, 1.5)  # both workers build their bot and warm their caches
    target.latencies.clear()
    return target


async def main_async(args: argparse.Namespace) -> None:
    """Measure the targets in interleaved slices (the machine's other load hits all alike)."""
    targets: list[Target] = []
    with ExitStack() as stores:
        try:
            for name in args.only.split(","):
                url = stores.enter_context(fresh_store(args.postgres, migrated=name == "ecoute"))
                targets.append(await start(name, url, args.api_latency_ms / 1000))
            for _round in range(args.rounds):
                for target in targets:
                    await target.slice(args.people, args.seconds / args.rounds)
        finally:
            for target in targets:
                await target.close()
    _print({t.name: t.report() for t in targets})


def _print(results: dict[str, dict[str, float]]) -> None:
    """Print one line per target and Écoute's ratios."""
    for name, row in results.items():
        print(f"{name:10} {row['turns_per_s']:6.0f} turns/s  errors {row['errors']:.0f}  "
              f"p50 {row['p50_ms']:5.1f} ms  server {row['server_cpu_ms_per_turn']:4.1f} "
              f"ms CPU/turn ({row['server_cores']:.2f} cores)  harness "
              f"{row['harness_cpu_ms_per_turn']:4.1f} ms CPU/turn "
              f"({row['harness_cores']:.2f} cores)", flush=True)
    if "ecoute" in results:
        for other in ("yardstick", "baseline"):
            if other in results:
                ratio = results["ecoute"]["turns_per_s"] / results[other]["turns_per_s"]
                print(f"ecoute / {other}: {ratio:.2f}x")


def main() -> None:
    """Parse the arguments and run the bench."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=12.0, help="per target, in all")
    parser.add_argument("--rounds", type=int, default=4, help="interleaved slices per target")
    parser.add_argument("--people", type=int, default=16, help="dialogues at once")
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: SQLite files)")
    parser.add_argument("--only", default="baseline,yardstick,ecoute")
    parser.add_argument("--api-latency-ms", type=float, default=0.0,
                        help="delay each Bot API answer, as a faraway api.telegram.org does")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
