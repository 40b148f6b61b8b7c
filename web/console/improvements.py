"""``/admin/improvements``: "you said, we did" drafts written, feedback linked, suggestions decided.

Everyone signed in reads (the list, an improvement with its linked feedback, its
suggestions); managers and admins write (new, edit, link, unlink, accept or
reject a suggestion). Feedback is linked by hand (conversation ids or complaint
references typed in, responses ticked in the response browser or complaints ticked
on the complaint board, each opened with ``?improvement=ID``), by filter (the response
browser's filters, as its URL holds them) or by suggestion. Publishing is the
announcement's page (``POST /admin/improvements/<id>/publish``). Every rule is the core's
(:mod:`bot.improvements`); a refusal is shown on the page, in the member's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from werkzeug.exceptions import NotFound

from bot import improvements
from bot.i18n import SUPPORTED, gettext_for
from bot.improvements import Concerns, Draft, ImprovementError, Known
from bot.staff import Permission
from channels.registry import BUILT_IN
from storage.vocabulary import LinkTarget
from web.console.access import blueprint, console_language, ecoute, now, render, requires
from web.filters import parse

bp = blueprint("console_improvements")
SEPARATORS = re.compile(r"[\s,;]+")


def _(text: str) -> str:
    """Translate ``text`` into the console's language."""
    language = console_language()
    return gettext_for(language, "console")(text)


def _known() -> Known:
    """Return what an improvement may concern on this installation."""
    return improvements.known(ecoute().catalog, BUILT_IN)


def _explain(error: ImprovementError) -> str:
    """Return the refusal in the member's language."""
    return improvements.explain(error.refusal, console_language(), error.detail)


def _detail(improvement_id: int) -> improvements.Detail:
    """Return the improvement, or a 404 page."""
    try:
        return improvements.detail(ecoute().db, improvement_id, now=now())
    except ImprovementError:
        raise NotFound() from None


@bp.get("/improvements")
@requires(Permission.READ)
def listing() -> ResponseReturnValue:
    """List the improvements, newest first: drafts and published alike."""
    return render("improvements.html", improvements=improvements.listing(ecoute().db, limit=200))


@bp.get("/improvements/new")
@requires(Permission.WRITE)
def new() -> ResponseReturnValue:
    """Show the form of a new draft."""
    return _form(None, Draft("", "", console_language()))


def _form(improvement_id: int | None, draft: Draft, status: int = 200,
          error: str | None = None) -> ResponseReturnValue:
    """Render the draft's form (new or edit)."""
    return render("improvements_form.html", status, improvement_id=improvement_id, draft=draft,
                  known=_known(), languages_offered=SUPPORTED, error=error)


def _draft_of_form() -> Draft:
    """Read a draft from the posted form."""
    form = request.form
    try:
        done_on = date.fromisoformat(form["done_on"]) if form.get("done_on") else None
    except ValueError:
        done_on = None
    contexts = tuple(c for c in SEPARATORS.split(form.get("contexts", "")) if c)
    return Draft(form.get("you_said", ""), form.get("we_did", ""), form.get("language", ""),
                 done_on, Concerns.read({
                     "channels": form.getlist("channels"), "surveys": form.getlist("surveys"),
                     "services": form.getlist("services"),
                     "categories": form.getlist("categories"), "contexts": list(contexts)}))


@bp.post("/improvements")
@requires(Permission.WRITE)
def create() -> ResponseReturnValue:
    """Store a new draft and show it."""
    try:
        draft = _draft_of_form()
        improvement_id = improvements.create(ecoute().db, draft, _known(),
                                             actor=current_user.actor, now=now())
    except ImprovementError as error:
        return _form(None, _safe_draft(), 400, _explain(error))
    flash(_("Draft saved."), "done")
    return redirect(url_for("console_improvements.detail", improvement_id=improvement_id), 303)


def _safe_draft() -> Draft:
    """Return what was posted, to show it again with the refusal (concerns that fit only)."""
    try:
        return _draft_of_form()
    except ImprovementError:
        form = request.form
        return Draft(form.get("you_said", ""), form.get("we_did", ""), form.get("language", ""))


@bp.get("/improvements/<int:improvement_id>")
@requires(Permission.READ)
def detail(improvement_id: int) -> ResponseReturnValue:
    """Show an improvement with its linked feedback, and the ways to link more."""
    return render("improvements_detail.html", found=_detail(improvement_id))


@bp.get("/improvements/<int:improvement_id>/edit")
@requires(Permission.WRITE)
def edit(improvement_id: int) -> ResponseReturnValue:
    """Show the form of a draft, filled in."""
    row = _detail(improvement_id).improvement
    return _form(improvement_id, Draft(row.you_said, row.we_did, row.language, row.done_on,
                                       Concerns.read(row.concerns)))


@bp.post("/improvements/<int:improvement_id>/edit")
@requires(Permission.WRITE)
def save(improvement_id: int) -> ResponseReturnValue:
    """Save a draft's changes."""
    _detail(improvement_id)
    try:
        improvements.edit(ecoute().db, improvement_id, _draft_of_form(), _known(),
                          actor=current_user.actor, now=now())
    except ImprovementError as error:
        return _form(improvement_id, _safe_draft(), 400, _explain(error))
    flash(_("Draft saved."), "done")
    return redirect(url_for("console_improvements.detail", improvement_id=improvement_id), 303)


@bp.post("/improvements/<int:improvement_id>/links")
@requires(Permission.WRITE)
def link(improvement_id: int) -> ResponseReturnValue:
    """Link feedback by hand: conversations ticked or typed, complaints ticked or typed."""
    _detail(improvement_id)
    typed = [c for c in SEPARATORS.split(request.form.get("typed_conversations", "")) if c]
    complaints = [c for given in request.form.getlist("complaints")
                  for c in SEPARATORS.split(given) if c]
    return _linked(improvement_id, lambda: improvements.link_by_hand(
        ecoute().db, improvement_id, conversations=request.form.getlist("conversations") + typed,
        complaints=complaints, actor=current_user.actor, now=now()))


@bp.post("/improvements/<int:improvement_id>/links/filter")
@requires(Permission.WRITE)
def link_filtered(improvement_id: int) -> ResponseReturnValue:
    """Link every response the response browser's filters match."""
    _detail(improvement_id)
    wanted = parse(request.form)  # a malformed filter is a 400 page
    return _linked(improvement_id, lambda: improvements.link_by_filter(
        ecoute().db, improvement_id, wanted, actor=current_user.actor, now=now()))


def _linked(improvement_id: int, linking: Callable[[], int]) -> ResponseReturnValue:
    """Run a linking, say how many were new (or why not), and go back to the improvement."""
    try:
        added = linking()
    except ImprovementError as error:
        flash(_explain(error), "error")
    else:
        flash(_("{count} linked.").format(count=added), "done")
    return redirect(url_for("console_improvements.detail", improvement_id=improvement_id), 303)


@bp.post("/improvements/<int:improvement_id>/links/<int:link_id>/delete")
@requires(Permission.WRITE)
def unlink(improvement_id: int, link_id: int) -> ResponseReturnValue:
    """Remove one link."""
    _detail(improvement_id)
    try:
        improvements.unlink(ecoute().db, improvement_id, link_id, actor=current_user.actor,
                            now=now())
    except ImprovementError as error:
        flash(_explain(error), "error")
    else:
        flash(_("Link removed."), "done")
    return redirect(url_for("console_improvements.detail", improvement_id=improvement_id), 303)


@bp.get("/improvements/<int:improvement_id>/suggestions")
@requires(Permission.READ)
def suggestions(improvement_id: int) -> ResponseReturnValue:
    """Show the past feedback closest in meaning to what people said, best first."""
    found = _detail(improvement_id)
    proposed = improvements.suggest(ecoute().db, improvement_id, now=now(),
                                    catalog=ecoute().catalog)
    return render("improvements_suggestions.html", found=found, proposed=proposed)


@bp.post("/improvements/<int:improvement_id>/suggestions")
@requires(Permission.WRITE)
def decide(improvement_id: int) -> ResponseReturnValue:
    """Accept a suggestion (it becomes a link) or reject it (never proposed again)."""
    _detail(improvement_id)
    try:
        target = LinkTarget(request.form.get("target", ""))
        accepted = {"accept": True, "reject": False}[request.form.get("decision", "")]
        improvements.decide(ecoute().db, improvement_id, target,
                            request.form.get("reference", ""), accepted=accepted,
                            actor=current_user.actor, now=now())
    except (ValueError, KeyError):
        flash(_("Choose accept or reject for a listed suggestion."), "error")
    except ImprovementError as error:
        flash(_explain(error), "error")
    else:
        flash(_("Suggestion accepted: it is linked.") if accepted
              else _("Suggestion rejected: it will not be proposed again."), "done")
    return redirect(url_for("console_improvements.suggestions", improvement_id=improvement_id),
                    303)
