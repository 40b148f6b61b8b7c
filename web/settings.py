"""The web application's own settings: the widget API's request rates, the Telegram bot's name."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from channels.registry import ConfigError


@dataclass(frozen=True)
class WebSettings:
    """The web widget's API: request rates per visitor and per IP address (``limits`` syntax).

    ``telegram_bot`` (``TELEGRAM_BOT_USERNAME``) lets ``ecoute qr --telegram`` draw the
    Telegram deep link beside the web link.
    """

    visitor_rate: str = "30/minute"
    ip_rate: str = "300/minute"
    telegram_bot: str | None = None

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
        )
