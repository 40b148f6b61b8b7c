"""Bearer tokens: who calls the API, and whether their token's scope allows the route."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from bot import api_tokens, staff
from bot.staff import Permission, Token
from web.api.errors import api_error

F = TypeVar("F", bound=Callable[..., Any])
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="ecoute"'}


def bearer_token() -> str | None:
    """Return the token of the ``Authorization: Bearer …`` header, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def requires(permission: Permission) -> Callable[[F], F]:
    """Guard a route: a live token (else 401) whose scope grants ``permission`` (else 403)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            from web import current_ecoute

            served = current_ecoute()
            given = bearer_token()
            token = api_tokens.authenticate_token(served.db, given, served.engine.clock()) \
                if given else None
            if token is None:
                return api_error(401, "unauthorized",
                                 "Send a valid API token: Authorization: Bearer TOKEN.",
                                 CHALLENGE)
            if not staff.token_may(token.scope, permission):
                return api_error(403, "forbidden",
                                 f"This token's scope ({token.scope}) does not allow this.")
            g.api_token = token
            return view(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def caller() -> Token:
    """Return the token of the request being served."""
    return g.api_token  # type: ignore[no-any-return]
