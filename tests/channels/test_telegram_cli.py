"""``ecoute telegram …`` against the emulator, and a first try with a token: `ecoute serve`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from ecoute.cli import cli
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import Polling, TelegramChat
from tests.channels.conftest import TELEGRAM_SECRET

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def telegram_env(telegram_api: TelegramEmulator) -> dict[str, str]:
    """Return the environment an operator sets for the bot."""
    return {"TELEGRAM_BOT_TOKEN": telegram_api.token, "TELEGRAM_API_BASE_URL": telegram_api.url,
            "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET}


def test_set_webhook_registers_url_secret_update_types_and_commands(
    telegram_api: TelegramEmulator, telegram_env: dict[str, str]
) -> None:
    result = CliRunner().invoke(cli, ["telegram", "set-webhook", "https://feedback.example.com"],
                                env=telegram_env)
    assert result.exit_code == 0, result.output
    assert "webhook set: https://feedback.example.com/telegram/webhook" in result.output
    assert telegram_api.webhook["url"] == "https://feedback.example.com/telegram/webhook"
    assert telegram_api.webhook["secret_token"] == TELEGRAM_SECRET
    assert telegram_api.webhook["allowed_updates"] == ["message", "callback_query"]
    assert set(telegram_api.commands) == {"", "fr"}


def test_info_shows_the_bot_and_its_webhook_then_delete_webhook(
    telegram_api: TelegramEmulator, telegram_env: dict[str, str]
) -> None:
    runner = CliRunner()
    runner.invoke(cli, ["telegram", "set-webhook", "https://x.example/telegram/webhook"],
                  env=telegram_env)
    info = runner.invoke(cli, ["telegram", "info"], env=telegram_env)
    assert info.exit_code == 0, info.output
    assert "@ecoute_test_bot (id 123456" in info.output
    assert "webhook:         https://x.example/telegram/webhook" in info.output
    assert "update types:    message, callback_query" in info.output

    deleted = runner.invoke(cli, ["telegram", "delete-webhook"], env=telegram_env)
    assert deleted.exit_code == 0
    info = runner.invoke(cli, ["telegram", "info"], env=telegram_env)
    assert "none (updates are fetched by long polling)" in info.output


@pytest.mark.parametrize("args, env_change, message", [
    (["set-webhook", "https://x.example"], {"TELEGRAM_WEBHOOK_SECRET": ""},
     "set TELEGRAM_WEBHOOK_SECRET first"),
    (["set-webhook"], {}, "give the URL, or set TELEGRAM_WEBHOOK_URL"),
    (["set-webhook", "feedback.example.com"], {}, "not a web address"),
    (["info"], {"TELEGRAM_BOT_TOKEN": ""}, "TELEGRAM_BOT_TOKEN is not set"),
])
def test_mistakes_are_one_clear_line(args: list[str], env_change: dict[str, str], message: str,
                                     telegram_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["telegram", *args], env={**telegram_env, **env_change})
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_rejected_token_is_one_clear_line(telegram_api: TelegramEmulator,
                                            telegram_env: dict[str, str]) -> None:
    telegram_api.fail("getMe", 401, "Unauthorized")
    result = CliRunner().invoke(cli, ["telegram", "info"], env=telegram_env)
    assert result.exit_code == 1
    assert result.output.startswith("ecoute: error: ")


def test_a_newcomer_with_only_a_token_runs_a_whole_dialogue_with_ecoute_serve(
    telegram_api: TelegramEmulator, tmp_path: Path
) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'ecoute.db'}",
           "TELEGRAM_BOT_TOKEN": telegram_api.token, "TELEGRAM_API_BASE_URL": telegram_api.url}
    ecoute = [sys.executable, "-m", "ecoute.cli"]
    subprocess.run([*ecoute, "db", "upgrade"], env=env, cwd=ROOT, check=True,
                   capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*ecoute, "serve", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        telegram_api.wait_for(lambda: telegram_api.polls > 0, timeout=30)  # serve is up
        chat = TelegramChat(telegram_api, 42, Polling(telegram_api))
        chat.says("/start")
        assert "Would you recommend us?" in chat.last.buttons  # the menu of surveys
        chat.taps("Would you recommend us?")
        chat.taps("6")
        chat.says("too slow")
        assert chat.last.text.startswith("Thank you for your feedback, it helps us improve.")
    finally:
        server.terminate()
        server.wait(10)
