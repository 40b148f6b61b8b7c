"""Staff alerts: a detractor's answers go to the configured staff channels, via the outbox.

When a conversation ends and one of its scores is a detractor's (NPS 0-6,
CSAT 1-2), one delivery of kind ``alert`` is planned per alert target (for
example Slack's ``SLACK_ALERT_CHANNEL``), with the score, the comment (trimmed),
the channel and a link to the conversation in the staff console. Each alert is
tied to the person and the conversation it is about (``about_*``, not its
addressee), so "forget" deletes it, or retracts it once posted. The
idempotency key makes a replayed turn plan nothing twice. An anonymous answer's
alert is due a random 15-45 minutes (whole minutes) after the end of the hour it
was given in, and its row is dated from that hour: neither time, nor the time
it is sent, says at which minute of the hour it was given.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from bot.context import EngineSettings
from bot.i18n import gettext_for
from bot.messages import Kind, Outbound
from bot.metrics import is_detractor
from bot.questions import Question
from bot.surveys import Survey
from storage import deliveries
from storage.db import Executor
from storage.hotpath.tracked import ConversationRow
from storage.vocabulary import DeliveryKind

COMMENT_LIMIT = 280
ANONYMOUS_ALERT_DELAY = (timedelta(minutes=15), timedelta(minutes=45))


def plan(
    session: Executor,
    settings: EngineSettings,
    conversation: ConversationRow,
    survey: Survey,
    now: datetime,
    *,
    anonymous: bool = False,
) -> None:
    """Plan an alert for each target if the finished conversation holds a detractor score."""
    targets = settings.alert_targets
    if not targets:
        return
    values = conversation.values
    scores = [
        (q, values[q.id]) for q in survey.questions
        if q.type in ("nps", "csat") and isinstance(values.get(q.id), int)
    ]
    low = [(q, v) for q, v in scores if is_detractor(q.type, v)]
    if not low:
        return
    message = _message(settings, conversation, survey, low, anonymous)
    due = now
    if anonymous:  # neither the delivery's times nor its row's may point at the author
        now = now.replace(minute=0, second=0, microsecond=0)
        due = now + timedelta(hours=1) + _anonymity_delay()
    for channel, address in targets:
        deliveries.enqueue(
            session,
            key=f"alert:{conversation.public_id}:{channel}:{address}",
            kind=DeliveryKind.ALERT,
            channel=channel,
            respondent_id=None,  # sent to staff, not to the person: stop does not apply
            address=address,
            payload=message.to_dict(),
            now=now,
            due=due,
            about_respondent_id=conversation.respondent_id,  # forget deletes or retracts it
            about_conversation_id=conversation.id,
            anonymous=anonymous,
        )


def _anonymity_delay() -> timedelta:
    """Return how long after its hour an anonymous alert waits: 15 to 45 whole minutes.

    Sent at once, an alert's time would match the moment the person submitted; a
    random wait from the end of the hour breaks that link.
    """
    low, high = ANONYMOUS_ALERT_DELAY
    minutes = int((high - low).total_seconds() // 60)
    return low + timedelta(minutes=secrets.randbelow(minutes + 1))


def _message(
    settings: EngineSettings,
    conversation: ConversationRow,
    survey: Survey,
    low: list[tuple[Question, int]],
    anonymous: bool,
) -> Outbound:
    """Build the alert in the staff's (default) language."""
    language = settings.default_language
    _ = gettext_for(language)
    comments = [
        str(v) for q in survey.questions
        if q.type == "text" and isinstance(v := conversation.values.get(q.id), str)
    ]
    comment = " / ".join(comments)
    if len(comment) > COMMENT_LIMIT:
        comment = comment[: COMMENT_LIMIT - 1] + "…"
    question, value = low[0]
    high = question.scale[1] if question.scale else 10
    fields = [
        (_("Score"), f"{value}/{high} ({question.type.upper()})"),
        (_("Comment"), comment or _("(none)")),
        (_("Channel"), conversation.channel + (_(" (anonymous)") if anonymous else "")),
        (_("Survey"), survey.key),
    ]
    if conversation.context:
        fields.append((_("Context"), conversation.context))
    return Outbound(
        text=_("Low score received: {score}/{high} on {survey}.").format(
            score=value, high=high, survey=survey.key
        ),
        kind=Kind.ALERT,
        fields=tuple(fields),
        link=f"{settings.console_url}/admin/conversations/{conversation.public_id}",
        language=language,
    )
