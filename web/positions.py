"""A place in the response list as an opaque cursor, for the console's links and the API.

A :class:`bot.responses.Position` (the placed time and the row id) is written
with the API's cursor encoding (:mod:`web.api.paging`); a cursor not made here
is a 400.
"""

from __future__ import annotations

from datetime import datetime

from werkzeug.exceptions import BadRequest

from bot.responses import Position
from web.api.paging import decode_cursor, encode_cursor
from web.filters import FIRST_YEAR, LAST_YEAR


def to_cursor(position: Position) -> str:
    """Return the cursor of a place in the list."""
    return encode_cursor((position.at.isoformat(), position.id))


def from_cursor(cursor: str | None) -> Position | None:
    """Return the place a cursor names (None for no cursor); refuse one not made here."""
    if not cursor:
        return None
    key = decode_cursor(cursor)
    try:
        at, row_id = key
        moment = datetime.fromisoformat(str(at))
    except ValueError:
        raise BadRequest("cursor is not one this API gave") from None
    if not isinstance(row_id, int) or isinstance(row_id, bool) or moment.tzinfo is None \
            or not -(2**63) <= row_id < 2**63 or not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise BadRequest("cursor is not one this API gave")
    return Position(moment, row_id)
