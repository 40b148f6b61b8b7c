"""The complaint board at scale: its first page beside ``SELECT count(*)``, in the same run.

Usage::

    .venv/bin/python -m bench.complaint_board --url sqlite:////tmp/complaints.db
    .venv/bin/python -m bench.complaint_board --url postgresql+psycopg://postgres@127.0.0.1/bench

The store is migrated and, unless it holds them already, filled with 100,000
complaints over a year, of which 20,000 are open (received, acknowledged, in
progress, reopened), with their first event. Then the real app (``web.create_app``,
Flask's test client, a signed-in admin) serves the board's first page
(``/admin/complaints``: the open ones, newest first), the first page of all
complaints, of the overdue ones, of one category, and the matrix, and the API's
first page. Each is requested ``--repeat`` times; the median time in the app is
printed beside the median of a plain ``SELECT count(*) FROM complaint`` measured
in the same run, and the goal (50 ms).
"""

from __future__ import annotations

import argparse
import contextlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, text

from bench.responses import EMAIL, PASSWORD, median_ms
from bot import api_tokens, staff
from bot.complaint_policy import ComplaintPolicy
from bot.complaints import priority
from ecoute.config import Settings
from ecoute.wiring import build
from storage.db import Database
from storage.migrate import upgrade
from storage.models import Complaint, ComplaintEvent
from storage.vocabulary import ComplaintStatus, Importance, Urgency
from web import create_app

GOAL_MS = 50.0
TOTAL, OPEN = 100_000, 20_000
BATCH = 5_000
CATEGORIES = ("delivery", "product_quality", "billing", "service", "other")
CHANNELS = ("telegram", "web", "slack")
OPEN_STATUSES = ("received", "acknowledged", "in_progress", "reopened")
SETTLED = ("closed", "closed", "closed", "resolved", "rejected")


def fill(db: Database, now: datetime, seed: int = 1) -> None:
    """Add 100,000 complaints over the past year (the newest 20,000 mostly open)."""
    with db.reading() as connection:
        if connection.execute(select(func.count()).select_from(Complaint)).scalar_one() >= TOTAL:
            return
    rng, policy = random.Random(seed), ComplaintPolicy()
    open_left = OPEN
    for start in range(0, TOTAL, BATCH):
        rows, events = [], []
        for number in range(start + 1, start + BATCH + 1):
            filed = now - timedelta(minutes=(TOTAL - number) * 5.2)
            is_open = open_left > 0 and rng.random() < open_left / (TOTAL - number + 1)
            open_left -= is_open
            rows.append(_row(rng, policy, number, filed, is_open))
        with db.transaction() as session:
            statement = insert(Complaint).returning(Complaint.id, sort_by_parameter_order=True)
            ids = session.execute(statement, rows).scalars()
            for complaint_id, row in zip(ids, rows, strict=True):
                events.append({"complaint_id": complaint_id, "at": row["created_at"],
                               "actor": "respondent", "status_to": "received",
                               "visible": False, "kind": "status"})
            session.execute(insert(ComplaintEvent), events)


def _row(rng: random.Random, policy: ComplaintPolicy, number: int, filed: datetime,
         is_open: bool) -> dict[str, Any]:
    """Return one synthetic complaint."""
    category, urgency = rng.choice(CATEGORIES), rng.choice(list(Urgency))
    importance = policy.importance_of(category)
    level = priority(urgency, Importance(importance))
    due = {"acknowledge_due_at": filed + timedelta(hours=8),
           "resolve_due_at": filed + timedelta(days=5)}
    status = rng.choice(OPEN_STATUSES) if is_open else rng.choice(SETTLED)
    return {"reference": f"R-B-{number:06d}", "year": 1, "number": number,
            "respondent_id": None, "conversation_id": None, "channel": rng.choice(CHANNELS),
            "language": "fr", "category": category, "description": "Synthetic complaint",
            "own_reference": None, "photo_file_id": None, "urgency": urgency,
            "importance": importance, "priority": level, "status": status,
            "contact_consent": True, "created_at": filed, "updated_at": filed,
            "acknowledged_at": None if status == ComplaintStatus.RECEIVED else filed, **due}


def measure(url: str, repeat: int) -> None:
    """Time the board's pages and the API's first page beside ``SELECT count(*)``."""
    db = Database(url)
    upgrade(db.engine)
    now = datetime.now(UTC)
    fill(db, now)
    with contextlib.suppress(staff.StaffError):  # made by an earlier run
        staff.create_account(db, EMAIL, PASSWORD, "admin", actor=staff.CLI, now=now)
    token = api_tokens.issue_token(db, "bench", "read", created_by=None, actor=staff.CLI,
                                   now=now)[0]
    app = create_app(build(Settings.from_env({"DATABASE_URL": url,
                                               "ECOUTE_SECRET_KEY": "bench"}), database=db))
    client = app.test_client()
    page = client.get("/admin/sign-in").get_data(as_text=True)
    csrf = page.split('name="csrf_token" value="')[1].split('"')[0]
    signed = client.post("/admin/sign-in", data={"email": EMAIL, "password": PASSWORD,
                                                 "csrf_token": csrf})
    assert signed.status_code == 303, signed.status_code

    def count() -> None:
        with db.reading() as connection:
            connection.execute(text("SELECT count(*) FROM complaint")).scalar()

    baseline = median_ms(count, repeat)
    with db.reading() as connection:
        opened = connection.execute(select(func.count()).select_from(Complaint).where(
            Complaint.status.in_(OPEN_STATUSES))).scalar_one()
    print(f"store: {db.engine.dialect.name}; {TOTAL:,} complaints, {opened:,} open; "
          f"SELECT count(*) FROM complaint: {baseline:.1f} ms (median of {repeat})")
    headers = {"Authorization": f"Bearer {token}"}
    for label, path in (("board, first page (open)", "/admin/complaints"),
                        ("board, all statuses", "/admin/complaints?status=all"),
                        ("board, overdue", "/admin/complaints?overdue=1"),
                        ("board, one category", "/admin/complaints?category=billing"),
                        ("matrix (open)", "/admin/complaints/matrix"),
                        ("API first page (open)", "/api/v1/complaints")):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code)
        took = median_ms(lambda path=path: client.get(path, headers=headers), repeat)
        print(f"  {label} {path}: {took:.1f} ms ({took / baseline:.2f} x count(*); "
              f"goal <= {GOAL_MS:.0f} ms)")
    db.dispose()


def main() -> None:
    """Fill the store at ``--url`` if needed, then measure."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="a store (created and filled if empty)")
    parser.add_argument("--repeat", type=int, default=25, help="requests per measurement")
    args = parser.parse_args()
    measure(args.url, args.repeat)


if __name__ == "__main__":
    main()
