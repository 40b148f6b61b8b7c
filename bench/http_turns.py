"""Widget dialogue turns over HTTP beside the bare one-insert baseline, under gunicorn and wrk.

Usage::

    .venv/bin/python -m bench.http_turns [--duration 8] [--rounds 2] [--connections 4]
    ECOUTE_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python -m bench.http_turns

In one run and per store (SQLite WAL in a temporary file; PostgreSQL when
``ECOUTE_BENCH_POSTGRES_URL`` or ``ECOUTE_TEST_POSTGRES_URL`` is set, in a schema of
its own), two gunicorn servers (2 sync workers each) listen on loopback: (a) the
baseline, ``bench/baseline_app.py``, whose POST inserts one row through SQLAlchemy;
(b) Écoute itself, whose widget API gets complete NPS dialogues from
``bench/widget_turns.lua`` (start, tap a score, type a why, answer the consent
question: four turns, each checked, de-duplicated, stored and transcribed). wrk
(Debian's ``wrk``) loads each in turn; rounds alternate and the best round of
each is kept, since noise on a shared machine only ever slows a round down. It
prints requests/s, p50 and p99 of both and the ratio; the goal is widget turns at
>= 60 % of the baseline's requests/s on both stores. The rate limits are raised
for the run (one address sends everything) but still counted on every request.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from storage.db import Database
from storage.migrate import upgrade
from testkit.stores import postgres_store, sqlite_store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GOAL = 0.60
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass(frozen=True)
class Result:
    """What one wrk run measured."""

    rps: float
    p50_ms: float
    p99_ms: float
    bad: int
    notes: str = ""


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def gunicorn(app: str, env: dict[str, str], ready_path: str) -> Iterator[str]:
    """Serve ``app`` with gunicorn (2 sync workers) on loopback; yield its base URL."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "--workers", "2",
               "--worker-class", "sync", "--bind", f"127.0.0.1:{port}",
               "--log-level", "warning", app]
    server = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(url + ready_path, server)
        yield url
    finally:
        server.terminate()
        server.wait(15)


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    """Wait until ``url`` answers 200 (both workers up), or fail after 30 s."""
    deadline = time.monotonic() + 30
    answered = 0
    while answered < 4:
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn did not start: {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                answered += response.status == 200
        except OSError:
            time.sleep(0.2)


def wrk(url: str, script: str, seconds: float, connections: int) -> Result:
    """Load ``url`` with wrk and the Lua ``script``; return requests/s and latencies."""
    command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{seconds:g}s", "--latency",
               "-s", str(HERE / script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> Result:
    """Read requests/s, p50, p99 and the failed requests from wrk's report."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = {
        int(p): float(v) * UNITS[u]
        for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", output, re.M)
    }
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    bad += sum(int(n) for n in re.findall(r"Socket errors: .*?(\d+) timeout", output))
    notes = " ".join(line for line in output.splitlines() if line.startswith("widget:"))
    return Result(rps, percentiles[50], percentiles[99], bad, notes)


def measure(url: str, args: argparse.Namespace) -> tuple[Result, Result]:
    """Serve both apps on the store at ``url``; return the best baseline and widget rounds."""
    database = Database(url)
    upgrade(database.engine)
    database.dispose()
    env = {"DATABASE_URL": url, "ECOUTE_WIDGET_VISITOR_RATE": "1000000/minute",
           "ECOUTE_WIDGET_IP_RATE": "1000000/minute"}
    with ExitStack() as stack:
        base = stack.enter_context(gunicorn("bench.baseline_app:create_app()", env, "/ping"))
        ecoute = stack.enter_context(gunicorn("ecoute.wsgi:create_app()", env, "/healthz"))
        wrk(base + "/insert", "baseline_insert.lua", args.warmup, args.connections)
        wrk(ecoute, "widget_turns.lua", args.warmup, args.connections)
        baseline: list[Result] = []
        widget: list[Result] = []
        for _ in range(args.rounds):
            baseline.append(wrk(base + "/insert", "baseline_insert.lua", args.duration,
                                args.connections))
            widget.append(wrk(ecoute, "widget_turns.lua", args.duration, args.connections))
    return max(baseline, key=lambda r: r.rps), max(widget, key=lambda r: r.rps)


def report(store: str, baseline: Result, widget: Result) -> bool:
    """Print one store's figures; return whether the goal is met."""
    ratio = widget.rps / baseline.rps
    met = ratio >= GOAL and widget.bad == 0
    print(f"{store:10} baseline insert  {baseline.rps:8.0f} req/s  p50 {baseline.p50_ms:6.2f} ms"
          f"  p99 {baseline.p99_ms:6.2f} ms")
    print(f"{'':10} widget turns     {widget.rps:8.0f} req/s  p50 {widget.p50_ms:6.2f} ms"
          f"  p99 {widget.p99_ms:6.2f} ms  failed {widget.bad}")
    print(f"{'':10} ratio {ratio:.0%} (goal >= {GOAL:.0%}): {'met' if met else 'MISSED'}"
          f"   {widget.notes}")
    return met


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark on SQLite and, when configured, PostgreSQL; exit 1 if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per round")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of warm-up")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4, help="wrk connections = threads")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: apt-get install wrk")
    postgres = os.environ.get("ECOUTE_BENCH_POSTGRES_URL") or os.environ.get(
        "ECOUTE_TEST_POSTGRES_URL")
    stores = [("SQLite", sqlite_store())]
    if postgres:
        stores.append(("PostgreSQL", postgres_store(postgres)))
    print(f"gunicorn 2 sync workers, wrk -t{args.connections} -c{args.connections}, "
          f"{args.rounds} x {args.duration:g} s rounds, best kept")
    all_met = True
    for name, store in stores:
        with store as url:
            all_met &= report(name, *measure(url, args))
    return 0 if all_met else 1


if __name__ == "__main__":
    sys.exit(main())
