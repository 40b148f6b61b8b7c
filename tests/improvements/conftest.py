"""Fixtures of the improvements' tests: what exists to be concerned, and the shared worlds.

The console's, Slack's and the browser's fixtures are those of their own test
folders, imported here so these tests try the same real parts.
"""

from __future__ import annotations

import pytest

from bot import improvements
from bot.improvements import Known
from channels.registry import BUILT_IN
from ecoute.wiring import Ecoute
from tests.channels.conftest import (  # noqa: F401  # the Slack fixtures
    slack_api,
    slack_ecoute,
    slack_in_step,
    slack_settings,
)
from tests.console.conftest import app, quick_hashes, served, team  # noqa: F401

STAFF = "staff:1"


@pytest.fixture
def known(ecoute: Ecoute) -> Known:
    """Return the channels, surveys, services and categories of the test application."""
    return improvements.known(ecoute.engine.catalog, BUILT_IN)
