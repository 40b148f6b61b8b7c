"""``/admin/``: the console's home is the staff dashboard (:mod:`web.console.dashboard`).

Headline figures first (NPS, CSAT, CES and their counts), then the trend, the
distribution of scores, the detractors' latest comments and the themes of the
period, then the breakdowns by channel, survey, context and internal service;
last, the newest published improvements and their effect.
"""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from bot.staff import Permission
from web.console.access import blueprint, render, requires
from web.console.dashboard import improvement_effects, page_values, wanted

bp = blueprint("console_home")


@bp.get("/")
@requires(Permission.READ)
def home() -> ResponseReturnValue:
    """Show the dashboard for the filters in the URL."""
    chosen, grain = wanted()
    return render("dashboard.html", **page_values(chosen, grain),
                  improvements=improvement_effects())
