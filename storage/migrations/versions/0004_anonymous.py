"""anonymous rows: SQLite ids never follow a random anonymous id

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 13:00:00

Anonymous rows get random negative ids, which PostgreSQL's sequences ignore. A
plain SQLite rowid table gives a new row max(id) + 1, so in a table holding only
anonymous rows the next named row would get an anonymous id + 1 and show which
came first. AUTOINCREMENT makes SQLite count from its own sequence instead
(``sqlite_sequence``, which negative ids never raise). The four tables an
anonymous submission writes are rebuilt that way, rows, ids and indexes kept.
"""

from __future__ import annotations

import re

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("conversation", "answer", "inbound_event", "delivery")  # the parent first


def upgrade() -> None:
    """Rebuild the anonymous submission's tables with AUTOINCREMENT ids (SQLite only).

    Renaming a table rewrites the foreign keys that point at it, so ``conversation``
    is renamed and copied first, its children are rebuilt pointing at the new
    table, and only then is the old one dropped (dropping it earlier would cascade
    to the answers).
    """
    connection = op.get_bind()
    if connection.dialect.name != "sqlite" or _has_autoincrement(connection, "conversation"):
        return
    later: list[str] = []
    for table in TABLES:
        later += _rebuild(connection, table)
    connection.exec_driver_sql("DROP TABLE _old_conversation")
    for sql in later:
        connection.exec_driver_sql(sql)


def _has_autoincrement(connection, table: str) -> bool:  # type: ignore[no-untyped-def]
    """Return whether ``table`` already counts its ids with AUTOINCREMENT."""
    return "AUTOINCREMENT" in _sql(connection, "table", table)[0]


def _sql(connection, kind: str, table: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the CREATE statements of a table (or of its indexes)."""
    column = "name" if kind == "table" else "tbl_name"
    return [sql for (sql,) in connection.exec_driver_sql(
        f"SELECT sql FROM sqlite_master WHERE type = ? AND {column} = ? AND sql IS NOT NULL",
        (kind, table),
    )]


def _rebuild(connection, table: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Recreate ``table`` with ``id INTEGER PRIMARY KEY AUTOINCREMENT``, keeping its rows.

    Returns the index statements still to run for ``conversation``, whose old
    table (holding those index names) is dropped once its children are rebuilt.
    """
    create = _sql(connection, "table", table)[0]
    indexes = _sql(connection, "index", table)
    constraint = f"CONSTRAINT pk_{table} PRIMARY KEY (id)"
    rebuilt, found = re.subn(
        r"\bid INTEGER NOT NULL,",
        f"id INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT,", create, count=1)
    if found != 1 or constraint not in rebuilt:
        raise RuntimeError(f"unexpected schema of {table}: cannot add AUTOINCREMENT")
    rebuilt = re.sub(re.escape(constraint) + r",\s*", "", rebuilt, count=1)
    rebuilt = rebuilt.replace('"_old_conversation"', "conversation")
    connection.exec_driver_sql(f"ALTER TABLE {table} RENAME TO _old_{table}")
    connection.exec_driver_sql(rebuilt)
    connection.exec_driver_sql(f"INSERT INTO {table} SELECT * FROM _old_{table}")
    if table == "conversation":
        return indexes
    connection.exec_driver_sql(f"DROP TABLE _old_{table}")
    for sql in indexes:
        connection.exec_driver_sql(sql)
    return []


def downgrade() -> None:
    """Keep AUTOINCREMENT: plain rowids would again follow anonymous ids."""
