"""What one turn of the dialogue works on: the connection, the person, their conversation.

A :class:`TurnContext` lives for one inbound message inside one transaction. The
command and dialogue modules read and change it; the engine commits it, stores
the transcript and records the event. Hot paths run Core statements on
``connection``; the rarer commands that want the ORM ask for ``session``, a
Session made on first use inside the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from bot.complaint_policy import ComplaintPolicy
from bot.i18n import Gettext, gettext_for
from bot.messages import Choice, Inbound, InputHint, Kind, Outbound, Progress
from bot.surveys import Survey, SurveyCatalog
from storage.db import Executor
from storage.hotpath.tracked import ConversationRow, RespondentRow
from storage.installation import Keyring
from storage.models import Conversation


@dataclass(frozen=True)
class EngineSettings:
    """Tunables of the dialogue engine (from configuration)."""

    default_language: str = "en"
    idle_timeout: timedelta = timedelta(hours=24)
    max_invalid: int = 3
    ask_consent: bool = True
    keep_transcript: bool = True
    internal_channels: frozenset[str] = frozenset()  # filled from the channels' facts
    photo_channels: frozenset[str] = frozenset()  # channels whose people can send a picture
    complaints: ComplaintPolicy = field(default_factory=ComplaintPolicy)
    alert_targets: tuple[tuple[str, str], ...] = ()
    console_url: str = "http://127.0.0.1:8000"


@dataclass
class TurnContext:
    """The state one inbound message is handled in."""

    connection: Connection
    inbound: Inbound
    respondent: RespondentRow
    conversation: ConversationRow | None
    now: datetime
    settings: EngineSettings
    catalog: SurveyCatalog
    survey_of: Callable[[Executor, ConversationRow | Conversation], Survey]
    version_of: Callable[[Executor, Survey], int]
    keyring: Keyring  # the installation's keyed hashes (suppression digests)
    out: list[Outbound] = field(default_factory=list)
    erased: bool = False
    opened_with: ConversationRow | None = None
    _session: Session | None = None

    def __post_init__(self) -> None:
        self.opened_with = self.conversation

    @property
    def session(self) -> Session:
        """Return an ORM session in the turn's transaction (made on first use)."""
        if self._session is None:
            self._session = Session(bind=self.connection, expire_on_commit=False)
        return self._session

    def flush(self) -> None:
        """Write what the ORM session holds, if one was made, and let it go."""
        if self._session is not None:
            self._session.flush()
            self._session.close()
            self._session = None

    @property
    def language(self) -> str:
        """Return the language to answer in."""
        return self.respondent.language or self.settings.default_language

    @property
    def _(self) -> Gettext:
        """Return ``gettext`` in the person's language."""
        return gettext_for(self.language)

    def say(
        self,
        text: str,
        kind: Kind = Kind.INFO,
        *,
        choices: tuple[Choice, ...] = (),
        ref: str | None = None,
        expects: InputHint = InputHint.NONE,
        progress: Progress | None = None,
        max_length: int | None = None,
    ) -> None:
        """Queue one outbound message in the person's language."""
        self.out.append(
            Outbound(
                text=text,
                kind=kind,
                choices=choices,
                ref=ref,
                expects=expects,
                progress=progress,
                max_length=max_length,
                language=self.language,
            )
        )
