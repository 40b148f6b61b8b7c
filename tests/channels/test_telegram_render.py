"""How replies look in Telegram: keyboards that fit a phone, buttons that fit 64 bytes.

The last test holds a dialogue whose question and option ids are too long for
Telegram's callback data, so the buttons carry a digest and the bot resolves it.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.messages import Choice, InputHint, Kind, Outbound, Turn
from channels.telegram.adapter import parse_start
from channels.telegram.render import callback_data, joined, keyboard, parse_callback
from ecoute.config import Settings
from ecoute.wiring import build
from storage.models import Answer
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat, Webhook
from web import create_app


def rows(message: Outbound) -> list[list[str]]:
    """Return a message's keyboard as rows of labels."""
    markup = keyboard(message)
    assert markup is not None
    return [[button.text for button in row] for row in markup.inline_keyboard]


def scale(low: int, high: int) -> Outbound:
    choices = tuple(Choice(str(n), str(n)) for n in range(low, high + 1))
    return Outbound("Score?", Kind.QUESTION, choices, ref="c:q", expects=InputHint.SCALE)


def test_scales_split_evenly_into_rows_of_at_most_six() -> None:
    assert [len(row) for row in rows(scale(0, 10))] == [6, 5]
    assert [len(row) for row in rows(scale(1, 5))] == [5]
    assert [len(row) for row in rows(scale(1, 7))] == [4, 3]


def test_short_options_sit_side_by_side_and_long_ones_get_a_row_each() -> None:
    yes_no = (Choice("yes", "Yes"), Choice("no", "No"))
    assert rows(Outbound("Ok?", choices=yes_no, expects=InputHint.CHOICE)) == [["Yes", "No"]]
    long = tuple(Choice(f"o{n}", f"A rather long option number {n}") for n in range(3))
    assert [len(row) for row in rows(Outbound("Which?", choices=long))] == [1, 1, 1]
    assert keyboard(Outbound("No choices")) is None


def test_callback_data_fits_64_bytes_and_reads_back() -> None:
    short = callback_data("abc:score", "9", 9)
    assert parse_callback(short).choice_id == "9" and parse_callback(short).ref == "abc:score"
    long_ref = "a" * 24 + ":" + "q" * 60
    hashed = parse_callback(callback_data(long_ref, "yes", 0))
    assert hashed.choice_id == "yes" and hashed.ref is None and hashed.ref_digest
    by_index = parse_callback(callback_data(long_ref, "o" * 60, 4))
    assert by_index.choice_id is None and by_index.index == 4
    for data in (short, callback_data(long_ref, "yes", 0), callback_data(long_ref, "o" * 60, 4)):
        assert len(data.encode()) <= 64
    assert parse_callback("survey:nps").choice_id == "survey:nps"  # a foreign button


def test_button_less_replies_join_the_next_one() -> None:
    thanks = Outbound("Thanks!", Kind.ACKNOWLEDGEMENT)
    consent = Outbound("May we?", Kind.QUESTION, (Choice("consent:yes", "Yes"),), ref="consent")
    assert [m.text for m in joined(Turn((thanks, consent)).messages)] == ["Thanks!\n\nMay we?"]
    assert [m.text for m in joined((consent, thanks))] == ["May we?", "Thanks!"]


def test_deep_link_payloads() -> None:
    assert parse_start("nps__shop12") == ("nps", "shop12")
    assert parse_start("csat") == ("csat", None)
    assert parse_start(None) == (None, None)


LONG_SURVEY = """
key: support
title: {en: Support, fr: Support}
questions:
  - id: how_would_you_describe_the_quality_of_our_after_sales_support
    type: choice
    text: {en: "How was our support?", fr: "Comment était notre support ?"}
    options:
      - id: fine
        label: {en: Fine, fr: Bien}
      - id: the_support_was_slow_and_the_answers_did_not_help_me_at_all
        label: {en: Slow and unhelpful, fr: Lent et inutile}
thanks: {en: Thank you., fr: Merci.}
"""


def test_ids_too_long_for_callback_data_still_work_and_stale_taps_are_caught(
    telegram_settings: Settings, db: Any, telegram_api: TelegramEmulator, tmp_path: Path
) -> None:
    (tmp_path / "support.yaml").write_text(LONG_SURVEY, encoding="utf-8")
    app = create_app(build(replace(telegram_settings, surveys_dir=tmp_path), database=db))
    chat = TelegramChat(telegram_api, 42, Webhook(app.test_client(), telegram_api,
                                                  "test-webhook-secret"))
    chat.says("/start support")
    question = chat.last
    buttons = [b["callback_data"] for row in question.keyboard for b in row]
    assert [data[:2] for data in buttons] == ["h|", "n|"]
    keyboard_before = question.keyboard
    chat.taps("Slow and unhelpful")
    with db.transaction() as session:
        assert session.scalars(select(Answer.choice)).all() == [
            "the_support_was_slow_and_the_answers_did_not_help_me_at_all"
        ]
    question.keyboard = keyboard_before  # an old phone still shows it
    chat.says("/start support")  # a new conversation: the old button is stale
    chat.taps("Fine", message_id=question.message_id, replies=0)
    assert telegram_api.calls_to("answerCallbackQuery")[-1].params["text"] == (
        "That question has already been answered."
    )
    with db.transaction() as session:
        assert len(session.scalars(select(Answer)).all()) == 1
