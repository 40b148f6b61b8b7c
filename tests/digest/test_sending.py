"""The digest reaches its Slack channels once a week, even with two workers; its configuration."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from click.testing import CliRunner

from bot import digest
from bot.outbox import Dispatcher
from ecoute.cli import cli
from ecoute.config import ConfigError, Settings
from ecoute.wiring import Ecoute, build, outbox_settings
from storage.db import Database
from testkit.emulators.slack import SlackEmulator
from tests.conftest import Clock
from tests.digest.conftest import SECRET


def drain(dispatcher: Dispatcher) -> None:
    """Send everything due."""
    while dispatcher.run_once().sent:
        pass


def posts(api: SlackEmulator) -> list[tuple[str, str]]:
    """Return (channel, title) of every digest posted."""
    found = []
    for call in api.calls("chat.postMessage"):
        blocks = call.params.get("blocks") or []
        if blocks and blocks[0]["type"] == "header":
            found.append((call.params["channel"], blocks[0]["text"]["text"]))
    return found


@pytest.fixture
def quick_outbox(week: Ecoute, clock: Clock) -> Dispatcher:
    """Return the worker's outbox, with no per-channel pause (the test's week is a second)."""
    settings = replace(outbox_settings(week.settings), respondent_rates={},
                       default_respondent_rate="100/second")
    return Dispatcher(week.db, week.senders, settings=settings, clock=clock)


def test_each_channel_gets_its_digest_once_a_week_in_block_kit(
        week: Ecoute, slack_api: SlackEmulator, quick_outbox: Dispatcher, clock: Clock) -> None:
    slack_outbox = quick_outbox
    digest.send_weekly(week.engine, week.settings.digests)
    drain(slack_outbox)
    assert sorted(posts(slack_api)) == [
        ("CGENERAL", "Voice of the customer, 2026-11-23 to 2026-11-29: All services"),
        ("CITTEAM", "Voice of the customer, 2026-11-23 to 2026-11-29: IT")]
    call = slack_api.calls("chat.postMessage")[0]
    assert "Top themes" in call.params["text"] and "*Scores*" in str(call.params["blocks"])
    assert SECRET not in str(slack_api.calls("chat.postMessage"))
    clock.advance(hours=3)  # a restarted worker runs the job again the same week
    digest.send_weekly(week.engine, week.settings.digests)
    drain(slack_outbox)
    assert len(posts(slack_api)) == 2
    clock.advance(days=7)
    digest.send_weekly(week.engine, week.settings.digests)
    drain(slack_outbox)
    assert sorted(title for _c, title in posts(slack_api)[2:]) == [  # sent at once: any order
        "Voice of the customer, 2026-11-30 to 2026-12-06: All services",
        "Voice of the customer, 2026-11-30 to 2026-12-06: IT"]


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_workers_at_the_same_hour_send_each_digest_once(
        week: Ecoute, slack_settings: Settings, slack_api: SlackEmulator, clock: Clock) -> None:
    workers = [build(slack_settings, database=Database(week.db.url), clock=clock)
               for _ in range(2)]
    start = threading.Barrier(2)

    def run(worker: Ecoute) -> None:
        start.wait()
        digest.send_weekly(worker.engine, worker.settings.digests)
        drain(Dispatcher(worker.db, worker.senders, settings=outbox_settings(worker.settings),
                         clock=clock))

    threads = [threading.Thread(target=run, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(channel for channel, _title in posts(slack_api)) == ["CGENERAL", "CITTEAM"]
    for worker in workers:
        worker.db.dispose()


def test_the_worker_schedules_the_digest_on_the_configured_day_and_hour(
        slack_ecoute: Ecoute) -> None:
    configured = replace(slack_ecoute.settings.digests, day="fri", hour=16,
                         timezone="Europe/Paris")
    served = replace(slack_ecoute, settings=replace(slack_ecoute.settings, digests=configured))
    [job] = [job for job in served.jobs() if job.id == "weekly_digest"]
    assert (job.trigger, job.trigger_args) == ("cron", {
        "day_of_week": "fri", "hour": 16, "minute": 0, "timezone": "Europe/Paris"})
    nothing = replace(slack_ecoute.settings, digests=digest.DigestSettings())
    assert "weekly_digest" not in [j.id for j in replace(slack_ecoute, settings=nothing).jobs()]


@pytest.mark.parametrize(("env", "problem"), [
    ({"ECOUTE_DIGESTS": "CGENERAL"}, "each entry is CHANNEL=SCOPE"),
    ({"ECOUTE_DIGESTS": "CGENERAL=everyone"}, "'all' or 'service:<id>'"),
    ({"ECOUTE_DIGESTS": "C1=all", "ECOUTE_DIGEST_DAY": "someday"}, "ECOUTE_DIGEST_DAY"),
    ({"ECOUTE_DIGESTS": "C1=all", "ECOUTE_DIGEST_HOUR": "25"}, "ECOUTE_DIGEST_HOUR"),
    ({"ECOUTE_DIGESTS": "C1=all", "ECOUTE_DIGEST_TIMEZONE": "Mars/Olympus"}, "time zone"),
    ({"ECOUTE_DIGESTS": "C1=all", "ECOUTE_DIGEST_LANGUAGE": "de"}, "ECOUTE_DIGEST_LANGUAGE"),
])
def test_a_wrong_digest_setting_is_refused_with_its_reason(env: dict[str, str],
                                                           problem: str) -> None:
    with pytest.raises(ConfigError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env(env)


def test_ecoute_digest_preview_prints_a_departments_digest(week: Ecoute) -> None:
    if week.db.is_postgres:
        pytest.skip("the command line reads one store; SQLite is enough")
    env = {"DATABASE_URL": week.db.url}
    shown = CliRunner().invoke(cli, ["digest", "preview", "--department", "it",
                                     "--language", "fr"], env=env)
    assert shown.exit_code == 0, shown.output
    assert "La voix du client" in shown.output and ": Informatique" in shown.output
    wrong = CliRunner().invoke(cli, ["digest", "preview", "--department", "canteen"], env=env)
    assert wrong.exit_code == 1
    assert wrong.output.strip().startswith("ecoute: error: --department must be one of it, hr")
    assert len(wrong.output.strip().splitlines()) == 1


def test_ecoute_digest_send_posts_now_and_not_twice(week: Ecoute, slack_api: SlackEmulator,
                                                   clock: Clock) -> None:
    if week.db.is_postgres:
        pytest.skip("the command line reads one store; SQLite is enough")
    env = {"DATABASE_URL": week.db.url, "SLACK_BOT_TOKEN": "xoxb-t",
           "SLACK_API_BASE_URL": slack_api.api_url, "ECOUTE_DIGESTS": "CGENERAL=all"}
    first = CliRunner().invoke(cli, ["digest", "send"], env=env)
    again = CliRunner().invoke(cli, ["digest", "send"], env=env)
    assert first.exit_code == again.exit_code == 0, first.output
    assert "1 digest(s) planned and sent" in first.output
    assert "0 digest(s) planned and sent; 1 already sent this week" in again.output
    assert [channel for channel, _title in posts(slack_api)] == ["CGENERAL"]
