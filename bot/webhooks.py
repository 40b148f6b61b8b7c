"""Outgoing webhooks, the core's policy: which URLs are acceptable, secrets, create, delete.

A webhook sends signed events (:class:`storage.vocabulary.WebhookEvent`) to the
company's own system, through the outbox (:mod:`bot.webhook_events` plans them,
the sender in :mod:`channels.webhooks` signs and posts them).

- **URLs**: http or https, a host, no user name or password in them. A webhook
  makes this server send requests where staff say, so addresses that are not
  public (loopback, private networks, link-local, cloud metadata…) are refused
  unless ``ECOUTE_WEBHOOK_ALLOW_PRIVATE=1``; a host name is resolved and every
  address it gives is checked. The sender checks again before each delivery.
- **Secrets** are Standard Webhooks' ``whsec_`` + base64 of 32 random bytes,
  shown once, when the webhook is created; stored (it must sign every delivery),
  never returned, never logged, blanked when the webhook is deleted.
- Creating and deleting are audited (who, which webhook, its host: never the secret).

The console and the REST API both call these functions.
"""

from __future__ import annotations

import base64
import ipaddress
import secrets
import socket
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from bot.i18n import gettext_for
from bot.staff import audit
from storage import webhooks as rows
from storage.db import Database
from storage.vocabulary import AuditAction, WebhookEvent
from storage.webhooks import WebhookRecord

__all__ = ["EVENTS", "Refusal", "WebhookError", "WebhookRecord", "check_url", "create",
           "delete", "explain", "live", "new_secret", "public_address"]

DOMAIN = "console"
SECRET_PREFIX = "whsec_"
MAX_URL = 2048
MAX_DESCRIPTION = 200
EVENTS = tuple(event.value for event in WebhookEvent)
Resolver = Callable[[str], Iterable[str]]


class Refusal(StrEnum):
    """Why a webhook change was refused."""

    BAD_URL = "bad_url"
    CREDENTIALS = "credentials"
    PRIVATE = "private"
    UNRESOLVED = "unresolved"
    BAD_EVENTS = "bad_events"
    BAD_DESCRIPTION = "bad_description"
    UNKNOWN = "unknown"


class WebhookError(Exception):
    """A refused webhook change; ``str()`` is the English sentence, :func:`explain` any."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(explain(refusal, "en"))
        self.refusal = refusal


def explain(refusal: Refusal, language: str) -> str:
    """Return the sentence saying why, in ``language``."""
    _ = gettext_for(language, "console")
    return {
        Refusal.BAD_URL: _("The URL must start with http:// or https:// and name a host."),
        Refusal.CREDENTIALS: _("The URL must not hold a user name or password."),
        Refusal.PRIVATE: _("The URL points to a private, local or reserved address."),
        Refusal.UNRESOLVED: _("The URL's host name could not be resolved."),
        Refusal.BAD_EVENTS: _("Choose at least one event: response.completed, "
                              "response.detractor."),
        Refusal.BAD_DESCRIPTION: _("The description may have at most 200 characters."),
        Refusal.UNKNOWN: _("There is no such webhook, or it is deleted already."),
    }[refusal]


def new_secret() -> str:
    """Return a new signing secret in the Standard Webhooks format."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def resolve(host: str) -> list[str]:
    """Return every address ``host`` resolves to (an IP address resolves to itself)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None)]


def public_address(address: str) -> bool:
    """Tell whether an IP address is a public one (not loopback, private, link-local…)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str, *, allow_private: bool, resolver: Resolver = resolve) -> str:
    """Return the URL trimmed, or refuse it (see the module's rules)."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # a port that is no number raises here
    except ValueError:
        raise WebhookError(Refusal.BAD_URL) from None
    if (len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.hostname
            or any(c.isspace() or ord(c) < 32 for c in url)):
        raise WebhookError(Refusal.BAD_URL)
    if parts.username is not None or parts.password is not None:
        raise WebhookError(Refusal.CREDENTIALS)
    if not allow_private:
        try:
            addresses = list(resolver(parts.hostname))
        except (OSError, UnicodeError):
            raise WebhookError(Refusal.UNRESOLVED) from None
        if not addresses:
            raise WebhookError(Refusal.UNRESOLVED)
        if not all(public_address(address) for address in addresses):
            raise WebhookError(Refusal.PRIVATE)
    return url


def check_events(events: Iterable[str]) -> list[str]:
    """Return the events asked for, once each and in a fixed order, or refuse."""
    wanted = {str(event).strip() for event in events}
    if not wanted or not wanted <= set(EVENTS):
        raise WebhookError(Refusal.BAD_EVENTS)
    return [event for event in EVENTS if event in wanted]


def create(db: Database, url: str, events: Iterable[str], description: str = "", *,
           actor: str, allow_private: bool, now: datetime,
           resolver: Resolver = resolve) -> tuple[str, WebhookRecord]:
    """Create a webhook: return its secret (shown once) and its record."""
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise WebhookError(Refusal.BAD_DESCRIPTION)
    chosen = check_events(events)
    url = check_url(url, allow_private=allow_private, resolver=resolver)
    secret = new_secret()
    with db.transaction() as session:
        record = rows.add(session, url=url, events=chosen, secret=secret,
                          description=description, created_by=actor, now=now)
        audit(session, now, actor, AuditAction.WEBHOOK_CREATED, f"webhook:{record.id}",
              **_described(record))
    return secret, record


def delete(db: Database, webhook_id: int, *, actor: str, now: datetime) -> WebhookRecord:
    """Delete a webhook at once (its pending deliveries are cancelled); refuse an unknown one."""
    with db.transaction() as session:
        record = rows.delete(session, webhook_id, now)
        if record is None:
            raise WebhookError(Refusal.UNKNOWN)
        audit(session, now, actor, AuditAction.WEBHOOK_DELETED, f"webhook:{webhook_id}",
              **_described(record))
    return record


def live(db: Database, *, limit: int = 1000, after: int | None = None) -> list[WebhookRecord]:
    """Return the live webhooks by id (``limit`` of them, after id ``after``)."""
    with db.transaction() as session:
        return rows.live(session, limit=limit, after=after)


def _described(record: WebhookRecord) -> dict[str, Any]:
    """Return what the audit log says of a webhook: its host and events (no path, no secret)."""
    return {"host": urlsplit(record.url).hostname or "", "events": list(record.events)}
