"""Typed SQLAlchemy 2 models: the one store every channel writes to, one module per feature.

Answers are rows with a typed value (``number`` for scores, ``text`` for free
text, ``choice`` for options) tied to the exact survey version that asked them,
so NPS, CSAT and CES are indexed SQL aggregates and editing a survey never
rewrites history. Every module is imported here, so ``Base.metadata`` knows every
table and ``from storage.models import X`` works for each model. A feature adds its
own module and lists it below.
"""

from storage.models.base import NAMING, Base, Id, When
from storage.models.calls import Call, Participation
from storage.models.complaints import Complaint, ComplaintBreach, ComplaintCounter, ComplaintEvent
from storage.models.core import Answer, Conversation, InboundEvent, Respondent, SurveyVersion
from storage.models.daily import (
    SCORE_VALUES,
    DailyRollup,
    DailyScore,
    DailyTotal,
    MonthlyScore,
    UnlinkedScore,
)
from storage.models.ideas import Idea, IdeaSupport
from storage.models.improvements import Improvement, ImprovementLink, Reaction
from storage.models.integrations import Invitation, Webhook
from storage.models.outbox import Campaign, Delivery, Installation, Suppression
from storage.models.samples import SampleConversation, SampleRespondent
from storage.models.staff import ApiToken, AuditEntry, SetupLink, SignInFailure, StaffUser

__all__ = [
    "NAMING",
    "SCORE_VALUES",
    "Answer",
    "ApiToken",
    "AuditEntry",
    "Base",
    "Call",
    "Campaign",
    "Complaint",
    "ComplaintBreach",
    "ComplaintCounter",
    "ComplaintEvent",
    "Conversation",
    "DailyRollup",
    "DailyScore",
    "DailyTotal",
    "Delivery",
    "Id",
    "Idea",
    "IdeaSupport",
    "Improvement",
    "ImprovementLink",
    "InboundEvent",
    "Installation",
    "Invitation",
    "MonthlyScore",
    "Participation",
    "Reaction",
    "Respondent",
    "SampleConversation",
    "SampleRespondent",
    "SetupLink",
    "SignInFailure",
    "StaffUser",
    "Suppression",
    "SurveyVersion",
    "UnlinkedScore",
    "Webhook",
    "When",
]
