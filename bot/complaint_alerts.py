"""Staff alerts about a complaint: a reminder, an escalation, a reopening, a new message.

Every alert goes through the outbox as a delivery of kind ``alert`` to each
configured alert target (Slack's ``SLACK_ALERT_CHANNEL``), in the staff's default
language, with a link to the complaint's page in the console. It names the
complaint (reference, category, priority, status, what is due), and whom it is for
(the assignee's or the managers' addresses), never the complainant's words: the
page shows those to staff who sign in. Each alert is tied to the complainant
(``about_respondent_id``), so "forget" deletes it or retracts it once posted.

The caller gives the idempotency ``key`` (for example
``complaint-reminder:R-2026-0042:resolve:<due>``): a replayed scan, or a second
worker running the same scan, plans nothing twice.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bot.complaints import STATUS_NAMES
from bot.context import EngineSettings
from bot.i18n import gettext_for
from bot.messages import Kind, Outbound
from storage import deliveries
from storage.complaints import ComplaintRow
from storage.db import Executor
from storage.vocabulary import ComplaintStatus, DeliveryKind, Priority


def N_(text: str) -> str:
    """Mark a message for extraction; it is translated when the alert is built."""
    return text


class ComplaintAlert(StrEnum):
    """Why staff are alerted about a complaint."""

    REMINDER = "reminder"  # a deadline is near (by default at 80 % of it)
    ESCALATION = "escalation"  # a deadline was missed
    REOPENED = "reopened"  # the complainant said the resolution does not settle it
    MESSAGE = "message"  # the complainant wrote about their open complaint


PRIORITY_NAMES = {
    Priority.CRITICAL: N_("critical"),
    Priority.HIGH: N_("high"),
    Priority.MEDIUM: N_("medium"),
    Priority.LOW: N_("low"),
}
HEADLINES = {
    ComplaintAlert.REMINDER: N_("Complaint {reference}: a deadline is near."),
    ComplaintAlert.ESCALATION: N_("Complaint {reference}: a deadline was missed."),
    ComplaintAlert.REOPENED: N_("Complaint {reference} was reopened by the complainant."),
    ComplaintAlert.MESSAGE: N_("Complaint {reference}: the complainant wrote a message."),
}


def plan(session: Executor, settings: EngineSettings, complaint: ComplaintRow,
         alert: ComplaintAlert, *, key: str, now: datetime, due: datetime | None = None,
         for_staff: tuple[str, ...] = ()) -> int:
    """Plan ``alert`` about ``complaint`` to every alert target; return how many were new.

    ``due`` is the deadline the alert is about (shown in the alert); ``for_staff``
    the staff addresses (emails) it is meant for, shown so the channel knows whom.
    """
    message = _message(settings, complaint, alert, due, for_staff)
    planned = 0
    for channel, address in settings.alert_targets:
        planned += deliveries.enqueue(
            session,
            key=f"{key}:{channel}:{address}",
            kind=DeliveryKind.ALERT,
            channel=channel,
            respondent_id=None,  # sent to staff, not to the complainant
            address=address,
            payload=message.to_dict(),
            now=now,
            about_respondent_id=complaint.respondent_id,  # forget deletes or retracts it
        )
    return planned


def _message(settings: EngineSettings, complaint: ComplaintRow, alert: ComplaintAlert,
             due: datetime | None, for_staff: tuple[str, ...]) -> Outbound:
    """Build the alert in the staff's (default) language, without the complainant's words."""
    language = settings.default_language
    _ = gettext_for(language)
    fields = [
        (_("Priority"), _(PRIORITY_NAMES[Priority(complaint.priority)])),
        (_("Category"), complaint.category),
        (_("Status"), _(STATUS_NAMES[ComplaintStatus(complaint.status)])),
    ]
    if due is not None:
        fields.append((_("Due"), due.strftime("%Y-%m-%d %H:%M UTC")))
    if for_staff:
        fields.append((_("For"), ", ".join(for_staff)))
    return Outbound(
        text=_(HEADLINES[alert]).format(reference=complaint.reference),
        kind=Kind.ALERT,
        fields=tuple(fields),
        link=f"{settings.console_url}/admin/complaints/{complaint.reference}",
        language=language,
    )
