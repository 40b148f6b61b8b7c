"""``/admin/responses``: the response browser, and its filtered set exported as CSV or JSONL.

Filters are the shared URL form (:mod:`web.filters`), so a view is a link anyone
can bookmark; pages go newer and older by key (``?older=`` / ``?newer=``
cursors). A viewer sees no person and exports none. Every export is recorded
in the audit log (who, format, filters, the words searched left out) before its
first line is sent; it is streamed a batch of rows at a time from a read-only
connection, so it never holds the set in memory nor blocks the bot's writes.
"""

from __future__ import annotations

from typing import Any

from flask import Response, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import BadRequest

from bot import exports, responses, staff
from bot.staff import Permission
from channels.registry import BUILT_IN
from storage import reports
from storage.filters import Band, ResponseFilter
from storage.vocabulary import AuditAction
from web.console.access import blueprint, ecoute, now, render, requires
from web.filters import parse, to_args
from web.positions import from_cursor, to_cursor

bp = blueprint("console_responses")
PAGE = 50
TYPES = {exports.Format.CSV: "text/csv; charset=utf-8",
         exports.Format.JSONL: "application/x-ndjson; charset=utf-8"}


def list_args(wanted: ResponseFilter) -> dict[str, str]:
    """Return the filter's parameters with the page's cursor, to come back to this page."""
    args = to_args(wanted)
    for name in ("older", "newer"):
        if request.args.get(name):
            args[name] = request.args[name]
    return args


@bp.get("/responses")
@requires(Permission.READ)
def browse() -> ResponseReturnValue:
    """Show a page of the filtered responses, newest first, with links newer and older."""
    wanted = parse(request.args)
    older, newer = from_cursor(request.args.get("older")), from_cursor(request.args.get("newer"))
    if older and newer:
        raise BadRequest("give older or newer, not both")
    with ecoute().db.reading() as connection:
        found = responses.page(connection, wanted, now(), limit=PAGE,  # type: ignore[arg-type]
                               older_than=older, newer_than=newer)
    return render("responses.html", page=found, wanted=wanted, args=to_args(wanted),
                  here=list_args(wanted), cursor=to_cursor, choices=_choices(wanted),
                  identified=current_user.may(Permission.SEE_IDENTIFIERS), bands=list(Band))


def _choices(wanted: ResponseFilter) -> dict[str, list[str]]:
    """Return the values the form offers: channels, surveys, internal services."""
    catalog = ecoute().catalog
    services: list[str] = []
    for survey in catalog:
        for question in survey.questions:
            if question.id == "service":
                services += [option.id for option in question.options]
    return {"channel": _with(sorted(BUILT_IN), wanted.channel),
            "survey": _with(sorted(s.key for s in catalog), wanted.survey),
            "service": _with(sorted(set(services)), wanted.service)}


def _with(values: list[str], chosen: str | None) -> list[str]:
    """Return the values, with the chosen one too (a survey since removed stays choosable)."""
    return [*values, chosen] if chosen and chosen not in values else values


@bp.get("/responses/export.csv")
@requires(Permission.READ)
def export_csv() -> ResponseReturnValue:
    """Stream the filtered responses as CSV."""
    return _export(exports.Format.CSV)


@bp.get("/responses/export.jsonl")
@requires(Permission.READ)
def export_jsonl() -> ResponseReturnValue:
    """Stream the filtered responses as JSON Lines."""
    return _export(exports.Format.JSONL)


def _export(fmt: exports.Format) -> ResponseReturnValue:
    """Record the export in the audit log, then stream it."""
    wanted = parse(request.args)
    identified = current_user.may(Permission.SEE_IDENTIFIERS)
    served, at = ecoute(), now()
    staff.record(served.db, at, current_user.actor, AuditAction.EXPORTED, "responses",
                 format=fmt.value, identified=identified, filters=audited(wanted))

    def lines() -> Any:
        with served.db.reading() as connection:
            questions = reports.question_ids(connection) if fmt is exports.Format.CSV else ()
            records = responses.export(connection, wanted, at, identified=identified)
            yield from exports.lines(fmt, records, questions, identified)

    name = f"ecoute-responses-{at:%Y-%m-%d}.{fmt.value}"
    return Response(stream_with_context(lines()), headers={
        "Content-Type": TYPES[fmt], "Cache-Control": "no-store",
        "Content-Disposition": f'attachment; filename="{name}"'})


def audited(wanted: ResponseFilter) -> dict[str, str]:
    """Return the filters as the audit log keeps them: the words searched are left out."""
    args = to_args(wanted)
    if "q" in args:
        args["q"] = "…"
    return args
