"""API tokens: issued, checked on each request, revoked, listed.

A token is ``ecoute_`` and 256 random bits; only its SHA-256 digest is stored
(:func:`bot.staff.token_digest`: a token that random needs no slow hash), with a
short hint to tell tokens apart. What a token may do is its scope's grant
(:data:`bot.staff.SCOPE_GRANTS`, :func:`bot.staff.token_may`); every issue and
revocation is in the audit log, never the token itself.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bot.staff import Refusal, StaffError, audit, token_digest
from storage import staff as rows
from storage.db import Database
from storage.staff import Token
from storage.vocabulary import AuditAction, TokenScope

__all__ = ["TOKEN_PREFIX", "TOKEN_TOUCH", "Token", "authenticate_token", "issue_token",
           "list_tokens", "revoke_token"]

TOKEN_PREFIX = "ecoute_"
TOKEN_TOUCH = timedelta(minutes=1)  # last_used_at is written at most this often


def issue_token(db: Database, name: str, scope: str, *, created_by: int | None, actor: str,
                now: datetime) -> tuple[str, Token]:
    """Create an API token: return the token (shown once, never stored) and its record."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise StaffError(Refusal.BAD_NAME)
    if scope not in set(TokenScope):
        raise StaffError(Refusal.BAD_SCOPE)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as session:
        record_ = rows.add_token(session, name=name, scope=scope, digest=token_digest(token),
                                 hint=token[:len(TOKEN_PREFIX) + 4], created_by=created_by,
                                 now=now)
        audit(session, now, actor, AuditAction.TOKEN_CREATED, f"token:{record_.id}",
              name=name, scope=scope)
    return token, record_


def authenticate_token(db: Database, token: str, now: datetime) -> Token | None:
    """Return the live token record a Bearer token matches (noting its use), or None."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with db.transaction() as session:
        found = rows.token_by_digest(session, token_digest(token))
        if found is None or found.revoked_at is not None:
            return None
        rows.touch_token(session, found.id, now, stale=now - TOKEN_TOUCH)
    return found


def revoke_token(db: Database, token_id: int, *, actor: str, now: datetime) -> None:
    """Revoke a token at once; refuse an unknown or already revoked one."""
    with db.transaction() as session:
        if not rows.revoke_token(session, token_id, now):
            raise StaffError(Refusal.UNKNOWN_TOKEN)
        audit(session, now, actor, AuditAction.TOKEN_REVOKED, f"token:{token_id}")


def list_tokens(db: Database) -> list[Token]:
    """Return every token's record, newest first."""
    with db.transaction() as session:
        return rows.tokens(session)
