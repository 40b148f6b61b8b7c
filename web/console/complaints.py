"""``/admin/complaints``: the complaint board, and its urgency × importance matrix.

The board lists complaints newest first, filtered by the URL
(:mod:`web.console.complaints_filters`: status, priority, category, channel,
assignee, overdue, urgency, importance), a page at a time by key, each with its
standing deadline and whether it is missed. The matrix counts the same filtered
complaints in each cell of urgency × importance; each cell links to the board so
filtered. Every role reads both; they show no complainant's words nor identity.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from bot import complaint_desk
from bot.complaints import MATRIX
from bot.i18n import gettext_for, pick
from bot.staff import Permission
from channels.registry import BUILT_IN
from storage import staff as accounts
from storage.complaints import BoardRow
from storage.vocabulary import ComplaintStatus, Importance, Priority, Urgency
from web.console.access import blueprint, console_language, ecoute, now, render, requires
from web.console.complaints_filters import page, parse
from web.positions import from_cursor, to_cursor

bp = blueprint("console_complaints")
PAGE = 50


def N_(text: str) -> str:
    """Mark a string for translation; it is translated where it is shown."""
    return text


WORDS = {  # the console's names of the complaint vocabulary
    **{s.value: n for s, n in zip(ComplaintStatus, (
        N_("received"), N_("acknowledged"), N_("in progress"), N_("resolved"), N_("closed"),
        N_("reopened"), N_("rejected")), strict=True)},
    "critical": N_("critical"), "high": N_("high"), "medium": N_("medium"), "low": N_("low"),
    "blocking": N_("blocking"), "annoying": N_("annoying"), "minor": N_("minor"),
    "not_a_complaint": N_("not a complaint"), "out_of_scope": N_("out of scope"),
}


def words() -> dict[str, str]:
    """Return the complaint vocabulary in the staff member's language."""
    language = console_language()
    _ = gettext_for(language, "console")
    return {word: _(name) for word, name in WORDS.items()}


@bp.get("/complaints")
@requires(Permission.READ)
def board() -> ResponseReturnValue:
    """Show a page of the filtered complaints, newest first, with their standing deadlines."""
    at = now()
    query = parse(request.args, at)
    older, newer = from_cursor(request.args.get("older")), from_cursor(request.args.get("newer"))
    if older and newer:
        raise BadRequest("give older or newer, not both")
    with ecoute().db.transaction() as session:
        found = page(session, query.filter, limit=PAGE, older_than=older, newer_than=newer)
        staff = {a.id: a.email for a in accounts.accounts(session)}
    return render("complaints.html", page=found, args=query.args, cursor=to_cursor,
                  choices=choices(staff), words=words(), staff=staff,
                  due=lambda row: standing(row, at))


@bp.get("/complaints/matrix")
@requires(Permission.READ)
def matrix() -> ResponseReturnValue:
    """Show how many of the filtered complaints fall in each cell of urgency × importance."""
    query = parse(request.args, now())
    with ecoute().db.transaction() as session:
        counts = complaint_desk.matrix(session, query.filter)
        staff = {a.id: a.email for a in accounts.accounts(session)}
    base = {k: v for k, v in query.args.items() if k not in ("urgency", "importance")}
    return render("complaints_matrix.html", counts=counts, args=base, words=words(),
                  urgencies=list(Urgency), importances=list(Importance), levels=MATRIX,
                  choices=choices(staff), staff=staff,
                  total=sum(counts.values()))


def standing(row: BoardRow, at: datetime) -> dict[str, Any] | None:
    """Return the deadline that stands for a complaint, and whether it is missed."""
    due = complaint_desk.due_now(ComplaintStatus(row.status), row.acknowledge_due_at,
                                 row.resolve_due_at)
    if due is None:
        return None
    return {"kind": due[0], "at": due[1], "missed": due[1] < at}


def choices(staff: dict[int, str]) -> dict[str, list[tuple[str, str]]]:
    """Return what the filter form offers, as (value, label) pairs."""
    language = console_language()
    survey = ecoute().catalog.complaint()
    categories = [(o.id, pick(o.label, language)) for q in (survey.questions if survey else ())
                  if q.id == "category" for o in q.options]
    return {"status": [(s.value, s.value) for s in ComplaintStatus],
            "priority": [(p.value, p.value) for p in Priority],
            "category": categories, "channel": [(c, c) for c in sorted(BUILT_IN)],
            "assignee": [(str(i), e) for i, e in sorted(staff.items(), key=lambda x: x[1])]}
