"""``ecoute qr``: SVG QR codes of a survey's page and of its Telegram deep link."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import segno
from click.testing import CliRunner

from channels.telegram.adapter import parse_start
from ecoute.cli import cli


def qr_svg(link: str) -> str:
    """Return the SVG that encodes ``link`` with the command's settings."""
    out = io.BytesIO()
    segno.make(link, error="m", micro=False).save(out, kind="svg", scale=8, title=link,
                                                  border=4)
    return out.getvalue().decode()


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """Return a runner in an empty directory with the public address set."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ECOUTE_BASE_URL", "https://feedback.example.com/")
    monkeypatch.delenv("TELEGRAM_BOT_USERNAME", raising=False)
    return CliRunner()


def test_a_poster_qr_code_encodes_the_survey_page_with_its_context(
    run: CliRunner, tmp_path: Path
) -> None:
    result = run.invoke(cli, ["qr", "nps", "--context", "shop12"])
    assert result.exit_code == 0, result.output
    link = "https://feedback.example.com/s/nps?context=shop12"
    assert result.output == f"qr-nps-shop12.svg: {link}\n"
    svg = (tmp_path / "qr-nps-shop12.svg").read_text()
    assert svg == qr_svg(link)
    assert svg != qr_svg("https://feedback.example.com/s/nps?context=shop13")


def test_the_telegram_deep_link_carries_survey_and_context(
    run: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_USERNAME", "@AcmeFeedbackBot")
    result = run.invoke(cli, ["qr", "csat", "--context", "shop12", "--telegram"])
    assert result.exit_code == 0, result.output
    deep = "https://t.me/AcmeFeedbackBot?start=csat__shop12"
    assert f"qr-csat-shop12-telegram.svg: {deep}" in result.output
    assert (tmp_path / "qr-csat-shop12-telegram.svg").read_text() == qr_svg(deep)
    # The Telegram channel reads the deep link's payload back as survey and context.
    assert parse_start(deep.split("?start=", 1)[1]) == ("csat", "shop12")


def test_the_bot_name_can_be_given_on_the_command_line(run: CliRunner, tmp_path: Path) -> None:
    result = run.invoke(cli, ["qr", "nps", "--telegram", "--telegram-bot", "OtherBot",
                              "-o", "poster.svg"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "poster-telegram.svg").read_text() == qr_svg(
        "https://t.me/OtherBot?start=nps")


@pytest.mark.parametrize(("args", "complaint"), [
    (["qr", "nope"], "no survey 'nope'"),
    (["qr", "nps", "--context", "shop 12!"], "letters, digits"),
    (["qr", "nps", "--telegram"], "TELEGRAM_BOT_USERNAME"),
])
def test_bad_arguments_are_explained_and_write_nothing(
    run: CliRunner, tmp_path: Path, args: list[str], complaint: str
) -> None:
    result = run.invoke(cli, args)
    assert result.exit_code == 2
    assert complaint in result.output
    assert list(tmp_path.glob("*.svg")) == []
