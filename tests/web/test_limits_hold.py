"""The widget API's limits hold against someone trying to get around them.

Rate limits count the visitor the turn uses (never a header it ignores), the real
client's address behind a configured number of trusted proxies only, keys of a
bounded length in a bounded number; a body is capped at 16 KB however it is
framed on the wire, and JSON nested too deep is a 400, not a 500.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.rates import SweptMemoryStorage, rate_storage
from ecoute.config import ConfigError, WebSettings
from storage.db import Database
from tests.web.conftest import AppFactory
from tests.web.servers import Gunicorn, werkzeug_server
from tests.web.widget_client import Visitor
from web.widget_api import MAX_BODY
from web.widget_limits import WidgetLimits

PREFIX = "/api/widget/v1"


@pytest.fixture
def database_url(sqlite_url: str) -> str:
    """Use SQLite only: nothing here depends on the store."""
    return sqlite_url


def answer_with_header(visitor: Visitor, header: str) -> int:
    """Answer in the visitor's conversation with ``X-Ecoute-Visitor: header``; return the status."""
    body = {"visitor": visitor.visitor, "client_message_id": visitor.next_id(), "text": "good"}
    return visitor.post_raw(json=body, headers={"X-Ecoute-Visitor": header}).status_code


def counter_keys(app: Flask) -> list[str]:
    """Return the keys of the app's in-process rate-limit counters."""
    limits: WidgetLimits = app.extensions["widget_limits"]
    return list(limits.limiter.storage.expirations)  # type: ignore[attr-defined]


def test_rotating_the_visitor_header_does_not_reset_the_visitors_limit(
    make_app: AppFactory,
) -> None:
    app = make_app(web=WebSettings(visitor_rate="3/minute", ip_rate="100/minute"))
    ana = Visitor(app.test_client(), "visitor-ana-0001")
    ana.start("nps")
    answers = [answer_with_header(ana, f"rotated-header-{n}") for n in range(3)]
    assert answers == [200, 200, 429]


def test_a_visitor_that_fails_the_check_is_never_a_counter_key(make_app: AppFactory) -> None:
    app = make_app(web=WebSettings(visitor_rate="100/minute", ip_rate="100/minute"))
    client = app.test_client()
    huge = "x" * 8192
    ana = Visitor(client, "visitor-ana-0001")
    ana.start("nps")
    assert answer_with_header(ana, huge) == 200
    assert client.get(f"{PREFIX}/conversations/{ana.conversation}",
                      headers={"X-Ecoute-Visitor": huge}).status_code == 400
    refused = client.post(f"{PREFIX}/inbox", json={"visitor": huge})
    assert refused.status_code == 400
    keys = counter_keys(app)
    assert keys and all(huge not in key and len(key) <= 128 for key in keys)


def test_an_address_longer_than_a_key_may_be_is_hashed() -> None:
    limits = WidgetLimits("100/minute", "100/minute")
    limits.hit_address("2001:db8::" + "f" * 5000)
    [key] = list(limits.limiter.storage.expirations)  # type: ignore[attr-defined]
    assert len(key) <= 128


def test_the_address_limit_applies_before_the_body_is_read(make_app: AppFactory) -> None:
    app = make_app(web=WebSettings(visitor_rate="100/minute", ip_rate="2/minute"))
    client = app.test_client()
    assert client.post(f"{PREFIX}/inbox", data="{oops").status_code == 400
    assert client.post(f"{PREFIX}/inbox", data="{oops").status_code == 400
    refused = client.post(f"{PREFIX}/inbox", data="{oops")
    assert refused.status_code == 429
    assert "Retry-After" in refused.headers


def test_without_trusted_proxies_a_forwarded_address_is_ignored(make_app: AppFactory) -> None:
    app = make_app(web=WebSettings(visitor_rate="100/minute", ip_rate="2/minute"))
    client = app.test_client()
    answers = [client.post(f"{PREFIX}/inbox", json={"visitor": f"visitor-number-{n}"},
                           headers={"X-Forwarded-For": f"203.0.113.{n}"})
               for n in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]


def test_behind_one_trusted_proxy_each_client_address_has_its_own_limit(
    make_app: AppFactory,
) -> None:
    web = WebSettings.from_env({"ECOUTE_WIDGET_IP_RATE": "2/minute",
                                "ECOUTE_TRUSTED_PROXIES": "1"})
    app = make_app(web=web)
    client = app.test_client()

    def from_client(address: str, n: int) -> int:
        """POST to the inbox as the proxy does for a client at ``address``."""
        return client.post(f"{PREFIX}/inbox", json={"visitor": f"visitor-number-{n}"},
                           headers={"X-Forwarded-For": f"198.51.100.7, {address}"}).status_code

    assert [from_client(f"203.0.113.{n}", n) for n in range(3)] == [200, 200, 200]
    assert [from_client("203.0.113.9", n) for n in range(3)] == [200, 200, 429]


@pytest.mark.parametrize("raw", ["-1", "two", "1.5"])
def test_trusted_proxies_must_be_a_count(raw: str) -> None:
    with pytest.raises(ConfigError, match="ECOUTE_TRUSTED_PROXIES"):
        WebSettings.from_env({"ECOUTE_TRUSTED_PROXIES": raw})


def test_trusted_proxies_are_off_by_default() -> None:
    assert WebSettings.from_env({}).trusted_proxies == 0


def test_in_process_counters_keep_at_most_their_maximum_evicting_the_oldest() -> None:
    storage = SweptMemoryStorage(max_keys=3)
    for n in range(5):
        storage.incr(f"visitor:{n}", 60)
    storage.incr("visitor:4", 60)
    assert sorted(storage.expirations) == ["visitor:2", "visitor:3", "visitor:4"]
    assert len(storage.storage) == 3
    assert storage.get("visitor:4") == 2
    assert storage.get("visitor:0") == 0


def test_the_default_memory_storage_is_bounded() -> None:
    storage = rate_storage("memory://")
    assert isinstance(storage, SweptMemoryStorage)
    assert 0 < storage.max_keys <= 1_000_000


def test_json_nested_too_deep_is_a_400_not_a_500(client: FlaskClient) -> None:
    nested = "[" * 5000 + "]" * 5000
    for path in ("/inbox", "/conversations"):
        response = client.post(PREFIX + path, data=nested, content_type="application/json")
        assert response.status_code == 400
        assert response.get_json()["error"] == "malformed_json"


@pytest.fixture(params=["werkzeug", "gunicorn"])
def served(request: pytest.FixtureRequest, app: Flask, db: Database) -> Iterator[str]:
    """Serve the app on a real HTTP server; return its base URL."""
    if request.param == "werkzeug":
        with werkzeug_server(app) as url:
            yield url
    else:
        with Gunicorn(db.url) as server:
            yield server.url


def chunks(body: bytes, size: int = 4096) -> Iterator[bytes]:
    """Yield ``body`` in pieces, so httpx sends it with ``Transfer-Encoding: chunked``."""
    for start in range(0, len(body), size):
        yield body[start:start + size]


@pytest.mark.parametrize("framing", ["chunked", "content-length"])
def test_a_body_over_16_kb_is_refused_however_it_is_framed(served: str, framing: str) -> None:
    padding = "x" * (200 * 1024)
    body = ('{"visitor": "visitor-ana-0001", "pad": "' + padding + '"}').encode()
    content = chunks(body) if framing == "chunked" else body
    response = httpx.post(f"{served}{PREFIX}/inbox", content=content,
                          headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 413
    assert response.json()["error"] == "body_too_large"


def test_a_small_chunked_body_is_read_whole(served: str) -> None:
    body = b'{"visitor": "visitor-ana-0001"}'
    response = httpx.post(f"{served}{PREFIX}/inbox", content=chunks(body, 7),
                          headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 200
    assert response.json() == {"messages": []}


def test_a_chunked_body_of_exactly_the_limit_is_accepted_as_json(served: str) -> None:
    head = b'{"visitor": "visitor-ana-0001", "extra": "'
    body = head + b"x" * (MAX_BODY - len(head) - 2) + b'"}'
    assert len(body) == MAX_BODY
    response = httpx.post(f"{served}{PREFIX}/inbox", content=chunks(body),
                          headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 400  # read whole: refused by the schema, not by its size
    assert response.json()["error"] == "invalid_request"
