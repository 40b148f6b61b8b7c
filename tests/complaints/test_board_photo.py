"""A complaint's photo on its page: fetched from the Bot API when shown, never kept as a file.

The real python-telegram-bot client calls ``getFile`` and downloads the file from
the loopback Telegram emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask

from bot import complaint_desk
from bot.complaint_desk import Intake
from channels.telegram.settings import TelegramSettings
from ecoute.wiring import Ecoute
from storage.vocabulary import Urgency
from testkit.emulators.telegram import TOKEN, TelegramEmulator
from tests.console.conftest import Staff, add_staff, quick_hashes  # noqa: F401
from web import create_app

PHOTO = b"\xff\xd8\xff\xe0 a crushed box \xff\xd9"


@pytest.fixture
def telegram() -> Iterator[TelegramEmulator]:
    """Run the Bot API emulator, holding one photo."""
    with TelegramEmulator() as api:
        api.files["photo-1"] = ("photos/file_1.jpg", PHOTO)
        yield api


@pytest.fixture
def served(ecoute: Ecoute, telegram: TelegramEmulator) -> Ecoute:
    """Return Écoute with Telegram configured against the emulator."""
    ecoute.settings = replace(ecoute.settings, secret_key="photo-secret", telegram=TelegramSettings(
        token=TOKEN, api_base_url=telegram.url))
    return ecoute


def file_with_photo(served: Ecoute, photo: str | None, channel: str = "telegram") -> str:
    """File a complaint with a photo's file id; return its reference."""
    with served.db.transaction() as session:
        return complaint_desk.file(session, served.engine.settings.complaints, Intake(
            respondent_id=None, conversation_id=None, channel=channel, language="en",
            category="delivery", description="Crushed box", urgency=Urgency.MINOR,
            contact_consent=True, photo_file_id=photo), now=served.engine.clock(),
            actor="respondent").reference


def viewer(app: Flask, served: Ecoute) -> Staff:
    """Return a signed-in viewer."""
    member = add_staff(app, served, "viewer@example.com", "viewer")
    assert member.sign_in().status_code == 303
    return member


def test_the_photo_is_relayed_from_telegram_and_shown_on_the_page(
        served: Ecoute, telegram: TelegramEmulator) -> None:
    app = create_app(served)
    reference = file_with_photo(served, "photo-1")
    member = viewer(app, served)
    page = member.client.get(f"/admin/complaints/{reference}").get_data(as_text=True)
    assert f'src="/admin/complaints/{reference}/photo"' in page
    photo = member.client.get(f"/admin/complaints/{reference}/photo")
    assert (photo.status_code, photo.data, photo.content_type) == (200, PHOTO, "image/jpeg")
    assert photo.headers["Cache-Control"] == "no-store"
    assert [c.method for c in telegram.calls if c.method == "getFile"] == ["getFile"]
    assert telegram.calls[-1].params["file_id"] == "photo-1"


def test_no_photo_or_another_channel_is_404_and_a_telegram_failure_502(
        served: Ecoute, telegram: TelegramEmulator) -> None:
    app = create_app(served)
    member = viewer(app, served)
    without = file_with_photo(served, None)
    assert member.client.get(f"/admin/complaints/{without}/photo").status_code == 404
    web = file_with_photo(served, "photo-1", channel="web")
    assert member.client.get(f"/admin/complaints/{web}/photo").status_code == 404
    telegram.fail("getFile", 400, "Bad Request: invalid file_id")
    failing = file_with_photo(served, "photo-1")
    assert member.client.get(f"/admin/complaints/{failing}/photo").status_code == 502
