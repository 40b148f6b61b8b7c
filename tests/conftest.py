"""Shared fixtures: a migrated store on SQLite and (when configured) PostgreSQL, the engine.

Tests that take ``db`` (or anything built on it) run twice: on a SQLite file of
their own and, when ``ECOUTE_TEST_POSTGRES_URL`` is set, in a PostgreSQL schema
of their own (so parallel runs never meet). With ``ECOUTE_REQUIRE_POSTGRES=1``
(as in CI) an unreachable PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import ast
import functools
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.engine import DialogueEngine
from bot.messages import Identity, Inbound, Outbound, Turn
from bot.outbox import Dispatcher, OutboxSettings
from bot.sending import Retraction
from ecoute.config import Settings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from storage.migrate import upgrade
from testkit.stores import postgres_store

POSTGRES_URL = os.environ.get("ECOUTE_TEST_POSTGRES_URL")
# One Playwright and one Chromium for the session, whichever folder a browser test is in.
pytest_plugins = ("tests.browser.fixtures",)


def _one_ast_parse_at_a_time() -> None:
    """Serialise ``ast.parse`` across threads (CPython 3.11.7's bug gh-106905).

    That CPython keeps the AST builder's recursion depth in state shared by every
    thread, so two threads parsing at once (Werkzeug parses each URL rule it
    compiles, while emulator and server threads run) fail now and then with
    "AST constructor recursion depth mismatch". Fixed in later CPythons.
    """
    parse = ast.parse
    lock = threading.RLock()

    @functools.wraps(parse)
    def serialised(*args, **kwargs):  # type: ignore[no-untyped-def]
        with lock:
            return parse(*args, **kwargs)

    ast.parse = serialised


_one_ast_parse_at_a_time()
REQUIRE_POSTGRES = os.environ.get("ECOUTE_REQUIRE_POSTGRES") == "1"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move the clock forward."""
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    """Return a hand-moved clock starting on 2026-11-26 09:00 UTC."""
    return Clock()


def _postgres_schema_url() -> Iterator[str]:
    """Create a fresh schema, yield a URL whose connections use it, drop it afterwards."""
    if not POSTGRES_URL:
        if REQUIRE_POSTGRES:
            pytest.fail("ECOUTE_REQUIRE_POSTGRES=1 but ECOUTE_TEST_POSTGRES_URL is not set")
        pytest.skip("ECOUTE_TEST_POSTGRES_URL is not set")
    with ExitStack() as stack:
        try:
            url = stack.enter_context(postgres_store(POSTGRES_URL, prefix="t_"))
        except Exception as error:
            if REQUIRE_POSTGRES:
                pytest.fail(f"PostgreSQL is required but unreachable: {error}")
            pytest.skip(f"PostgreSQL unreachable: {error}")
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return the URL of an empty database: a SQLite file, or a PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ecoute.db'}"
    else:
        yield from _postgres_schema_url()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Return the URL of an empty SQLite file (for tests that need one store only)."""
    return f"sqlite:///{tmp_path / 'ecoute.db'}"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """Return a migrated database (SQLite and PostgreSQL)."""
    database = Database(database_url)
    upgrade(database.engine)
    yield database
    database.dispose()


@pytest.fixture
def settings(db: Database) -> Settings:
    """Return default settings pointing at the test database."""
    return replace(Settings.from_env({}), database_url=db.url)


@pytest.fixture
def ecoute(settings: Settings, db: Database, clock: Clock) -> Ecoute:
    """Return the whole application wired on the test database, on the test clock."""
    return build(settings, database=db, clock=clock)


@pytest.fixture
def engine(ecoute: Ecoute) -> DialogueEngine:
    """Return the dialogue engine of the test application."""
    return ecoute.engine


class Person:
    """Someone talking to the engine on one channel; each message gets a new event id."""

    def __init__(self, engine: DialogueEngine, name: str = "ana", channel: str = "test",
                 locale: str | None = None) -> None:
        self.engine = engine
        self.identity = Identity(channel, name)
        self.locale = locale
        self.last: Turn | None = None
        self._count = 0

    def says(self, text: str, **fields: str | None) -> Turn:
        """Send typed text."""
        return self.send(text=text, **fields)

    def taps(self, choice_id: str, *, ref: str | None = "current") -> Turn:
        """Tap a choice of the last message (its ref by default)."""
        if ref == "current":
            ref = self.last.messages[-1].ref if self.last and self.last.messages else None
        return self.send(choice_id=choice_id, ref=ref)

    def send(self, **fields: str | None) -> Turn:
        """Send one inbound message with a fresh event id (unless one is given)."""
        self._count += 1
        fields.setdefault("event_id", f"evt-{secrets.token_hex(8)}")
        fields.setdefault("locale", self.locale)
        self.last = self.engine.handle(Inbound(self.identity, **fields))  # type: ignore[arg-type]
        return self.last


@pytest.fixture
def ana(engine: DialogueEngine) -> Person:
    """Return Ana, an English-speaking customer on the test channel."""
    return Person(engine, "ana", locale="en")


@dataclass
class RecordingSender:
    """A channel that records what it is asked to send and fails when told to."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)

    def send(self, address: str, message: Outbound) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((address, message.text))

    def retract(self, address: str, retraction: Retraction) -> None:
        self.sent.append((address, "(taken back)"))


@pytest.fixture
def sender() -> RecordingSender:
    """Return the recording sender of channel ``test``."""
    return RecordingSender()


@pytest.fixture
def dispatcher(ecoute: Ecoute, sender: RecordingSender, clock: Clock) -> Dispatcher:
    """Return a dispatcher over the recording sender, on the test clock."""
    settings = OutboxSettings(default_rate="100/second", default_respondent_rate="100/second",
                              announcements=ecoute.settings.announcements)  # as the wiring's
    return Dispatcher(ecoute.db, {"test": sender}, settings=settings, clock=clock)
