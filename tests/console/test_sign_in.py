"""Signing in and out: argon2 hashes, cookies, throttling per account and address, the audit."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from bot import staff
from ecoute.wiring import Ecoute
from storage.models import AuditEntry, StaffUser
from tests.conftest import Clock
from tests.console.conftest import PASSWORD, Staff, Team, add_staff


def audit_actions(served: Ecoute) -> list[tuple[str, str, str | None]]:
    """Return the audit log as (actor, action, target), oldest first."""
    with served.db.transaction() as session:
        return [(e.actor, e.action, e.target) for e in
                session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def session_cookie(response: TestResponse) -> str:
    """Return the Set-Cookie header of the console's session."""
    return next(c for c in response.headers.getlist("Set-Cookie")
                if c.startswith("ecoute_session="))


def test_a_page_sends_an_anonymous_visitor_to_sign_in_and_back(app: Flask,
                                                               served: Ecoute) -> None:
    ana = add_staff(app, served, "Ana@Example.com", "viewer")
    page = ana.client.get("/admin/conversations/abc")
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/admin/sign-in?next=")
    signed = ana.client.post("/admin/sign-in", data={
        "email": "ANA@example.COM", "password": PASSWORD, "csrf_token": ana.csrf(),
        "next": "/admin/audit"})
    assert (signed.status_code, signed.headers["Location"]) == (303, "/admin/audit")


def test_it_refuses_a_wrong_password_and_an_unknown_email_alike(app: Flask,
                                                               served: Ecoute) -> None:
    ana = add_staff(app, served, "ana@example.com", "viewer")
    wrong = ana.sign_in("not the password")
    nobody = Staff(app, "nobody@example.com", "viewer").sign_in()
    for page in (wrong, nobody):
        assert page.status_code == 200
        assert "Wrong email or password, or the account is disabled." in page.get_data(True)
    assert ana.client.get("/admin/").status_code == 302


def test_passwords_are_stored_as_argon2id_hashes(app: Flask, served: Ecoute) -> None:
    add_staff(app, served, "ana@example.com", "admin")
    with served.db.transaction() as session:
        stored = session.scalar(select(StaffUser.password_hash))
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_the_session_cookie_is_httponly_and_samesite_lax(app: Flask, served: Ecoute) -> None:
    ana = add_staff(app, served, "ana@example.com", "admin")
    cookie = session_cookie(ana.sign_in())
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_the_session_cookie_is_secure_over_https(app: Flask, served: Ecoute) -> None:
    ana = add_staff(app, served, "ana@example.com", "admin")
    page = ana.client.get("/admin/sign-in", base_url="https://console.example.com")
    assert "Secure" in session_cookie(page)


def test_five_failures_throttle_the_account_even_with_the_right_password(
        app: Flask, served: Ecoute, clock: Clock) -> None:
    ana = add_staff(app, served, "ana@example.com", "admin")
    for _ in range(5):
        assert ana.sign_in("guess").status_code == 200
    throttled = ana.sign_in()
    assert throttled.status_code == 429
    assert "Too many failed attempts: wait 15 minutes" in throttled.get_data(True)
    clock.advance(minutes=15, seconds=1)
    assert ana.sign_in().status_code == 303


def test_failures_from_one_address_throttle_it_across_accounts(served: Ecoute) -> None:
    for number in range(20):
        staff.sign_in(served.db, f"guess{number}@example.com", "x", "203.0.113.9",
                      served.engine.clock())
    now = served.engine.clock()
    assert staff.sign_in(served.db, "someone@example.com", "x", "203.0.113.9",
                         now).outcome is staff.SignInOutcome.THROTTLED
    assert staff.sign_in(served.db, "someone@example.com", "x", "198.51.100.1",
                         now).outcome is staff.SignInOutcome.REFUSED


def test_a_disabled_account_cannot_sign_in_and_its_session_ends(team: Team) -> None:
    with team.served.db.transaction() as session:
        viewer_id = session.scalar(select(StaffUser.id).where(StaffUser.role == "viewer"))
    assert team.admin.post(f"/admin/accounts/{viewer_id}/disable").status_code == 303
    assert team.viewer.client.get("/admin/").status_code == 302
    assert team.viewer.sign_in().status_code == 200


def test_sign_out_ends_the_session_and_everything_is_audited(team: Team) -> None:
    assert team.viewer.post("/admin/sign-out").status_code == 303
    assert team.viewer.client.get("/admin/").status_code == 302
    team.viewer.sign_in("wrong password!")
    log = audit_actions(team.served)
    assert ("cli", "account_created", "viewer@example.com") in log
    assert ("staff:3", "signed_in", None) in log
    assert ("staff:3", "signed_out", None) in log
    assert log[-1] == ("anonymous", "sign_in_failed", "viewer@example.com")
    assert all("wrong password" not in str(entry) for entry in log)


def test_the_console_speaks_the_members_choice_else_the_browsers(team: Team) -> None:
    french = team.viewer.client.get("/admin/", headers={"Accept-Language": "fr"})
    assert "Tableau de bord" in french.get_data(True)
    team.viewer.post("/admin/language", language="en")
    chosen = team.viewer.client.get("/admin/", headers={"Accept-Language": "fr"})
    assert "Dashboard" in chosen.get_data(True) and "Tableau de bord" not in chosen.get_data(True)
