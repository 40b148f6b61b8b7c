"""``/admin/complaints/analytics``: complaint figures per category, and who missed which deadline.

The page shows, for the complaints received in a period (``from`` and ``to`` in
the URL, so a view is a link), the figures of :mod:`bot.complaint_stats`: the
totals first, a chart of the on-time shares per category with its table as the
text alternative, then the missed deadlines with whoever had each complaint.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask import request
from flask.typing import ResponseReturnValue
from markupsafe import Markup

from bot import complaint_stats
from bot.complaint_stats import Figures
from bot.i18n import gettext_for
from bot.staff import Permission
from web.api.complaint_stats import period
from web.console.access import blueprint, console_language, ecoute, now, render, requires
from web.console.charts import grouped_bars

bp = blueprint("console_complaint_analytics")


@bp.get("/complaints/analytics")
@requires(Permission.READ)
def analytics() -> ResponseReturnValue:
    """Show the period's complaint analytics."""
    served = ecoute()
    since, until = period(dict(request.args))
    with served.db.reading() as connection:
        figures = complaint_stats.compute(connection, served.engine.settings.complaints.calendar,
                                          since, until, now())
    language = console_language()
    _ = gettext_for(language, "console")
    return render("complaint_analytics.html", stats=figures,
                  chart=on_time_chart(figures.categories, _("Deadlines met, per category (%)"),
                                      (_("Acknowledged on time"), _("Resolved on time"))),
                  asked={k: request.args.get(k, "") for k in ("from", "to")})


def on_time_chart(categories: Sequence[Figures], title: str, series: tuple[str, str]) -> Markup:
    """Draw the shares of deadlines met per category, acknowledgement beside resolution."""
    return grouped_bars([f.category or "" for f in categories],
                        [(series[0], [f.acknowledged_on_time for f in categories]),
                         (series[1], [f.resolved_on_time for f in categories])], title)
