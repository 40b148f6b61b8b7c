"""``/admin/calls``: staff open calls for participants and see who is in.

Everyone with the console reads the calls and their counts; managers and admins
open and close them; the people who answered (the participants, the waiting list
and the refusals, with the contact detail each agreed to pass on) are shown to
those who may see identifiers, and each such view is in the audit log.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from bot import calls, staff
from bot.call_errors import CallError, Refusal, explain
from bot.calls import Audience, Draft
from bot.i18n import SUPPORTED, gettext_for
from bot.staff import Permission
from storage import calls as store
from storage.vocabulary import AuditAction, CallKind
from web.console.access import blueprint, console_language, ecoute, now, render, requires

bp = blueprint("console_calls")


def _(text: str) -> str:
    """Translate ``text`` into the console's language."""
    language = console_language()
    return gettext_for(language, "console")(text)


def _page(status: int = 200, **values: object) -> ResponseReturnValue:
    """Render the list of calls with the form that opens one."""
    with ecoute().db.reading() as connection:
        found = store.list_calls(connection, limit=100)
    return render("calls.html", status, calls=found, kinds=list(CallKind), now=now(),
                  is_open=calls.is_open, **values)


@bp.get("/calls")
@requires(Permission.READ)
def listing() -> ResponseReturnValue:
    """List the calls, newest first."""
    return _page()


@bp.post("/calls")
@requires(Permission.WRITE)
def create() -> ResponseReturnValue:
    """Open a call from the form and plan its invitations."""
    served = ecoute()
    try:
        opened = calls.open_call(served.db, _draft(request.form), actor=current_user.actor,
                                 now=now(), default_language=served.settings.default_language)
    except CallError as error:
        return _page(400, error=explain(error.refusal, console_language(), **error.detail),
                     form=request.form)
    flash(_("Call opened: {planned} invitations planned.").format(
        planned=opened.planned.planned), "done")
    return redirect(url_for("console_calls.detail", call_id=opened.call_id), 303)


@bp.get("/calls/<int:call_id>")
@requires(Permission.READ)
def detail(call_id: int) -> ResponseReturnValue:
    """Show a call: its counts, and who answered for those who may see identifiers."""
    served = ecoute()
    with served.db.reading() as connection:
        call = store.find_call(connection, call_id)
        people = store.participants(connection, call_id) \
            if call and current_user.may(Permission.SEE_IDENTIFIERS) else None
    if call is None:
        abort(404)
    if people:
        staff.record(served.db, now(), current_user.actor, AuditAction.PARTICIPANTS_VIEWED,
                     f"call:{call_id}")
    return render("call.html", call=call, people=people, is_open=calls.is_open(call, now()))


@bp.post("/calls/<int:call_id>/close")
@requires(Permission.WRITE)
def close(call_id: int) -> ResponseReturnValue:
    """Close a call: later answers are told it is closed."""
    if calls.close(ecoute().db, call_id, actor=current_user.actor, now=now()):
        flash(_("Call closed."), "done")
    return redirect(url_for("console_calls.detail", call_id=call_id), 303)


def _draft(form: MultiDict[str, str]) -> Draft:
    """Read the form into a call, or raise :class:`CallError` naming the field."""
    texts = {name: {lang: form.get(f"{name}_{lang}", "") for lang in SUPPORTED
                    if form.get(f"{name}_{lang}", "").strip()}
             for name in ("title", "description")}
    places = form.get("places", "")
    if not places.isdecimal():
        raise CallError(Refusal.NOT_WHOLE_PLACES)
    days = form.get("days", "90")
    audience = {"days": int(days) if days.isdecimal() else days,
                **{k: form.get(k) or None for k in ("band", "text", "context", "service")},
                "panel": form.get("panel") == "on",
                "past_participants": form.get("past_participants") == "on"}
    return Draft(texts["title"], texts["description"], form.get("kind", ""),
                 form.get("location", ""), _moment(form, "happens_at"), int(places),
                 _moment(form, "closes_at"), Audience.from_json(audience))


def _moment(form: MultiDict[str, str], name: str) -> datetime:
    """Read a ``datetime-local`` field, in UTC."""
    try:
        return datetime.fromisoformat(form.get(name, "")).replace(tzinfo=UTC)
    except ValueError:
        raise CallError(Refusal.BAD_MOMENT, field=name) from None
