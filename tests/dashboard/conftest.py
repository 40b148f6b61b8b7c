"""Fixtures of the dashboard's tests: the console's team, and people who answer."""

from __future__ import annotations

from tests.console.conftest import app, quick_hashes, served, team  # noqa: F401
