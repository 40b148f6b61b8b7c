"""The outbox's webhook sender: signs each event (Standard Webhooks) and POSTs it with httpx.

Each delivery is one POST of the event's JSON body with the ``webhook-id``
(the same on every retry of one event), ``webhook-timestamp`` (this attempt's
time) and ``webhook-signature`` headers, signed by the ``standardwebhooks``
library with the webhook's secret, so a receiver verifying with the same
library accepts it. The answer decides what the outbox does:

- 2xx: sent;
- 429 (and 503 with ``Retry-After``): wait as long as it says (that webhook only);
- 408, 425, 5xx, a timeout or a network error: retry with the outbox's back-off;
- a redirect or any other 4xx (410 Gone, 404…): failed for good. Redirects are not
  followed: they could lead to an address the URL check would refuse.

Unless ``ECOUTE_WEBHOOK_ALLOW_PRIVATE=1``, the host is resolved again before each
POST and a private, loopback or reserved address is refused (a name may have
been re-pointed since the webhook was created). Nothing here logs a URL, a
secret or a body; errors name a status or an exception type only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx
from standardwebhooks import Webhook

from bot.messages import Outbound
from bot.sending import PermanentError, RetryLater, TransientError
from bot.webhook_events import WebhookMessage
from bot.webhooks import Refusal, WebhookError, check_url
from channels.registry import ConfigError
from storage.webhooks import Target

USER_AGENT = "Ecoute-Webhooks/1"
DEFAULT_WAIT = 60.0  # seconds, when a 429 says no Retry-After
MAX_WAIT = 3600.0
RETRIED = frozenset({408, 425, 429})


@dataclass(frozen=True)
class WebhookSettings:
    """How webhooks are sent: the timeout, a rate per webhook, and private addresses allowed?

    ``allow_private`` (``ECOUTE_WEBHOOK_ALLOW_PRIVATE=1``) lets webhooks point to
    loopback and private networks: for a receiver on the same machine or network,
    and for the tests. ``timeout`` (``ECOUTE_WEBHOOK_TIMEOUT_SECONDS``) bounds each POST.
    """

    allow_private: bool = False
    timeout: float = 10.0
    rate: str = "10/second"  # per webhook (``limits`` notation)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebhookSettings:
        """Read the webhook settings; a value Écoute cannot use is a ConfigError."""
        allow = (env.get("ECOUTE_WEBHOOK_ALLOW_PRIVATE") or "0").strip().lower()
        if allow not in ("0", "1", "true", "false", "yes", "no"):
            raise ConfigError(f"ECOUTE_WEBHOOK_ALLOW_PRIVATE must be 1 or 0, not {allow!r}")
        raw = (env.get("ECOUTE_WEBHOOK_TIMEOUT_SECONDS") or "").strip()
        timeout = cls.timeout
        if raw:
            try:
                timeout = float(raw)
            except ValueError:
                timeout = 0.0
            if not 0 < timeout <= 120:
                raise ConfigError("ECOUTE_WEBHOOK_TIMEOUT_SECONDS must be a number above 0 "
                                  f"and at most 120, not {raw!r}")
        return cls(allow_private=allow in ("1", "true", "yes"), timeout=timeout)


class WebhookSender:
    """Posts signed webhook events; one HTTP client, kept open, with a timeout."""

    def __init__(self, settings: WebhookSettings | None = None, *,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.settings = settings or WebhookSettings()
        self.clock = clock or (lambda: datetime.now(UTC))
        self._client: httpx.Client | None = None

    @property
    def client(self) -> httpx.Client:
        """Return the HTTP client, made on first use (most processes never post a webhook)."""
        if self._client is None:
            self._client = httpx.Client(timeout=self.settings.timeout, follow_redirects=False,
                                        headers={"User-Agent": USER_AGENT})
        return self._client

    def send(self, address: str, message: Outbound) -> None:
        """Refuse a chat message: a webhook carries events only (see :meth:`post`)."""
        raise PermanentError("a webhook carries events, not messages", unreachable=False)

    def post(self, target: Target, message: WebhookMessage) -> None:
        """Sign and POST one event, or raise what the outbox should do about it."""
        self._check(target.url)
        body = json.dumps(message.body(), ensure_ascii=False, separators=(",", ":"))
        timestamp = self.clock()
        headers = {
            "webhook-id": message.id,
            "webhook-timestamp": str(int(timestamp.timestamp())),
            "webhook-signature": Webhook(target.secret).sign(message.id, timestamp, body),
            "content-type": "application/json",
        }
        try:
            response = self.client.post(target.url, content=body.encode("utf-8"),
                                        headers=headers)
        except httpx.TimeoutException as error:
            raise TransientError(f"timed out ({type(error).__name__})") from None
        except httpx.HTTPError as error:
            raise TransientError(f"no answer ({type(error).__name__})") from None
        _judge(response)

    def _check(self, url: str) -> None:
        """Refuse, for good, a URL whose host now resolves to an address not allowed."""
        try:
            check_url(url, allow_private=self.settings.allow_private)
        except WebhookError as refused:
            if refused.refusal == Refusal.UNRESOLVED:
                raise TransientError("the host name could not be resolved") from None
            raise PermanentError(str(refused), unreachable=False) from None

    def close(self) -> None:
        """Close the HTTP client's connections."""
        if self._client is not None:
            self._client.close()
            self._client = None


def _judge(response: httpx.Response) -> None:
    """Turn a receiver's answer into sent (return) or the outbox's error."""
    status = response.status_code
    if 200 <= status < 300:
        return
    wait = retry_after(response.headers.get("Retry-After"))
    if status == 429 or (status == 503 and wait is not None):
        raise RetryLater(wait if wait is not None else DEFAULT_WAIT, f"HTTP {status}")
    if status in RETRIED or status >= 500:
        raise TransientError(f"HTTP {status}")
    if 300 <= status < 400:
        raise PermanentError(f"HTTP {status}: redirects are not followed", unreachable=False)
    raise PermanentError(f"HTTP {status}", unreachable=False)


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Read ``Retry-After`` (seconds, or an HTTP date) as seconds, capped; None when absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdecimal():
        return min(float(value), MAX_WAIT)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_WAIT)
