"""The web channel: the widget's JSON requests become the core's inbound messages.

The widget is a pull channel: it gets the bot's replies in the HTTP response to
each message and asks for proactive messages (``bot.inbox.take_inbox``) when it
opens, so there is no sender. A visitor is the random id the widget keeps in
localStorage (the :class:`Identity` external id on channel ``web``). The client
message id becomes the inbound event id, scoped by visitor so that nobody can
replay someone else's id and read the replies stored for it.
"""

from __future__ import annotations

from typing import Any

from bot.messages import Identity, Inbound, Outbound, Turn
from bot.text import clean_optional
from channels.widget import NAME


def identity(visitor: str) -> Identity:
    """Return the identity of a widget visitor."""
    return Identity(NAME, visitor)


def event_id(visitor: str, client_message_id: str) -> str:
    """Return the inbound event id of one client message (unique per visitor)."""
    return f"{visitor}:{client_message_id}"


def start(visitor: str, client_message_id: str, *, survey: str | None,
          language: str | None, context: str | None) -> Inbound:
    """Return the inbound message that starts ``survey`` (the menu when None)."""
    return Inbound(
        identity(visitor),
        event_id=event_id(visitor, client_message_id),
        command="start",
        argument=survey,
        locale=language,
        context=clean_optional(context),
    )


def message(visitor: str, client_message_id: str, *, text: str | None,
            choice_id: str | None, ref: str | None, language: str | None) -> Inbound:
    """Return the inbound message for typed text or a tapped choice."""
    return Inbound(
        identity(visitor),
        event_id=event_id(visitor, client_message_id),
        text=clean_optional(text),
        choice_id=clean_optional(choice_id),  # sent by the page, so as unsafe as typed text
        ref=clean_optional(ref) if choice_id is not None else None,
        locale=language,
    )


def invitation_answer(visitor: str, client_message_id: str, *, ref: str, text: str | None,
                      choice_id: str | None, language: str | None) -> Inbound:
    """Return the inbound answer to an invitation's first question (a tap or typed text)."""
    return Inbound(
        identity(visitor),
        event_id=event_id(visitor, client_message_id),
        text=clean_optional(text) if choice_id is None else None,
        choice_id=clean_optional(choice_id),
        ref=clean_optional(ref),
        locale=language,
    )


def render(outbound: Outbound) -> dict[str, Any]:
    """Return one outbound message as the widget shows it (plain text, choices, progress)."""
    data = outbound.to_dict()
    return {key: data[key] for key in (
        "text", "kind", "choices", "ref", "expects", "progress", "max_length", "language"
    )}


def render_turn(turn: Turn) -> dict[str, Any]:
    """Return an engine turn as the widget API's response body."""
    return {
        "conversation": turn.conversation,
        "survey": turn.survey,
        "messages": [render(m) for m in turn.messages],
        "duplicate": turn.duplicate,
    }
