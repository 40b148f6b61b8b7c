"""The normalised conversation model every channel speaks to the core.

Inbound: who wrote, what (text or the id of a tapped choice), the platform's event
id (for de-duplication), a locale hint and an optional context. Outbound: text,
optional choices and a kind. Adapters translate platform payloads into these and
render these with the platform's widgets; no dict crosses this boundary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """What an outbound message is for, so an adapter can pick the best widget."""

    QUESTION = "question"
    REASK = "reask"
    ACKNOWLEDGEMENT = "acknowledgement"
    INFO = "info"
    MENU = "menu"
    CONFIRMATION = "confirmation"
    NOTICE = "notice"
    ANNOUNCEMENT = "announcement"
    ALERT = "alert"
    DIGEST = "digest"  # a report in sections (``fields``: heading, body), for a staff channel


class InputHint(StrEnum):
    """What kind of answer the message expects, if any."""

    NONE = "none"
    SCALE = "scale"
    CHOICE = "choice"
    TEXT = "text"
    PHOTO = "photo"  # a picture (only channels that take pictures are asked for one)


@dataclass(frozen=True, slots=True)
class Identity:
    """A person on one channel: the channel's name and that platform's id for them."""

    channel: str
    external_id: str

    def __post_init__(self) -> None:
        if not self.channel or not self.external_id:
            raise ValueError("an identity needs a channel and an external id")


@dataclass(frozen=True, slots=True)
class Choice:
    """One option a person can tap (or type: its id, its label or its number)."""

    id: str
    label: str


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message from a person, as every channel hands it to the engine.

    ``choice_id`` is set when the person tapped a button; ``ref`` is the
    :attr:`Outbound.ref` of the message that carried that button, so a tap on a
    stale keyboard is recognised. ``command`` is set when the platform itself
    marks a command (``/stop`` on Telegram, a slash command on Slack); typed
    commands in plain text are recognised by the engine as well. ``event_id`` is
    the platform's id of this delivery (Telegram's ``update_id``, Slack's
    ``event_id``, the widget's client message id): it must not embed the person's
    id, since it outlives their erasure to keep replays harmless. ``attachment``
    is the platform's id of a picture the person sent (Telegram's ``file_id``).
    """

    sender: Identity
    event_id: str | None = None
    text: str | None = None
    choice_id: str | None = None
    ref: str | None = None
    command: str | None = None
    argument: str | None = None
    locale: str | None = None
    context: str | None = None
    attachment: str | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """Where a question stands in its survey (1-based)."""

    current: int
    total: int


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message from the core; the adapter chooses how to show it.

    ``ref`` identifies the question the choices answer (opaque to adapters: echo
    it back in :attr:`Inbound.ref` with the tapped choice id). ``max_length``
    bounds a free-text answer where the question has one. Staff alerts carry
    labelled ``fields`` (score, comment, channel…) and a ``link`` to the console,
    which rich platforms lay out (Slack Block Kit) and others append as lines.
    """

    text: str
    kind: Kind = Kind.INFO
    choices: tuple[Choice, ...] = ()
    ref: str | None = None
    expects: InputHint = InputHint.NONE
    progress: Progress | None = None
    max_length: int | None = None
    language: str = "en"
    fields: tuple[tuple[str, str], ...] = ()
    link: str | None = None

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict (for the outbox, the transcript and the widget API)."""
        return {
            "text": self.text,
            "kind": self.kind.value,
            "choices": [{"id": c.id, "label": c.label} for c in self.choices],
            "ref": self.ref,
            "expects": self.expects.value,
            "progress": (
                {"current": self.progress.current, "total": self.progress.total}
                if self.progress
                else None
            ),
            "max_length": self.max_length,
            "language": self.language,
            "fields": [list(pair) for pair in self.fields],
            "link": self.link,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Outbound:
        """Rebuild an outbound message stored with :meth:`to_dict`."""
        progress = data.get("progress")
        choices = data.get("choices") or []
        return cls(
            text=str(data["text"]),
            kind=Kind(str(data.get("kind", Kind.INFO))),
            choices=tuple(Choice(str(c["id"]), str(c["label"])) for c in choices),  # type: ignore[index,union-attr]
            ref=data.get("ref"),  # type: ignore[arg-type]
            expects=InputHint(str(data.get("expects", InputHint.NONE))),
            progress=Progress(progress["current"], progress["total"]) if progress else None,  # type: ignore[index]
            max_length=data.get("max_length"),  # type: ignore[arg-type]
            language=str(data.get("language", "en")),
            fields=tuple((str(k), str(v)) for k, v in data.get("fields") or []),  # type: ignore[union-attr,misc]
            link=data.get("link"),  # type: ignore[arg-type]
        )


@dataclass(frozen=True, slots=True)
class Turn:
    """What the engine answers to one inbound message.

    ``duplicate`` is true when the inbound event id was seen before: ``messages``
    then repeats the replies stored the first time, and adapters that already
    delivered them (Telegram, Slack) send nothing again.
    """

    messages: tuple[Outbound, ...] = field(default_factory=tuple)
    duplicate: bool = False
    conversation: str | None = None
    survey: str | None = None
