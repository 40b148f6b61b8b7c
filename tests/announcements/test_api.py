"""The announcement routes of the REST API: publish once, pause, resume, cancel; documented."""

from __future__ import annotations

from flask import Flask

from bot import api_tokens, staff
from ecoute.wiring import Ecoute
from tests.announcements.conftest import Feedback, improvement_for
from tests.conftest import Clock
from tests.console.api_client import ApiCaller


def caller(app: Flask, served: Ecoute, scope: str = "write") -> ApiCaller:
    token = api_tokens.issue_token(served.db, f"{scope} token", scope, created_by=None,
                                   actor=staff.CLI, now=served.engine.clock())[0]
    return ApiCaller(app.test_client(), token)


def test_publishing_twice_gives_the_same_announcement_and_plans_once(
        app: Flask, served: Ecoute, feedback: Feedback, clock: Clock) -> None:
    improvement = improvement_for(served, [feedback("ana"), feedback("bob", consent=False)])
    clock.advance(days=1)
    api = caller(app, served)
    first = api.post(f"/improvements/{improvement}/publish")
    again = api.post(f"/improvements/{improvement}/publish")
    assert (first.status_code, again.status_code) == (202, 200)
    assert first.get_json() == again.get_json()
    announcement = first.get_json()["announcement"]
    assert announcement["progress"]["planned"] == 2
    assert announcement["progress"]["skipped"] == {"no consent": 1}
    assert announcement["answers"] == {"yes": 0, "partly": 0, "no": 0}
    assert announcement["effect"]["before"]["nps"]["responses"] == 2


def test_pause_resume_cancel_and_what_cannot_be_done(
        app: Flask, served: Ecoute, feedback: Feedback) -> None:
    improvement = improvement_for(served, [feedback("ana")])
    api = caller(app, served)
    assert api.post(f"/improvements/{improvement}/pause").status_code == 409  # not published
    api.post(f"/improvements/{improvement}/publish")
    paused = api.post(f"/improvements/{improvement}/pause")
    assert paused.get_json()["announcement"]["state"] == "paused"
    assert api.post(f"/improvements/{improvement}/resume").get_json()[
        "announcement"]["state"] == "active"
    cancelled = api.post(f"/improvements/{improvement}/cancel").get_json()["announcement"]
    assert cancelled["state"] == "cancelled"
    assert cancelled["progress"]["skipped"] == {"cancelled": 1}
    refused = api.post(f"/improvements/{improvement}/resume")
    assert refused.status_code == 409 and refused.get_json()["error"] == "cancelled"
    assert api.post("/improvements/999/publish").status_code == 404


def test_a_read_token_may_not_publish(app: Flask, served: Ecoute, feedback: Feedback) -> None:
    improvement = improvement_for(served, [feedback("ana")])
    reader = caller(app, served, "read")
    assert reader.post(f"/improvements/{improvement}/publish").status_code == 403
    assert ApiCaller(app.test_client(), None).post(
        f"/improvements/{improvement}/publish").status_code == 401
