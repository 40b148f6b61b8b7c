"""The store: migrations and models agree, SQLite is tuned, the health check tells the truth."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from storage.db import Database, DatabaseError, make_engine, normalise_url
from storage.models import Base
from web import create_app


def test_the_migrations_make_exactly_the_models_schema(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_sqlite_runs_with_wal_a_busy_timeout_and_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10000
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_platform_style_postgres_urls_use_psycopg_3() -> None:
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"


def test_an_unmigrated_database_is_named_as_such(sqlite_url: str) -> None:
    with pytest.raises(DatabaseError, match="run `ecoute db upgrade` first"):
        Database(sqlite_url).check()


def test_healthz_answers_ok_after_checking_the_database(ecoute, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client = create_app(ecoute).test_client()
    answer = client.get("/healthz")
    assert (answer.status_code, answer.json) == (200, {"status": "ok"})

    ecoute.db = Database(f"sqlite:///{tmp_path / 'never-migrated.db'}")
    broken = client.get("/healthz")
    assert broken.status_code == 503
    assert broken.json == {"status": "error"}  # the reason is in the server's log only
