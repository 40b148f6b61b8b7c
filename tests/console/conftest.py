"""Fixtures of the staff console's tests: the app with a secret, staff of every role, tokens.

Staff sign in through the real sign-in form and post forms with the CSRF token
the page gave them, as a browser would.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bot import staff
from ecoute.config import Settings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from tests.conftest import Clock
from web import create_app

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with argon2id at its lowest cost: the same code, a test suite that stays quick."""
    monkeypatch.setattr(staff, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024,
                                                        parallelism=1))


@pytest.fixture
def served(settings: Settings, db: Database, clock: Clock) -> Ecoute:
    """Return Écoute on the test store, with a secret key made for this test only."""
    return build(replace(settings, secret_key=os.urandom(32).hex()), database=db, clock=clock)


@pytest.fixture
def app(served: Ecoute) -> Flask:
    """Return the web app serving the test Écoute."""
    return create_app(served)


class Staff:
    """A staff member with their own browser (a test client) and account."""

    def __init__(self, app: Flask, email: str, role: str) -> None:
        self.email, self.role = email, role
        self.client: FlaskClient = app.test_client()
        self.token: str | None = None  # the session's CSRF token, once a page gave it

    def csrf(self, path: str = "/admin/sign-in") -> str:
        """Return the CSRF token of a form on ``path`` (signed in or not)."""
        page = self.client.get(path)
        found = CSRF.search(page.get_data(as_text=True))
        assert found, f"no CSRF token on {path} ({page.status_code})"
        self.token = found.group(1)
        return self.token

    def sign_in(self, password: str = PASSWORD) -> TestResponse:
        """Sign in through the form (the session starts afresh, with a new CSRF token)."""
        response = self.client.post("/admin/sign-in", data={
            "email": self.email, "password": password, "csrf_token": self.csrf()})
        self.token = None
        return response

    def post(self, path: str, **form: str) -> TestResponse:
        """Post a form of the console, with the CSRF token its pages give."""
        token = self.token or self.csrf("/admin/" if self.signed_in() else "/admin/sign-in")
        return self.client.post(path, data={**form, "csrf_token": token})

    def signed_in(self) -> bool:
        """Tell whether this browser holds a session."""
        return self.client.get("/admin/").status_code == 200


@dataclass
class Team:
    """One staff member of each role, an anonymous visitor, and the app."""

    app: Flask
    served: Ecoute
    admin: Staff
    manager: Staff
    viewer: Staff
    anonymous: Staff


def add_staff(app: Flask, served: Ecoute, email: str, role: str) -> Staff:
    """Create an account (as the command line would) and return its member, not signed in."""
    staff.create_account(served.db, email, PASSWORD, role, actor=staff.CLI,
                         now=served.engine.clock())
    return Staff(app, email, role)


@pytest.fixture
def team(app: Flask, served: Ecoute) -> Team:
    """Return an admin, a manager and a viewer, each signed in, and an anonymous visitor."""
    members = {role: add_staff(app, served, f"{role}@example.com", role)
               for role in ("admin", "manager", "viewer")}
    for member in members.values():
        assert member.sign_in().status_code == 303
    return Team(app, served, members["admin"], members["manager"], members["viewer"],
                Staff(app, "nobody@example.com", "anonymous"))
