"""With no ECOUTE_SECRET_KEY, sessions are signed with a key derived from the stored secret."""

from __future__ import annotations

from dataclasses import replace

from ecoute.config import Settings
from ecoute.wiring import build
from storage.db import Database
from tests.conftest import Clock
from tests.console.conftest import add_staff
from web import create_app


def test_a_first_try_without_a_secret_key_signs_in_and_every_worker_accepts_the_session(
        settings: Settings, db: Database, clock: Clock) -> None:
    unset = replace(settings, secret_key=None)
    first, second = (create_app(build(unset, database=db, clock=clock)) for _ in range(2))
    member = add_staff(first, build(unset, database=db, clock=clock), "ana@example.com", "admin")
    assert member.sign_in().status_code == 303
    assert member.signed_in()
    cookie = first.config["SESSION_COOKIE_NAME"]
    session = member.client.get_cookie(cookie)
    assert session is not None
    elsewhere = second.test_client()  # another worker (or the same one after a restart)
    elsewhere.set_cookie(cookie, session.value)
    assert elsewhere.get("/admin/").status_code == 200
    assert first.secret_key == second.secret_key != settings.secret_key
