"""A Telegram deep link's context is kept only when it is what Telegram allows.

A payload (``/start survey__context``) is at most 64 of ``A-Z a-z 0-9 _ -``, as
the Bot API documents and ``ecoute qr`` writes them. Anything else, typed by
hand or forged, starts the survey without a context, or shows the menu; the turn
never fails (a failure answered 503 made Telegram send the update forever).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from channels.telegram.adapter import parse_start
from ecoute.wiring import Ecoute
from storage.models import Conversation
from testkit.emulators.telegram_chat import TelegramChat

QUESTION = "How likely are you to recommend us"


def contexts(ecoute: Ecoute) -> list[str | None]:
    """Return every conversation's context."""
    with ecoute.db.transaction() as session:
        return list(session.scalars(select(Conversation.context)))


@pytest.mark.parametrize("payload", [
    "nps__" + "x" * 200,               # over 64 characters: a column of 128 refused it
    "nps__shop 12",                    # a space
    "nps__shop12;DROP",                # a character Telegram never sends
    "nps__" + "é" * 20,                # letters outside A-Z
])
def test_an_invalid_context_starts_the_survey_without_it(
        payload: str, telegram_chat: TelegramChat, telegram_ecoute: Ecoute) -> None:
    telegram_chat.says(f"/start {payload}")
    assert telegram_chat.last.text.startswith(QUESTION)
    assert contexts(telegram_ecoute) == [None]


def test_a_context_of_64_characters_is_kept(telegram_chat: TelegramChat,
                                            telegram_ecoute: Ecoute) -> None:
    payload = "nps__" + "k" * 59
    telegram_chat.says(f"/start {payload}")
    assert telegram_chat.last.text.startswith(QUESTION)
    assert contexts(telegram_ecoute) == ["k" * 59]


def test_a_long_start_argument_shows_the_menu(telegram_chat: TelegramChat,
                                              telegram_ecoute: Ecoute) -> None:
    telegram_chat.says("/start " + "nps " * 1000)
    assert "Would you recommend us?" in telegram_chat.last.buttons
    assert contexts(telegram_ecoute) == []


@pytest.mark.parametrize("payload, parts", [
    ("nps__shop12", ("nps", "shop12")),
    ("nps", ("nps", None)),
    ("nps__", ("nps", None)),
    ("nps__a__b", ("nps", "a__b")),
    ("nps__" + "x" * 60, ("nps", None)),
    ("nps__shop 12", ("nps", None)),
    ("n ps", (None, None)),
    (None, (None, None)),
])
def test_a_payload_is_split_only_when_telegram_could_have_sent_it(
        payload: str | None, parts: tuple[str | None, str | None]) -> None:
    assert parse_start(payload) == parts
