"""What every ``ecoute`` sub-command shares: the one-line error and the application it works on.

``ecoute/cli.py`` and its command groups (``cli_slack``, ``cli_telegram``,
``cli_web``) import from here, never from one another's parents, so the imports
run one way: ``cli`` -> ``cli_<group>`` -> ``cli_common``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot.surveys import SurveyError
from ecoute.config import ConfigError
from storage.db import DatabaseError

if TYPE_CHECKING:
    from ecoute.wiring import Ecoute

F = TypeVar("F", bound=Callable[..., Any])


class Failure(click.ClickException):
    """An error the user can act on: printed as one line, exit status 1."""

    def show(self, file: Any = None) -> None:
        """Print ``ecoute: error: MESSAGE`` on stderr, on one line."""
        message = " ".join(part.strip() for part in self.message.splitlines() if part.strip())
        click.echo(f"ecoute: error: {message}", err=True)


def friendly(func: F) -> F:
    """Turn the errors a user can cause into :class:`Failure`."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (DatabaseError, SurveyError, ConfigError) as error:
            raise Failure(str(error)) from error

    return wrapper  # type: ignore[return-value]


def from_environment(check: bool = True) -> Ecoute:
    """Build the application from the environment; check the store is migrated."""
    from ecoute.wiring import build  # imported here: `ecoute --help` needs no channel SDK

    ecoute = build()
    if check:
        ecoute.db.check()
    return ecoute
