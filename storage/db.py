"""The database: engine creation, SQLite pragmas, transaction scopes, schema checks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

DEFAULT_URL = "sqlite:///ecoute.db"


class DatabaseError(Exception):
    """The store cannot be used as configured (bad URL, unreachable, not migrated)."""


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    """Turn on WAL, a busy timeout and foreign keys on every new SQLite connection."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    """Start write transactions eagerly so concurrent writers queue instead of failing."""
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def normalise_url(url: str) -> str:
    """Map ``postgres://`` and ``postgresql://`` (as platforms hand them out) to psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str = DEFAULT_URL, **kwargs: object) -> Engine:
    """Create an engine for ``url``; raise :class:`DatabaseError` on a malformed URL."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(url, **kwargs)  # type: ignore[arg-type]
            _configure_sqlite(engine)
            return engine
        return create_engine(url, pool_pre_ping=True, **kwargs)  # type: ignore[arg-type]
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise DatabaseError(f"DATABASE_URL is not usable ({url!r}): {exc}") from exc


def _configure_sqlite(engine: Engine) -> None:
    """Apply pragmas and eager write transactions to a SQLite engine."""
    engine.dialect.isolation_level = None  # type: ignore[attr-defined]
    event.listen(engine, "connect", _sqlite_pragmas)

    @event.listens_for(engine, "connect")
    def _no_pysqlite_transactions(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    event.listen(engine, "begin", _sqlite_begin)


class Database:
    """An engine and its session factory; the unit of work is :meth:`transaction`."""

    def __init__(self, url: str = DEFAULT_URL, *, engine: Engine | None = None) -> None:
        self.url = normalise_url(url)
        self.engine = engine or make_engine(self.url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def is_postgres(self) -> bool:
        """Tell whether the store is PostgreSQL (row claims, advisory locks)."""
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session whose work commits at the end, or rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

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
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseError(f"cannot reach the database: {reason}") from exc
        if revision != head_revision():
            raise DatabaseError(
                f"the database schema is at {revision}, not {head_revision()}: "
                "run `ecoute db upgrade`"
            )

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def insert_for(session: Session) -> Callable[..., Any]:
    """Return the dialect's ``insert`` (it has ``on_conflict_do_nothing``): SQLite or PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert
