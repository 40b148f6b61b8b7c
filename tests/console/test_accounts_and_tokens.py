"""Admins manage accounts and API tokens in the console; every change is in the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot import staff
from storage.models import ApiToken, AuditEntry
from tests.console.conftest import Staff, Team

TOKEN = re.compile(r'<code class="token">(ecoute_[\w-]+)</code>')


def account_id(team: Team, email: str) -> int:
    """Return the id of the account with ``email``."""
    return staff.find_account(team.served.db, email).id


def test_an_admin_creates_an_account_that_can_sign_in(team: Team) -> None:
    done = team.admin.post("/admin/accounts", email="Chloe@Example.com", role="manager",
                           password="chloe's long password")
    assert done.status_code == 303
    page = team.admin.client.get("/admin/accounts").get_data(as_text=True)
    assert "Account created." in page and "chloe@example.com" in page
    chloe = Staff(team.app, "chloe@example.com", "manager")
    assert chloe.sign_in("chloe's long password").status_code == 303


def test_a_duplicate_email_in_another_case_is_refused(team: Team) -> None:
    team.admin.post("/admin/accounts", email="VIEWER@example.com", role="viewer",
                    password="another long password")
    page = team.admin.client.get("/admin/accounts").get_data(as_text=True)
    assert "An account with this email exists already." in page


def test_an_admin_changes_a_role_which_applies_at_once(team: Team) -> None:
    assert team.viewer.client.get("/admin/accounts").status_code == 403
    team.admin.post(f"/admin/accounts/{account_id(team, 'viewer@example.com')}/role",
                    role="admin")
    assert team.viewer.client.get("/admin/accounts").status_code == 200


def test_the_last_admin_can_be_neither_disabled_nor_demoted(team: Team) -> None:
    me = account_id(team, "admin@example.com")
    team.admin.post(f"/admin/accounts/{me}/disable")
    team.admin.post(f"/admin/accounts/{me}/role", role="viewer")
    page = team.admin.client.get("/admin/accounts").get_data(as_text=True)
    assert page.count("The last admin cannot be disabled or lose the admin role.") == 2
    assert staff.find_account(team.served.db, "admin@example.com").role == "admin"


def test_a_token_is_shown_once_stored_hashed_and_works_until_revoked(team: Team) -> None:
    created = team.admin.post("/admin/tokens", name="crm", scope="read")
    assert created.status_code == 201
    token = TOKEN.search(created.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    listing = team.admin.client.get("/admin/tokens").get_data(as_text=True)
    assert token not in listing and f"{token[:11]}…" in listing
    with team.served.db.transaction() as session:
        stored = session.execute(select(ApiToken.digest, ApiToken.created_by)).one()
    assert stored == (staff.token_digest(token), account_id(team, "admin@example.com"))
    bearer = {"Authorization": f"Bearer {token}"}
    assert team.anonymous.client.get("/api/v1/stats", headers=bearer).status_code == 200
    team.admin.post("/admin/tokens/1/revoke")
    assert team.anonymous.client.get("/api/v1/stats", headers=bearer).status_code == 401


def test_token_and_account_changes_are_audited_without_secrets(team: Team) -> None:
    created = team.admin.post("/admin/tokens", name="crm", scope="write")
    token = TOKEN.search(created.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    team.admin.post("/admin/tokens/1/revoke")
    team.admin.post(f"/admin/accounts/{account_id(team, 'viewer@example.com')}/disable")
    with team.served.db.transaction() as session:
        log = session.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.target,
                                     AuditEntry.detail).order_by(AuditEntry.id)).all()
    assert ("staff:1", "token_created", "token:1", {"name": "crm", "scope": "write"}) in log
    assert ("staff:1", "token_revoked", "token:1", {}) in log
    assert ("staff:1", "account_disabled", "viewer@example.com", {}) in log
    assert token not in str(log) and "correct horse" not in str(log)


def test_a_bad_token_form_says_why(team: Team) -> None:
    refused = team.admin.post("/admin/tokens", name="", scope="read")
    assert refused.status_code == 400
    assert "Give the token a name of 1 to 100 characters." in refused.get_data(as_text=True)
