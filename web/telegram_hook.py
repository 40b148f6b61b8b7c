"""The Telegram webhook: ``POST /telegram/webhook`` hands each update to the bot.

Telegram proves it is Telegram with the ``X-Telegram-Bot-Api-Secret-Token``
header (set by ``ecoute telegram set-webhook``): a wrong or missing secret gets
403 and nothing is stored. The update is applied before answering (a turn takes
milliseconds), and the bot's last call of the turn travels back in the answer
itself, as the Bot API allows. A body that is not an update gets 400; an update
the bot cannot read is logged and acknowledged (200) so Telegram does not send
it again forever; an update the store could not apply gets 503 so it does.

A request waits at most ``ECOUTE_WEBHOOK_TIMEOUT`` seconds (5 by default) for its
turn, so a slow store never holds a web worker for long: past that it answers 503
and Telegram delivers the update again. The late turn still completes on the
bot's loop; the engine records each update id with its effect, so the retry finds
it applied and changes nothing.
"""

from __future__ import annotations

import hmac
import logging
import threading

from flask import Blueprint, Flask, abort, jsonify, request
from flask.typing import ResponseReturnValue

from channels.telegram.runtime import TelegramWebhook
from web import current_ecoute

bp = Blueprint("telegram_hook", __name__, url_prefix="/telegram")
log = logging.getLogger(__name__)
_lock = threading.Lock()
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _webhook(app: Flask) -> TelegramWebhook:
    """Return the app's webhook handler, made on first use (never at import)."""
    with _lock:
        found = app.extensions.get("telegram_webhook")
        if found is None:
            ecoute = current_ecoute()
            found = TelegramWebhook(ecoute.settings.telegram, ecoute.engine,
                                    default_language=ecoute.settings.default_language)
            app.extensions["telegram_webhook"] = found
        return found  # type: ignore[no-any-return]


@bp.post("/webhook")
def webhook() -> ResponseReturnValue:
    """Check the secret, apply the update, answer with the bot's last call if any."""
    from flask import current_app

    settings = current_ecoute().settings.telegram
    if not settings.token or not settings.webhook_secret:
        abort(404, "the Telegram webhook is not configured")
    given = request.headers.get(SECRET_HEADER, "")
    if not hmac.compare_digest(given.encode(), settings.webhook_secret.encode()):
        abort(403, "wrong or missing secret token")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than Python recurses
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
        abort(400, "the body is not a Telegram update")
    timeout = current_ecoute().settings.web.webhook_timeout
    try:
        outcome = _webhook(current_app).handle(data, timeout)  # type: ignore[arg-type]
    except TimeoutError:
        log.warning("telegram update %s took over %s s: answered 503 so Telegram retries",
                    data["update_id"], timeout)
        abort(503, "the update is taking too long; Telegram will send it again")
    except (AttributeError, KeyError, TypeError, ValueError) as error:  # not an update's shape
        log.warning("ignored unreadable telegram update %s: %s", data["update_id"],
                    type(error).__name__)
        return jsonify(ok=True)
    if outcome.failed:
        abort(503, "the update could not be stored; Telegram will send it again")
    if outcome.reply is not None:
        return jsonify(outcome.reply.to_json())
    return jsonify(ok=True)
