"""References are unique and gap-free per year, with concurrent writers (PostgreSQL and SQLite)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from bot import complaint_desk
from bot.business_hours import Calendar
from bot.complaint_desk import Intake, IntakeError
from bot.complaint_policy import ComplaintPolicy
from storage.db import Database
from storage.vocabulary import Urgency

POLICY = ComplaintPolicy()
CATEGORIES = frozenset({"delivery", "billing"})
WRITERS = 16


class Abandoned(Exception):
    """A filing whose transaction is rolled back after it took a number."""


def intake(description: str = "It broke", category: str = "delivery") -> Intake:
    """Return a complaint from nobody in particular."""
    return Intake(respondent_id=None, conversation_id=None, channel="test", language="en",
                  category=category, description=description, urgency=Urgency.MINOR,
                  contact_consent=False)


def file_one(db: Database, now: datetime, *, roll_back: bool = False) -> str:
    """File one complaint in its own transaction (rolled back on request)."""
    with db.transaction() as session:
        filed = complaint_desk.file(session, POLICY, intake(), now=now, actor="test")
        if roll_back:
            raise Abandoned(filed.reference)
    return filed.reference


def test_concurrent_writers_get_references_one_to_n_with_no_gap(db: Database) -> None:
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    start = threading.Barrier(WRITERS)
    references: list[str] = []
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        start.wait()
        try:
            references.append(file_one(db, now, roll_back=number % 4 == 0))
        except Abandoned:
            pass  # its number must be given to someone else
        except BaseException as error:  # pragma: no cover - shown by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    kept = WRITERS - WRITERS // 4
    assert sorted(references) == [f"R-2026-{n:04d}" for n in range(1, kept + 1)]


def test_each_year_counts_from_one_in_the_calendars_timezone(db: Database) -> None:
    paris = ComplaintPolicy(calendar=Calendar(timezone="Europe/Paris"))
    assert file_one(db, datetime(2026, 12, 31, 12, tzinfo=UTC)) == "R-2026-0001"
    assert file_one(db, datetime(2026, 12, 31, 13, tzinfo=UTC)) == "R-2026-0002"
    with db.transaction() as session:  # 23:30 UTC on 31 December is 2027 in Paris
        filed = complaint_desk.file(session, paris, intake(),
                                    now=datetime(2026, 12, 31, 23, 30, tzinfo=UTC), actor="t")
    assert filed.reference == "R-2027-0001"


@pytest.mark.parametrize(("description", "category", "message"), [
    ("   ", "delivery", "the description is empty"),
    ("x" * 20_000, "delivery", "the description is over 4000 characters"),
    ("It broke", "teleportation", "there is no category 'teleportation'"),
])
def test_a_complaint_that_cannot_be_filed_uses_no_number(
        db: Database, description: str, category: str, message: str) -> None:
    now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    with pytest.raises(IntakeError, match=message), db.transaction() as session:
        complaint_desk.file(session, POLICY, intake(description, category), now=now,
                            actor="test", categories=CATEGORIES)
    assert file_one(db, now) == "R-2026-0001"
