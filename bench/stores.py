"""Throw-away stores for the benchmarks: a SQLite file, or a PostgreSQL schema of its own."""

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
def postgres_store(url: str) -> Iterator[str]:
    """Yield a URL whose connections use a fresh PostgreSQL schema, dropped afterwards."""
    schema = f"bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
