"""Typed SQLAlchemy 2 models: the one store every channel writes to.

Answers are rows with a typed value (``number`` for scores, ``text`` for free
text, ``choice`` for options) tied to the exact survey version that asked them,
so NPS, CSAT and CES are indexed SQL aggregates and editing a survey never
rewrites history.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Id = BigInteger().with_variant(Integer(), "sqlite")


class When(TypeDecorator[datetime]):
    """A UTC timestamp that comes back timezone-aware on every database (SQLite too)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        """Store aware times in UTC; naive ones are taken as UTC."""
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if getattr(dialect, "name", "") == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        """Return an aware UTC time."""
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value



class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: When(), dict[str, Any]: JSON, list[Any]: JSON}


class Respondent(Base):
    """A person on one channel; consent, opt-out and reachability live here."""

    __tablename__ = "respondent"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    language_chosen: Mapped[bool] = mapped_column(default=False)
    internal: Mapped[bool] = mapped_column(default=False)
    consent_at: Mapped[datetime | None]
    consent_asked_at: Mapped[datetime | None]
    opted_out_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(255))
    pending: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]
    seen_at: Mapped[datetime]
    # the company's own id for the person: links their identities on several channels
    customer_ref: Mapped[str | None] = mapped_column(String(128), index=True)


class SurveyVersion(Base):
    """One exact version of a declared survey, identified by its content hash."""

    __tablename__ = "survey_version"
    __table_args__ = (UniqueConstraint("key", "hash"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    hash: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Conversation(Base):
    """One run of one survey with one person (or with nobody, when anonymous)."""

    __tablename__ = "conversation"
    __table_args__ = (
        Index(
            "uq_conversation_active_respondent",
            "respondent_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_conversation_status_updated_at", "status", "updated_at"),
        {"sqlite_autoincrement": True},  # ids never follow anonymous ones (storage.anonymous)
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True
    )
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    step: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    context: Mapped[str | None] = mapped_column(String(128))
    values: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    completed_at: Mapped[datetime | None]


class Answer(Base):
    """One answer: the question id, its type and a typed value."""

    __tablename__ = "answer"
    __table_args__ = (
        UniqueConstraint("conversation_id", "question_id"),
        Index("ix_answer_question_type_created_at", "question_type", "created_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE")
    )
    survey_version_id: Mapped[int] = mapped_column(ForeignKey("survey_version.id"))
    question_id: Mapped[str] = mapped_column(String(64))
    question_type: Mapped[str] = mapped_column(String(16))
    number: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
    choice: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class InboundEvent(Base):
    """One applied turn: the platform's event (unique per channel), what was said, the replies.

    The unique (channel, event id) pair makes replays harmless; ordered by time,
    a person's rows are the transcript of their conversations ("forget" blanks
    them, keeping only the event id so a late replay still changes nothing).
    """

    __tablename__ = "inbound_event"
    __table_args__ = (UniqueConstraint("channel", "event_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    event_id: Mapped[str] = mapped_column(String(128))
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    said: Mapped[str | None] = mapped_column(Text)
    reply: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(index=True)


class Campaign(Base):
    """One proactive campaign (a pulse run, an announcement): its deliveries point to it.

    It names what is sent and to which channel, never to whom: it holds no
    personal data (its deliveries do, and "forget" deletes those).
    """

    __tablename__ = "campaign"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Delivery(Base):
    """The outbox: one proactive message to send, with its retry state."""

    __tablename__ = "delivery"
    __table_args__ = (Index("ix_delivery_status_next_attempt_at", "status", "next_attempt_at"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="CASCADE"), index=True
    )
    address: Mapped[str | None] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    # whom the message is about (a staff alert): "forget" deletes or retracts it
    about_respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True
    )
    about_conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"), index=True
    )
    # where the platform shows it once sent (Slack: channel and ts), to retract it
    receipt: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )


class Suppression(Base):
    """An opted-out person who was forgotten: only a digest of (channel, id) remains."""

    __tablename__ = "suppression"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]


class Installation(Base):
    """Facts of this installation as key/value pairs (the secret of the keyed hashes)."""

    __tablename__ = "installation"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class StaffUser(Base):
    """A staff account of the console: its email is stored lower-cased, so unique in any case."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime | None]


class ApiToken(Base):
    """A Bearer token of the REST API: only a SHA-256 digest of the token is kept."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(8))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class AuditEntry(Base):
    """Who did what, when: sign-ins, transcript views, exports, account and token changes."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(254))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SignInFailure(Base):
    """A failed sign-in, counted per account and per address to throttle guessing."""

    __tablename__ = "sign_in_failure"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)


class SetupLink(Base):
    """A one-time link that creates the first admin: its token's digest, expiry and use."""

    __tablename__ = "setup_link"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


SCORE_VALUES = range(11)  # every score value of every type: NPS 0-10, CSAT 1-5, CES 1-7


class _ScoreCounts:
    """How many answers gave each score value, one column per value (``n0`` … ``n10``)."""

    n0: Mapped[int] = mapped_column(default=0)
    n1: Mapped[int] = mapped_column(default=0)
    n2: Mapped[int] = mapped_column(default=0)
    n3: Mapped[int] = mapped_column(default=0)
    n4: Mapped[int] = mapped_column(default=0)
    n5: Mapped[int] = mapped_column(default=0)
    n6: Mapped[int] = mapped_column(default=0)
    n7: Mapped[int] = mapped_column(default=0)
    n8: Mapped[int] = mapped_column(default=0)
    n9: Mapped[int] = mapped_column(default=0)
    n10: Mapped[int] = mapped_column(default=0)


class DailyScore(_ScoreCounts, Base):
    """Named answers' scores of one UTC day, per channel, survey, context, service and type.

    The dashboard's pre-aggregated counts (:mod:`storage.daily`): only answers of
    conversations linked to a person; ``context`` and ``service`` are ``""`` for none.
    """

    __tablename__ = "daily_score"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey: Mapped[str] = mapped_column(String(64), primary_key=True)
    context: Mapped[str] = mapped_column(String(128), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_type: Mapped[str] = mapped_column(String(16), primary_key=True)


class DailyTotal(_ScoreCounts, Base):
    """``daily_score`` summed over contexts: what most readings need, a tenth of the rows."""

    __tablename__ = "daily_total"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_type: Mapped[str] = mapped_column(String(16), primary_key=True)


class UnlinkedScore(_ScoreCounts, Base):
    """Scores of the conversations linked to nobody that the rule of five shows, per month.

    Only groups of at least five in closed calendar months are counted here, by the
    month their conversation started (:func:`bot.dashboard.roll` decides and fills it).
    """

    __tablename__ = "unlinked_score"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    survey: Mapped[str] = mapped_column(String(64), primary_key=True)
    context: Mapped[str] = mapped_column(String(128), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_type: Mapped[str] = mapped_column(String(16), primary_key=True)


class DailyRollup(Base):
    """How far the dashboard's counts go: one row, id 1.

    ``rolled_until`` (a UTC midnight): ``daily_score`` holds the named answers given
    before it; later ones are counted from their rows. ``unlinked_until`` (a month's
    first day): ``unlinked_score`` holds the months before it, except from
    ``unlinked_dirty`` on, which a forget changed and the next roll recounts.
    """

    __tablename__ = "daily_rollup"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rolled_until: Mapped[datetime]
    unlinked_until: Mapped[date | None] = mapped_column(Date)
    unlinked_dirty: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime]

class SampleRespondent(Base):
    """A person made up by ``ecoute demo``: sample data, which ``ecoute demo --remove`` deletes."""

    __tablename__ = "sample_respondent"

    respondent_id: Mapped[int] = mapped_column(
        Id, ForeignKey("respondent.id", ondelete="CASCADE"), primary_key=True
    )


class SampleConversation(Base):
    """A conversation made up by ``ecoute demo`` (anonymous ones too), deleted by ``--remove``."""

    __tablename__ = "sample_conversation"

    conversation_id: Mapped[int] = mapped_column(
        Id, ForeignKey("conversation.id", ondelete="CASCADE"), primary_key=True
    )

# The response browser (migration 0008): pages of named conversations walk this index by
# key, newest first; those linked to nobody (respondent_id NULL) a calendar bucket at a time.
Index("ix_conversation_named_started_at", Conversation.started_at, Conversation.id,
      sqlite_where=text("respondent_id IS NOT NULL"),
      postgresql_where=text("respondent_id IS NOT NULL"))
Index("ix_conversation_respondent_id_started_at", Conversation.respondent_id,
      Conversation.started_at)


class Invitation(Base):
    """A survey an outside system triggered for one person: what to ask, and whether they began.

    One row per planned invitation (a skipped request stores none); the contact cap
    counts these rows. Its delivery is the outbox row of campaign ``campaign_id``.
    ``context`` may name the person's order or visit: "forget" deletes the row.
    """

    __tablename__ = "invitation"
    __table_args__ = (Index("ix_invitation_respondent_id_created_at", "respondent_id",
                            "created_at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    respondent_id: Mapped[int] = mapped_column(ForeignKey("respondent.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             unique=True)
    survey: Mapped[str] = mapped_column(String(64))
    context: Mapped[str | None] = mapped_column(String(128))
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]

class Webhook(Base):
    """An outgoing webhook: where signed events go, which ones, and the secret that signs them.

    The secret must sign every delivery, so it is stored as given (never shown
    again after creation, never logged); deleting a webhook blanks it.
    """

    __tablename__ = "webhook"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[Any]]
    secret: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(index=True)


class Complaint(Base):
    """A complaint: its reference, what it is about, its priority, status and deadlines.

    ``description``, ``own_reference`` and ``photo_file_id`` hold the person's words:
    "forget" blanks them and unlinks the respondent; the workflow record stays.
    """

    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        Index("ix_complaint_status_acknowledge_due_at", "status", "acknowledge_due_at"),
        Index("ix_complaint_status_resolve_due_at", "status", "resolve_due_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    year: Mapped[int]
    number: Mapped[int]
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondent.id", ondelete="SET NULL"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        ForeignKey("conversation.id", ondelete="SET NULL")
    )
    channel: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    own_reference: Mapped[str | None] = mapped_column(String(255))
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    urgency: Mapped[str] = mapped_column(String(16))
    importance: Mapped[str] = mapped_column(String(16))
    priority: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    contact_consent: Mapped[bool] = mapped_column(default=False)
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff_user.id", ondelete="SET NULL"), index=True
    )
    acknowledge_due_at: Mapped[datetime]
    resolve_due_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(index=True)
    updated_at: Mapped[datetime]


class ComplaintEvent(Base):
    """One step of a complaint's history: who, when, the status change, the note, sent or not."""

    __tablename__ = "complaint_event"

    id: Mapped[int] = mapped_column(Id, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(64))
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    visible: Mapped[bool] = mapped_column(default=False)
    sent_at: Mapped[datetime | None]


class ComplaintCounter(Base):
    """The last complaint number given in a year: references are gap-free per year."""

    __tablename__ = "complaint_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int]
