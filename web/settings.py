"""The web application's own settings: the widget API's request rates, the Telegram bot's name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from channels.registry import ConfigError


@dataclass(frozen=True)
class WebSettings:
    """The web widget's API: request rates per visitor and per IP address (``limits`` syntax).

    ``telegram_bot`` (``TELEGRAM_BOT_USERNAME``) lets ``ecoute qr --telegram`` draw the
    Telegram deep link beside the web link. ``trusted_proxies``
    (``ECOUTE_TRUSTED_PROXIES``, 0 by default) is how many reverse proxies in front of
    the app append to ``X-Forwarded-For``: only then is the client's address taken
    from it. ``webhook_timeout`` (``ECOUTE_WEBHOOK_TIMEOUT``, seconds) bounds how long a
    Telegram webhook request may wait for its turn before answering 503.
    """

    visitor_rate: str = "30/minute"
    ip_rate: str = "300/minute"
    telegram_bot: str | None = None
    trusted_proxies: int = 0
    webhook_timeout: float = 5.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> WebSettings:
        """Read the widget's settings; a rate that ``limits`` cannot parse is a ConfigError."""
        from limits import parse_many

        rates = {}
        for name, default in (("ECOUTE_WIDGET_VISITOR_RATE", cls.visitor_rate),
                              ("ECOUTE_WIDGET_IP_RATE", cls.ip_rate)):
            rates[name] = env.get(name) or default
            try:
                parse_many(rates[name])
            except ValueError:
                raise ConfigError(f"{name} must be a rate such as 30/minute, "
                                  f"not {rates[name]!r}") from None
        return cls(
            visitor_rate=rates["ECOUTE_WIDGET_VISITOR_RATE"],
            ip_rate=rates["ECOUTE_WIDGET_IP_RATE"],
            telegram_bot=(env.get("TELEGRAM_BOT_USERNAME") or "").lstrip("@") or None,
            trusted_proxies=_count(env, "ECOUTE_TRUSTED_PROXIES"),
            webhook_timeout=positive_number(env, "ECOUTE_WEBHOOK_TIMEOUT", cls.webhook_timeout,
                                            below=3600),
        )


def _count(env: Mapping[str, str], name: str) -> int:
    """Read a whole number of 0 or more (0 when unset), or raise a ConfigError."""
    raw = (env.get(name) or "0").strip()
    if not raw.isdecimal():
        raise ConfigError(f"{name} must be a whole number of 0 or more, not {raw!r}")
    return int(raw)


def positive_number(env: Mapping[str, str], name: str, default: float, *,
                    below: float | None = None) -> float:
    """Read a number above 0 (and under ``below`` when given), or raise a ConfigError."""
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < (below if below is not None else float("inf")):
        raise ConfigError(f"{name} must be a number above 0"
                          f"{f' and under {below:g}' if below else ''}, not {raw!r}")
    return value
