"""The widget's JSON API (v1): start a survey, answer, resume after a reload, take the inbox.

Every request body is checked against the schemas of ``web/openapi.yaml`` before
anything is stored; a bad request gets ``{"error": CODE, "message": ...}`` with
400 (malformed or wrong types, answer over the question's length), 403 (not the
visitor's conversation), 404, 413 (body over 16 KB) or 429 (too many requests per
visitor or per IP address, :mod:`web.widget_limits`). The visitor id travels in
bodies or the ``X-Ecoute-Visitor`` header, never in a URL. Browsers may call the
API cross-origin only from ``ECOUTE_ALLOWED_ORIGINS`` (Flask-CORS answers the
preflight). The client message id is the inbound event id, so a retried
request has its effect once and gets the same replies back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import fastjsonschema
import yaml
from flask import Blueprint, Flask, Response, jsonify, request
from flask.typing import ResponseReturnValue
from flask_cors import CORS
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from bot import timezones
from bot.dialogue import longest_text, text_bound
from bot.inbox import take_inbox
from channels.widget import adapter as widget
from storage.conversations import ConversationOwner
from web.widget_limits import WidgetLimits
from web.widget_owners import Owners

bp = Blueprint("widget_api", __name__, url_prefix="/api/widget/v1")

MAX_BODY = 16 * 1024
OPENAPI = Path(__file__).with_name("openapi.yaml")
VISITOR = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
VISITOR_HEADER = "X-Ecoute-Visitor"


class WidgetError(Exception):
    """A request the API refuses: status, stable code and a message for the developer."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def fail(status: int, code: str, message: str,
         headers: dict[str, str] | None = None) -> NoReturn:
    """Refuse the request (nothing has been stored)."""
    raise WidgetError(status, code, message, headers)


@cache
def openapi() -> dict[str, Any]:
    """Return the OpenAPI document (parsed once)."""
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _schema(name: str) -> dict[str, Any]:
    """Return one of the document's component schemas with its references inlined."""
    return _inline(openapi()["components"]["schemas"][name])  # type: ignore[no-any-return]


@cache
def validator(schema: str) -> Draft202012Validator:
    """Return a validator for one of the document's component schemas (made once)."""
    return Draft202012Validator(_schema(schema))


@cache
def fast_check(schema: str) -> Callable[[Any], Any]:
    """Return the schema compiled to Python by fastjsonschema: a tenth of the time per body.

    It only says yes or no; a refused body is described by :func:`validator`'s errors.
    """
    return fastjsonschema.compile(_schema(schema))  # type: ignore[no-any-return]


def _inline(node: Any) -> Any:
    """Return ``node`` with every ``#/components/schemas/...`` reference replaced by its schema.

    Validating against a resolved schema skips the reference look-ups on every request.
    """
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            return _inline(openapi()["components"]["schemas"][ref.rsplit("/", 1)[1]])
        return {key: _inline(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item) for item in node]
    return node


def _body(schema: str) -> dict[str, Any]:
    """Return the request's JSON object, valid against ``schema``, or refuse it.

    At most ``MAX_BODY`` + 1 bytes are read, however the body is framed (a length
    or chunks); the visitor it names is then counted against the visitor's limit.
    """
    if request.content_length is not None and request.content_length > MAX_BODY:
        fail(413, "body_too_large", f"the body is over {MAX_BODY} bytes")
    raw = _read_body()
    if len(raw) > MAX_BODY:
        fail(413, "body_too_large", f"the body is over {MAX_BODY} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python recurses
        fail(400, "malformed_json", "the body must be a JSON object")
    try:
        fast_check(schema)(data)
    except fastjsonschema.JsonSchemaException:
        error = best_match(validator(schema).iter_errors(data))
        fail(400, "invalid_request", _describe(error) if error else "the body is not valid")
    _count_visitor(data["visitor"])
    return data  # type: ignore[no-any-return]


def _read_body() -> bytes:
    """Read the body up to ``MAX_BODY`` + 1 bytes (a stream may hand it over in pieces)."""
    parts: list[bytes] = []
    size = 0
    while size <= MAX_BODY:
        part = request.stream.read(MAX_BODY + 1 - size)
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _describe(error: ValidationError) -> str:
    """Say what is wrong with a body without echoing what was sent."""
    field = ".".join(str(part) for part in error.absolute_path) or "body"
    if error.validator in ("required", "additionalProperties"):
        return error.message
    if error.validator == "oneOf" and field == "body":
        return "send exactly one of text or choice_id"
    if error.validator == "type" and field == "body":
        return "the body must be a JSON object"
    return f"{field}: does not satisfy {error.validator} {error.validator_value}"


def _visitor_header() -> str:
    """Return the ``X-Ecoute-Visitor`` header (ids stay out of URLs and logs), or refuse."""
    visitor = request.headers.get(VISITOR_HEADER, "")
    if not VISITOR.match(visitor):
        fail(400, "invalid_request",
             f"{VISITOR_HEADER}: 8 to 64 letters, digits, '-' or '_'")
    _count_visitor(visitor)
    return visitor


def _owned(conversation: str, visitor: str) -> ConversationOwner:
    """Return the conversation's owner if it is this visitor, or refuse the request."""
    found = _owners().get(conversation)
    if found is None:
        fail(404, "unknown_conversation", "there is no such conversation")
    if (found.channel, found.external_id) != (widget.NAME, visitor):
        fail(403, "not_your_conversation", "this conversation belongs to another visitor")
    return found


def _check_length(conversation: str, owner: ConversationOwner, text: str | None,
                  ref: str | None) -> None:
    """Refuse typed text longer than the question it answers may take, storing nothing.

    A ref ties the answer to one question of this conversation (the engine takes it
    for no other): its bound applies. Without a ref the engine answers the visitor's
    active conversation, whichever it is, and asks again when the text is over that
    question's bound; here only text longer than any offered survey's longest is
    refused, which no question could take.
    """
    from web import current_ecoute

    if text is None:
        return
    catalog = current_ecoute().catalog
    survey = catalog.get(owner.survey)
    if ref is not None and survey is not None:
        bound = text_bound(survey, conversation, ref)
    else:
        bound = longest_text(catalog.offered(False))
    if bound is not None and len(text) > bound:
        fail(400, "text_too_long", f"the answer is over {bound} characters")


def _owners() -> Owners:
    """Return this app's table of conversation owners."""
    from flask import current_app

    return current_app.extensions["widget_owners"]  # type: ignore[no-any-return]


@bp.post("/conversations")
def start_conversation() -> ResponseReturnValue:
    """Start the survey asked for (or resume it, or show the menu), or answer an invitation.

    The visitor's timezone, when the browser sent a real one, is stored for quiet hours.
    """
    from web import current_ecoute

    body = _body("StartRequest")
    ecoute = current_ecoute()
    survey = body.get("survey")
    if survey and survey not in {s.key for s in ecoute.catalog.offered(False)}:
        fail(404, "unknown_survey", f"there is no survey {survey!r}")
    if "ref" in body:  # the answer to an invitation the inbox handed over
        bound = longest_text(ecoute.catalog.offered(False))
        if bound is not None and len(body.get("text") or "") > bound:
            fail(400, "text_too_long", f"the answer is over {bound} characters")
        inbound = widget.invitation_answer(body["visitor"], body["client_message_id"],
                                           ref=body["ref"], text=body.get("text"),
                                           choice_id=body.get("choice_id"),
                                           language=body.get("language"))
    else:
        inbound = widget.start(body["visitor"], body["client_message_id"], survey=survey,
                               language=body.get("language"), context=body.get("context"))
    turn = ecoute.engine.handle(inbound)
    if turn.conversation is not None and turn.survey is not None:
        _owners().remember(turn.conversation,
                           ConversationOwner(widget.NAME, body["visitor"], turn.survey))
    if body.get("timezone"):  # the browser's zone, kept when it is a real one
        timezones.remember(ecoute.db, widget.NAME, body["visitor"], body["timezone"])
    return jsonify(widget.render_turn(turn))


@bp.post("/conversations/<conversation>/messages")
def post_message(conversation: str) -> ResponseReturnValue:
    """Hand the visitor's answer (typed text or a tapped choice) to the engine."""
    from web import current_ecoute

    body = _body("MessageRequest")
    owner = _owned(conversation, body["visitor"])
    _check_length(conversation, owner, body.get("text"), body.get("ref"))
    inbound = widget.message(body["visitor"], body["client_message_id"], text=body.get("text"),
                          choice_id=body.get("choice_id"), ref=body.get("ref"),
                          language=body.get("language"))
    return jsonify(widget.render_turn(current_ecoute().engine.handle(inbound)))


@bp.get("/conversations/<conversation>")
def resume_conversation(conversation: str) -> ResponseReturnValue:
    """Return the current question again if the conversation is still going on."""
    from web import current_ecoute

    visitor = _visitor_header()
    _owned(conversation, visitor)
    turn = current_ecoute().engine.resume(widget.identity(visitor))
    active = turn.conversation == conversation
    messages = [widget.render(m) for m in turn.messages] if active else []
    return jsonify(conversation=conversation, survey=turn.survey if active else None,
                   active=active, messages=messages)


@bp.post("/inbox")
def inbox() -> ResponseReturnValue:
    """Hand over the proactive messages waiting for a visitor (each one once)."""
    from web import current_ecoute

    visitor = _body("InboxRequest")["visitor"]
    ecoute = current_ecoute()
    messages = take_inbox(ecoute.db, widget.NAME, visitor, ecoute.engine.clock(),
                          announcing=ecoute.settings.announcements)
    return jsonify(messages=[widget.render(m) for m in messages])


@bp.get("/openapi.yaml")
def openapi_document() -> Response:
    """Serve the API's OpenAPI document."""
    return Response(OPENAPI.read_bytes(), mimetype="application/yaml")


@bp.errorhandler(WidgetError)
def _refused(error: WidgetError) -> ResponseReturnValue:
    return jsonify(error=error.code, message=error.message), error.status, error.headers


@bp.before_request
def _count_address() -> None:
    """Count the request against its address's limit, before anything is read (not preflights)."""
    from flask import current_app

    if request.method == "OPTIONS":
        return
    limits: WidgetLimits = current_app.extensions["widget_limits"]
    refused = limits.hit_address(request.remote_addr or "unknown")
    if refused is not None:
        fail(429, "too_many_requests", "too many requests: wait before trying again",
             refused.headers())


def _count_visitor(visitor: str) -> None:
    """Count the request against the limit of the (checked) visitor its turn uses."""
    from flask import current_app, g

    limits: WidgetLimits = current_app.extensions["widget_limits"]
    verdict = limits.hit_visitor(visitor)
    g.widget_limits = verdict.headers()
    if not verdict.allowed:
        fail(429, "too_many_requests", "too many requests: wait before trying again",
             verdict.headers())


@bp.after_request
def _limit_headers(response: Response) -> Response:
    """Tell the client where it stands with its limit."""
    from flask import g

    response.headers.update(g.get("widget_limits") or {})
    return response


def init_app(app: Flask) -> None:
    """Register the API with its rate limits and CORS on ``app``."""
    from web import current_ecoute

    with app.app_context():
        ecoute = current_ecoute()
    settings = ecoute.settings
    app.extensions["widget_owners"] = Owners(ecoute.db)
    app.extensions["widget_limits"] = WidgetLimits(
        settings.web.visitor_rate, settings.web.ip_rate, settings.rate_limit_storage)
    app.register_blueprint(bp)
    CORS(app, resources={r"/api/widget/*": {
        "origins": list(settings.allowed_origins),
        "methods": ["GET", "POST", "OPTIONS"],
        "allow_headers": ["Content-Type", VISITOR_HEADER],
        "max_age": 600,
    }})
