"""The Slack sender of the outbox: a DM to a person, or a post in a channel (staff alerts).

``address`` is a Slack user id (``U…``/``W…``: the DM is opened with
``conversations.open``) or a channel id (``C…``/``G…``/``D…``: posted to as is).
Slack's answers become the outbox's outcomes: HTTP 429 with ``Retry-After`` ->
:class:`RetryLater`; a person who is gone (``user_not_found``,
``account_inactive``, ``cannot_dm_bot``…) -> :class:`PermanentError` that marks
them unreachable; a configuration problem (bad token, bot not in the alert
channel) -> a permanent failure that leaves the person alone; anything else
(network, 5xx) -> :class:`TransientError`, retried with back-off.

Every post returns its receipt (the ``channel`` and ``ts`` Slack answered), which
the outbox keeps. A retraction (someone asked to be forgotten) deletes the
posted message with ``chat.delete``; where Slack does not allow deleting it,
``chat.update`` replaces its text and blocks with a redacted line. A message
already gone is done.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.i18n import gettext_for
from bot.messages import Outbound
from bot.sending import PermanentError, Receipt, Retraction, RetryLater, SendError, TransientError
from channels.slack.render import fallback_text, message_blocks

GONE = frozenset({"user_not_found", "account_inactive", "cannot_dm_bot", "user_disabled",
                  "users_not_found", "user_is_bot"})
MISCONFIGURED = frozenset({"channel_not_found", "not_in_channel", "is_archived", "invalid_auth",
                           "not_authed", "token_revoked", "account_inactive_bot",
                           "missing_scope", "restricted_action", "msg_too_long",
                           "invalid_blocks", "no_text"})
CANNOT_DELETE = frozenset({"cant_delete_message", "restricted_action", "not_allowed_token_type"})
ALREADY_GONE = frozenset({"message_not_found"})


def is_person(address: str) -> bool:
    """Tell a user id (a DM must be opened) from a channel id."""
    return address[:1] in ("U", "W")


def post(client: WebClient, channel: str, message: Outbound) -> Receipt:
    """Post one outbound message, rendered in Block Kit, to a channel or an open DM."""
    response = client.chat_postMessage(channel=channel, text=fallback_text(message),
                                       blocks=message_blocks(message), unfurl_links=False)
    return {"channel": str(response.get("channel") or channel), "ts": str(response.get("ts"))}


def open_dm(client: WebClient, user: str) -> str:
    """Return the id of the bot's DM with ``user`` (opening it if needed)."""
    response = client.conversations_open(users=user)
    return str(response["channel"]["id"])


class SlackSender:
    """Delivers the outbox's messages to Slack through the real WebClient."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def send(self, address: str, message: Outbound) -> Receipt:
        """Deliver ``message`` to ``address`` and return its receipt, or raise a SendError."""
        try:
            channel = open_dm(self.client, address) if is_person(address) else address
            return post(self.client, channel, message)
        except SlackApiError as error:
            raise outcome(error) from error
        except (SlackClientError, OSError) as error:  # network trouble, timeouts
            raise TransientError(f"{type(error).__name__}: {error}") from error

    def retract(self, address: str, retraction: Retraction) -> None:
        """Delete the posted message (or redact it where deleting is refused)."""
        channel = retraction.receipt.get("channel") or address
        ts = retraction.receipt["ts"]
        try:
            try:
                self.client.chat_delete(channel=channel, ts=ts)
            except SlackApiError as refused:
                code = _code(refused)
                if code in ALREADY_GONE:
                    return
                if code not in CANNOT_DELETE:
                    raise
                self._redact(channel, ts, retraction.language)
        except SlackApiError as error:
            if _code(error) in ALREADY_GONE:
                return
            raise outcome(error) from error
        except (SlackClientError, OSError) as error:
            raise TransientError(f"{type(error).__name__}: {error}") from error

    def _redact(self, channel: str, ts: str, language: str) -> None:
        """Replace a message's text and blocks with a line saying it was removed."""
        _ = gettext_for(language, "slack")
        text = _("(removed at the person's request)")
        self.client.chat_update(channel=channel, ts=ts, text=text, blocks=[
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"_{text}_"}]}])


def outcome(error: SlackApiError) -> SendError:
    """Map Slack's answer to the outbox's outcome."""
    response = error.response
    if response.status_code == 429:
        return RetryLater(_retry_after(response.headers))
    code = _code(error)
    if code in GONE:
        return PermanentError(code)
    if code in MISCONFIGURED:
        return PermanentError(code, unreachable=False)
    if code == "ratelimited":
        return RetryLater(_retry_after(response.headers))
    return TransientError(f"slack answered {response.status_code} {code or 'without a code'}")


def _code(error: SlackApiError) -> str:
    """Return Slack's error code (``cant_delete_message``…), or "" when it gave none."""
    response = error.response
    return str(response.get("error") or "") if isinstance(response.data, dict) else ""


def _retry_after(headers: dict[str, object]) -> float:
    """Read ``Retry-After`` (seconds); one second when missing or odd."""
    raw = headers.get("Retry-After") or headers.get("retry-after") or 1
    if isinstance(raw, list):
        raw = raw[0]
    try:
        return max(float(str(raw)), 0.0)
    except ValueError:
        return 1.0
