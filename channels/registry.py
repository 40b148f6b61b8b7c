"""The channel registry: every channel Écoute can run, by name, and what each adds to a process.

A channel is a package (or module) with a :class:`Channel` object: its facts
(are its people employees? does its client fetch proactive messages itself?) and
the parts it adds when configured: settings read from the environment, the
outbox's sender, long-running services (polling, Socket Mode), periodic jobs and
staff-alert targets. The composition root (``ecoute.wiring``) asks every
registered channel for these and knows no channel by name.

Built-in channels are listed in :data:`BUILT_IN`; any installed package adds one
through the ``ecoute.channels`` entry point group (name = channel name, value =
``module:object``), as documented in the README.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

if TYPE_CHECKING:
    from bot.engine import DialogueEngine
    from bot.scheduler import Job
    from bot.sending import Sender

ENTRY_POINT_GROUP = "ecoute.channels"
BUILT_IN: dict[str, str] = {
    "console": "channels.console:CHANNEL",
    "telegram": "channels.telegram:CHANNEL",
    "slack": "channels.slack:CHANNEL",
    "web": "channels.widget:CHANNEL",  # the website widget; "web" is its name in the data
}


class ConfigError(ValueError):
    """A setting has a value Écoute cannot use; the message names the variable."""


class Service(Protocol):
    """A long-running part started by ``serve`` and ``worker`` (polling, Socket Mode)."""

    def start(self) -> None:
        """Start in the background."""

    def stop(self) -> None:
        """Stop and release resources."""


@dataclass(frozen=True)
class Runtime:
    """What a channel may use of the running application: the engine and the default language."""

    engine: DialogueEngine
    default_language: str = "en"


class Channel:
    """A channel's facts and parts; every part defaults to nothing (a channel adds what it has)."""

    name: ClassVar[str] = ""
    internal: ClassVar[bool] = False  # its people are employees (internal clients)
    pull: ClassVar[bool] = False  # its client fetches proactive messages: no sender
    photos: ClassVar[bool] = False  # its people can send a picture (a complaint's photo)

    def settings(self, env: Mapping[str, str]) -> Any:
        """Return this channel's settings read from ``env`` (None when it has none)."""
        return None

    def sender(self, settings: Any) -> Sender | None:
        """Return the outbox's sender for this channel, or None when it is not configured."""
        return None

    def services(self, settings: Any, runtime: Runtime) -> list[Service]:
        """Return the long-running services this channel needs in ``serve`` and ``worker``."""
        return []

    def jobs(self, settings: Any, runtime: Runtime) -> list[Job]:
        """Return this channel's periodic jobs."""
        return []

    def alert_targets(self, settings: Any) -> tuple[tuple[str, str], ...]:
        """Return the (channel, address) pairs where staff alerts go."""
        return ()


def load(reference: str) -> Channel:
    """Return the channel object named by ``module:attribute``."""
    module, _, attribute = reference.partition(":")
    channel = getattr(importlib.import_module(module), attribute)
    if not isinstance(channel, Channel):
        raise TypeError(f"{reference} is not a channels.registry.Channel")
    return channel


@cache
def registered() -> dict[str, Channel]:
    """Return every channel by name: the built-in ones, then those of installed packages."""
    found = {name: load(reference) for name, reference in BUILT_IN.items()}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name not in found:
            found[point.name] = load(point.value)
    return found
