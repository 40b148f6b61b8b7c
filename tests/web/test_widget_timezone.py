"""The widget sends the browser's timezone; the API keeps it on the visitor when it is real."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Respondent
from tests.web.widget_client import Visitor


def zone_of(db: Database, visitor: Visitor) -> str | None:
    """Return the timezone stored for a visitor."""
    with db.reading() as connection:
        return connection.execute(select(Respondent.timezone).where(
            Respondent.channel == "web", Respondent.external_id == visitor.visitor)).scalar_one()


def test_the_browsers_zone_is_stored_and_a_later_real_one_replaces_it(
        ana: Visitor, db: Database) -> None:
    assert ana.start("nps", timezone="Europe/Paris").status_code == 200
    assert zone_of(db, ana) == "Europe/Paris"
    assert ana.start("nps", timezone="America/New_York").status_code == 200
    assert zone_of(db, ana) == "America/New_York", "the visitor travelled"


@pytest.mark.parametrize("garbage", ["Mars/Olympus", "", "../../etc/passwd", "europe/paris",
                                     "Europe/Paris\n", "x" * 128, None])
def test_anything_else_is_ignored_and_never_replaces_a_real_zone(
        ana: Visitor, db: Database, garbage: Any) -> None:
    ana.start("nps", timezone="Europe/Paris")
    answer = ana.start("nps", timezone=garbage)
    assert answer.status_code == 200, "the visitor still gets their survey"
    assert answer.get_json()["messages"]
    assert zone_of(db, ana) == "Europe/Paris"


def test_a_visitor_without_a_zone_keeps_none(ana: Visitor, db: Database) -> None:
    ana.start("nps", timezone="Nowhere/Special")
    ana.start("nps")
    assert zone_of(db, ana) is None


@pytest.mark.parametrize("refused", [42, ["Europe/Paris"], "x" * 129])
def test_a_zone_of_another_type_or_too_long_is_a_400_not_a_500(
        ana: Visitor, db: Database, refused: Any) -> None:
    answer = ana.start("nps", timezone=refused)
    assert (answer.status_code, answer.get_json()["error"]) == (400, "invalid_request")


def test_an_invitations_answer_brings_the_zone_too(ana: Visitor, db: Database) -> None:
    ana.start("nps")
    answered = ana.request("POST", "/conversations", json={
        "visitor": ana.visitor, "client_message_id": ana.next_id(), "language": "en",
        "ref": "invite:0a1b2c", "text": "fine", "timezone": "Asia/Tokyo"})
    assert answered.status_code == 200
    assert zone_of(db, ana) == "Asia/Tokyo"


def test_forgetting_the_visitor_forgets_their_zone(ana: Visitor, db: Database) -> None:
    ana.start("nps", timezone="Europe/Paris")
    ana.types("forget")
    ana.taps("forget:yes")
    assert ana.texts() == ["Everything we knew about you has been erased. Goodbye!"]
    with db.reading() as connection:
        assert connection.execute(select(Respondent.timezone)).scalars().all() == []
