"""``/admin/``: the console's home, what exists today: the last 30 days' scores and counts.

The figures are :func:`bot.metrics.summary` (the same as ``ecoute stats``) and
the conversations started in the period, by status. The dashboard with trends
and breakdowns will take this page's place.
"""

from __future__ import annotations

from datetime import timedelta

from flask.typing import ResponseReturnValue

from bot import metrics
from bot.staff import Permission
from storage.transcripts import conversation_counts
from web.console.access import blueprint, ecoute, now, render, requires

bp = blueprint("console_home")
PERIOD = timedelta(days=30)


@bp.get("/")
@requires(Permission.READ)
def home() -> ResponseReturnValue:
    """Show NPS, CSAT and CES over the last 30 days, and the conversations by status."""
    since = now() - PERIOD
    with ecoute().db.transaction() as session:
        summary = metrics.summary(session, since)
        counts = conversation_counts(session, since)
    return render("home.html", summary=summary, counts=counts, since=since,
                  total=sum(counts.values()))
