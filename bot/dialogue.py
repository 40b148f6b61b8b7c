"""Running a survey with one person: asking, validating, storing, branching, finishing.

Each answer is stored the moment it is given. Invalid answers get a short re-ask
with the valid range; after ``max_invalid`` tries the person is offered to skip
the question or stop. Only then may a required question be skipped: a skip sent
before is refused like any answer that does not fit. Choices are offered for
every closed question so that a channel with buttons shows buttons, and one
without shows numbered lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from bot import alerts, complaint_intake, webhook_events
from bot.context import TurnContext
from bot.i18n import Gettext, gettext_for, pick
from bot.messages import Choice, InputHint, Kind, Progress
from bot.questions import Invalid, Parsed, Question, parse_answer
from bot.surveys import Survey
from storage import answers, conversations
from storage.hotpath import tracked
from storage.vocabulary import ConversationStatus

SKIP = "answer:skip"
STOP = "answer:stop"
SKIP_WORDS = frozenset({"skip", "passer", "pass", "next", "suivant"})


def question_ref(public_id: str, question_id: str) -> str:
    """Return the opaque reference a question's choices are tied to."""
    return f"{public_id}:{question_id}"


def start(ctx: TurnContext, survey: Survey, context: str | None = None,
          prefill: dict[str, Parsed] | None = None) -> None:
    """Open a conversation on ``survey`` (closing any other) and ask its first question.

    ``prefill`` answers some questions already (stored as answers, then skipped).
    """
    current = ctx.conversation
    if current is not None:
        if (current.survey_version_id == ctx.version_of(ctx.connection, survey)
                and not context and not prefill):
            resume(ctx)
            return
        current.status = ConversationStatus.ABANDONED
        current.updated_at = ctx.now
        tracked.save(ctx.connection, current)  # before the new one: one active conversation each
    ctx.conversation = conversations.open_conversation(
        ctx.connection,
        respondent_id=ctx.respondent.id,
        version_id=ctx.version_of(ctx.connection, survey),
        channel=ctx.respondent.channel,
        language=ctx.language,
        context=context,
        now=ctx.now,
        step=first.id if (first := survey.next_question(None, {})) else None,
    )
    for question_id, parsed in (prefill or {}).items():
        _store(ctx, survey.question(question_id), parsed)
    _advance(ctx, survey, after=None)


def resume(ctx: TurnContext) -> None:
    """Ask the current question of the active conversation again."""
    conversation = ctx.conversation
    assert conversation is not None and conversation.step is not None
    survey = ctx.survey_of(ctx.connection, conversation)
    ask(ctx, survey, survey.question(conversation.step))


def answer(ctx: TurnContext) -> None:
    """Take the inbound message as the answer to the current question."""
    conversation = ctx.conversation
    assert conversation is not None and conversation.step is not None
    survey = ctx.survey_of(ctx.connection, conversation)
    question = survey.question(conversation.step)
    inbound = ctx.inbound
    if inbound.choice_id is not None and inbound.ref is not None \
            and inbound.ref != question_ref(conversation.public_id, question.id):
        ctx.say(ctx._("That question has already been answered."), Kind.NOTICE)
        return
    _take(ctx, survey, question)


def begin_with_answer(ctx: TurnContext, survey: Survey, context: str | None) -> None:
    """Open a conversation on ``survey`` and take the inbound message as its first answer.

    A person who answers the first question an invitation showed them (a tap on its
    buttons, or a typed reply) goes on as if they had started the survey themselves;
    any other active conversation is closed first, as :func:`start` does.
    """
    current = ctx.conversation
    if current is not None:
        current.status = ConversationStatus.ABANDONED
        current.updated_at = ctx.now
        tracked.save(ctx.connection, current)
    first = survey.next_question(None, {})
    assert first is not None, "a validated survey has a question"
    ctx.conversation = conversations.open_conversation(
        ctx.connection, respondent_id=ctx.respondent.id,
        version_id=ctx.version_of(ctx.connection, survey), channel=ctx.respondent.channel,
        language=ctx.language, context=context, now=ctx.now, step=first.id,
    )
    _take(ctx, survey, first)


def _take(ctx: TurnContext, survey: Survey, question: Question) -> None:
    """Take the inbound message (a tapped choice, else typed text) as the answer to ``question``."""
    inbound = ctx.inbound
    raw = inbound.choice_id if inbound.choice_id is not None else inbound.text or ""
    if question.type == "photo" and inbound.attachment is not None:
        _store(ctx, question, Parsed(text=inbound.attachment))
        _advance(ctx, survey, after=question.id)
        return
    if raw == STOP:
        stop_survey(ctx)
        return
    if raw == SKIP and not _skippable(ctx, question):
        _invalid(ctx, survey, question, _unanswered(question))
        return
    if raw == SKIP or (question.optional and raw.strip().casefold() in SKIP_WORDS):
        _advance(ctx, survey, after=question.id)
        return
    try:
        parsed = parse_answer(question, raw)
    except Invalid as invalid:
        _invalid(ctx, survey, question, invalid)
        return
    _store(ctx, question, parsed)
    _advance(ctx, survey, after=question.id)


def _skippable(ctx: TurnContext, question: Question) -> bool:
    """Tell whether the question may be skipped now: optional, or the skip was offered."""
    conversation = ctx.conversation
    assert conversation is not None
    return question.optional or conversation.attempts >= ctx.settings.max_invalid


def _unanswered(question: Question) -> Invalid:
    """Return why no answer does not fit a required question (its usual re-ask reason)."""
    try:
        parse_answer(question, "")
    except Invalid as invalid:
        return invalid
    return Invalid("empty")


def text_bound(survey: Survey, public_id: str, ref: str | None) -> int | None:
    """Return the length bound of the text question ``ref`` names in conversation ``public_id``.

    None when the ref names no text question of that conversation: the engine then
    checks the answer against the question it is actually given for.
    """
    for question in survey.questions:
        if question.type == "text" and question_ref(public_id, question.id) == ref:
            return question.max_length
    return None


def longest_text(surveys: Iterable[Survey]) -> int | None:
    """Return the most characters any text question of ``surveys`` takes (None: no text)."""
    return max((q.max_length for s in surveys for q in s.questions if q.type == "text"),
               default=None)


def stop_survey(ctx: TurnContext) -> None:
    """End the active conversation here; the answers given so far are kept."""
    conversation = ctx.conversation
    if conversation is not None:
        conversation.status = ConversationStatus.ABANDONED
        conversation.updated_at = ctx.now
    ctx.say(ctx._("All right, we stop here. Your answers so far are kept."), Kind.ACKNOWLEDGEMENT)


def _store(ctx: TurnContext, question: Question, parsed: Parsed) -> None:
    """Store one answer and remember its value for the branching conditions."""
    conversation = ctx.conversation
    assert conversation is not None
    answers.add_answer(
        ctx.connection,
        conversation,
        question.id,
        question.type,
        number=parsed.number,
        choice=parsed.choice,
        text=parsed.text,
        now=ctx.now,
    )
    conversation.values = {**conversation.values, question.id: parsed.value}


def _advance(ctx: TurnContext, survey: Survey, after: str | None) -> None:
    """Move to the next question whose condition holds, or finish the survey."""
    conversation = ctx.conversation
    assert conversation is not None
    conversation.attempts = 0
    conversation.updated_at = ctx.now
    following = survey.next_question(after, conversation.values)
    while following is not None and not _to_ask(ctx, following):
        following = survey.next_question(following.id, conversation.values)
    if following is None:
        _complete(ctx, survey)
        return
    conversation.step = following.id
    ask(ctx, survey, following)


def _to_ask(ctx: TurnContext, question: Question) -> bool:
    """Tell whether to ask a question: not already answered (pre-filled), and askable here."""
    assert ctx.conversation is not None
    if question.id in ctx.conversation.values:
        return False
    return question.type != "photo" or ctx.respondent.channel in ctx.settings.photo_channels


def _complete(ctx: TurnContext, survey: Survey) -> None:
    """Close the conversation, thank the person and, once, ask for follow-up consent.

    A complaint intake files the complaint instead (:mod:`bot.complaint_intake`); a
    low score is offered to become a complaint (after the consent question, if asked).
    """
    conversation = ctx.conversation
    assert conversation is not None
    conversation.status = ConversationStatus.COMPLETED
    conversation.step = None
    conversation.completed_at = ctx.now
    if survey.kind == "complaint":
        complaint_intake.complete(ctx, survey)
        return
    ctx.say(pick(survey.thanks, ctx.language), Kind.ACKNOWLEDGEMENT)
    alerts.plan(ctx.connection, ctx.settings, conversation, survey, ctx.now)
    webhook_events.plan(ctx.connection, ctx.settings, conversation, survey, ctx.now)
    respondent = ctx.respondent
    if (
        ctx.settings.ask_consent
        and respondent.consent_at is None
        and respondent.consent_asked_at is None
        and respondent.opted_out_at is None
    ):
        respondent.consent_asked_at = ctx.now
        respondent.pending = "consent"
        _ = ctx._
        ctx.say(
            _("May we message you here when we act on feedback like yours?"),
            Kind.QUESTION,
            choices=(Choice("consent:yes", _("Yes, tell me")), Choice("consent:no", _("No"))),
            ref="consent",
            expects=InputHint.CHOICE,
        )
        return
    complaint_intake.offer_after(ctx, survey, conversation.values)


def ask(ctx: TurnContext, survey: Survey, question: Question, *, reask: str | None = None) -> None:
    """Queue a question with its choices, progress and, for a re-ask, the reason first."""
    conversation = ctx.conversation
    assert conversation is not None
    lang = ctx.language
    text = pick(question.text, lang)
    if question.hint:
        text = f"{text}\n{pick(question.hint, lang)}"
    if reask:
        text = f"{reask}\n{text}"
    choices, expects = choices_for(question, lang)
    ctx.say(
        text,
        Kind.REASK if reask else Kind.QUESTION,
        choices=choices,
        ref=question_ref(conversation.public_id, question.id),
        expects=expects,
        progress=progress_of(survey, question, conversation.values,
                             photos=ctx.respondent.channel in ctx.settings.photo_channels),
        max_length=question.max_length if question.type == "text" else None,
    )


def choices_for(question: Question, language: str) -> tuple[tuple[Choice, ...], InputHint]:
    """Return the choices offered for a question and the kind of input expected."""
    _ = gettext_for(language)
    if question.scale:
        low, high = question.scale
        return tuple(Choice(str(n), str(n)) for n in range(low, high + 1)), InputHint.SCALE
    if question.type == "yesno":
        return (Choice("yes", _("Yes")), Choice("no", _("No"))), InputHint.CHOICE
    if question.type == "choice":
        return (
            tuple(Choice(o.id, pick(o.label, language)) for o in question.options),
            InputHint.CHOICE,
        )
    skip = (Choice(SKIP, _("Skip")),) if question.optional else ()
    return skip, InputHint.PHOTO if question.type == "photo" else InputHint.TEXT


def progress_of(survey: Survey, question: Question, values: dict[str, object], *,
                photos: bool = False) -> Progress:
    """Return the question's place among the most questions this person may still see.

    Later questions often branch on this one (the NPS "why" follows the score band),
    so the remaining path is measured for each possible answer and the longest kept;
    questions answered already (pre-filled) and a photo the channel cannot take are
    not counted. The result depends only on the answers that conditions name, the
    questions answered and the channel's photos: it is cached on them.
    """
    answered = frozenset(q.id for q in survey.questions if q.id in values)
    relevant = tuple(sorted((k, v) for k, v in values.items() if k in survey.condition_names))
    _SURVEYS[survey.hash] = survey
    ahead = _ahead(survey.hash, question.id, relevant, answered, photos)  # type: ignore[arg-type]
    return Progress(len(answered) + 1, len(answered) + 1 + ahead)


_SURVEYS: dict[str, Survey] = {}


@lru_cache(maxsize=4096)
def _ahead(digest: str, question_id: str, relevant: tuple[tuple[str, object], ...],
           answered: frozenset[str], photos: bool) -> int:
    """Return the most questions that can follow ``question_id`` given the relevant answers."""
    survey = _SURVEYS[digest]
    question = survey.question(question_id)
    values = dict(relevant)
    hypotheses: list[object] = [None]
    if question.scale:
        low, high = question.scale
        hypotheses = list(range(low, high + 1))
    elif question.type == "yesno":
        hypotheses = ["yes", "no"]
    elif question.type == "choice":
        hypotheses = [option.id for option in question.options]
    elif question.type in ("text", "photo"):
        hypotheses = [question.type]
    skipped = answered | ({q.id for q in survey.questions if q.type == "photo"}
                          if not photos else set())
    return max(_remaining(survey, question.id, {**values, question.id: v}, skipped)
               for v in hypotheses)


def _remaining(survey: Survey, after: str, values: dict[str, object],
               skipped: frozenset[str]) -> int:
    """Count the questions that would be asked after ``after`` given ``values``."""
    count = 0
    while (following := survey.next_question(after, values)) is not None:
        count += following.id not in skipped
        after = following.id
    return count


def _invalid(ctx: TurnContext, survey: Survey, question: Question, invalid: Invalid) -> None:
    """Re-ask with the reason, or after too many tries offer to skip or stop."""
    conversation = ctx.conversation
    assert conversation is not None
    conversation.attempts += 1
    conversation.updated_at = ctx.now
    _ = ctx._
    if conversation.attempts >= ctx.settings.max_invalid:
        ctx.say(
            _("That still doesn't fit. Shall we skip this question, or stop here?"),
            Kind.REASK,
            choices=(Choice(SKIP, _("Skip this question")), Choice(STOP, _("Stop the survey"))),
            ref=question_ref(conversation.public_id, question.id),
            expects=InputHint.CHOICE,
        )
        return
    ask(ctx, survey, question, reask=_reason(ctx, invalid))


def _reason(ctx: TurnContext, invalid: Invalid) -> str:
    """Return the short, translated reason an answer was refused."""
    return reason_text(ctx._, invalid)


def reason_text(_: Gettext, invalid: Invalid) -> str:
    """Return the short reason an answer was refused, translated by ``_``."""
    params = invalid.params
    if invalid.reason == "out_of_range":
        return _("Please answer with a whole number from {low} to {high}.").format(**params)
    if invalid.reason == "too_long":
        return _("Please keep it under {max} characters.").format(**params)
    if invalid.reason == "yes_or_no":
        return _("Please answer yes or no.")
    if invalid.reason == "pick_one":
        return _("Please pick one of the options (1 to {count}).").format(**params)
    if invalid.reason == "photo":
        return _("Please send a photo, or skip this step.")
    return _("Please type your answer.")
