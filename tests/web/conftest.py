"""Fixtures of the widget's HTTP tests: the Flask app on the test store, visitors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ecoute.config import Settings, WebSettings
from ecoute.wiring import build
from storage.db import Database
from tests.conftest import Clock
from tests.web.widget_client import Visitor
from web import create_app

AppFactory = Callable[..., Flask]


@pytest.fixture
def make_app(settings: Settings, db: Database, clock: Clock) -> AppFactory:
    """Return a factory of apps on the test store, with settings overridden by keyword."""

    def factory(web: WebSettings | None = None, **overrides: object) -> Flask:
        changed = replace(settings, web=web or settings.web, **overrides)  # type: ignore[arg-type]
        return create_app(build(changed, database=db, clock=clock))

    return factory


@pytest.fixture
def app(make_app: AppFactory) -> Flask:
    """Return the app with default settings (rates high enough for any test)."""
    return make_app(web=WebSettings(visitor_rate="1000/minute", ip_rate="1000/minute"))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture
def ana(client: FlaskClient) -> Visitor:
    """Return Ana, an English-speaking visitor of the company's site."""
    return Visitor(client, "visitor-ana-0001", "en")


@pytest.fixture
def bruno(client: FlaskClient) -> Visitor:
    """Return Bruno, a French-speaking visitor of the same site."""
    return Visitor(client, "visitor-bruno-002", "fr")
