"""Throw-away stores for the benchmarks and the tests: a SQLite file, or a PostgreSQL schema."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text


@contextmanager
def sqlite_store() -> Iterator[str]:
    """Yield the URL of a fresh SQLite file (WAL, as Écoute configures it)."""
    folder = Path(tempfile.mkdtemp(prefix="ecoute-bench-"))
    try:
        yield f"sqlite:///{folder / 'bench.db'}"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_store(url: str, prefix: str = "bench_") -> Iterator[str]:
    """Yield a URL whose connections use a fresh PostgreSQL schema, dropped afterwards."""
    schema = f"{prefix}{secrets.token_hex(6)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:
        admin.dispose()
        raise
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def fresh_store(postgres: str | None, *, migrated: bool = False) -> Iterator[str]:
    """Yield a throw-away store: a PostgreSQL schema when ``postgres`` is set, else SQLite.

    ``migrated`` runs Écoute's migrations on it first (the baseline makes its own table).
    """
    from storage.db import Database
    from storage.migrate import upgrade

    with postgres_store(postgres) if postgres else sqlite_store() as url:
        if migrated:
            database = Database(url)
            upgrade(database.engine)
            database.dispose()
        yield url
