"""``GET /api/v1/complaints/stats``: complaint analytics for a period, per category.

``from`` and ``to`` (days, UTC, ``to`` included) choose the complaints received
in the period; none means every complaint. The figures are
:func:`bot.complaint_stats.compute`'s, as ``ecoute stats --complaints --format
json`` prints them and the console's analytics page shows them.
"""

from __future__ import annotations

from datetime import datetime

from flask import jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from bot import complaint_stats
from bot.staff import Permission
from web import filters
from web.api import bp
from web.api.auth import requires

ASKED = ("from", "to")


def period(args: dict[str, str]) -> tuple[datetime | None, datetime | None]:
    """Read the period from ``from`` and ``to`` (400 for anything else, or a bad day)."""
    unknown = sorted(set(args) - set(ASKED))
    if unknown:
        raise BadRequest(f"complaint stats take from and to only, not {', '.join(unknown)}")
    wanted = filters.parse(args)
    return wanted.since, wanted.until


@bp.get("/complaints/stats")
@requires(Permission.READ)
def complaint_statistics() -> ResponseReturnValue:
    """Return the complaint analytics of the period."""
    from web import current_ecoute

    served = current_ecoute()
    since, until = period(dict(request.args))
    with served.db.reading() as connection:
        figures = complaint_stats.compute(connection, served.engine.settings.complaints.calendar,
                                          since, until, served.engine.clock())
    return jsonify(figures.to_dict())
