"""Staff alerts: a detractor's answers go to the configured staff channels, via the outbox.

When a conversation ends and one of its scores is a detractor's (NPS 0-6,
CSAT 1-2), one delivery of kind ``alert`` is planned per alert target (for
example Slack's ``SLACK_ALERT_CHANNEL``), with the score, the comment (trimmed),
the channel and a link to the conversation in the staff console. The
idempotency key makes a replayed turn plan nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from bot.context import EngineSettings
from bot.i18n import gettext_for
from bot.messages import Kind, Outbound
from bot.metrics import is_detractor
from bot.questions import Question
from bot.surveys import Survey
from storage import outbox_store
from storage.db import Executor
from storage.rows import ConversationRow

COMMENT_LIMIT = 280


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
    for channel, address in targets:
        outbox_store.enqueue(
            session,
            key=f"alert:{conversation.public_id}:{channel}:{address}",
            kind="alert",
            channel=channel,
            respondent_id=None,
            address=address,
            payload=message.to_dict(),
            now=now,
        )


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
