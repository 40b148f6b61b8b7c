"""Channels from other packages: an ``ecoute.channels`` entry point is all the wiring needs."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import select

from bot.messages import Outbound
from bot.outbox import enqueue
from channels.registry import BUILT_IN, registered
from ecoute.config import Settings
from ecoute.wiring import build
from storage.db import Database
from storage.models import Respondent
from tests.conftest import Clock, Person

# The README's example, as another package would ship it.
SMS_MODULE = '''
from channels.registry import Channel

SENT = []


class SmsSender:
    """Sends through the gateway (here: remembers what it was asked to send)."""

    def __init__(self, gateway):
        self.gateway = gateway

    def send(self, address, message):
        SENT.append((self.gateway, address, message.text))


class Sms(Channel):
    name = "sms"
    internal = True  # say so if its people are employees

    def settings(self, env):
        return env.get("SMS_GATEWAY_URL")

    def sender(self, gateway):
        return SmsSender(gateway) if gateway else None


CHANNEL = Sms()
'''
ENTRY_POINTS = """\
[ecoute.channels]
sms = ecoute_sms:CHANNEL
telegram = ecoute_sms:CHANNEL
"""


@pytest.fixture
def sms_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """Install a package ``ecoute-sms`` with ``ecoute.channels`` entry points; return its module."""
    site = tmp_path / "site-packages"
    (site / "ecoute_sms-1.0.dist-info").mkdir(parents=True)
    (site / "ecoute_sms.py").write_text(SMS_MODULE)
    (site / "ecoute_sms-1.0.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ecoute-sms\nVersion: 1.0\n")
    (site / "ecoute_sms-1.0.dist-info" / "entry_points.txt").write_text(ENTRY_POINTS)
    monkeypatch.syspath_prepend(str(site))
    registered.cache_clear()
    try:
        yield __import__("ecoute_sms")
    finally:
        registered.cache_clear()
        sys.modules.pop("ecoute_sms", None)


def test_an_installed_channel_is_registered_beside_the_built_in_ones(
        sms_package: ModuleType) -> None:
    channels = registered()
    assert channels["sms"] is sms_package.CHANNEL
    assert set(BUILT_IN) < set(channels)


def test_an_entry_point_cannot_replace_a_built_in_channel(sms_package: ModuleType) -> None:
    assert registered()["telegram"] is not sms_package.CHANNEL
    assert type(registered()["telegram"]).__module__ == "channels.telegram"


def test_the_wiring_uses_an_installed_channels_settings_facts_and_sender(
        sms_package: ModuleType, db: Database, clock: Clock) -> None:
    env = {"SMS_GATEWAY_URL": "https://sms.example", "DATABASE_URL": db.url}
    ecoute = build(Settings.from_env(env), database=db, clock=clock)
    assert "sms" in ecoute.senders
    assert "sms" in ecoute.engine.settings.internal_channels

    Person(ecoute.engine, "+33600000001", channel="sms").says("hello")
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.internal)) is True  # an employee, as it said

    enqueue(ecoute.db, key="sms-alert-1", kind="alert", channel="sms", address="+33600000002",
            message=Outbound("A low score just came in"), now=clock())
    assert ecoute.dispatcher().run_once().sent == 1
    assert sms_package.SENT == [("https://sms.example", "+33600000002",
                                 "A low score just came in")]


def test_an_installed_channel_without_its_settings_gets_no_sender(
        sms_package: ModuleType, db: Database) -> None:
    settings = replace(Settings.from_env({}), database_url=db.url)
    assert "sms" not in build(settings, database=db).senders


def test_without_the_package_there_is_no_such_channel() -> None:
    registered.cache_clear()
    assert "sms" not in registered()
