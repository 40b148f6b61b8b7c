"""Statements run on the DBAPI cursor store and read exactly what SQLAlchemy would.

``ECOUTE_PREPARED=0`` runs the same statements through SQLAlchemy's ordinary
execution; ``scripts/test.sh`` runs these tests (and the engine's) both ways.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.exc import IntegrityError, StatementError

from storage.db import Database
from storage.hotpath import prepared
from storage.hotpath.prepared import Prepared
from storage.models import Respondent

TABLE = Respondent.__table__
INSERT = Prepared(insert(TABLE).returning(TABLE.c.id))
FIND = Prepared(select(TABLE).where(TABLE.c.external_id == bindparam("external_id"),
                                    TABLE.c.channel == "test"))
PARIS = timezone(timedelta(hours=1))
ROOT = Path(__file__).resolve().parents[1]


def person(external_id: str, **fields: object) -> dict[str, object]:
    """Return every column of a respondent row but the id."""
    values: dict[str, object] = {
        "channel": "test", "external_id": external_id, "language": "fr",
        "language_chosen": True, "internal": False,
        "consent_at": datetime(2026, 11, 26, 10, 30, 5, 123456, tzinfo=PARIS),
        "consent_asked_at": None, "opted_out_at": None, "unreachable_at": None,
        "unreachable_reason": None, "pending": "forget", "created_at": datetime.now(UTC),
        "seen_at": datetime.now(UTC)}
    return {**values, **fields}


def test_a_row_written_on_the_cursor_reads_back_typed_through_the_orm(db: Database) -> None:
    with db.connection() as connection:
        new_id = INSERT.scalar(connection, person("ana"))
    with db.transaction() as session:
        stored = session.get(Respondent, new_id)
        assert stored is not None
        assert stored.consent_at == datetime(2026, 11, 26, 9, 30, 5, 123456, tzinfo=UTC)
        assert stored.consent_at.tzinfo is not None
        assert (stored.language_chosen, stored.internal, stored.pending) == (True, False, "forget")


def test_a_row_read_on_the_cursor_has_the_columns_types(db: Database) -> None:
    with db.connection() as connection:
        INSERT.scalar(connection, person("bruno"))
        row = FIND.first(connection, {"external_id": "bruno"})
        assert FIND.first(connection, {"external_id": "nobody"}) is None
    assert row is not None
    by_name = dict(zip([c.name for c in TABLE.columns], row, strict=True))
    assert by_name["language_chosen"] is True and by_name["internal"] is False
    assert by_name["consent_at"] == datetime(2026, 11, 26, 9, 30, 5, 123456, tzinfo=UTC)
    assert by_name["opted_out_at"] is None


def test_a_broken_constraint_is_sqlalchemys_integrity_error(db: Database) -> None:
    with db.connection() as connection:
        INSERT.scalar(connection, person("carla"))
    with pytest.raises(IntegrityError), db.connection() as connection:
        INSERT.scalar(connection, person("carla"))
    with db.transaction() as session:
        assert session.scalar(select(TABLE.c.id).where(TABLE.c.external_id == "carla"))


def test_a_missing_value_is_a_programming_error(db: Database) -> None:
    # The cursor path says so before running anything; SQLAlchemy's own path as it binds.
    with pytest.raises((ValueError, StatementError), match="external_id"), \
            db.connection() as connection:
        FIND.first(connection, {})


UPDATE = Prepared(update(TABLE).where(TABLE.c.id == bindparam("_id")))


def run_one_of_each(db: Database, name: str) -> tuple[object, tuple[object, ...] | None]:
    """Insert, update and read back one person; return the new id and the row read."""
    with db.connection() as connection:
        at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
        new_id = INSERT.scalar(connection, person(name, created_at=at, seen_at=at))
        UPDATE.run(connection, {"_id": new_id, "language": "en", "pending": None})
        return new_id, FIND.first(connection, {"external_id": name})


def test_the_switch_runs_the_same_statements_through_sqlalchemys_execution(
        db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    executed: list[str] = []

    @event.listens_for(db.engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        """Note each statement SQLAlchemy's own execution sends to the database."""
        executed.append(statement.split()[0])

    monkeypatch.setattr(prepared, "ON_CURSOR", True)
    fast_id, fast = run_one_of_each(db, "dora")
    assert executed == []  # nothing went through SQLAlchemy's execution step

    monkeypatch.setattr(prepared, "ON_CURSOR", False)
    ordinary_id, ordinary = run_one_of_each(db, "emil")
    assert executed == ["INSERT", "UPDATE", "SELECT"]

    assert fast is not None and ordinary is not None
    assert fast[0] == fast_id and ordinary[0] == ordinary_id
    assert fast[3:] == ordinary[3:]  # all but id, channel and external id: same values, same types
    assert [type(v) for v in fast] == [type(v) for v in ordinary]
    assert fast[TABLE.c.keys().index("language")] == "en"


@pytest.mark.parametrize(("value", "on_cursor"), [(None, True), ("1", True), ("0", False)])
def test_ecoute_prepared_is_read_from_the_environment(value: str | None, on_cursor: bool) -> None:
    environ = {k: v for k, v in os.environ.items() if k != "ECOUTE_PREPARED"}
    if value is not None:
        environ["ECOUTE_PREPARED"] = value
    shown = subprocess.run(
        [sys.executable, "-c", "from storage.hotpath import prepared; print(prepared.ON_CURSOR)"],
        env=environ, capture_output=True, text=True, check=True, cwd=ROOT).stdout.strip()
    assert shown == str(on_cursor)
