"""The first admin: a one-time link, printed when no account exists, valid 24 hours, used once."""

from __future__ import annotations

from flask import Flask

from bot import staff
from ecoute.wiring import Ecoute
from tests.conftest import Clock
from tests.console.conftest import Staff

PASSWORD = "the first admin's password"


def first_admin(app: Flask, link: str, password: str = PASSWORD, **form: str):  # type: ignore[no-untyped-def]
    """Fill the setup form of ``link`` as a new admin would."""
    visitor = Staff(app, "first@example.com", "admin")
    return visitor, visitor.client.post(f"/admin/setup/{link}", data={
        "email": "First@Example.com", "password": password,
        "confirm": form.get("confirm", password), "csrf_token": visitor.csrf()})


def test_the_link_creates_the_first_admin_signed_in_then_works_no_more(
        app: Flask, served: Ecoute) -> None:
    link = staff.open_setup_link(served.db, served.engine.clock())
    assert link is not None
    visitor, created = first_admin(app, link)
    assert (created.status_code, created.headers["Location"]) == (303, "/admin/")
    assert visitor.client.get("/admin/accounts").status_code == 200, "signed in as admin"
    assert [(a.email, a.role) for a in staff.list_accounts(served.db)] == [
        ("first@example.com", "admin")]
    assert app.test_client().get(f"/admin/setup/{link}").status_code == 404
    assert staff.open_setup_link(served.db, served.engine.clock()) is None, "accounts exist"


def test_a_link_expires_after_24_hours(app: Flask, served: Ecoute, clock: Clock) -> None:
    link = staff.open_setup_link(served.db, clock())
    clock.advance(hours=24, seconds=1)
    assert app.test_client().get(f"/admin/setup/{link}").status_code == 404


def test_a_short_or_mistyped_password_is_refused_and_the_link_kept(
        app: Flask, served: Ecoute) -> None:
    link = staff.open_setup_link(served.db, served.engine.clock())
    _, short = first_admin(app, link, "too short")
    assert short.status_code == 400
    assert "The password must have at least 12 characters." in short.get_data(as_text=True)
    _, mistyped = first_admin(app, link, confirm="something else entirely")
    assert "The two passwords differ." in mistyped.get_data(as_text=True)
    assert first_admin(app, link)[1].status_code == 303
    assert app.test_client().get("/admin/setup/guessed-link").status_code == 404
