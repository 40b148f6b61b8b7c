"""``/admin/audit``: admins read the audit log, newest first, paged by key (``?before=ID``)."""

from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue

from bot.staff import Permission
from storage import staff as rows
from web.console.access import blueprint, ecoute, render, requires

bp = blueprint("console_audit")
PAGE = 100


@bp.get("/audit")
@requires(Permission.MANAGE_ACCESS)
def audit() -> ResponseReturnValue:
    """Show a page of the audit log, with a link to the older entries."""
    before = request.args.get("before", type=int)
    with ecoute().db.transaction() as session:
        entries = rows.entries(session, limit=PAGE + 1, before=before)
        emails = {f"staff:{a.id}": a.email for a in rows.accounts(session)}
    older = entries[PAGE - 1].id if len(entries) > PAGE else None
    return render("audit.html", entries=entries[:PAGE], older=older, emails=emails)
