"""Forgetting one person looks their rows up by index: it never reads a whole table.

Each statement "forget" runs on PostgreSQL is explained again with sequential scans
priced out (``enable_seqscan = off``): a statement that can only be answered by
reading a whole table still shows a ``Seq Scan`` then, whatever the table's size.
On a store with millions of deliveries and events, such a scan would hold the
person's erasure (and the rows it locks) for seconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, text

from ecoute.wiring import Ecoute
from tests.conftest import Person

pytestmark = pytest.mark.postgres
READ_OR_WRITE = re.compile(r"^\s*(SELECT|UPDATE|DELETE)\b", re.IGNORECASE)


def _statements(ecoute: Ecoute, act: Any) -> list[tuple[str, Any]]:
    """Run ``act``; return the SELECT, UPDATE and DELETE statements it sent, with parameters."""
    sent: list[tuple[str, Any]] = []

    def keep(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if READ_OR_WRITE.match(statement):
            sent.append((statement, parameters))

    event.listen(ecoute.db.engine, "before_cursor_execute", keep)
    try:
        act()
    finally:
        event.remove(ecoute.db.engine, "before_cursor_execute", keep)
    return sent


def _scans(ecoute: Ecoute, statements: list[tuple[str, Any]]) -> Iterator[str]:
    """Yield each whole-table scan the statements need, with sequential scans priced out."""
    with ecoute.db.engine.connect() as connection:
        cursor = connection.connection.dbapi_connection.cursor()
        cursor.execute("SET enable_seqscan = off")
        for statement, parameters in statements:
            cursor.execute("EXPLAIN " + statement, parameters)
            for (line,) in cursor.fetchall():
                found = re.search(r"Seq Scan on (\w+)", line)
                if found:
                    yield f"{found.group(1)}: {statement.split()[0]} {statement[:90]}…"
        connection.rollback()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_forget_reaches_the_persons_rows_through_indexes(ecoute: Ecoute) -> None:
    zoe = Person(ecoute.engine, "zoe", locale="en")
    zoe.says("start nps")
    zoe.says("3")
    zoe.says("slow")
    zoe.says("forget")
    with ecoute.db.engine.begin() as connection:  # tables big enough to be worth an index
        connection.execute(text("ANALYZE"))
    statements = _statements(ecoute, lambda: zoe.taps("forget:yes"))
    assert len(statements) > 10, "forget was captured"
    assert list(_scans(ecoute, statements)) == []
