"""What a stranger gets back: pages that build only their own links, security headers on
every answer, ``Allow`` on every 405, a bare status from ``/healthz``, no ``*`` origin."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from ecoute.cli import cli
from ecoute.config import ConfigError, Settings
from ecoute.wiring import build
from storage.db import Database
from storage.migrate import upgrade
from tests.conftest import Clock
from web import create_app


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Use SQLite only: nothing here depends on the store."""
    return sqlite_url


@pytest.mark.parametrize("query", ["_method=PUT", "_external=1", "_scheme=javascript",
                                   "_anchor=x", "lang=fr&_method=GET"])
@pytest.mark.parametrize("path", ["/", "/s/nps", "/s/nope"])
def test_pages_build_only_the_links_they_mean(client: FlaskClient, path: str,
                                              query: str) -> None:
    response = client.get(f"{path}?{query}", headers={"Host": "evil.example"})
    assert response.status_code in (200, 404)
    page = response.get_data(as_text=True)
    links = re.findall(r'href="([^"]*)"', page)
    assert links
    assert not [link for link in links if "evil.example" in link or "javascript" in link
                or link.startswith("http:")]
    assert not [link for link in links if "_method" in link or "_anchor" in link or "#" in link]


def test_the_language_links_keep_the_survey_pages_context(client: FlaskClient) -> None:
    page = client.get("/s/nps?context=shop12&utm=x&lang=en").get_data(as_text=True)
    assert 'href="/s/nps?context=shop12&amp;lang=fr"' in page


SURFACES = ["/", "/s/nps", "/s/nope", "/healthz", "/widget.js", "/api/widget/v1/openapi.yaml",
            "/nowhere"]


@pytest.mark.parametrize("path", SURFACES)
def test_every_answer_carries_the_security_headers(client: FlaskClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    policy = dict(part.strip().split(" ", 1) for part in headers["Content-Security-Policy"]
                  .split(";"))
    assert policy["script-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"


def test_api_answers_and_refusals_carry_them_too(client: FlaskClient) -> None:
    refused = client.post("/api/widget/v1/inbox", data="{oops")
    assert refused.status_code == 400
    assert refused.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in refused.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/", "/s/nps", "/s/nope"])
def test_pages_have_no_inline_script_or_style_element(client: FlaskClient, path: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\son[a-z]+=", page)
    assert 'rel="stylesheet" href="/static/pages.css"' in page


def test_the_pages_stylesheet_is_served(client: FlaskClient) -> None:
    response = client.get("/static/pages.css")
    assert response.status_code == 200
    assert response.mimetype == "text/css"
    assert "font:" in response.get_data(as_text=True)


def _url_of(app: Flask, rule: object) -> str:
    """Return a URL the rule matches (its variables filled with a word)."""
    text = rule.rule  # type: ignore[attr-defined]
    arguments: dict[str, object] = {}
    for name in rule.arguments:  # type: ignore[attr-defined]
        choice = re.search(rf"<any\((\w+)[^)]*\):{name}>", text)  # the first of its choices
        number = re.search(rf"<int(\([^)]*\))?:{name}>", text)
        arguments[name] = choice.group(1) if choice else 1 if number else "nps"
    if rule.endpoint == "static":  # type: ignore[attr-defined]
        arguments = {"filename": "widget.js"}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **arguments)  # type: ignore[attr-defined]


def test_every_route_answers_405_with_allow(app: Flask) -> None:
    client = app.test_client()
    checked = 0
    for rule in app.url_map.iter_rules():
        url = _url_of(app, rule)
        allowed = {m for r in app.url_map.iter_rules() if r.rule == rule.rule
                   for m in r.methods or ()}
        response = client.open(url, method="PATCH")
        assert response.status_code == 405, url
        assert set(response.headers["Allow"].split(", ")) == allowed, url
        assert response.mimetype == "application/json"
        assert response.get_json()["error"] == "method_not_allowed"
        checked += 1
    assert checked >= 8


def test_healthz_answers_a_bare_status_and_logs_the_reason_once_without_secrets(
    settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture,
) -> None:
    from dataclasses import replace

    url = "postgresql+psycopg://ecoute:s3cret-pw@127.0.0.1:9/ecoute"
    unreachable = Database(url)
    app = create_app(build(replace(settings, database_url=url), database=unreachable,
                           clock=clock))
    client = app.test_client()
    with caplog.at_level(logging.INFO):
        answers = [client.get("/healthz") for _ in range(3)]
    assert [a.status_code for a in answers] == [503, 503, 503]
    assert all(a.get_json() == {"status": "error"} for a in answers)
    logged = [r for r in caplog.records if r.name == "web.health"]
    assert len(logged) == 1
    assert "cannot reach the database" in logged[0].getMessage()
    assert "s3cret-pw" not in caplog.text


def test_healthz_logs_again_when_the_store_fails_after_coming_back(
    settings: Settings, clock: Clock, tmp_path: Path, caplog: pytest.LogCaptureFixture,
) -> None:
    from dataclasses import replace

    store = Database(f"sqlite:///{tmp_path / 'unmigrated.db'}")
    client = create_app(build(replace(settings, database_url=store.url), database=store,
                              clock=clock)).test_client()
    with caplog.at_level(logging.INFO):
        statuses = [client.get("/healthz").status_code for _ in range(2)]
        upgrade(store.engine)
        statuses.append(client.get("/healthz").status_code)
        with store.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE alembic_version")
        statuses.append(client.get("/healthz").status_code)
    store.dispose()
    assert statuses == [503, 503, 200, 503]
    logged = [r.getMessage() for r in caplog.records if r.name == "web.health"]
    assert len(logged) == 2
    assert all("no schema yet" in message for message in logged)


def test_a_reason_quoting_a_url_has_its_password_masked() -> None:
    from web.health import redacted

    reason = 'cannot connect to "postgresql://ana:p%40ss@db:5432/x" (user ana)'
    assert "p%40ss" not in redacted(reason)
    assert "postgresql://ana:***@db:5432/x" in redacted(reason)


@pytest.mark.parametrize("origins", ["*", "https://shop.example,*", "https://*.example",
                                     "null"])
def test_allowing_every_site_is_refused_at_start(origins: str) -> None:
    with pytest.raises(ConfigError, match="ECOUTE_ALLOWED_ORIGINS"):
        Settings.from_env({"ECOUTE_ALLOWED_ORIGINS": origins})


def test_ecoute_serve_says_so_in_one_line_and_exits(sqlite_url: str) -> None:
    result = CliRunner().invoke(cli, ["serve"], env={"ECOUTE_ALLOWED_ORIGINS": "*",
                                                     "DATABASE_URL": sqlite_url})
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ecoute: error: ECOUTE_ALLOWED_ORIGINS")


def test_listed_sites_are_still_allowed() -> None:
    settings = Settings.from_env({"ECOUTE_ALLOWED_ORIGINS": "https://shop.example, "
                                                            "http://localhost:3000/"})
    assert settings.allowed_origins == ("https://shop.example", "http://localhost:3000")
