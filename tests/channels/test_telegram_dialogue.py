"""A customer gives feedback in a Telegram chat: taps, typing, deep links, languages, groups.

The real python-telegram-bot talks to the loopback Bot API emulator; the chat
is read as the person sees it (messages edited in place, keyboards gone).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ecoute.wiring import Ecoute
from storage.models import Answer, Conversation, InboundEvent, Respondent
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat

ALREADY = "That question has already been answered."


def answers(ecoute: Ecoute) -> dict[str, Any]:
    """Return the stored answers by question id."""
    with ecoute.db.transaction() as session:
        rows = session.scalars(select(Answer)).all()
        return {row.question_id: row.number if row.number is not None else row.text
                for row in rows}


def count(ecoute: Ecoute, model: Any) -> int:
    """Return how many rows a table holds."""
    with ecoute.db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_whole_nps_dialogue_by_taps(telegram_chat: TelegramChat, telegram_ecoute: Ecoute,
                                      telegram_api: TelegramEmulator) -> None:
    chat = telegram_chat
    chat.says("/start nps")
    question = chat.last
    assert question.text.startswith("How likely are you to recommend us")
    assert [len(row) for row in question.keyboard] == [6, 5]  # 0-10 fits a phone
    assert question.buttons == [str(n) for n in range(11)]

    chat.taps("9")
    assert telegram_api.calls_to("answerCallbackQuery")  # the spinner stops
    edited = next(m for m in chat.shown if m.message_id == question.message_id)
    assert edited.text.endswith("✅ 9") and edited.keyboard == []
    assert chat.last.text == "Wonderful! What do you like most about us?"

    chat.says("great service")  # thanks, and the consent question in the same message
    assert chat.last.text == ("Thank you for your feedback, it helps us improve.\n\n"
                              "May we message you here when we act on feedback like yours?")
    assert chat.last.buttons == ["Yes, tell me", "No"]
    assert answers(telegram_ecoute) == {"score": 9, "why_promoter": "great service"}


def test_typed_answers_work_as_well_as_taps(telegram_ana: TelegramChat,
                                            telegram_ecoute: Ecoute) -> None:
    telegram_ana.says("/start csat")
    assert [len(row) for row in telegram_ana.last.keyboard] == [5]  # CSAT 1-5 on one row
    telegram_ana.says("seven")
    assert telegram_ana.last.text.startswith("Please answer with a whole number from 1 to 5.")
    telegram_ana.says("4")
    assert telegram_ana.last.text.startswith("Glad to hear it!")
    assert telegram_ana.last.buttons == ["Skip"]
    telegram_ana.says("quick and kind")
    assert answers(telegram_ecoute) == {"rating": 4, "praise": "quick and kind"}


def test_a_tap_on_an_old_keyboard_records_nothing_and_gets_a_notice(
    telegram_ana: TelegramChat, telegram_ecoute: Ecoute, telegram_api: TelegramEmulator
) -> None:
    telegram_ana.says("/start nps")
    question = telegram_ana.last
    old_keyboard = question.keyboard
    telegram_ana.taps("3")
    question_shown = next(m for m in telegram_ana.shown if m.message_id == question.message_id)
    question_shown.keyboard = old_keyboard  # the person's phone still shows the old keyboard

    telegram_ana.taps("10", message_id=question.message_id, replies=0)

    notice = telegram_api.calls_to("answerCallbackQuery")[-1]
    assert notice.params["text"] == ALREADY
    assert question_shown.keyboard == []  # and the stale keyboard is gone
    assert answers(telegram_ecoute) == {"score": 3}


def test_a_deep_link_starts_the_survey_with_its_context(telegram_ana: TelegramChat,
                                                        telegram_ecoute: Ecoute) -> None:
    telegram_ana.says("/start nps__shop12")  # t.me/<bot>?start=nps__shop12 at a shop counter
    assert telegram_ana.last.text.startswith("How likely are you to recommend us")
    with telegram_ecoute.db.transaction() as session:
        conversation = session.scalars(select(Conversation)).one()
        assert conversation.context == "shop12"


def test_the_language_comes_from_telegram_and_can_be_changed(
    telegram_api: TelegramEmulator, telegram_webhook: Any
) -> None:
    marie = TelegramChat(telegram_api, 43, telegram_webhook, language="fr")
    marie.says("/start nps")
    assert marie.last.text.startswith("Quelle est la probabilité")
    marie.says("/language")
    assert marie.last.buttons == ["English", "Français"]
    marie.taps("English")
    assert marie.last.text.startswith("I will speak English with you from now on.\n\n"
                                      "How likely are you to recommend us")
    assert len(marie.last.keyboard) == 2  # the question's keyboard, under the joined text


def test_photos_and_stickers_get_a_short_reply_and_store_nothing(
    telegram_chat: TelegramChat, telegram_ecoute: Ecoute
) -> None:
    photo = [{"file_id": "AgAD", "file_unique_id": "u1", "width": 90, "height": 90}]
    telegram_chat.sends(photo=photo)
    assert telegram_chat.last.text == (
        "Sorry, I can only read text messages. Please type your answer."
    )
    sticker = {"file_id": "CAAD", "file_unique_id": "u2", "width": 512, "height": 512,
               "is_animated": False, "is_video": False, "type": "regular"}
    telegram_chat.sends(sticker=sticker)
    telegram_chat.sends(location={"latitude": 48.85, "longitude": 2.35})
    assert len(telegram_chat.texts()) == 3
    assert count(telegram_ecoute, Respondent) == 0
    assert count(telegram_ecoute, InboundEvent) == 0


def test_in_a_group_only_help_is_answered_with_an_invitation(
    telegram_api: TelegramEmulator, telegram_webhook: Any, telegram_ecoute: Ecoute
) -> None:
    group = -100123
    for text in ("/start nps", "hello everyone", "/help"):
        update = telegram_api.message_update(group, text=text, chat_type="supergroup")
        telegram_webhook(update, 0)
    sent = telegram_api.calls_to("sendMessage")
    assert len(sent) == 1
    assert "https://t.me/ecoute_test_bot" in sent[0].params["text"]
    assert count(telegram_ecoute, Respondent) == 0


def test_edited_messages_and_bots_are_ignored(telegram_api: TelegramEmulator,
                                              telegram_webhook: Any,
                                              telegram_ecoute: Ecoute) -> None:
    from_bot = telegram_api.message_update(42, text="/start nps", is_bot=True)
    telegram_webhook(from_bot, 0)
    edited = telegram_api.message_update(42, text="/start nps")
    edited["edited_message"] = edited.pop("message")
    telegram_webhook(edited, 0)
    assert telegram_api.calls_to("sendMessage") == []
    assert count(telegram_ecoute, Respondent) == 0


def test_stop_then_forget(telegram_ana: TelegramChat, telegram_ecoute: Ecoute) -> None:
    telegram_ana.says("/start nps")
    telegram_ana.taps("8")
    telegram_ana.says("/stop")
    assert telegram_ana.last.text.startswith("Done: you will not receive any more messages")
    telegram_ana.says("/forget")
    assert telegram_ana.last.buttons == ["Yes, erase everything", "No"]
    telegram_ana.taps("Yes, erase everything")
    assert telegram_ana.last.text == "Everything we knew about you has been erased. Goodbye!"
    assert count(telegram_ecoute, Respondent) == 0
    assert answers(telegram_ecoute).get("why_passive") is None


def test_the_commands_appear_in_telegrams_menu_in_english_and_french(
    telegram_polling: Any, telegram_api: TelegramEmulator
) -> None:
    english = {c["command"]: c["description"] for c in telegram_api.commands[""]}
    french = {c["command"]: c["description"] for c in telegram_api.commands["fr"]}
    assert set(english) == {"start", "feedback", "complaint", "status", "language", "stop",
                            "forget", "help"}
    assert english["stop"] == "No more messages from us"
    assert french["stop"] == "Ne plus recevoir de messages de notre part"


def test_status_of_an_unknown_complaint_says_so(telegram_ana: TelegramChat) -> None:
    telegram_ana.says("/status C-0042")
    assert telegram_ana.last.text == "There is no complaint with the reference C-0042."


def test_feedback_offers_the_surveys_and_an_unknown_command_gets_help(
    telegram_ana: TelegramChat,
) -> None:
    telegram_ana.says("/feedback")
    assert "Would you recommend us?" in telegram_ana.last.buttons
    telegram_ana.says("/dance")
    assert "I collect your feedback in a few quick questions." in telegram_ana.last.text


def test_polling_leaves_a_webhook_set_by_another_process_alone(
    telegram_ecoute: Ecoute, telegram_api: TelegramEmulator
) -> None:
    from channels.telegram.runtime import TelegramPolling

    telegram_api.webhook["url"] = "https://feedback.example.com/telegram/webhook"
    polling = TelegramPolling(telegram_ecoute.settings.telegram, telegram_ecoute.engine)
    polling.start()
    polling.stop()
    assert telegram_api.calls_to("deleteWebhook") == []
    assert telegram_api.webhook["url"] == "https://feedback.example.com/telegram/webhook"


def test_without_a_telegram_language_the_default_language_is_spoken(
    telegram_settings: Any, db: Any, telegram_api: TelegramEmulator
) -> None:
    from dataclasses import replace

    from ecoute.wiring import build
    from testkit.emulators.telegram_chat import Webhook
    from web import create_app

    french_site = build(replace(telegram_settings, default_language="fr"), database=db)
    client = create_app(french_site).test_client()
    chat = TelegramChat(telegram_api, 44, Webhook(client, telegram_api, "test-webhook-secret"),
                        language=None)
    chat.says("/start nps")
    assert chat.last.text.startswith("Quelle est la probabilité")
    chat.sends(voice={"file_id": "AwAD", "file_unique_id": "v1", "duration": 3})
    assert chat.last.text.startswith("Désolé, je ne sais lire que les messages texte.")


def test_an_update_fetched_twice_by_polling_has_its_effect_once(
    telegram_polling: Any, telegram_api: TelegramEmulator, telegram_ecoute: Ecoute
) -> None:
    from testkit.emulators.telegram_chat import Polling

    chat = TelegramChat(telegram_api, 42, Polling(telegram_api, drain=telegram_polling.drain))
    chat.says("/start nps")
    tap = telegram_api.tap_update(42, "10")
    telegram_api.push(tap)  # as after a restart before the offset was confirmed
    chat.deliver(tap, 1)
    telegram_api.wait_for(lambda: telegram_api.pending_updates() == 0)  # both copies fetched
    telegram_polling.drain()  # and both handled
    assert answers(telegram_ecoute) == {"score": 10}
    assert chat.texts().count("Wonderful! What do you like most about us?") == 1
    assert len(telegram_api.calls_to("answerCallbackQuery")) == 1
