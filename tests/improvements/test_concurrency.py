"""Two staff (or one request sent twice) at once: everything is stored and audited once.

- two links by filter at once link each conversation once;
- the same ``Idempotency-Key`` arriving twice at the same moment makes one draft, and
  only the request that stored it counts as its creation (one audit entry).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from sqlalchemy import select, text

from bot import improvements
from bot.improvements import Draft, Known
from ecoute.wiring import Ecoute
from storage import improvements as rows
from storage.filters import ResponseFilter
from storage.improvements import Made, NewImprovement
from storage.models import Improvement
from tests.improvements.conftest import STAFF
from tests.test_responses import nps

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_links_by_filter_at_once_link_each_conversation_once(
        ecoute: Ecoute, known: Known) -> None:
    for number in range(40):
        nps(ecoute, f"p{number}", "2", "late")
    improvement_id = improvements.create(ecoute.db, Draft("Late", "Fixed"), known, actor=STAFF,
                                         now=ecoute.engine.clock())
    start, added, errors = threading.Barrier(4), [], []

    def link() -> None:
        start.wait()
        try:
            added.append(improvements.link_by_filter(
                ecoute.db, improvement_id, ResponseFilter(survey="nps"), actor=STAFF,
                now=ecoute.engine.clock()))
        except Exception as error:  # any failure is the test's finding
            errors.append(error)

    workers = [threading.Thread(target=link) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    assert sum(added) == 40
    assert improvements.detail(ecoute.db, improvement_id, now=ecoute.engine.clock()).linked == 40


def _until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (a state the test waits to see happen) for up to 10 s."""
    for _ in range(1000):
        if condition():
            return
        threading.Event().wait(0.01)
    raise AssertionError("the awaited state never came")


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_request_repeated_at_the_same_moment_stores_one_draft_and_says_which_call_did(
        ecoute: Ecoute) -> None:
    now = ecoute.engine.clock()
    new = NewImprovement("Late", "Fixed", "en", STAFF, idempotency="token:1/key:release-42")
    first_done, commit_first, made = threading.Event(), threading.Event(), {}
    backend: list[int] = []

    def first() -> None:
        with ecoute.db.transaction() as session:
            made["first"] = rows.create_once(session, new, now=now)
            first_done.set()
            commit_first.wait(10)

    def repeat() -> None:
        with ecoute.db.transaction() as session:
            backend.append(session.execute(text("SELECT pg_backend_pid()")).scalar_one())
            made["repeat"] = rows.create_once(session, new, now=now)

    one = threading.Thread(target=first)
    one.start()
    first_done.wait(10)
    two = threading.Thread(target=repeat)
    two.start()  # it does not see the first draft yet: its insert waits on the unique key
    with ecoute.db.engine.connect() as watcher:
        _until(lambda: bool(backend) and watcher.execute(text(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
            {"pid": backend[0]}).scalar() == "Lock")
    commit_first.set()
    one.join()
    two.join()
    assert made["first"] == Made(made["first"].id, first=True)
    assert made["repeat"] == Made(made["first"].id, first=False)
    with ecoute.db.reading() as connection:
        assert len(connection.execute(select(Improvement.id)).all()) == 1
