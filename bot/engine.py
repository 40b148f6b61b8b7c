"""The dialogue engine: one inbound message in, the replies out, applied exactly once.

Usage::

    engine = DialogueEngine(database, SurveyCatalog.from_directory(Path("surveys")))
    turn = engine.handle(Inbound(Identity("console", "ana"), event_id="e1", text="start nps"))
    for message in turn.messages:
        print(message.text)

Every turn runs in one transaction: the person, their conversation, the answer,
the transcript and the (channel, event id) record commit together, so a replayed
event finds its record and gets the stored replies back (``Turn.duplicate``)
without a second effect. The event id is stored as a keyed hash (the
installation's :class:`~storage.installation.Keyring`), so the table holds no
platform id. The engine never sends anything: adapters deliver the
returned messages, and proactive messages go through :mod:`bot.outbox`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from bot import (
    announcements,
    call_answers,
    commands,
    complaint_intake,
    complaint_thread,
    dialogue,
    invitations,
    submissions,
)
from bot.context import EngineSettings, TurnContext
from bot.i18n import choose_language
from bot.messages import Identity, Inbound, Outbound, Turn
from bot.questions import Parsed
from bot.submissions import Submission, SubmitResult
from bot.surveys import Survey, SurveyCatalog, from_definition
from storage import conversations, events, respondents
from storage.db import Database, Executor
from storage.hotpath import tracked
from storage.hotpath.tracked import ConversationRow, RespondentRow
from storage.installation import Keyring
from storage.locks import try_cluster_lock
from storage.models import Conversation

Clock = Callable[[], datetime]
SEEN_RESOLUTION = timedelta(hours=1)  # "last seen" is kept to the hour: no write every turn
# Answers to proactive messages (an invitation, news of a complaint, an announcement, a call):
# each recognises its own by the ref its message carried, or by what it is waiting for.
ANSWERS = (invitations.handle, complaint_thread.handle, announcements.handle,
           call_answers.handle)


def utcnow() -> datetime:
    """Return the current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


class DialogueEngine:
    """Turns normalised inbound messages into replies, storing everything as it goes."""

    def __init__(
        self,
        database: Database,
        catalog: SurveyCatalog,
        *,
        settings: EngineSettings | None = None,
        clock: Clock = utcnow,
        keyring: Keyring | None = None,
    ) -> None:
        self.db = database
        self.catalog = catalog
        self.settings = settings or EngineSettings()
        self.keyring = keyring or Keyring.configured_or_stored(None, database)
        self.clock = clock
        self._versions: dict[str, int] = {}
        self._surveys: dict[int, Survey] = {}

    def handle(self, inbound: Inbound) -> Turn:
        """Apply one inbound message once and return the replies to it."""
        self.keyring.load()  # outside the turn's transaction: it may store the secret
        try:
            return self._handle(inbound, replay_check=False)
        except IntegrityError:
            # The event was applied before (a replay, or a concurrent delivery that won the
            # race), or the same new person was created concurrently: look again, properly.
            return self._handle(inbound, replay_check=True)

    def submit(self, submission: Submission) -> SubmitResult:
        """Validate a whole form and store it at once (nothing when any answer is wrong)."""
        survey = self.catalog.get(submission.survey)
        if survey is None or survey.kind != "survey":  # a complaint is filed in a dialogue
            raise KeyError(f"no survey {submission.survey!r}")
        language = choose_language(None, submission.language, self.settings.default_language)
        parsed, errors = submissions.validate(survey, submission.answers, language)
        if errors:
            return SubmitResult(errors=errors)
        if len(self._versions) < len(self.catalog):
            self.register_surveys()
        self.keyring.load()
        try:
            return self._submit(submission, survey, parsed)
        except IntegrityError:  # the same submission stored by a concurrent retry
            return self._submit(submission, survey, parsed)

    def _submit(self, submission: Submission, survey: Survey,
                parsed: dict[str, Parsed]) -> SubmitResult:
        """Store a validated submission once (a replay returns the stored thanks)."""
        with self.db.transaction() as session:
            if submission.event_id is not None:
                stored = events.event_reply(session, self.keyring, submission.channel,
                                            submission.event_id)
                if stored is not None:
                    turn = _replayed(stored)
                    return SubmitResult(turn.conversation, turn.messages, duplicate=True)
            return submissions.store(session, self.settings, survey,
                                     self.version_of(session, survey), submission, parsed,
                                     self.clock(), keyring=self.keyring)

    def resume(self, identity: Identity) -> Turn:
        """Return the current question of the person's active conversation, storing nothing."""
        with self.db.reading() as connection:  # never waits for a writer
            respondent, conversation = respondents.find_respondent(
                connection, identity.channel, identity.external_id
            )
            if respondent is None or conversation is None or conversation.step is None:
                return Turn()
            ctx = self._context(connection, Inbound(identity), respondent, conversation)
            dialogue.resume(ctx)
            return Turn(tuple(ctx.out), conversation=conversation.public_id,
                        survey=self.survey_of(connection, conversation).key)

    def _handle(self, inbound: Inbound, *, replay_check: bool) -> Turn:
        """Run one turn in one transaction.

        The first try does not look the event up: its record is inserted last, under
        the unique constraint, so a replay fails there and rolls back everything it
        did; the second try (``replay_check``) then finds the stored replies. One
        statement fewer on every normal turn, the same guarantee.
        """
        channel = inbound.sender.channel
        if len(self._versions) < len(self.catalog):
            self.register_surveys()
        with self.db.connection() as connection:
            if replay_check and inbound.event_id is not None:
                stored = events.event_reply(connection, self.keyring, channel, inbound.event_id)
                if stored is not None:
                    return _replayed(stored)
            respondent, conversation = respondents.find_respondent(
                connection, channel, inbound.sender.external_id
            )
            if respondent is None:
                respondent = respondents.create_respondent(
                    connection, channel, inbound.sender.external_id, self.clock(),
                    internal=channel in self.settings.internal_channels,
                    language=choose_language(None, inbound.locale,
                                             self.settings.default_language),
                    keyring=self.keyring,
                )
            ctx = self._context(connection, inbound, respondent, conversation)
            self._route(ctx)
            return self._finish(ctx)

    def _context(
        self,
        connection: Connection,
        inbound: Inbound,
        respondent: RespondentRow,
        conversation: ConversationRow | None,
    ) -> TurnContext:
        """Build the turn's context, taking the language hint when none was chosen."""
        now = self.clock()
        if respondent.seen_at is None or now - respondent.seen_at > SEEN_RESOLUTION:
            respondent.seen_at = now
        respondent.language = choose_language(
            respondent.language if respondent.language_chosen else None, inbound.locale,
            respondent.language or self.settings.default_language,  # what we last knew
        )
        return TurnContext(
            connection=connection,
            inbound=inbound,
            respondent=respondent,
            conversation=conversation,
            now=now,
            settings=self.settings,
            catalog=self.catalog,
            survey_of=self.survey_of,
            version_of=self.version_of,
            keyring=self.keyring,
        )

    def _route(self, ctx: TurnContext) -> None:
        """Route the message: a pending confirmation, a command, an invitation, the survey, help.

        Between the invitation and the survey: the answers about a complaint and, outside
        any survey, the complainant's messages to their open complaint.

        A message outside any survey that reads as a complaint is offered to be filed.
        """
        if ctx.respondent.pending and commands.answer_pending(ctx):
            return
        command = commands.recognise(ctx)
        if command is not None:
            commands.run(ctx, command)
        elif any(answer(ctx) for answer in ANSWERS):
            return
        elif ctx.conversation is not None and ctx.conversation.step is not None:
            dialogue.answer(ctx)
        elif ctx.inbound.choice_id is not None:
            ctx.say(ctx._("That question has already been answered."))
            commands.menu(ctx, ctx._("Would you like to answer another survey?"))
        elif complaint_intake.detect(ctx):
            return
        else:
            _ = ctx._
            commands.menu(ctx, _("I'm here for your feedback. Which survey shall we start?"))

    def _finish(self, ctx: TurnContext) -> Turn:
        """Save the changed rows and log the turn (the transcript and the replay guard)."""
        ctx.flush()
        replies = [message.to_dict() for message in ctx.out]
        conversation = None if ctx.erased else ctx.conversation
        said = None
        if not ctx.erased:
            tracked.save(ctx.connection, ctx.respondent, ctx.opened_with, ctx.conversation)
            if self.settings.keep_transcript:
                inbound = ctx.inbound
                said = inbound.text if inbound.text is not None else inbound.choice_id
        logged = None if ctx.erased else (ctx.conversation or ctx.opened_with)
        survey = self.survey_of(ctx.connection, conversation).key if conversation else None
        public_id = conversation.public_id if conversation else None
        events.record_event(
            ctx.connection,
            self.keyring,
            ctx.inbound.sender.channel,
            ctx.inbound.event_id or f"local-{uuid.uuid4().hex}",
            respondent_id=None if ctx.erased else ctx.respondent.id,
            conversation_id=logged.id if logged else None,
            said=said,
            reply={"messages": replies, "conversation": public_id, "survey": survey},
            now=ctx.now,
        )
        return Turn(tuple(ctx.out), conversation=public_id, survey=survey)

    def register_surveys(self) -> None:
        """Store every catalog survey's version (once per process, in its own transaction)."""
        for survey in self.catalog:
            if survey.hash in self._versions:
                continue
            try:
                with self.db.transaction() as session:
                    found = conversations.survey_version_id(
                        session, survey.key, survey.hash, survey.definition, self.clock()
                    )
            except IntegrityError:  # another process stored it at the same moment
                with self.db.transaction() as session:
                    found = conversations.survey_version_id(
                        session, survey.key, survey.hash, survey.definition, self.clock()
                    )
            self._versions[survey.hash] = found
            self._surveys[found] = survey

    def version_of(self, session: Executor, survey: Survey) -> int:
        """Return the stored id of this exact survey version."""
        found = self._versions.get(survey.hash)
        if found is None:  # not from the catalog: store it in the turn's own transaction
            found = conversations.survey_version_id(
                session, survey.key, survey.hash, survey.definition, self.clock()
            )
        return found

    def survey_of(self, session: Executor, conversation: ConversationRow | Conversation) -> Survey:
        """Return the exact survey version a conversation runs on."""
        version_id = conversation.survey_version_id
        survey = self._surveys.get(version_id)
        if survey is None:
            definition = conversations.survey_definition(session, version_id)
            survey = from_definition(definition, f"survey version {version_id}")
            self._surveys[version_id] = survey
        return survey

    def expire_idle(self, now: datetime | None = None) -> int:
        """Mark conversations idle longer than the idle timeout abandoned; return how many."""
        now = now or self.clock()
        with self.db.transaction() as session:
            if not try_cluster_lock(session, "expire_idle"):
                return 0  # another worker is doing it right now
            return conversations.abandon_idle(session, now - self.settings.idle_timeout, now)


def _replayed(stored: dict[str, object]) -> Turn:
    """Rebuild the turn stored for an event already applied."""
    messages = stored.get("messages") or []
    return Turn(
        tuple(Outbound.from_dict(m) for m in messages),  # type: ignore[union-attr,arg-type]
        duplicate=True,
        conversation=stored.get("conversation"),  # type: ignore[arg-type]
        survey=stored.get("survey"),  # type: ignore[arg-type]
    )
