"""The words stored in status and kind columns, written once: every module uses these enums.

They are ``StrEnum`` members, so they compare equal to (and are stored as) their
plain string values; the database never holds anything else in these columns.
Which delivery kinds need consent and which ones "stop" blocks is the core's
policy (:data:`bot.delivery_rules.RULES`), one row per kind below.
"""

from __future__ import annotations

from enum import StrEnum


class ConversationStatus(StrEnum):
    """Where a conversation stands."""

    ACTIVE = "active"
    COMPLETED = "completed"
    ABANDONED = "abandoned"


class DeliveryStatus(StrEnum):
    """Where a proactive message stands in the outbox."""

    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    CANCELLED = "cancelled"


class DeliveryKind(StrEnum):
    """What a proactive message is for (the outbox's rules depend on it)."""

    ALERT = "alert"  # a staff alert about someone's answers, to a staff channel
    REPLY = "reply"  # a live reply the platform refused at first, sent again later
    PULSE = "pulse"  # a scheduled invitation to answer a survey (Slack pulses)
    ANNOUNCEMENT = "announcement"  # "you said, we did" and other news to consenting people
    RETRACTION = "retraction"  # take back a posted message about someone forgotten (always)
    INVITATION = "invitation"  # a survey an outside system triggered (POST /api/v1/invitations)
    WEBHOOK = "webhook"  # a signed event to the company's own system (Standard Webhooks)
    CALL = "call"  # an invitation to take part in a product test, focus group or interview
    COMPLAINT_UPDATE = "complaint_update"  # news of their complaint, to the complainant
    IDEA_THANKS = "idea_thanks"  # "your idea led to this": to an idea's author and supporters
    DIGEST = "digest"  # the weekly voice-of-the-customer digest, to a staff channel


class StaffRole(StrEnum):
    """What a staff account may do in the console (the table is :data:`bot.staff.GRANTS`)."""

    ADMIN = "admin"  # everything, accounts and API tokens included
    MANAGER = "manager"  # everything but accounts and tokens
    VIEWER = "viewer"  # reads; exports nothing that identifies a person


class TokenScope(StrEnum):
    """What an API token may do: read only, or read and write."""

    READ = "read"
    WRITE = "write"


class AuditAction(StrEnum):
    """What the audit log records: who did it is the entry's actor."""

    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_OUT = "signed_out"
    TRANSCRIPT_VIEWED = "transcript_viewed"
    EXPORTED = "exported"
    ACCOUNT_CREATED = "account_created"
    ACCOUNT_DISABLED = "account_disabled"
    ROLE_CHANGED = "role_changed"
    TOKEN_CREATED = "token_created"
    TOKEN_REVOKED = "token_revoked"
    SETUP_LINK_CREATED = "setup_link_created"
    WEBHOOK_CREATED = "webhook_created"
    WEBHOOK_DELETED = "webhook_deleted"
    CALL_CREATED = "call_created"
    CALL_CLOSED = "call_closed"
    PARTICIPANTS_VIEWED = "participants_viewed"
    IMPROVEMENT_CREATED = "improvement_created"
    IMPROVEMENT_EDITED = "improvement_edited"
    IMPROVEMENT_LINKED = "improvement_linked"
    IMPROVEMENT_UNLINKED = "improvement_unlinked"
    SUGGESTION_ACCEPTED = "suggestion_accepted"
    SUGGESTION_REJECTED = "suggestion_rejected"
    COMPLAINT_UPDATED = "complaint_updated"
    COMPLAINT_VIEWED = "complaint_viewed"
    IMPROVEMENT_PUBLISHED = "improvement_published"
    ANNOUNCEMENT_PAUSED = "announcement_paused"
    ANNOUNCEMENT_RESUMED = "announcement_resumed"
    ANNOUNCEMENT_CANCELLED = "announcement_cancelled"
    IDEA_TAGGED = "idea_tagged"
    IDEA_MERGED = "idea_merged"
    IDEA_DECLINED = "idea_declined"
    IDEA_TO_IMPROVEMENT = "idea_to_improvement"


class InvitationSkip(StrEnum):
    """Why a triggered survey invitation was not planned (the API answers with these words)."""

    UNKNOWN_PERSON = "unknown_person"  # nobody with that channel and id ever talked to us
    STOPPED = "stopped"  # the person said stop
    UNREACHABLE = "unreachable"  # the platform told us the person is gone or blocked us
    NO_CONSENT = "no_consent"  # the person never agreed to hear from us
    CAPPED = "capped"  # invited too recently, on any channel they are known by


class WebhookEvent(StrEnum):
    """What an outgoing webhook may subscribe to (its ``type`` in the signed payload)."""

    RESPONSE_COMPLETED = "response.completed"  # a named conversation was completed
    RESPONSE_DETRACTOR = "response.detractor"  # ... and one of its scores is a detractor's
    COMPLAINT_CREATED = "complaint.created"  # a complaint was filed
    COMPLAINT_UPDATED = "complaint.updated"  # its status, priority, assignee or notes changed


class ComplaintStatus(StrEnum):
    """Where a complaint stands (the allowed moves are :data:`bot.complaints.TRANSITIONS`)."""

    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"
    REJECTED = "rejected"


class Urgency(StrEnum):
    """How much a complaint affects its author (their answer; staff may adjust it)."""

    BLOCKING = "blocking"
    ANNOYING = "annoying"
    MINOR = "minor"


class Importance(StrEnum):
    """How much a complaint's category matters (a rule per category; staff may adjust it)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class Priority(StrEnum):
    """Urgency times importance, in four levels (the matrix is :data:`bot.complaints.MATRIX`)."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class RejectionReason(StrEnum):
    """Why a complaint was rejected."""

    NOT_A_COMPLAINT = "not_a_complaint"
    OUT_OF_SCOPE = "out_of_scope"


class ImprovementStatus(StrEnum):
    """Where an improvement ("you said, we did") stands."""

    DRAFT = "draft"  # being written and linked; nobody outside the staff sees it
    PUBLISHED = "published"  # on the public page; its announcement is planned


class LinkSource(StrEnum):
    """How a piece of feedback was linked to an improvement."""

    HAND = "hand"  # picked by staff from the response browser or the complaint board
    FILTER = "filter"  # selected by a filter (survey, score band, context, period, theme…)
    SUGGESTION = "suggestion"  # proposed by Écoute as close in meaning, then accepted


class ReactionAnswer(StrEnum):
    """The answer to "Does this answer your concern?"."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class ComplaintClosure(StrEnum):
    """How a resolved complaint was closed."""

    CONFIRMED = "confirmed"  # the complainant said the resolution settles it
    UNCONFIRMED = "unconfirmed"  # no answer in time: closed as resolved without confirmation


class ComplaintDeadline(StrEnum):
    """Which of a complaint's deadlines: a human's acknowledgement, or its resolution."""

    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"


class CallKind(StrEnum):
    """What a call for participants invites people to."""

    PRODUCT_TEST = "product_test"
    FOCUS_GROUP = "focus_group"
    INTERVIEW = "interview"
    OTHER = "other"


class CallStatus(StrEnum):
    """Whether a call for participants still takes answers."""

    OPEN = "open"  # invitations out, "I'm in" takes a place or offers the waiting list
    CLOSED = "closed"  # closed by staff or past its closing date: answers are told so


class ParticipationStatus(StrEnum):
    """A person's answer to a call for participants."""

    CONFIRMED = "confirmed"  # took one of the places
    WAITING = "waiting"  # the call was full: on the waiting list, first come first served
    DECLINED = "declined"  # "No thanks", or no to the waiting list


class LinkTarget(StrEnum):
    """What an improvement's link points to."""

    CONVERSATION = "conversation"  # a conversation (its answers, its free text)
    COMPLAINT = "complaint"  # a complaint (its description)


class ComplaintEventKind(StrEnum):
    """What one step of a complaint's history records."""

    STATUS = "status"  # the complaint was filed, or its status changed (with a note, maybe)
    NOTE = "note"  # a note only, for the staff or sent to the complainant
    ASSIGNMENT = "assignment"  # assigned to a staff member, or unassigned
    PRIORITY = "priority"  # urgency or importance adjusted by staff: the priority recomputed


class CampaignState(StrEnum):
    """Whether a campaign's deliveries may be sent (staff pause, resume or cancel it)."""

    ACTIVE = "active"
    PAUSED = "paused"  # nothing is sent until it is resumed
    CANCELLED = "cancelled"  # its pending deliveries were cancelled, for good


class IdeaStatus(StrEnum):
    """Where an employee's idea stands."""

    NEW = "new"  # received, not decided yet
    DECLINED = "declined"  # staff said no, with a reason
    DONE = "done"  # turned into an improvement
    MERGED = "merged"  # a duplicate of another idea (its supporters moved there)
