"""What every adapter shares: rendering choices as numbered text, reading typed choices.

Platforms without buttons (a terminal, SMS, plain text) show a question's choices
as numbered lines, or a scale as one line; a person may then type the number,
the label or the value, and :func:`resolve_typed` turns that back into the
choice id the engine expects. Score questions keep their typed number as text:
"9" is the score 9, not the ninth option.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.messages import InputHint, Outbound


@dataclass(frozen=True)
class Typed:
    """A typed line resolved against the last choices shown."""

    text: str | None
    choice_id: str | None = None


def numbered(message: Outbound) -> str:
    """Return the message as plain text, its choices numbered (a scale on one line)."""
    if not message.choices:
        return message.text
    if message.expects is InputHint.SCALE:
        labels = [c.label for c in message.choices]
        return f"{message.text}\n  [{' · '.join(labels)}]"
    lines = [f"  {n}. {choice.label}" for n, choice in enumerate(message.choices, 1)]
    return "\n".join([message.text, *lines])


def resolve_typed(last: Outbound | None, text: str) -> Typed:
    """Map a typed number or label to the choice it names in ``last``, else keep the text."""
    if last is None or not last.choices or last.expects is InputHint.SCALE:
        return Typed(text)
    typed = text.strip()
    numbers = last.expects is not InputHint.TEXT  # in free text, "1" is an answer
    if numbers and typed.isdecimal() and 1 <= int(typed) <= len(last.choices):
        return Typed(None, last.choices[int(typed) - 1].id)
    for choice in last.choices:
        if typed.casefold() in (choice.label.casefold(), choice.id.casefold()):
            return Typed(None, choice.id)
    return Typed(text)

