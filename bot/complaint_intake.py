"""The complaint intake in the dialogue: starting it, offering it, filing it, telling its status.

It starts three ways: asked for (``complaint``, ``réclamation``, ``/complaint``, the
``complaint`` survey key), offered after a low score (pre-filled with what the
person already wrote), or offered when a message outside any survey reads as a
complaint (:mod:`bot.complaint_detection`, pre-filled with that message). An
offer asks the dialogue's ``proceed`` question first; asking for it answers that
question already. When the dialogue completes, the complaint is filed
(:func:`bot.complaint_desk.file`) in the same turn, so an event applied once
files once, and the person gets its reference and the date they will hear back by.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from babel.dates import format_datetime

from bot import complaint_actions, complaint_desk, dialogue
from bot.complaint_desk import Intake
from bot.complaint_detection import reads_as_complaint
from bot.complaints import STATUS_NAMES
from bot.context import TurnContext
from bot.i18n import pick
from bot.messages import Kind
from bot.questions import Parsed
from bot.surveys import Survey
from storage import answers, conversations
from storage.hotpath import tracked
from storage.vocabulary import ComplaintStatus, Urgency

LOW_SCORES = {"nps": 6, "csat": 2}  # at or below: the person is offered to complain
REQUIRED = ("proceed", "category", "description", "urgency", "contact")


def check(survey: Survey) -> None:
    """Refuse a complaint dialogue that lacks a question the intake reads."""
    ids = {q.id for q in survey.questions}
    missing = [name for name in REQUIRED if name not in ids]
    if missing:
        raise ValueError(f"the complaint dialogue {survey.key!r} lacks the questions "
                         f"{', '.join(missing)}")
    urgency = {o.id for o in survey.question("urgency").options}
    if urgency != {u.value for u in Urgency}:
        raise ValueError("the complaint dialogue's urgency options must be blocking, annoying "
                         "and minor")


def categories(survey: Survey) -> frozenset[str]:
    """Return the category ids a complaint dialogue offers."""
    return frozenset(o.id for o in survey.question("category").options)


def start(ctx: TurnContext, context: str | None = None) -> None:
    """Start the complaint dialogue the person asked for (no "shall we?" first).

    Asked again in the middle of it, the current question is asked again.
    """
    current = ctx.conversation
    if (current is not None and current.step is not None
            and ctx.survey_of(ctx.connection, current).kind == "complaint"):
        dialogue.resume(ctx)
        return
    _open(ctx, {"proceed": Parsed(choice="yes")}, context)


def offer_after(ctx: TurnContext, survey: Survey, values: Mapping[str, object]) -> None:
    """After a low score, offer to handle it as a complaint, pre-filled with what was said."""
    if survey.kind != "survey" or not _low(survey, values):
        return
    said = "\n".join(str(values[q.id]) for q in survey.questions
                     if q.type == "text" and values.get(q.id))
    if ctx.conversation is not None:
        tracked.save(ctx.connection, ctx.conversation)  # the finished survey, before the offer
        ctx.conversation = None
    _open(ctx, _described(ctx, said), None)


def offer_after_consent(ctx: TurnContext) -> None:
    """Once the consent question is answered, make the offer the finished survey deserved."""
    if ctx.conversation is not None:
        return
    last = conversations.last_conversation(ctx.session, ctx.respondent.id)
    if last is None or last.completed_at is None:
        return
    offer_after(ctx, ctx.survey_of(ctx.session, last), last.values)


def detect(ctx: TurnContext) -> bool:
    """Offer to file a message outside any survey that reads as a complaint; tell if offered."""
    text = ctx.inbound.text
    if ctx.catalog.complaint() is None or not reads_as_complaint(text):
        return False
    _open(ctx, _described(ctx, text or ""), None)
    return True


def complete(ctx: TurnContext, survey: Survey) -> None:
    """File the complaint the dialogue collected, or say nothing was filed if declined."""
    conversation = ctx.conversation
    assert conversation is not None
    values = conversation.values
    if values.get("proceed") != "yes":
        answers.delete_answers(ctx.connection, conversation.id)  # declined: keep none of it
        conversation.values = {}
        ctx.say(pick(survey.thanks, ctx.language), Kind.ACKNOWLEDGEMENT)
        return
    filed = complaint_desk.file(ctx.connection, ctx.settings.complaints, Intake(
        respondent_id=ctx.respondent.id, conversation_id=conversation.id,
        channel=ctx.respondent.channel, language=ctx.language,
        category=str(values["category"]), description=str(values["description"]),
        urgency=Urgency(str(values["urgency"])), contact_consent=values.get("contact") == "yes",
        own_reference=_optional(values.get("own_reference")),
        photo_file_id=_optional(values.get("photo")),
    ), now=ctx.now, actor="respondent")
    complaint_actions.announce_filed(ctx.connection, ctx.settings, filed.reference, now=ctx.now)
    _ = ctx._
    ctx.say(_("Your complaint is registered under the reference {ref}. We will get back to "
              "you by {when}. To follow it, type “status {ref}”.").format(
                  ref=filed.reference, when=_when(ctx, filed.acknowledge_due_at)),
            Kind.ACKNOWLEDGEMENT)


def status(ctx: TurnContext, argument: str | None) -> None:
    """Tell a complaint's status and next due date, to the person who filed it only."""
    _ = ctx._
    if not argument:
        ctx.say(_("Please give the reference of your complaint, such as “status R-2026-0042”."))
        return
    found = complaint_desk.for_owner(ctx.connection, argument, ctx.respondent.id)
    if found is None:  # not theirs, or no such complaint: the very same answer
        ctx.say(_("There is no complaint with the reference {ref}.").format(
            ref=argument.strip().upper()[:32]))
        return
    state = _(STATUS_NAMES[ComplaintStatus(found.status)])
    due = complaint_desk.next_due(found)
    if due is None:
        ctx.say(_("Complaint {ref}: {status}.").format(ref=found.reference, status=state))
    else:
        ctx.say(_("Complaint {ref}: {status}. Next step by {when}.").format(
            ref=found.reference, status=state, when=_when(ctx, due)))


def _open(ctx: TurnContext, prefill: dict[str, Parsed], context: str | None) -> None:
    """Open the complaint dialogue with some answers already given."""
    survey = ctx.catalog.complaint()
    if survey is None:
        ctx.say(ctx._("Complaints cannot be filed here yet."), Kind.INFO)
        return
    dialogue.start(ctx, survey, context, prefill)


def _described(ctx: TurnContext, said: str) -> dict[str, Parsed]:
    """Return the pre-filled description (none when empty or too long for the question)."""
    survey = ctx.catalog.complaint()
    said = said.strip()
    if survey is None or not said or len(said) > survey.question("description").max_length:
        return {}
    return {"description": Parsed(text=said)}


def _low(survey: Survey, values: Mapping[str, object]) -> bool:
    """Tell whether a finished survey's score is low enough to offer a complaint."""
    for question in survey.questions:
        value = values.get(question.id)
        limit = LOW_SCORES.get(question.type)
        if limit is not None and isinstance(value, int) and value <= limit:
            return True
    return False


def _optional(value: object) -> str | None:
    """Return an optional answer as text (None when skipped)."""
    return str(value) if value not in (None, "") else None


def _when(ctx: TurnContext, moment: datetime) -> str:
    """Return a due date as the person reads it, in the calendar's timezone."""
    calendar = ctx.settings.complaints.calendar
    shown = format_datetime(moment, "EEEE d MMMM y, HH:mm", tzinfo=calendar.zone,
                            locale=ctx.language)
    return f"{shown} ({calendar.timezone})"
