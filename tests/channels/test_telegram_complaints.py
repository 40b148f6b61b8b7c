"""A customer files a complaint on Telegram: /complaint, taps, a photo, a reference, /status.

The real python-telegram-bot talks to the loopback Bot API emulator, by polling
and by webhook; a retried update (Telegram re-posts until it gets 200) files once.
"""

from __future__ import annotations

from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import Complaint
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat, Webhook

PHOTO = [{"file_id": "AgADsmall", "file_unique_id": "s1", "width": 90, "height": 90},
         {"file_id": "AgADlarge", "file_unique_id": "l1", "width": 1280, "height": 960}]


def stored(ecoute: Ecoute) -> list[Complaint]:
    """Return the stored complaints."""
    with ecoute.db.transaction() as session:
        return list(session.scalars(select(Complaint).order_by(Complaint.id)))


def answer_up_to_contact(chat: TelegramChat) -> None:
    """Ask for a complaint and answer up to the photo question, photo included."""
    chat.says("/complaint")
    assert chat.last.text == ("What is your complaint about?\n"
        "A complaint is filed under your name, never anonymously.")
    assert chat.last.buttons == ["Delivery", "Product quality", "Billing", "Service",
                                 "Something else"]
    chat.taps("Product quality")
    chat.says("The kettle leaks from the bottom")
    chat.taps("Skip")
    chat.taps("It blocks me")
    assert chat.last.text == "You can send a photo of the problem, or skip this step."
    assert chat.last.buttons == ["Skip"]
    chat.sends(photo=PHOTO)
    assert chat.last.text == "May we contact you here about this complaint?"


def test_a_complaint_with_a_photo_gets_a_reference(telegram_chat: TelegramChat,
                                                   telegram_ecoute: Ecoute) -> None:
    answer_up_to_contact(telegram_chat)
    telegram_chat.taps("Yes")
    assert telegram_chat.last.text.startswith(
        "Your complaint is registered under the reference R-2026-0001. We will get back to "
        "you by Thursday 26 November 2026, 11:00 (UTC).")
    [complaint] = stored(telegram_ecoute)
    assert (complaint.channel, complaint.photo_file_id, complaint.priority) == (
        "telegram", "AgADlarge", "critical")


def test_a_retried_update_files_one_complaint(telegram_ana: TelegramChat,
                                              telegram_webhook: Webhook,
                                              telegram_api: TelegramEmulator,
                                              telegram_ecoute: Ecoute) -> None:
    answer_up_to_contact(telegram_ana)
    update = telegram_ana.says("yes")
    shown = len(telegram_ana.texts())
    again = telegram_webhook.post(update)  # Telegram did not see the 200: it posts again
    assert again.status_code == 200
    assert "method" not in again.get_json(), "no Bot API call in the answer: nothing sent again"
    telegram_api.answer_webhook(again.get_json())
    assert len(telegram_ana.texts()) == shown
    assert [c.reference for c in stored(telegram_ecoute)] == ["R-2026-0001"]


def test_status_answers_the_filer_only(telegram_ana: TelegramChat, telegram_webhook: Webhook,
                                       telegram_api: TelegramEmulator) -> None:
    answer_up_to_contact(telegram_ana)
    telegram_ana.says("yes")
    telegram_ana.says("/status R-2026-0001")
    assert telegram_ana.last.text == (
        "Complaint R-2026-0001: received. Next step by Thursday 26 November 2026, 11:00 (UTC).")
    other = TelegramChat(telegram_api, 43, telegram_webhook, language="fr")
    other.says("/status R-2026-0001")
    assert other.last.text == "Aucune réclamation ne porte la référence R-2026-0001."


def test_a_photo_outside_the_photo_question_is_not_understood(
        telegram_ana: TelegramChat) -> None:
    telegram_ana.says("/complaint")
    telegram_ana.sends(photo=PHOTO)
    assert telegram_ana.last.text == (
        "Sorry, I can only read text messages. Please type your answer.")


def test_a_french_speaker_gets_the_dialogue_in_french(telegram_api: TelegramEmulator,
                                                      telegram_webhook: Webhook) -> None:
    marie = TelegramChat(telegram_api, 44, telegram_webhook, language="fr")
    marie.says("réclamation")
    assert marie.last.text.startswith("Sur quoi porte votre réclamation ?")
    assert marie.last.buttons[:2] == ["Livraison", "Qualité du produit"]
