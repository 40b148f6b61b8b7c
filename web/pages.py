"""The pages a person opens: the demo page at ``/``, a survey's own page, the widget script.

``/`` embeds the widget with a short explanation and links (what a newcomer sees
after ``scripts/start.sh``); ``/s/<survey>`` is the survey alone on a full page,
for links in emails, SMS and QR codes, its context taken from the query string
(``?context=shop12``); ``/widget.js`` is the one-line embed. Pages speak the
language of ``?lang=`` or else of the browser (English and French).
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue

from bot.i18n import SUPPORTED, gettext_for, language_name, pick

bp = Blueprint("pages", __name__)

STATIC = Path(__file__).with_name("static")
PAGE_PARAMETERS = ("context",)  # the query parameters a page reads (besides ``lang``)


def page_language() -> str:
    """Return ``?lang=`` when supported, else the browser's best supported language."""
    wanted = request.args.get("lang", "")
    if wanted in SUPPORTED:
        return wanted
    return request.accept_languages.best_match(SUPPORTED) or "en"


def _render(template: str, status: int = 200, **values: object) -> ResponseReturnValue:
    """Render a page template with ``_`` in the page's language."""
    language = page_language()
    body = render_template(template, _=gettext_for(language, "web"), lang=language,
                           switch=_language_links(), **values)
    return body, status, {"Content-Type": "text/html; charset=utf-8"}


def _language_links() -> list[tuple[str, str, str]]:
    """Return (code, name, URL of this page in that language) for each language.

    Only the page's own parameters are carried over: a query parameter such as
    ``_method`` or ``_external`` would otherwise steer ``url_for`` itself.
    """
    kept = {name: request.args[name] for name in PAGE_PARAMETERS if request.args.get(name)}
    links = []
    for code in SUPPORTED:
        args = {**kept, **(request.view_args or {}), "lang": code}
        links.append((code, language_name(code), url_for(request.endpoint or "pages.demo",
                                                         **args)))
    return links


@bp.get("/")
def demo() -> ResponseReturnValue:
    """Show the demo page: what Écoute is, the widget to try, where to go next."""
    from web import current_ecoute

    language = page_language()
    surveys = [(s.key, pick(s.title, language))
               for s in current_ecoute().catalog.offered(False)]
    return _render("pages/demo.html", surveys=surveys)


@bp.get("/s/<survey>")
def survey_page(survey: str) -> ResponseReturnValue:
    """Show one survey on a page of its own (its context from ``?context=``)."""
    from web import current_ecoute

    found = current_ecoute().catalog.get(survey)
    if found is None or found.audience == "internal":
        return _render("pages/not_found.html", 404)
    language = page_language()
    context = request.args.get("context", "")[:128] or None
    description = pick(found.description, language) if found.description else None
    return _render("pages/survey.html", survey=found.key, title=pick(found.title, language),
                   description=description, context=context)


@bp.get("/widget.js")
def widget_script() -> ResponseReturnValue:
    """Serve the widget: plain JavaScript, cached for five minutes."""
    response = send_file(STATIC / "widget.js", mimetype="text/javascript", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
