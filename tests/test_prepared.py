"""Statements run on the DBAPI cursor store and read exactly what SQLAlchemy would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.hotpath.prepared import Prepared
from storage.models import Respondent

TABLE = Respondent.__table__
INSERT = Prepared(insert(TABLE).returning(TABLE.c.id))
FIND = Prepared(select(TABLE).where(TABLE.c.external_id == bindparam("external_id"),
                                    TABLE.c.channel == "test"))
PARIS = timezone(timedelta(hours=1))


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
    with pytest.raises(ValueError, match="no value"), db.connection() as connection:
        FIND.first(connection, {})
