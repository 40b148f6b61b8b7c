"""The response browser at scale: page times beside ``SELECT count(*)``, export memory.

Usage::

    .venv/bin/python -m bench.generate --url sqlite:////tmp/big.db --answers 1000000
    .venv/bin/python -m bench.responses --url sqlite:////tmp/big.db

On a store already filled (``bench.generate``), in one run:

1. **Pages.** The real app (``web.create_app`` over the store, Flask's test client,
   a signed-in admin) serves ``/admin/responses`` and ``GET /api/v1/responses``:
   the first page, and the 100th reached by following the "older" cursor 99
   times. Each is requested ``--repeat`` times; the median of the time spent in
   the app is printed beside the median of a plain ``SELECT count(*) FROM answer``
   measured in the same run, and the goal (50 ms). A few filtered first pages
   (a score band, a common and a rare word) show what filters cost.
2. **Export memory.** ``ecoute serve --no-worker`` runs as a subprocess (waitress);
   a client signs in and streams ``/admin/responses/export.csv`` (every row),
   reading it as it comes, while the server's resident memory (``VmRSS`` from
   ``/proc``) is sampled every 20 ms. The growth over the resident memory before
   the export is printed beside the goal (50 MB).

The bench adds one staff account (``bench@example.com``) and one API token to the store.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from bot import api_tokens, staff
from ecoute.config import Settings
from ecoute.wiring import build
from storage.db import Database
from web import create_app

ROOT = Path(__file__).resolve().parent.parent
EMAIL, PASSWORD = "bench@example.com", "bench password, long enough"
PAGE_GOAL_MS, MEMORY_GOAL_MB = 50.0, 50.0
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
OLDER = re.compile(r'rel="next" href="([^"]+)"')


def median_ms(action: Callable[[], object], repeat: int) -> float:
    """Return the median duration of ``action`` in milliseconds (after one warm-up call)."""
    action()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def count_baseline(db: Database, repeat: int) -> float:
    """Return the median time of ``SELECT count(*) FROM answer`` (ms)."""
    def count() -> None:
        with db.reading() as connection:
            connection.execute(text("SELECT count(*) FROM answer")).scalar()
    return median_ms(count, repeat)


def account(db: Database) -> str:
    """Make sure the bench's admin exists; return an API token for the bench."""
    now = db_now()
    with contextlib.suppress(staff.StaffError):  # made by an earlier run
        staff.create_account(db, EMAIL, PASSWORD, "admin", actor=staff.CLI, now=now)
    return api_tokens.issue_token(db, "bench", "read", created_by=None, actor=staff.CLI, now=now)[0]


def db_now() -> Any:
    """Return now, in UTC."""
    from datetime import UTC, datetime

    return datetime.now(UTC)


def sign_in(get: Callable[..., Any], post: Callable[..., Any]) -> None:
    """Sign in as the bench's admin through the form."""
    token = CSRF.search(get("/admin/sign-in").text).group(1)  # type: ignore[union-attr]
    done = post("/admin/sign-in", data={"email": EMAIL, "password": PASSWORD,
                                        "csrf_token": token})
    assert done.status_code in (302, 303), done.status_code


def pages(url: str, repeat: int) -> None:
    """Time the console's and the API's first and 100th pages, and filtered first pages."""
    db = Database(url)
    token = account(db)
    settings = Settings.from_env({"DATABASE_URL": url, "ECOUTE_SECRET_KEY": "bench"})
    app = create_app(build(settings, database=db))
    client = app.test_client()

    class Reply:  # what sign_in reads of a response
        def __init__(self, response: Any) -> None:
            self.text, self.status_code = response.get_data(as_text=True), response.status_code

    sign_in(lambda p: Reply(client.get(p)), lambda p, data: Reply(client.post(p, data=data)))
    baseline = count_baseline(db, repeat)
    console = _hundredth(lambda path: client.get(path).get_data(as_text=True), "/admin/responses",
                         lambda html: OLDER.search(html).group(1).replace("&amp;", "&"))
    api_headers = {"Authorization": f"Bearer {token}"}
    api = _hundredth(lambda path: client.get(path, headers=api_headers).get_json(),
                     "/api/v1/responses",
                     lambda body: f"/api/v1/responses?cursor={body['next_cursor']}")
    print(f"store: {db.engine.dialect.name}; SELECT count(*) FROM answer: {baseline:.1f} ms "
          f"(median of {repeat})")
    for name, (first, hundredth) in (("console /admin/responses", console),
                                     ("API /api/v1/responses", api)):
        for label, path in (("first page", first), ("100th page", hundredth)):
            took = median_ms(lambda path=path: client.get(path, headers=api_headers), repeat)
            print(f"  {name} {label}: {took:.1f} ms ({took / baseline:.2f} x count(*); "
                  f"goal <= {PAGE_GOAL_MS:.0f} ms)")
    for query in ("band=detractor", "comment=yes&channel=slack", "q=attente", "q=zzzunfound"):
        path = f"/admin/responses?{query}"
        took = median_ms(lambda path=path: client.get(path), max(3, repeat // 3))
        print(f"  console first page ?{query}: {took:.1f} ms")
    db.dispose()


def _hundredth(fetch: Callable[[str], Any], first: str,
               older: Callable[[Any], str]) -> tuple[str, str]:
    """Return the paths of the first and the 100th page, following the older links."""
    path = first
    for _ in range(99):
        path = older(fetch(path))
    return first, path


def resident_mb(pid: int) -> float:
    """Return a process's resident memory (VmRSS) in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def export_memory(url: str, port: int) -> None:
    """Stream the whole CSV export from ``ecoute serve`` while sampling its resident memory."""
    env = {**os.environ, "DATABASE_URL": url, "ECOUTE_SECRET_KEY": "bench", "LANG": "C"}
    server = subprocess.Popen([sys.executable, "-m", "ecoute.cli", "serve", "--no-worker",
                               "--port", str(port)], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            _wait(client, server)
            sign_in(client.get, client.post)
            client.get("/admin/responses")
            client.get("/admin/responses/export.csv?from=9998-01-01").read()  # warm
            before = resident_mb(server.pid)
            peak, rows, stop = [before], [0], threading.Event()

            def sample() -> None:
                while not stop.wait(0.02):
                    peak.append(resident_mb(server.pid))

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            start = time.perf_counter()
            with client.stream("GET", "/admin/responses/export.csv") as response:
                for chunk in response.iter_bytes():
                    rows[0] += chunk.count(b"\n")
            took = time.perf_counter() - start
            stop.set()
            sampler.join()
        growth = max(peak) - before
        print(f"export: {rows[0] - 1:,} rows of CSV in {took:.1f} s; the server's resident "
              f"memory {before:.0f} MB before, peak {max(peak):.0f} MB: grew {growth:.1f} MB "
              f"(goal < {MEMORY_GOAL_MB:.0f} MB)")
    finally:
        server.terminate()
        server.wait(20)


def _wait(client: httpx.Client, server: subprocess.Popen[bytes]) -> None:
    """Wait until the server answers its health check."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if client.get("/healthz").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> None:
    """Run the measurements on the store at ``--url``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a store filled by bench.generate")
    parser.add_argument("--repeat", type=int, default=15, help="requests per measurement")
    parser.add_argument("--port", type=int, default=8765, help="port of the export's server")
    parser.add_argument("--skip-export", action="store_true", help="only time the pages")
    args = parser.parse_args()
    pages(args.url, args.repeat)
    if not args.skip_export:
        export_memory(args.url, args.port)


if __name__ == "__main__":
    main()
