"""Staff access, the core's policy: who may do what, passwords, throttling, audit.

- **Roles** (:data:`GRANTS`): an admin may do everything, accounts and API tokens
  included; a manager everything but that; a viewer reads and exports, but sees and
  exports nothing that identifies a person. API tokens have a scope instead
  (:data:`SCOPE_GRANTS`): ``read`` or ``write``.
- **Passwords** are hashed with argon2id (argon2-cffi's defaults); a hash made with
  older parameters is replaced at the next sign-in.
- **API tokens** are issued, checked and revoked by :mod:`bot.api_tokens`; their
  digest (:func:`token_digest`) is the one setup links are stored with.
- **Sign-in throttling** counts failures in the database, so it holds across
  processes: :data:`THROTTLE` failures per account, or per address, in a window.
- **Audit**: every sign-in, failure, transcript view, export, account and token
  change is one row (who, when, what); never a password, a token or a person's words.

The web console and the command line both call these functions; neither knows argon2.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from bot.i18n import gettext_for
from storage import staff as rows
from storage.db import Database
from storage.staff import Account, DuplicateEmail, Token
from storage.vocabulary import AuditAction, StaffRole, TokenScope

__all__ = ["GRANTS", "SCOPE_GRANTS", "THROTTLE", "Account", "Permission", "Refusal",
           "SignIn", "StaffError", "Throttle", "Token", "may", "token_may"]

DOMAIN = "console"
HASHER = PasswordHasher()
MIN_PASSWORD = 12
SETUP_TTL = timedelta(hours=24)
CLI = "cli"
ANONYMOUS = "anonymous"
SETUP = "setup"


class Permission(StrEnum):
    """One thing a staff member or a token may do."""

    READ = "read"  # figures, answers, transcripts, the API's read routes
    SEE_IDENTIFIERS = "see_identifiers"  # a person's external id, identifying exports
    WRITE = "write"  # trigger surveys, manage webhooks: the API's write routes
    MANAGE_ACCESS = "manage_access"  # staff accounts, API tokens, the audit log


GRANTS: dict[StaffRole, frozenset[Permission]] = {
    StaffRole.ADMIN: frozenset(Permission),
    StaffRole.MANAGER: frozenset({Permission.READ, Permission.SEE_IDENTIFIERS, Permission.WRITE}),
    StaffRole.VIEWER: frozenset({Permission.READ}),
}
SCOPE_GRANTS: dict[TokenScope, frozenset[Permission]] = {
    TokenScope.READ: frozenset({Permission.READ, Permission.SEE_IDENTIFIERS}),
    TokenScope.WRITE: frozenset({Permission.READ, Permission.SEE_IDENTIFIERS, Permission.WRITE}),
}


def may(role: str, permission: Permission) -> bool:
    """Tell whether a staff role grants ``permission``."""
    return role in GRANTS and permission in GRANTS[StaffRole(role)]


def token_may(scope: str, permission: Permission) -> bool:
    """Tell whether an API token's scope grants ``permission``."""
    return scope in SCOPE_GRANTS and permission in SCOPE_GRANTS[TokenScope(scope)]


class Refusal(StrEnum):
    """Why an access change was refused."""

    BAD_EMAIL = "bad_email"
    WEAK_PASSWORD = "weak_password"
    EMAIL_TAKEN = "email_taken"
    UNKNOWN_ACCOUNT = "unknown_account"
    LAST_ADMIN = "last_admin"
    BAD_ROLE = "bad_role"
    BAD_NAME = "bad_name"
    BAD_SCOPE = "bad_scope"
    UNKNOWN_TOKEN = "unknown_token"
    SETUP_USED = "setup_used"


class StaffError(Exception):
    """A refused access change; ``str()`` is the English sentence, :func:`explain` any."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(explain(refusal, "en"))
        self.refusal = refusal


def explain(refusal: Refusal, language: str) -> str:
    """Return the sentence saying why, in ``language``."""
    _ = gettext_for(language, "console")
    return {
        Refusal.BAD_EMAIL: _("This is not an email address."),
        Refusal.WEAK_PASSWORD: _("The password must have at least 12 characters."),
        Refusal.EMAIL_TAKEN: _("An account with this email exists already."),
        Refusal.UNKNOWN_ACCOUNT: _("There is no such account."),
        Refusal.LAST_ADMIN: _("The last admin cannot be disabled or lose the admin role."),
        Refusal.BAD_ROLE: _("The role must be admin, manager or viewer."),
        Refusal.BAD_NAME: _("Give the token a name of 1 to 100 characters."),
        Refusal.BAD_SCOPE: _("The scope must be read or write."),
        Refusal.UNKNOWN_TOKEN: _("There is no such token, or it is revoked already."),
        Refusal.SETUP_USED: _("This setup link was used already, or has expired."),
    }[refusal]


def staff_actor(account_id: int) -> str:
    """Return how the audit log names a staff member."""
    return f"staff:{account_id}"


def token_actor(token_id: int) -> str:
    """Return how the audit log names an API token."""
    return f"token:{token_id}"


def audit(session: Session, now: datetime, actor: str, action: AuditAction,
          target: str | None = None, **detail: Any) -> None:
    """Record who did what in the caller's transaction (no secrets, no person's words)."""
    rows.add_entry(session, at=now, actor=actor, action=action.value, target=target,
                   detail=detail)


def record(db: Database, now: datetime, actor: str, action: AuditAction,
           target: str | None = None, **detail: Any) -> None:
    """Record who did what, in a transaction of its own."""
    with db.transaction() as session:
        audit(session, now, actor, action, target, **detail)


# Passwords and accounts


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password long enough, or refuse it."""
    if not MIN_PASSWORD <= len(password) <= 1024:
        raise StaffError(Refusal.WEAK_PASSWORD)
    return HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Tell whether ``password`` is the one ``password_hash`` was made from."""
    try:
        return HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    """Return the email lower-cased and trimmed, or refuse what is not an address."""
    email = email.strip().lower()
    local, _, domain = email.rpartition("@")
    if not local or "." not in domain or len(email) > 254 or any(c.isspace() for c in email):
        raise StaffError(Refusal.BAD_EMAIL)
    return email


def _role(role: str) -> StaffRole:
    """Return the role named ``role``, or refuse it."""
    try:
        return StaffRole(role)
    except ValueError:
        raise StaffError(Refusal.BAD_ROLE) from None


def create_account(db: Database, email: str, password: str, role: str, *, actor: str,
                   now: datetime) -> Account:
    """Create a staff account; the password is hashed here and never stored."""
    email, role, password_hash = normalise_email(email), _role(role), hash_password(password)
    with db.transaction() as session:
        try:
            account = rows.add_account(session, email, password_hash, role, now)
        except DuplicateEmail:
            raise StaffError(Refusal.EMAIL_TAKEN) from None
        audit(session, now, actor, AuditAction.ACCOUNT_CREATED, email, role=role.value)
    return account


def find_account(db: Database, email: str) -> Account:
    """Return the account with this email, or refuse."""
    with db.transaction() as session:
        account = rows.account_by_email(session, email.strip().lower())
    if account is None:
        raise StaffError(Refusal.UNKNOWN_ACCOUNT)
    return account


def set_role(db: Database, account_id: int, role: str, *, actor: str, now: datetime) -> None:
    """Change an account's role; the last enabled admin keeps theirs."""
    role = _role(role)
    with db.transaction() as session:
        account = _existing(session, account_id)
        if account.role == StaffRole.ADMIN and role != StaffRole.ADMIN and account.active:
            _keep_an_admin(session)
        rows.update_account(session, account_id, role=role.value)
        audit(session, now, actor, AuditAction.ROLE_CHANGED, account.email,
              before=account.role, after=role.value)


def disable_account(db: Database, account_id: int, *, actor: str, now: datetime) -> None:
    """Disable an account at once (its sessions end); the last enabled admin stays."""
    with db.transaction() as session:
        account = _existing(session, account_id)
        if not account.active:
            return
        if account.role == StaffRole.ADMIN:
            _keep_an_admin(session)
        rows.update_account(session, account_id, disabled_at=now)
        audit(session, now, actor, AuditAction.ACCOUNT_DISABLED, account.email)


def set_language(db: Database, account_id: int, language: str) -> None:
    """Remember the language a staff member chose for the console."""
    with db.transaction() as session:
        rows.update_account(session, account_id, language=language)


def _existing(session: Session, account_id: int) -> Account:
    """Return an account or refuse."""
    account = rows.account_by_id(session, account_id)
    if account is None:
        raise StaffError(Refusal.UNKNOWN_ACCOUNT)
    return account


def _keep_an_admin(session: Session) -> None:
    """Refuse a change that would leave no enabled admin."""
    if rows.count_active_admins(session) <= 1:
        raise StaffError(Refusal.LAST_ADMIN)


def active_account(db: Database, account_id: int) -> Account | None:
    """Return an enabled account by id (what a session is signed in as), or None."""
    with db.transaction() as session:
        account = rows.account_by_id(session, account_id)
    return account if account is not None and account.active else None


def list_accounts(db: Database) -> list[Account]:
    """Return every account, by email."""
    with db.transaction() as session:
        return rows.accounts(session)


# Signing in


@dataclass(frozen=True)
class Throttle:
    """How many failed sign-ins, in which window, stop further tries."""

    per_account: int = 5
    per_address: int = 20  # an office behind one address has several people
    window: timedelta = timedelta(minutes=15)


THROTTLE = Throttle()


class SignInOutcome(StrEnum):
    """How a sign-in attempt ended."""

    SIGNED_IN = "signed_in"
    REFUSED = "refused"  # unknown email, wrong password or disabled account: one answer
    THROTTLED = "throttled"


@dataclass(frozen=True)
class SignIn:
    """A sign-in attempt's outcome, with the account when it succeeded."""

    outcome: SignInOutcome
    account: Account | None = None


_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))  # unknown emails take as long to refuse


def sign_in(db: Database, email: str, password: str, address: str, now: datetime,
            throttle: Throttle = THROTTLE) -> SignIn:
    """Check an email and password, throttled per account and per address; audit the try."""
    email, address = email.strip().lower()[:254], address[:64]
    since = now - throttle.window
    with db.transaction() as session:
        by_account, by_address = rows.failures(session, email, address, since)
        account = rows.account_by_email(session, email)
    if by_account >= throttle.per_account or by_address >= throttle.per_address:
        record(db, now, ANONYMOUS, AuditAction.SIGN_IN_FAILED, email, reason="throttled")
        return SignIn(SignInOutcome.THROTTLED)
    matches = password_matches(account.password_hash if account else _DUMMY_HASH, password)
    if account is None or not matches or not account.active:
        with db.transaction() as session:
            rows.add_failure(session, email, address, now, forget_before=since)
            reason = "disabled" if account and matches else "wrong_credentials"
            audit(session, now, ANONYMOUS, AuditAction.SIGN_IN_FAILED, email, reason=reason)
        return SignIn(SignInOutcome.REFUSED)
    values: dict[str, Any] = {"last_sign_in_at": now}
    if HASHER.check_needs_rehash(account.password_hash):
        values["password_hash"] = HASHER.hash(password)
    with db.transaction() as session:
        rows.update_account(session, account.id, **values)
        rows.clear_failures(session, email)
        audit(session, now, staff_actor(account.id), AuditAction.SIGNED_IN)
    return SignIn(SignInOutcome.SIGNED_IN, account)


# Random secrets (API tokens, setup links)


def token_digest(token: str) -> str:
    """Return the SHA-256 digest a random secret (an API token, a setup link) is stored as."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# The first admin


def open_setup_link(db: Database, now: datetime) -> str | None:
    """Return a one-time token that creates the first admin, or None when accounts exist."""
    with db.transaction() as session:
        if rows.count_accounts(session):
            return None
        token = secrets.token_urlsafe(32)
        rows.add_setup_link(session, token_digest(token), now, now + SETUP_TTL)
        audit(session, now, CLI, AuditAction.SETUP_LINK_CREATED,
              hours=int(SETUP_TTL.total_seconds() // 3600))
    return token


def setup_link_open(db: Database, token: str, now: datetime) -> bool:
    """Tell whether a setup link can still create the first admin."""
    with db.transaction() as session:
        return (rows.count_accounts(session) == 0
                and rows.setup_link_usable(session, token_digest(token), now))


def claim_setup_link(db: Database, token: str, email: str, password: str,
                     now: datetime) -> Account:
    """Create the first admin through a setup link, which then cannot be used again."""
    email, password_hash = normalise_email(email), hash_password(password)
    with db.transaction() as session:
        if rows.count_accounts(session) or not rows.use_setup_link(
                session, token_digest(token), now):
            raise StaffError(Refusal.SETUP_USED)
        account = rows.add_account(session, email, password_hash, StaffRole.ADMIN, now)
        audit(session, now, SETUP, AuditAction.ACCOUNT_CREATED, email, role="admin")
    return account
