"""Whole-form answers (a Slack modal, a web form): validated together, stored at once.

A form gives every answer in one go, so either all are valid and the
conversation is stored completed, or nothing is stored and each faulty question
gets its message (shown beside its field). An anonymous submission has no
sender: no respondent row, no transcript, no event link: nothing ties it to a
person. Nothing orders it against named answers or narrows its author down
either: its rows get random negative ids (:mod:`storage.anonymous`), its times
are cut to the hour, and its language is not stored (the thanks are still
given in it, never kept). Replayed submissions (same channel and event id) are
stored once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot import alerts, webhook_events
from bot.context import EngineSettings
from bot.dialogue import reason_text
from bot.i18n import choose_language, gettext_for, pick
from bot.messages import Identity, Kind, Outbound
from bot.questions import Invalid, Parsed, parse_answer
from bot.surveys import Survey
from storage import answers, conversations, events, respondents
from storage.hotpath import tracked
from storage.installation import Keyring
from storage.vocabulary import ConversationStatus

NO_LANGUAGE = ""  # an anonymous conversation's language: stored, it would narrow the author down


@dataclass(frozen=True)
class Submission:
    """A filled-in form: raw answers by question id; no sender means anonymous."""

    channel: str
    survey: str
    answers: Mapping[str, str]
    sender: Identity | None = None
    event_id: str | None = None
    language: str | None = None
    context: str | None = None


@dataclass(frozen=True)
class SubmitResult:
    """The stored conversation's id and the thanks, or the errors by question id."""

    conversation: str | None = None
    messages: tuple[Outbound, ...] = ()
    errors: Mapping[str, str] = field(default_factory=dict)
    duplicate: bool = False


def validate(survey: Survey, answers: Mapping[str, str],
             language: str) -> tuple[dict[str, Parsed], dict[str, str]]:
    """Parse every answer the form's branching asks for; return (values, errors)."""
    _ = gettext_for(language)
    parsed: dict[str, Parsed] = {}
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for question in survey.questions:
        if question.when is not None and not question.when.evaluate(values):  # type: ignore[arg-type]
            continue
        raw = (answers.get(question.id) or "").strip()
        if not raw:
            if not question.optional:
                errors[question.id] = _("Please answer this question.")
            continue
        try:
            parsed[question.id] = parse_answer(question, raw)
        except Invalid as invalid:
            errors[question.id] = reason_text(_, invalid)
            continue
        values[question.id] = parsed[question.id].value
    return parsed, errors


def store(
    session: Session,
    settings: EngineSettings,
    survey: Survey,
    version_id: int,
    submission: Submission,
    parsed: dict[str, Parsed],
    now: datetime,
    *,
    keyring: Keyring,
) -> SubmitResult:
    """Store a valid submission as one completed conversation; plan alerts and webhooks.

    An anonymous submission is stored with its times cut to the hour (to the
    second, they could be matched with the author's activity on the platform),
    random ids and no language.
    """
    language = choose_language(None, submission.language, settings.default_language)
    anonymous = submission.sender is None
    stored_at = now.replace(minute=0, second=0, microsecond=0) if anonymous else now
    respondent_id = _respondent_id(session, settings, submission, now, keyring)
    conversation = conversations.open_conversation(
        session, respondent_id=respondent_id, version_id=version_id, channel=submission.channel,
        language=NO_LANGUAGE if anonymous else language, context=submission.context,
        now=stored_at, anonymous=anonymous, status=ConversationStatus.COMPLETED,
    )
    for question_id, answer in parsed.items():
        question = survey.question(question_id)
        answers.add_answer(session, conversation, question_id, question.type, number=answer.number,
                           choice=answer.choice, text=answer.text, now=stored_at,
                           anonymous=anonymous)
    conversation.values = {qid: answer.value for qid, answer in parsed.items()}
    conversation.status = ConversationStatus.COMPLETED
    conversation.completed_at = stored_at
    tracked.save(session, conversation)
    alerts.plan(session, settings, conversation, survey, now, anonymous=anonymous)
    webhook_events.plan(session, settings, conversation, survey, now, anonymous=anonymous)
    thanks = Outbound(pick(survey.thanks, language), Kind.ACKNOWLEDGEMENT, language=language)
    if submission.event_id is not None:  # an anonymous reply keeps no thanks: they say the language
        reply = {"messages": [] if anonymous else [thanks.to_dict()],
                 "conversation": conversation.public_id, "survey": survey.key}
        events.record_event(session, keyring, submission.channel, submission.event_id,
                            respondent_id=respondent_id, reply=reply, now=stored_at,
                            anonymous=anonymous)
    return SubmitResult(conversation.public_id, (thanks,))


def _respondent_id(session: Session, settings: EngineSettings, submission: Submission,
                   now: datetime, keyring: Keyring) -> int | None:
    """Return the sender's respondent id (created the first time); None when anonymous."""
    if submission.sender is None:
        return None
    respondent, _active = respondents.find_respondent(
        session, submission.sender.channel, submission.sender.external_id
    )
    if respondent is None:
        respondent = respondents.create_respondent(
            session, submission.sender.channel, submission.sender.external_id, now,
            internal=submission.channel in settings.internal_channels, keyring=keyring,
        )
    return respondent.id
