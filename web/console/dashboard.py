"""The staff dashboard (the console's home, ``/admin/``) and its live fragment.

Filters live in the URL (:mod:`web.filters`: ``from``, ``to``, ``channel``,
``survey``, ``context``, ``service``; plus ``grain``, week or month), so a view
is a link. Without a period the dashboard shows the last 365 days, weekly.
The figures are :mod:`bot.dashboard`'s, the same as ``ecoute stats`` and
``GET /api/v1/stats`` for the same filters.

``/admin/dashboard/live`` answers the figures' fragment for the same query
string; ``static/dashboard.js`` asks for it every few seconds with the last
``ETag``, and the fragment is only built when something was answered since
(otherwise 304, from one small query).

Below the live figures, the page (not the fragment) lists the newest published
improvements and their effect (:func:`improvement_effects`): the linked group's
NPS, CSAT and CES before and after, and the answers to "Does this answer your
concern?", read at most once a minute (:mod:`web.console.recent`). The fragment is
left out of it on purpose: its ``ETag`` follows the answers only, so reactions would
go stale in it, and each improvement's own page follows its announcement live already.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Response, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from bot import announcement_effect, dashboard
from bot.announcement_effect import Effect
from bot.dashboard import Grain
from bot.staff import Permission
from storage import daily
from storage.filters import ResponseFilter
from storage.improvements import ImprovementRow
from web import filters
from web.console import charts
from web.console.access import blueprint, console_language, ecoute, now, render, requires
from web.console.recent import Recent

bp = blueprint("console_dashboard")
METRICS = (("nps", "NPS"), ("csat", "CSAT"), ("ces", "CES"))
SHOWN_IMPROVEMENTS = 5  # the newest published improvements the page shows with their effect


def wanted() -> tuple[ResponseFilter, Grain]:
    """Return the filter and grain the URL asks for (a year, weekly, by default)."""
    asked = filters.parse(request.args)
    if asked.band or asked.has_comment is not None or asked.text:
        raise BadRequest("the dashboard takes from, to, channel, survey, context, service "
                         "and grain")
    default = dashboard.default_period(now())
    until = asked.until or default.until
    since = asked.since or until - timedelta(days=dashboard.DEFAULT_DAYS)
    try:
        grain = Grain(request.args.get("grain") or Grain.WEEK)
    except ValueError:
        raise BadRequest("grain must be week or month") from None
    return asked.narrowed(since=since, until=until), grain


def figures(chosen: ResponseFilter, grain: Grain) -> dict[str, Any]:
    """Return everything the figures' fragment shows, read in one transaction."""
    language = console_language()
    with ecoute().db.transaction() as session:
        read = dashboard.reading(session, chosen, now())
        counts = dashboard.cube(read, grain)
        values = {
            "summary": dashboard.headline(counts),
            "points": dashboard.trend(read, counts, grain),
            "bars": dashboard.distribution(counts),
            "parts": {dim: dashboard.breakdown(counts, dim) for dim in dashboard.BREAKDOWNS},
            "comments": dashboard.detractor_comments(read),
            "themes": _themes(read, chosen, language),
        }
    labels = [edge.isoformat() for edge in dashboard.edges(chosen, grain)[:-1]]
    values["labels"] = labels
    values["charts"] = {metric: charts.trend(values["points"], labels, metric, title)
                        for metric, title in METRICS}
    values["distribution_chart"] = charts.distribution(values["bars"], "NPS 0-10")
    return values


THEMES: Recent[list[Any]] = Recent(timedelta(minutes=5))
EFFECTS: Recent[list[tuple[ImprovementRow, Effect]]] = Recent(timedelta(minutes=1))


def _themes(read: dashboard.Reading, chosen: ResponseFilter, language: str) -> list[Any]:
    """Return the period's themes, computed at most every five minutes per filter and language.

    Themes move slowly and cost more than every other figure together; the live
    fragment would otherwise recompute them on every new answer.
    """
    return THEMES.get((ecoute().db.url, chosen, language), read.now,
                      lambda: dashboard.period_themes(read, language))


def version() -> str:
    """Return the tag of the figures' state and the reader's language."""
    with ecoute().db.transaction() as session:
        return f"{daily.version(session)}-{console_language()}"


def page_values(chosen: ResponseFilter, grain: Grain) -> dict[str, Any]:
    """Return the values of the whole page: the filter form, the figures and the live link."""
    args = filters.to_args(chosen)
    live = {**args, "grain": grain.value}
    tag = version()  # read first: an answer stored while the figures are read shows next time
    return {"tag": f'"{tag}"', "chosen": chosen, "grain": grain, "args": args, "live_args": live,
            "shown_to": (chosen.until - timedelta(days=1)) if chosen.until else None,
            "Grain": Grain, "METRICS": METRICS, **figures(chosen, grain)}


def improvement_effects() -> list[tuple[ImprovementRow, Effect]]:
    """Return the newest published improvements, newest first, with their effect.

    Read at most once a minute (:class:`Recent`): the groups' answers before and
    after cost as much as the rest of the page, and reactions come in over days.
    """
    def read() -> list[tuple[ImprovementRow, Effect]]:
        with ecoute().db.transaction() as session:
            return announcement_effect.latest(session, SHOWN_IMPROVEMENTS)

    return EFFECTS.get(ecoute().db.url, now(), read)


@bp.get("/dashboard/live")
@requires(Permission.READ)
def live() -> ResponseReturnValue:
    """Answer the figures' fragment, or 304 when nothing changed since the reader's copy."""
    chosen, grain = wanted()
    tag = version()
    if request.if_none_match.contains(tag):
        return Response(status=304, headers={"ETag": f'"{tag}"', "Cache-Control": "no-cache"})
    body, status, headers = render("dashboard_figures.html",  # type: ignore[misc]
                                   **page_values(chosen, grain))
    return body, status, {**headers, "ETag": f'"{tag}"', "Cache-Control": "no-cache"}
