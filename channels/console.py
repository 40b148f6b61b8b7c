"""The console channel: a dialogue in a terminal, on stdin and stdout.

Usage::

    ecoute chat --survey nps --lang fr --as ana
    printf '9\\ngreat service\\n' | ecoute chat --survey nps

Choices are printed numbered (a score scale on one line); the person types the
number, the label or the value. It works with piped input (no prompt without a
terminal) and ends cleanly on end of input or after "stop". What it stores is
stored like any other channel's, under the channel name ``console``.
"""

from __future__ import annotations

import uuid
from typing import TextIO

from bot.engine import DialogueEngine
from bot.messages import Identity, Inbound, Outbound, Turn
from bot.text import clean
from channels.registry import Channel
from channels.text_fallbacks import numbered, resolve_typed

NAME = "console"


class ConsoleChannelEntry(Channel):
    """The console's facts: nothing to configure, send or start (``ecoute chat`` runs it)."""

    name = NAME


CHANNEL = ConsoleChannelEntry()


class ConsoleChannel:
    """Holds one person's dialogue on a pair of text streams."""

    def __init__(
        self,
        engine: DialogueEngine,
        *,
        person: str,
        stdin: TextIO,
        stdout: TextIO,
        language: str | None = None,
        interactive: bool = False,
    ) -> None:
        self.engine = engine
        self.identity = Identity(NAME, clean(person))
        self.stdin = stdin
        self.stdout = stdout
        self.language = language
        self.interactive = interactive
        self._last: Outbound | None = None

    def run(self, survey: str | None = None) -> None:
        """Start (the given survey, or the menu) and answer lines until EOF or "stop"."""
        self._show(self._send(command="start", argument=survey))
        while True:
            if self.interactive:
                self.stdout.write("> ")
                self.stdout.flush()
            line = self.stdin.readline()
            if not line:
                return
            text = clean(line.rstrip("\r\n"))
            typed = resolve_typed(self._last, text)
            turn = self._send(text=typed.text, choice_id=typed.choice_id)
            self._show(turn)
            if text.strip().casefold().lstrip("/") in {"stop", "arrêt", "arret"}:
                return

    def _send(self, **fields: str | None) -> Turn:
        """Hand one message to the engine with a fresh event id."""
        ref = self._last.ref if self._last and fields.get("choice_id") else None
        inbound = Inbound(
            self.identity, event_id=uuid.uuid4().hex, locale=self.language, ref=ref, **fields
        )
        return self.engine.handle(inbound)

    def _show(self, turn: Turn) -> None:
        """Print the replies and remember the last choices offered."""
        for message in turn.messages:
            self.stdout.write(numbered(message) + "\n")
        if turn.messages:
            self._last = turn.messages[-1]
        self.stdout.flush()
