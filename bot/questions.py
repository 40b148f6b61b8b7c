"""Question types and the parsing of one answer to one question.

Score questions (``nps`` 0-10, ``csat`` 1-5, ``ces`` 1-7) accept typed digits and
tapped choices alike; ``choice`` and ``yesno`` accept the option's id, its label
in any language, or its number in the list; ``text`` is free text up to a
maximum length; ``photo`` takes a picture's platform id (``Inbound.attachment``),
never typed text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.conditions import Condition

SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}
TYPES = (*SCALES, "choice", "text", "yesno", "photo")
DEFAULT_MAX_LENGTH = 1000
YES_WORDS = frozenset({"yes", "y", "oui", "o", "ok", "yep", "yeah", "si", "sí", "👍"})
NO_WORDS = frozenset({"no", "n", "non", "nope", "👎"})

Text = dict[str, str]


@dataclass(frozen=True)
class Option:
    """One option of a ``choice`` question: a stable id and its label per language."""

    id: str
    label: Text


@dataclass(frozen=True)
class Question:
    """One declared question (texts per language, optional condition)."""

    id: str
    type: str
    text: Text
    options: tuple[Option, ...] = ()
    max_length: int = DEFAULT_MAX_LENGTH
    optional: bool = False
    when: Condition | None = None
    hint: Text = field(default_factory=dict)

    @property
    def scale(self) -> tuple[int, int] | None:
        """Return (low, high) for score questions, else None."""
        return SCALES.get(self.type)


@dataclass(frozen=True)
class Parsed:
    """A valid answer: exactly one of number, choice or text is set."""

    number: int | None = None
    choice: str | None = None
    text: str | None = None

    @property
    def value(self) -> int | str | None:
        """Return the value conditions and exports see."""
        return self.number if self.number is not None else (self.choice or self.text)


class Invalid(ValueError):
    """The answer does not fit the question; ``reason`` is a message key for the re-ask."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = params


def parse_answer(question: Question, raw: str) -> Parsed:
    """Parse a typed or tapped answer to ``question``; raise :class:`Invalid` otherwise."""
    value = raw.strip()
    if question.scale:
        return _parse_scale(question.scale, value)
    if question.type == "text":
        if not value:
            raise Invalid("empty")
        if len(value) > question.max_length:
            raise Invalid("too_long", max=question.max_length)
        return Parsed(text=value)
    if question.type == "yesno":
        return _parse_yesno(value)
    if question.type == "photo":  # a picture comes as an attachment, never as typed text
        raise Invalid("photo")
    return _parse_choice(question, value)


def _parse_scale(scale: tuple[int, int], value: str) -> Parsed:
    """Accept an integer within the scale (a trailing "/10" is tolerated)."""
    low, high = scale
    head = value.split("/", 1)[0].strip()
    if head.lstrip("-").isdecimal() and low <= int(head) <= high:
        return Parsed(number=int(head))
    raise Invalid("out_of_range", low=low, high=high)


def _parse_yesno(value: str) -> Parsed:
    """Accept yes/no words in French or English, or 1/2 for their positions."""
    word = value.lower().rstrip(".!")
    if word in YES_WORDS or word == "1":
        return Parsed(choice="yes")
    if word in NO_WORDS or word == "2":
        return Parsed(choice="no")
    raise Invalid("yes_or_no")


def _parse_choice(question: Question, value: str) -> Parsed:
    """Accept an option by id, by label in any language, or by its number in the list."""
    wanted = value.casefold()
    for option in question.options:
        if wanted == option.id.casefold() or wanted in {
            label.casefold() for label in option.label.values()
        }:
            return Parsed(choice=option.id)
    if value.isdecimal() and 1 <= int(value) <= len(question.options):
        return Parsed(choice=question.options[int(value) - 1].id)
    raise Invalid("pick_one", count=len(question.options))
