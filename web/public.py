"""The public "you said, we did" page and its Atom feed: what changed because of feedback.

``/you-said-we-did`` lists the published improvements, newest first, in the page's
language (``?lang=`` or the browser's; English and French) with a
``<link rel="alternate" type="application/atom+xml">`` to ``/you-said-we-did.atom``.
Neither holds personal data: an improvement is staff's summary of what people said
and what was done, never anyone's words or name. The feed is written with the
standard library's XML writer, so every text is escaped.
"""

from __future__ import annotations

from datetime import UTC, datetime
from xml.etree import ElementTree

from flask import Blueprint, Response, render_template, url_for
from flask.typing import ResponseReturnValue

from bot.i18n import gettext_for
from storage import improvements
from storage.improvements import ImprovementRow
from web.pages import _language_links, page_language

bp = Blueprint("public", __name__)
ATOM = "http://www.w3.org/2005/Atom"
SHOWN = 100  # the newest improvements listed


def _published() -> list[ImprovementRow]:
    """Return the published improvements, newest first."""
    from web import current_ecoute

    with current_ecoute().db.reading() as connection:
        return improvements.published(connection, SHOWN)


@bp.get("/you-said-we-did")
def you_said_we_did() -> ResponseReturnValue:
    """Show the published improvements (the widget links here too)."""
    language = page_language()
    body = render_template("public/you_said_we_did.html", _=gettext_for(language, "web"),
                           lang=language, switch=_language_links(), rows=_published())
    return body, 200, {"Content-Type": "text/html; charset=utf-8"}


@bp.get("/you-said-we-did.atom")
def feed() -> ResponseReturnValue:
    """Answer the Atom feed of the published improvements."""
    language = page_language()
    _ = gettext_for(language, "web")
    rows = _published()
    root = ElementTree.Element("feed", {"xmlns": ATOM, "xml:lang": language})
    page = url_for("public.you_said_we_did", lang=language, _external=True)
    _text(root, "title", _("You said, we did"))
    _text(root, "id", page)
    ElementTree.SubElement(root, "link", {"rel": "alternate", "type": "text/html", "href": page})
    ElementTree.SubElement(root, "link", {"rel": "self", "href": url_for(
        "public.feed", lang=language, _external=True)})
    newest = rows[0].published_at if rows else datetime(2026, 1, 1, tzinfo=UTC)
    _text(root, "updated", _stamp(newest))
    for row in rows:
        entry = ElementTree.SubElement(root, "entry", {"xml:lang": row.language})
        _text(entry, "title", row.we_did[:120])
        _text(entry, "id", f"{page.split('?')[0]}#improvement-{row.id}")
        _text(entry, "updated", _stamp(row.published_at))
        ElementTree.SubElement(entry, "link", {"rel": "alternate", "href": (
            f"{page.split('?')[0]}?lang={language}#improvement-{row.id}")})
        _text(entry, "summary", f"{_('You said')}: {row.you_said}\n{_('We did')}: {row.we_did}")
    body = ElementTree.tostring(root, encoding="unicode", xml_declaration=True)
    return Response(body, mimetype="application/atom+xml")


def _text(parent: ElementTree.Element, tag: str, text: str) -> None:
    """Add a child element holding ``text`` (escaped by the writer)."""
    ElementTree.SubElement(parent, tag).text = text


def _stamp(moment: datetime | None) -> str:
    """Return an RFC 3339 time stamp."""
    return (moment or datetime(2026, 1, 1, tzinfo=UTC)).astimezone(UTC).isoformat()
