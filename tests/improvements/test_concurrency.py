"""Two staff linking the same feedback at once: every conversation is linked once, nothing fails."""

from __future__ import annotations

import threading

import pytest

from bot import improvements
from bot.improvements import Draft, Known
from ecoute.wiring import Ecoute
from storage.filters import ResponseFilter
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
