"""The declarative base of every model: naming convention, id type, aware UTC times.

Answers are rows with a typed value (``number`` for scores, ``text`` for free
text, ``choice`` for options) tied to the exact survey version that asked them,
so NPS, CSAT and CES are indexed SQL aggregates and editing a survey never
rewrites history.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    MetaData,
    TypeDecorator,
)
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")


class When(TypeDecorator[datetime]):
    """A UTC timestamp that comes back timezone-aware on every database (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        """Store aware times in UTC; naive ones are taken as UTC."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if getattr(dialect, "name", "") == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        """Return an aware UTC time."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value



class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: When(), dict[str, Any]: JSON, list[Any]: JSON}
