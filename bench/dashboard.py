"""Time the whole staff dashboard with default filters on an already-filled store.

Usage::

    .venv/bin/python -m bench.generate --url sqlite:///big.db --answers 1000000
    .venv/bin/python -m bench.dashboard --url sqlite:///big.db [--requests 15] \\
        [--improvements 5 --linked 200]

Each request goes through the real app (Flask's test client, a signed-in viewer):
``GET /admin/`` with no query (a year, weekly trends of the three scores per
channel, the distribution, the latest detractor comments, themes, breakdowns).
Server time is the request's time inside the app. Beside its median the bench
prints, measured in the same run, a plain ``SELECT count(*) FROM answer`` and the
goal (200 ms on PostgreSQL, 400 ms on SQLite at 1M answers). It also times the
live fragment's "nothing changed" answer (304). When the store has no daily
counts yet they are rebuilt first (:func:`storage.daily.rebuild`), and timed.

The page ends with the newest published improvements and their effect. With
``--improvements N`` the bench first publishes N improvements, each linked to
``--linked`` random named conversations of the store, a month apart, unless the
store has published improvements already (it adds rows: use a bench store). It then
times, in the same run, the page reading the section's effects (as once a minute),
finding them kept, and without the section (set to show none), requests
alternating; and the section's reading alone: all improvements in one grouped
query, beside one query per improvement.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from bot import announcement_effect, announcements, dashboard, staff
from ecoute.config import Settings
from ecoute.wiring import build
from storage import daily, improvements
from storage.db import Database
from storage.improvements import NewImprovement
from storage.migrate import upgrade
from storage.models import Conversation
from storage.vocabulary import LinkSource
from web import create_app
from web.console import dashboard as console_dashboard

GOAL_MS = {"postgresql": 200.0, "sqlite": 400.0}
EMAIL, PASSWORD = "bench-viewer@example.com", "bench password 123"


def median_ms(action: Callable[[], object], times: int) -> float:
    """Return the median time of ``action`` in milliseconds."""
    spent = []
    for _ in range(times):
        began = time.perf_counter()
        action()
        spent.append((time.perf_counter() - began) * 1000)
    return statistics.median(spent)


def prepare(database: Database) -> float | None:
    """Rebuild the dashboard's counts unless rolled up today; return how long it took (s)."""
    now = datetime.now(UTC)
    with database.transaction() as session:
        edge = daily.rolled_until(session)
        if edge is not None and edge >= daily.midnight(now - daily.MARGIN) \
                and daily.unlinked_pending(session) is not None:
            return None
    began = time.perf_counter()
    with database.transaction() as session:
        dashboard.rebuild(session, now)
    spent = time.perf_counter() - began
    with database.engine.connect() as connection:  # as autovacuum would, on the new rows
        connection.exec_driver_sql("ANALYZE")
        connection.commit()
    return spent


def seed_improvements(database: Database, count: int, linked: int) -> int:
    """Publish ``count`` improvements linked to random named conversations; return how many."""
    now = datetime.now(UTC)
    with database.transaction() as session:
        if improvements.published(session, 1):
            return 0
        for n in range(count):
            at = now - timedelta(days=30 * (n + 1))
            chats = list(session.scalars(select(Conversation.id)
                                         .where(Conversation.respondent_id.is_not(None))
                                         .order_by(func.random()).limit(linked)))
            made = improvements.create(session, NewImprovement(
                you_said="The wait was long", we_did=f"Improvement {n + 1}", language="en",
                created_by="bench"), now=at)
            improvements.link(session, made, source=LinkSource.FILTER, actor="bench", now=at,
                              conversations=chats)
            announcements.publish(session, made, actor="bench", now=at)
    return count


def time_section(database: Database, client: FlaskClient, times: int) -> None:
    """Print the page with and without the improvements section, and the section's reading.

    The section is read at most once a minute (``console_dashboard.EFFECTS``): the page
    is timed when it reads the effects (the memo emptied first), when it finds them
    kept, and without the section.
    """
    shown = console_dashboard.SHOWN_IMPROVEMENTS
    spent: dict[str, list[float]] = {"read": [], "kept": [], "none": []}
    for _ in range(times):
        for case, showing in (("read", shown), ("kept", shown), ("none", 0)):
            console_dashboard.SHOWN_IMPROVEMENTS = showing
            if case != "kept":
                console_dashboard.EFFECTS.clear()
            began = time.perf_counter()
            client.get("/admin/")
            spent[case].append((time.perf_counter() - began) * 1000)
    console_dashboard.SHOWN_IMPROVEMENTS = shown
    console_dashboard.EFFECTS.clear()
    with database.transaction() as session:
        ids = [row.id for row in improvements.published(session, shown)]

    def grouped() -> object:
        with database.transaction() as session:
            return announcement_effect.effects(session, ids)

    def one_by_one() -> object:
        with database.transaction() as session:
            return [announcement_effect.effects(session, [i]) for i in ids]

    read_ms, kept_ms, none_ms = (statistics.median(spent[k]) for k in ("read", "kept", "none"))
    print(f"dashboard page with the improvements section ({len(ids)} shown), median: "
          f"{read_ms:.1f} ms reading the effects (once a minute), {kept_ms:.1f} ms with them "
          f"kept; without the section: {none_ms:.1f} ms ({read_ms / none_ms:.2f}x and "
          f"{kept_ms / none_ms:.2f}x)")
    print(f"the {len(ids)} effects alone: one grouped query {median_ms(grouped, times):.1f} ms, "
          f"one query per improvement {median_ms(one_by_one, times):.1f} ms")


def main(argv: Iterable[str] | None = None) -> int:
    """Run the bench and print the medians beside the baseline and the goal."""
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard")
    parser.add_argument("--url", required=True, help="a filled store (SQLAlchemy URL)")
    parser.add_argument("--requests", type=int, default=15, help="requests to time")
    parser.add_argument("--improvements", type=int, default=0,
                        help="publish this many linked improvements first (on a bench store)")
    parser.add_argument("--linked", type=int, default=200,
                        help="named conversations linked to each of them")
    args = parser.parse_args(None if argv is None else list(argv))
    database = Database(args.url)
    upgrade(database.engine)
    rebuilt = prepare(database)
    seeded = seed_improvements(database, args.improvements, args.linked) \
        if args.improvements else 0
    settings = replace(Settings.from_env({}), database_url=args.url,
                       secret_key=os.urandom(32).hex())
    ecoute = build(settings, database=database)
    staff.create_account(database, f"{os.getpid()}-{EMAIL}", PASSWORD, "viewer", actor=staff.CLI,
                         now=ecoute.engine.clock())
    client = create_app(ecoute).test_client()
    page = client.get("/admin/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    client.post("/admin/sign-in", data={"email": f"{os.getpid()}-{EMAIL}",
                                        "password": PASSWORD, "csrf_token": token})
    first = client.get("/admin/")
    assert first.status_code == 200, first.status_code
    live = client.get("/admin/dashboard/live?grain=week")
    tag = live.headers["ETag"]

    def count() -> object:
        with database.engine.connect() as connection:
            return connection.execute(text("SELECT count(*) FROM answer")).scalar()

    answers = count()
    count()
    baseline = median_ms(count, args.requests)
    page_ms = median_ms(lambda: client.get("/admin/"), args.requests)
    unchanged = median_ms(lambda: client.get("/admin/dashboard/live?grain=week",
                                             headers={"If-None-Match": tag}), args.requests)
    dialect = database.engine.dialect.name
    print(f"store: {dialect}, {answers:,} answers"
          + (f" (daily counts rebuilt in {rebuilt:.1f} s)" if rebuilt is not None else ""))
    print(f"baseline SELECT count(*) FROM answer: median {baseline:.1f} ms")
    print(f"dashboard page, default filters:      median {page_ms:.1f} ms "
          f"({page_ms / baseline:.2f}x the baseline; goal at 1M: {GOAL_MS[dialect]:.0f} ms)")
    print(f"live fragment, nothing changed (304): median {unchanged:.1f} ms")
    if seeded:
        print(f"published {seeded} improvements, {args.linked} conversations linked to each")
    time_section(database, client, args.requests)
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
