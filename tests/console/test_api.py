"""The REST API's foundation: Bearer tokens, one error style, the stats, the OpenAPI document."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Blueprint, Flask, jsonify
from werkzeug.exceptions import BadRequest

from bot import api_tokens, staff
from bot.staff import Permission
from ecoute.wiring import Ecoute
from tests.conftest import Person
from tests.console.api_client import ApiCaller, document
from web import create_app
from web.api.auth import requires
from web.api.paging import PageRequest, decode_cursor, encode_cursor, page, page_request

ROOT = Path(__file__).resolve().parents[2]


def token(served: Ecoute, scope: str) -> str:
    """Create an API token as the command line would, and return it."""
    return api_tokens.issue_token(served.db, f"{scope} token", scope, created_by=None,
                                  actor=staff.CLI, now=served.engine.clock())[0]


def answer(served: Ecoute, name: str, score: str) -> None:
    """Let someone answer the NPS survey's score."""
    person = Person(served.engine, name, locale="en")
    person.says("start nps")
    person.says(score)


def test_without_a_token_or_with_a_bad_one_it_answers_401(app: Flask, served: Ecoute) -> None:
    revoked = token(served, "read")
    api_tokens.revoke_token(served.db, 1, actor=staff.CLI, now=served.engine.clock())
    for given in (None, "ecoute_not-a-real-token", "not-even-the-prefix", revoked):
        refused = ApiCaller(app.test_client(), given).get("/stats")
        assert refused.status_code == 401
        assert refused.get_json()["error"] == "unauthorized"
        assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_session_is_no_api_credential(app: Flask, served: Ecoute) -> None:
    client = app.test_client()
    client.set_cookie("ecoute_session", "anything")
    assert client.get("/api/v1/stats", headers={"Authorization": "Basic YTpi"}).status_code == 401


def test_a_read_token_is_refused_on_a_write_route(served: Ecoute) -> None:
    app = create_app(served)
    probe = Blueprint("probe", __name__)

    @probe.post("/api/v1/probe")
    @requires(Permission.WRITE)
    def write_something():  # type: ignore[no-untyped-def]
        return jsonify(done=True)

    app.register_blueprint(probe)
    app.extensions["csrf"].exempt(probe)  # as the API's own blueprint is
    client = app.test_client()
    read, write = token(served, "read"), token(served, "write")
    refused = client.post("/api/v1/probe", headers={"Authorization": f"Bearer {read}"})
    assert refused.status_code == 403
    assert refused.get_json() == {"error": "forbidden",
                                  "message": "This token's scope (read) does not allow this."}
    assert client.post("/api/v1/probe",
                       headers={"Authorization": f"Bearer {write}"}).status_code == 200


def test_stats_are_what_ecoute_stats_prints(app: Flask, served: Ecoute) -> None:
    for name, score in (("ana", "10"), ("bruno", "9"), ("chloe", "3"), ("dan", "7")):
        answer(served, name, score)
    api = ApiCaller(app.test_client(), token(served, "read"))
    environment = {**os.environ, "DATABASE_URL": served.db.url, "LANG": "C"}
    for since in (None, "2026-11-26", "2026-11-27"):
        args = ["--since", since] if since else []
        printed = subprocess.run([sys.executable, "-m", "ecoute.cli", "stats", *args],
                                 capture_output=True, text=True, env=environment, cwd=ROOT,
                                 timeout=60, check=True).stdout
        served_stats = api.get("/stats", **({"since": since} if since else {}))
        assert served_stats.get_json() == json.loads(printed), since
    assert api.get("/stats").get_json()["nps"]["responses"] == 4


def test_a_malformed_day_is_a_400_in_the_api_style(app: Flask, served: Ecoute) -> None:
    refused = ApiCaller(app.test_client(), token(served, "read")).get("/stats", since="lundi")
    assert refused.status_code == 400
    assert refused.get_json() == {"error": "bad_request",
                                  "message": "since must be a day written YYYY-MM-DD"}


def test_the_openapi_document_is_served_as_json_and_describes_every_route(
        app: Flask, served: Ecoute) -> None:
    served_document = ApiCaller(app.test_client(), token(served, "read")).get("/openapi.json")
    assert served_document.get_json() == document()
    assert document()["openapi"].startswith("3.1")
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert routes == set(document()["paths"])


def test_cursors_page_by_key() -> None:
    rows = [(day, number) for day in ("2026-11-01", "2026-11-02") for number in range(3)]
    first = page(rows[:4], PageRequest(3, None), key=lambda r: r, render=list)
    assert first["data"] == [list(r) for r in rows[:3]]
    assert decode_cursor(first["next_cursor"]) == rows[2]
    last = page(rows[3:], PageRequest(3, rows[2]), key=lambda r: r, render=list)
    assert last["next_cursor"] is None
    assert decode_cursor(encode_cursor(("é", 12))) == ("é", 12)


@pytest.mark.parametrize("query", [{"limit": "0"}, {"limit": "201"}, {"limit": "ten"},
                                   {"cursor": "%%%"}, {"cursor": encode_cursor(()) + "x"},
                                   {"cursor": "eyJhIjoxfQ"}])
def test_a_bad_limit_or_cursor_is_a_bad_request(query: dict[str, str]) -> None:
    with pytest.raises(BadRequest):
        page_request(query)


def test_limit_defaults_to_50() -> None:
    assert page_request({}) == PageRequest(50, None)
