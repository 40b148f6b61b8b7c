"""CORS of the widget API, the pages a newcomer opens, and the widget script itself."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import ValidationError

from ecoute.config import WebSettings
from tests.web.conftest import AppFactory
from tests.web.widget_client import assert_documented

WIDGET = Path(__file__).resolve().parents[2] / "web" / "static" / "widget.js"
SHOP = "https://shop.example"
START = {"visitor": "visitor-ana-0001", "client_message_id": "m1", "survey": "nps"}


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Use SQLite only: nothing here depends on the store."""
    return sqlite_url


@pytest.fixture
def shop_app(make_app: AppFactory) -> Flask:
    """Return the app with the shop's site allowed to call the API."""
    return make_app(allowed_origins=(SHOP,), web=WebSettings("1000/minute", "1000/minute"))


def preflight(client: FlaskClient, origin: str) -> dict[str, str]:
    """Send the browser's preflight for a JSON POST and return the answer's headers."""
    response = client.options("/api/widget/v1/conversations", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-ecoute-visitor"})
    assert response.status_code == 200
    return dict(response.headers)


def test_an_allowed_origin_passes_the_preflight_and_reads_the_answer(shop_app: Flask) -> None:
    client = shop_app.test_client()
    headers = preflight(client, SHOP)
    assert headers["Access-Control-Allow-Origin"] == SHOP
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    assert "x-ecoute-visitor" in headers["Access-Control-Allow-Headers"].lower()
    response = client.post("/api/widget/v1/conversations", json=START, headers={"Origin": SHOP})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SHOP


def test_another_origin_gets_no_cors_headers(shop_app: Flask) -> None:
    client = shop_app.test_client()
    assert "Access-Control-Allow-Origin" not in preflight(client, "https://evil.example")
    response = client.post("/api/widget/v1/conversations", json=START,
                           headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_with_no_allowed_origin_no_site_may_call_the_api(client: FlaskClient) -> None:
    assert "Access-Control-Allow-Origin" not in preflight(client, SHOP)


def test_the_demo_page_embeds_the_widget_and_links_to_the_survey_pages(
    client: FlaskClient,
) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<script src="/widget.js" data-survey="nps"' in page
    assert 'href="/s/nps?lang=en"' in page
    assert 'href="/s/csat?lang=en"' in page
    assert 'href="/api/widget/v1/openapi.yaml"' in page


def test_the_demo_page_speaks_the_browsers_language(client: FlaskClient) -> None:
    page = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    text = page.get_data(as_text=True)
    assert '<html lang="fr">' in text
    assert "Chaque questionnaire sur sa propre page" in text
    assert "Écoute recueille l&#39;avis de vos clients" in text


def test_a_survey_page_carries_its_context_from_the_query_string(client: FlaskClient) -> None:
    page = client.get("/s/csat?context=shop12&lang=fr").get_data(as_text=True)
    assert "<h1>Comment nous sommes-nous débrouillés ?</h1>" in page
    assert 'data-mode="page" data-survey="csat" data-lang="fr" data-context="shop12"' in page
    assert 'href="/s/csat?context=shop12&amp;lang=en"' in page


def test_a_survey_page_escapes_a_hostile_context(client: FlaskClient) -> None:
    page = client.get('/s/nps?context="><script>alert(1)</script>').get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert 'data-context="&#34;&gt;&lt;script&gt;' in page


def test_an_unknown_survey_page_is_404_in_html(client: FlaskClient) -> None:
    response = client.get("/s/nope")
    assert response.status_code == 404
    assert "Survey not found" in response.get_data(as_text=True)


def test_the_widget_script_is_small_and_asks_no_third_party(client: FlaskClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    body = response.get_data()
    assert body == WIDGET.read_bytes()
    assert len(gzip.compress(body, 9)) <= 10 * 1024
    urls = set(re.findall(rb"https?://[^\s\"')]+", body))
    assert urls <= {b"https://HOST/widget.js", b"http://www.w3.org/2000/svg"}
    assert b"innerHTML" not in body
    assert b"document.cookie" not in body


def test_the_openapi_document_is_served(client: FlaskClient) -> None:
    response = client.get("/api/widget/v1/openapi.yaml")
    assert response.status_code == 200
    assert b"openapi: 3.1.0" in response.get_data()


def test_the_openapi_check_rejects_what_the_document_does_not_promise(app: Flask) -> None:
    extra = app.response_class('{"messages": [], "surprise": 1}', mimetype="application/json")
    with pytest.raises(ValidationError):
        assert_documented("POST", "/api/widget/v1/inbox", extra)
    teapot = app.response_class("{}", status=418, mimetype="application/json")
    with pytest.raises(AssertionError):
        assert_documented("POST", "/api/widget/v1/inbox", teapot)
