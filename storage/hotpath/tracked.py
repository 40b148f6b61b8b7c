"""Plain, change-tracking views of the two rows a dialogue turn works on.

A turn reads one respondent and their active conversation, changes a few fields
and writes them back. Loading them as ORM instances and flushing the unit of work
cost several times the SQL itself, so the hot path uses these instead: built from
one Core row, they remember which fields were set, and :func:`save` writes exactly
those in one prebuilt UPDATE. Field names are the models' attributes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import bindparam, update

from storage.db import Executor, connection_of
from storage.hotpath.prepared import Prepared
from storage.models import Conversation, Respondent


class Tracked:
    """Attributes from a row; assignments after loading are remembered as changes."""

    table: ClassVar[str]
    _changes: dict[str, Any]

    def __init__(self, values: Mapping[str, Any]) -> None:
        object.__setattr__(self, "_changes", {})
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: Any) -> None:
        if key in self.__dict__ and self.__dict__[key] == value and key not in self._changes:
            return  # setting a field to what it already is changes nothing
        object.__setattr__(self, key, value)
        self._changes[key] = value

    def take_changes(self) -> dict[str, Any]:
        """Return the fields set since loading (or the last save) and forget them."""
        changes = self._changes
        object.__setattr__(self, "_changes", {})
        return changes

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {getattr(self, 'id', None)}>"


class RespondentRow(Tracked):
    """A respondent as one turn sees it (see :class:`storage.models.Respondent`)."""

    table = "respondent"
    id: int
    channel: str
    external_id: str
    language: str | None
    language_chosen: bool
    internal: bool
    consent_at: datetime | None
    consent_asked_at: datetime | None
    opted_out_at: datetime | None
    unreachable_at: datetime | None
    unreachable_reason: str | None
    pending: str | None
    created_at: datetime
    seen_at: datetime
    customer_ref: str | None


class ConversationRow(Tracked):
    """A conversation as one turn sees it (see :class:`storage.models.Conversation`)."""

    table = "conversation"
    id: int
    public_id: str
    respondent_id: int | None
    survey_version_id: int
    channel: str
    language: str
    status: str
    step: str | None
    attempts: int
    context: str | None
    values: dict[str, Any]
    started_at: datetime
    updated_at: datetime
    completed_at: datetime | None


def fields_of(model: type[Respondent | Conversation], values: Sequence[Any]) -> dict[str, Any]:
    """Map a table's column values (in column order) to the model's attribute names."""
    return dict(zip(_ATTRIBUTES[model], values, strict=True))


_ATTRIBUTES = {
    model: [model.__mapper__.get_property_by_column(c).key for c in model.__table__.columns]
    for model in (Respondent, Conversation)
}
_COLUMN_OF = {
    model: {model.__mapper__.get_property_by_column(c).key: c.name
            for c in model.__table__.columns}
    for model in (Respondent, Conversation)
}
_UPDATES = {
    model: Prepared(update(model.__table__).where(model.__table__.c.id == bindparam("_id")))
    for model in (Respondent, Conversation)
}
_MODEL = {RespondentRow: Respondent, ConversationRow: Conversation}


def save(session: Executor, *rows: RespondentRow | ConversationRow | None) -> None:
    """Write the fields changed on respondent and conversation rows, one UPDATE each."""
    for row in rows:
        if row is None:
            continue
        changes = row.take_changes()
        if changes:
            model = _MODEL[type(row)]
            columns = _COLUMN_OF[model]
            params = {columns[key]: value for key, value in changes.items()}
            _UPDATES[model].run(connection_of(session), {"_id": row.id, **params})
