"""Which people and conversations ``ecoute demo`` made up."""

from __future__ import annotations

from sqlalchemy import (
    ForeignKey,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, Id


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
