"""Staff accounts, API tokens, the audit log, sign-in failures and first-admin setup links.

Rows only: who may do what, how passwords and tokens are checked and when a
sign-in is throttled is the core's policy (:mod:`bot.staff`). Nothing here holds
a respondent's data: audit entries name a conversation by its public id, never a
person's external id or words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import ApiToken, AuditEntry, SetupLink, SignInFailure, StaffUser


class DuplicateEmail(Exception):
    """An account with this email exists already."""


@dataclass(frozen=True)
class Account:
    """A staff account as the rest of the code sees it (its password hash included)."""

    id: int
    email: str
    role: str
    language: str | None
    password_hash: str
    created_at: datetime
    disabled_at: datetime | None
    last_sign_in_at: datetime | None

    @property
    def active(self) -> bool:
        """Tell whether the account may sign in."""
        return self.disabled_at is None


@dataclass(frozen=True)
class Token:
    """An API token's record: never the token itself, a digest and a short hint."""

    id: int
    name: str
    scope: str
    hint: str
    created_by: int | None
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class Entry:
    """One line of the audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    target: str | None
    detail: dict[str, Any]


def _account(row: StaffUser) -> Account:
    """Turn a row into an :class:`Account`."""
    return Account(row.id, row.email, row.role, row.language, row.password_hash,
                   row.created_at, row.disabled_at, row.last_sign_in_at)


def _token(row: ApiToken) -> Token:
    """Turn a row into a :class:`Token`."""
    return Token(row.id, row.name, row.scope, row.hint, row.created_by, row.created_at,
                 row.revoked_at, row.last_used_at)


def add_account(session: Session, email: str, password_hash: str, role: str,
                now: datetime) -> Account:
    """Insert an account (``email`` already lower-cased); raise DuplicateEmail if taken."""
    row = StaffUser(email=email, password_hash=password_hash, role=role, created_at=now)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise DuplicateEmail(email) from None
    return _account(row)


def account_by_email(session: Session, email: str) -> Account | None:
    """Return the account with this (lower-cased) email, or None."""
    row = session.scalar(select(StaffUser).where(StaffUser.email == email))
    return _account(row) if row else None


def account_by_id(session: Session, account_id: int) -> Account | None:
    """Return the account with this id, or None."""
    row = session.get(StaffUser, account_id)
    return _account(row) if row else None


def accounts(session: Session) -> list[Account]:
    """Return every account, by email."""
    return [_account(r) for r in session.scalars(select(StaffUser).order_by(StaffUser.email))]


def count_accounts(session: Session) -> int:
    """Return how many accounts exist (disabled ones included)."""
    return session.scalar(select(func.count()).select_from(StaffUser)) or 0


def count_active_admins(session: Session) -> int:
    """Return how many enabled admin accounts exist."""
    return session.scalar(select(func.count()).select_from(StaffUser).where(
        StaffUser.role == "admin", StaffUser.disabled_at.is_(None))) or 0


def update_account(session: Session, account_id: int, **values: Any) -> bool:
    """Change columns of one account (role, disabled_at, language, …); tell if it exists."""
    done = session.execute(update(StaffUser).where(StaffUser.id == account_id).values(**values))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def add_token(session: Session, *, name: str, scope: str, digest: str, hint: str,
              created_by: int | None, now: datetime) -> Token:
    """Insert an API token's record."""
    row = ApiToken(name=name, scope=scope, digest=digest, hint=hint, created_by=created_by,
                   created_at=now)
    session.add(row)
    session.flush()
    return _token(row)


def token_by_digest(session: Session, digest: str) -> Token | None:
    """Return the token whose digest this is, or None."""
    row = session.scalar(select(ApiToken).where(ApiToken.digest == digest))
    return _token(row) if row else None


def tokens(session: Session) -> list[Token]:
    """Return every token, newest first."""
    return [_token(r) for r in session.scalars(select(ApiToken).order_by(ApiToken.id.desc()))]


def revoke_token(session: Session, token_id: int, now: datetime) -> bool:
    """Revoke a token that is not revoked yet; tell whether one was."""
    done = session.execute(update(ApiToken).where(
        ApiToken.id == token_id, ApiToken.revoked_at.is_(None)).values(revoked_at=now))
    return bool(done.rowcount)  # type: ignore[attr-defined]


def touch_token(session: Session, token_id: int, now: datetime, stale: datetime) -> None:
    """Set a token's last use to ``now`` if it was last set before ``stale`` (fewer writes)."""
    session.execute(update(ApiToken).where(
        ApiToken.id == token_id,
        or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < stale),
    ).values(last_used_at=now))


def add_entry(session: Session, *, at: datetime, actor: str, action: str,
              target: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """Append one line to the audit log."""
    session.add(AuditEntry(at=at, actor=actor, action=action, target=target,
                           detail=detail or {}))
    session.flush()


def entries(session: Session, *, limit: int, before: int | None = None) -> list[Entry]:
    """Return audit entries newest first, ``limit`` of them, older than id ``before``."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    return [Entry(r.id, r.at, r.actor, r.action, r.target, r.detail)
            for r in session.scalars(query)]


def add_failure(session: Session, email: str, address: str, now: datetime,
                forget_before: datetime) -> None:
    """Record a failed sign-in and drop the failures too old to count any more."""
    session.execute(delete(SignInFailure).where(SignInFailure.at < forget_before))
    session.add(SignInFailure(at=now, email=email, address=address))
    session.flush()


def failures(session: Session, email: str, address: str, since: datetime) -> tuple[int, int]:
    """Return the failed sign-ins since ``since`` for this account and from this address."""
    recent = select(func.count()).select_from(SignInFailure).where(SignInFailure.at >= since)
    by_account = session.scalar(recent.where(SignInFailure.email == email)) or 0
    by_address = session.scalar(recent.where(SignInFailure.address == address)) or 0
    return by_account, by_address


def clear_failures(session: Session, email: str) -> None:
    """Forget an account's failed sign-ins (after it signs in)."""
    session.execute(delete(SignInFailure).where(SignInFailure.email == email))


def add_setup_link(session: Session, digest: str, now: datetime, expires_at: datetime) -> None:
    """Store a first-admin setup link's digest."""
    session.add(SetupLink(digest=digest, created_at=now, expires_at=expires_at))
    session.flush()


def setup_link_usable(session: Session, digest: str, now: datetime) -> bool:
    """Tell whether a setup link exists, is unused and has not expired."""
    found = session.scalar(select(func.count()).select_from(SetupLink).where(
        SetupLink.digest == digest, SetupLink.used_at.is_(None), SetupLink.expires_at > now))
    return bool(found)


def use_setup_link(session: Session, digest: str, now: datetime) -> bool:
    """Mark a usable setup link used, once; tell whether this call did."""
    done = session.execute(update(SetupLink).where(
        SetupLink.digest == digest, SetupLink.used_at.is_(None), SetupLink.expires_at > now,
    ).values(used_at=now))
    return bool(done.rowcount)  # type: ignore[attr-defined]
