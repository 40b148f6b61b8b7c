"""The database: engine creation, SQLite pragmas, transaction scopes, schema checks."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from storage.hotpath.writers import WriterQueue

DEFAULT_URL = "sqlite:///ecoute.db"
# SQLite copies its write-ahead log back into the database every this many pages
# (default 1,000), inside the commit that crosses the mark. A dialogue turn rewrites the
# same few index pages, so copying ten times less often saved ~10 % of a turn, for a log
# of up to 40 MB. (A background checkpoint every second did no better.)
WAL_CHECKPOINT_PAGES = 10_000

Executor = Session | Connection  # what storage functions run their statements on


class DatabaseError(Exception):
    """The store cannot be used as configured (bad URL, unreachable, not migrated)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Turn on WAL, a busy timeout and foreign keys on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


_DEFERRED = contextvars.ContextVar("ecoute_sqlite_deferred_begin", default=False)


def _sqlite_do_begin(dbapi_connection) -> None:  # type: ignore[no-untyped-def]
    """Begin IMMEDIATE: take the write lock at once, so concurrent writers queue, not fail.

    Set as the dialect's ``do_begin`` rather than SQLAlchemy's "begin" event recipe:
    any connection event listener makes every statement dispatch events, which cost a
    tenth of a dialogue turn. :meth:`Database.reading` begins deferred instead.
    """
    dbapi_connection.execute("BEGIN" if _DEFERRED.get() else "BEGIN IMMEDIATE")


def normalise_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` (as platforms hand them out) to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\s]*@")


def hide_passwords(text: str) -> str:
    """Return ``text`` (a message, a log line) with the password of any URL in it as ``***``."""
    return _URL_PASSWORD.sub(r"\g<head>***@", text)


def mask_url(url: str) -> str:
    """Return ``url`` fit to print: its password (or, unparsable, all before ``@``) is ``***``."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        scheme = _SCHEME.match(url)
        start = scheme.end() if scheme else 0
        if "@" not in url[start:]:
            return url
        return url[:start] + "***@" + url[start:].rsplit("@", 1)[1]


def _secrets_of(url: str) -> list[str]:
    """Return the parts of ``url`` that must not be printed: its user-info and password."""
    scheme = _SCHEME.match(url)
    rest = url[scheme.end() if scheme else 0:]
    if "@" not in rest:
        return []
    userinfo = rest.rsplit("@", 1)[0]
    password = userinfo.partition(":")[2]
    return [part for part in (userinfo, password) if part]


def scrub(text: str, url: str) -> str:
    """Return ``text`` (an error's message) without the user-info or password of ``url``."""
    for secret in _secrets_of(url):
        text = text.replace(secret, "***")
    return text


def make_engine(url: str = DEFAULT_URL, **kwargs: object) -> Engine:
    """Create an engine for ``url``; raise :class:`DatabaseError` on a malformed URL.

    Engines never show a statement's values, in logs or in an error's message:
    they hold what people wrote (``hide_parameters``).
    """
    url = normalise_url(url)
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(url, hide_parameters=True, **kwargs)  # type: ignore[arg-type]
            _configure_sqlite(engine)
            return engine
        return create_engine(url, pool_pre_ping=True, hide_parameters=True,
                             **kwargs)  # type: ignore[arg-type]
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise DatabaseError(
            f"DATABASE_URL is not usable ({mask_url(url)}): {scrub(str(exc), url)}") from exc


def _configure_sqlite(engine: Engine) -> None:
    """Apply pragmas and eager write transactions to a SQLite engine."""
    engine.dialect.isolation_level = None  # type: ignore[attr-defined]
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_pysqlite_transactions(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    engine.dialect.do_begin = _sqlite_do_begin  # type: ignore[method-assign]


class Database:
    """An engine and its session factory; the unit of work is :meth:`transaction`."""

    def __init__(self, url: str = DEFAULT_URL, *, engine: Engine | None = None) -> None:
        self.url = normalise_url(url)
        self.engine = engine or make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.writers = WriterQueue.for_url(self.engine.url)

    @property
    def is_postgres(self) -> bool:
        """Tell whether the store is PostgreSQL (row claims, advisory locks)."""
        return self.engine.dialect.name == "postgresql"

    def _queued(self) -> AbstractContextManager[object]:
        """Wait for SQLite's one writer turn (:mod:`storage.hotpath.writers`); nothing elsewhere."""
        return self.writers.held() if self.writers else nullcontext()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session whose work commits at the end, or rolls back on error."""
        with self._queued(), self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """Yield a connection in a transaction that commits at the end, or rolls back on error.

        The dialogue engine's turns run here: Core statements only, without a
        Session's unit of work, which costs as much as two of a turn's statements.
        """
        with self._queued(), self.engine.begin() as connection:
            yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """Yield a connection for reads only: it never waits for a writer.

        On SQLite its transaction is deferred (WAL readers see the last commit
        while a writer works); it must not write.
        """
        with self.engine.connect() as connection:
            deferred = _DEFERRED.set(True)
            try:
                transaction = connection.begin()
            finally:
                _DEFERRED.reset(deferred)
            with transaction:
                yield connection

    def check(self) -> None:
        """Raise :class:`DatabaseError` unless the database answers and is migrated."""
        from storage.migrate import head_revision

        try:
            with self.engine.connect() as conn:
                if not inspect(conn).has_table("alembic_version"):
                    raise DatabaseError(
                        "the database has no schema yet: run `ecoute db upgrade` first"
                    )
                current = conn.exec_driver_sql("SELECT version_num FROM alembic_version")
                revision = current.scalar()
        except OperationalError as exc:
            raise DatabaseError(f"cannot reach the database: {self.unreachable(exc)}") from exc
        if revision != head_revision():
            raise DatabaseError(
                f"the database schema is at {revision}, not {head_revision()}: "
                "run `ecoute db upgrade`"
            )

    def unreachable(self, error: OperationalError) -> str:
        """Return why the database could not be reached, in one line, without its password."""
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        password = self.engine.url.password
        return reason.replace(str(password), "***") if password else reason

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def connection_of(executor: Executor) -> Connection:
    """Return the connection of a session's current transaction (looked up once per transaction)."""
    if isinstance(executor, Connection):
        return executor
    transaction = executor.get_transaction()
    cached = executor.info.get("ecoute.connection")
    if cached is not None and cached[0] is transaction:
        return cached[1]  # type: ignore[no-any-return]
    connection = executor.connection()
    executor.info["ecoute.connection"] = (executor.get_transaction(), connection)
    return connection


def insert_for(executor: Executor) -> Callable[..., Any]:
    """Return the dialect's ``insert`` (it has ``on_conflict_do_nothing``): SQLite or PostgreSQL."""
    bind = executor if isinstance(executor, Connection) else executor.get_bind()
    if bind.dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert
