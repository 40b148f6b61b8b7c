"""Security headers on every answer of the app: pages, the widget API, errors, webhooks.

One after-request hook sets a Content Security Policy, ``nosniff``, a frame
policy and a referrer policy, unless the view already set its own (a page that
needs a nonce, such as a staff console form, sets its policy and keeps the rest):

- scripts only from this site's files (``script-src 'self'``: no inline script, no
  ``eval``); the pages' own look is a file too (``/static/pages.css``);
- ``style-src 'self' 'unsafe-inline'``: the widget, which the demo and survey
  pages embed, styles its Shadow DOM with a ``<style>`` element and its host with a
  ``style`` attribute, the only way that works on every site that embeds it.
  Inline styles cannot run code; what the pages show is escaped by Jinja;
- no framing at all (``frame-ancestors 'none'`` and ``X-Frame-Options: DENY``):
  the widget is a script other sites include, never a frame;
- forms post only to this site (``form-action 'self'``), no ``<base>``, no plugins;
- ``Referrer-Policy: same-origin``: a page's address (its ``?context=``) never
  leaves for another site, while this site's own forms keep their Referer (which
  CSRF checks over HTTPS rely on).

Other sites embedding ``/widget.js`` are governed by their own policy, not this one.
"""

from __future__ import annotations

from flask import Flask, Response

POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Add the security headers to every answer that has not set its own."""

    @app.after_request
    def _secure(response: Response) -> Response:
        """Set each security header the view left unset."""
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response
