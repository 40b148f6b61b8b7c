"""Forget really forgets, on every channel: no text, no id, no alert left, posted alerts retracted.

Each person answers a detractor's score with a comment (so a staff alert is
planned for Slack's alert channel), says "forget" and confirms. Either the
alert was still waiting (it must never reach Slack) or the dispatcher had
already posted it (it must be deleted from Slack, through the outbox). Then no
column of any table holds their words or any of their ids.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import select

from bot.messages import Outbound
from bot.outbox import Dispatcher
from bot.sending import Receipt, Retraction
from channels.console import ConsoleChannel
from ecoute.config import Settings, SlackSettings, WebSettings
from ecoute.wiring import Ecoute, build, outbox_settings
from storage import installation
from storage.db import Database
from storage.installation import Keyring
from storage.models import Delivery, InboundEvent, Respondent, Suppression
from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from testkit.emulators.telegram import TelegramEmulator
from testkit.emulators.telegram_chat import TelegramChat, Webhook
from tests.conftest import Clock, Person
from tests.test_privacy import every_value
from tests.web.widget_client import Visitor
from web import create_app

SLACK_SECRET = "forget-signing-secret"
TELEGRAM_SECRET = "forget-webhook-secret"
COMMENT = "the parcel from Marseille was crushed by Quentin"


@dataclass
class Site:
    """The whole app with every channel on, its Flask client, and the platforms' emulators."""

    app: Ecoute
    slack_api: SlackEmulator
    telegram_api: TelegramEmulator
    client: object
    outbox: Dispatcher
    slack: SlackWorkspace
    widget: Visitor | None = None  # the widget visitor, between answering and forgetting


@pytest.fixture
def site(settings: Settings, db: Database, clock: Clock) -> Iterator[Site]:
    """Return the app wired with Slack (alerts to #CALERTS), Telegram and the widget."""
    with SlackEmulator() as slack_api, TelegramEmulator() as telegram_api:
        slack_api.add_user("U7ZOE42", locale="en-US")
        slack = SlackSettings(bot_token="xoxb-test", signing_secret=SLACK_SECRET,
                              api_base_url=slack_api.api_url, alert_channel="CALERTS")
        telegram = replace(settings.telegram, token=telegram_api.token,
                           api_base_url=telegram_api.url, webhook_secret=TELEGRAM_SECRET)
        web = WebSettings(visitor_rate="1000/minute", ip_rate="1000/minute")
        app = build(replace(settings, slack=slack, telegram=telegram, web=web), database=db,
                    clock=clock)
        client = create_app(app).test_client()
        rates = replace(outbox_settings(app.settings), default_respondent_rate="100/second")
        outbox = Dispatcher(app.db, app.senders, settings=rates, clock=clock)
        yield Site(app, slack_api, telegram_api, client, outbox,
                   SlackWorkspace(client, slack_api, SLACK_SECRET))
        app.senders["telegram"].close()  # type: ignore[attr-defined]


def by_console(site: Site) -> list[str]:
    """Answer on the console; return the person's ids."""
    lines = io.StringIO(f"3\n{COMMENT}\nyes\n")
    ConsoleChannel(site.app.engine, person="console-zoe-7731", stdin=lines,
                   stdout=io.StringIO()).run("nps")
    return ["console-zoe-7731"]


def forget_on_console(site: Site) -> None:
    """Say forget on the console and confirm."""
    out = io.StringIO()
    ConsoleChannel(site.app.engine, person="console-zoe-7731",
                   stdin=io.StringIO("forget\nyes\n"), stdout=out).run(None)
    assert "Everything we knew about you has been erased." in out.getvalue()


def widget_visitor(site: Site) -> Visitor:
    """Return Zoé on a page with the widget (the JSON API through Flask's test client)."""
    return Visitor(site.client, "visitor-zoe-5521", "en")  # type: ignore[arg-type]


def by_widget(site: Site) -> list[str]:
    """Answer in the widget."""
    zoe = widget_visitor(site)
    zoe.start("nps")
    zoe.taps("3")
    zoe.types(COMMENT)
    zoe.taps("consent:yes")
    site.widget = zoe
    return ["visitor-zoe-5521"]


def forget_on_widget(site: Site) -> None:
    """Say forget in the widget and confirm."""
    zoe = site.widget
    assert zoe is not None
    zoe.types("forget")
    zoe.taps("forget:yes")
    assert zoe.texts() == ["Everything we knew about you has been erased. Goodbye!"]


def telegram_chat(site: Site) -> TelegramChat:
    """Return Zoé's private Telegram chat, by webhook."""
    hook = Webhook(site.client, site.telegram_api, TELEGRAM_SECRET)
    return TelegramChat(site.telegram_api, 913377231, hook)


def by_telegram(site: Site) -> list[str]:
    """Answer on Telegram (the emulator posts updates to the webhook)."""
    chat = telegram_chat(site)
    chat.says("/start nps")
    chat.taps("3")
    chat.says(COMMENT)
    chat.taps("Yes, tell me")
    return ["913377231"]


def forget_on_telegram(site: Site) -> None:
    """Say forget on Telegram and confirm."""
    chat = telegram_chat(site)
    chat.says("forget")
    chat.taps("Yes, erase everything")
    assert chat.last.text == "Everything we knew about you has been erased. Goodbye!"


def by_slack(site: Site) -> list[str]:
    """Answer in a Slack DM, tapping the buttons (the emulator's requests reach the app)."""
    slack, api = site.slack, site.slack_api
    slack.dm("U7ZOE42", "start nps")
    question = api.wait_for("chat.postMessage", 1)[-1]
    slack.tap("U7ZOE42", question, "3")
    api.wait_for("chat.postMessage", 2)
    slack.dm("U7ZOE42", COMMENT)
    consent = api.wait_for("chat.postMessage", 4)[-1]
    slack.tap("U7ZOE42", consent, "consent:yes")
    offer = api.wait_for("chat.postMessage", 6)[-1]  # thanks, then the complaint offer
    assert offer.params["text"].startswith("Would you like us to handle this as a complaint?")
    return ["U7ZOE42", "7ZOE42"]  # the user, and the DM channel D7ZOE42


def forget_on_slack(site: Site) -> None:
    """Say forget in the DM and tap the confirmation."""
    slack, api = site.slack, site.slack_api
    before = len(api.calls("chat.postMessage"))
    slack.dm("U7ZOE42", "forget")
    confirm = api.wait_for("chat.postMessage", before + 1)[-1]
    slack.tap("U7ZOE42", confirm, "forget:yes")
    bye = api.wait_for("chat.postMessage", before + 2)[-1]
    assert bye.params["text"].startswith("Everything we knew about you has been erased.")


Answer = Callable[[Site], list[str]]
Forget = Callable[[Site], None]
CHANNELS = {
    "console": (by_console, forget_on_console),
    "widget": (by_widget, forget_on_widget),
    "telegram": (by_telegram, forget_on_telegram),
    "slack": (by_slack, forget_on_slack),
}


def alerts_posted(api: SlackEmulator) -> list[dict]:
    """Return the posts to the staff alert channel."""
    return [c.params for c in api.calls("chat.postMessage") if c.params["channel"] == "CALERTS"]


def assert_nothing_left(db: Database, ids: list[str]) -> None:
    """Fail if any column of any table holds the comment or one of the person's ids."""
    left = " ".join(every_value(db))
    for trace in (COMMENT, "Marseille", "Quentin", *ids):
        assert trace not in left, f"{trace!r} is still stored"


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_a_pending_alert_never_reaches_slack_after_forget(site: Site, channel: str) -> None:
    answer, forget = CHANNELS[channel]
    ids = answer(site)
    forget(site)
    site.outbox.run_once()
    assert alerts_posted(site.slack_api) == [], "the alert about a forgotten person went out"
    assert_nothing_left(site.app.db, ids)


@pytest.mark.parametrize("channel", sorted(CHANNELS))
def test_a_posted_alert_is_retracted_from_slack_after_forget(site: Site, channel: str) -> None:
    answer, forget = CHANNELS[channel]
    ids = answer(site)
    assert site.outbox.run_once().sent == 1
    [alert] = site.slack_api.messages("CALERTS")
    assert "Quentin" in str(alert["blocks"])
    forget(site)
    assert site.outbox.run_once().sent == 1  # the retraction
    assert site.slack_api.messages("CALERTS") == [], "the posted alert is still in Slack"
    [deleted] = site.slack_api.calls("chat.delete")
    assert (deleted.params["channel"], deleted.params["ts"]) == ("CALERTS", alert["ts"])
    assert_nothing_left(site.app.db, ids)


def test_a_reply_handed_to_the_outbox_carries_its_person_so_forget_takes_it(
        site: Site) -> None:
    site.slack_api.fail("chat.postMessage", error="internal_error")
    site.slack.dm("U7ZOE42", "start nps")
    site.slack_api.wait_for("chat.postMessage")
    kept: list = []
    for _ in range(200):  # the listener hands the reply over right after Slack's refusal
        with site.app.db.transaction() as session:
            kept = session.execute(select(Delivery.kind, Delivery.respondent_id)).all()
        if kept:
            break
        time.sleep(0.02)
    assert [(kind, person is not None) for kind, person in kept] == [("reply", True)]
    forget_on_slack(site)
    assert_nothing_left(site.app.db, ["U7ZOE42", "7ZOE42"])


def test_no_platform_event_id_is_stored_and_replays_stay_harmless(ecoute: Ecoute) -> None:
    zoe = Person(ecoute.engine, "visitor-zoe-5521", channel="web")
    zoe.says("start nps", event_id="visitor-zoe-5521:m1")
    assert zoe.says("start nps", event_id="visitor-zoe-5521:m1").duplicate
    with ecoute.db.transaction() as session:
        [stored] = session.scalars(select(InboundEvent.event_id)).all()
    assert "visitor-zoe-5521" not in stored and "m1" not in stored
    assert len(stored) == 64, "a keyed hash (HMAC-SHA256, hex)"


def test_the_suppression_list_holds_keyed_digests_only(ecoute: Ecoute) -> None:
    leo = Person(ecoute.engine, "913377231")
    leo.says("stop")
    leo.says("forget")
    leo.taps("forget:yes")
    unkeyed = hashlib.sha256(b"ecoute-suppression-v1" + b"test\x1f913377231").hexdigest()
    with ecoute.db.transaction() as session:
        [kept] = session.scalars(select(Suppression.digest)).all()
    assert kept != unkeyed, "anyone could test a Telegram id against an unkeyed digest"
    assert Person(ecoute.engine, "913377231").says("start nps") is not None
    with ecoute.db.transaction() as session:
        assert session.scalar(select(Respondent.opted_out_at)) is not None, "still opted out"


def test_the_installation_secret_is_made_once_and_shared_by_every_process(
        settings: Settings, db: Database, clock: Clock) -> None:
    processes = [Database(db.url) for _ in range(4)]
    start = threading.Barrier(len(processes))
    found: list[bytes] = []

    def begin(database: Database) -> None:
        start.wait()
        found.append(installation.stored_secret(database))

    threads = [threading.Thread(target=begin, args=(d,)) for d in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(found) == 4 and len(set(found)) == 1 and len(found[0]) == 32
    restarted = build(settings, database=Database(db.url), clock=clock)
    assert restarted.engine.keyring == Keyring(found[0]), "a restart keeps the secret"
    for database in processes:
        database.dispose()


def test_ecoute_secret_key_wins_over_the_stored_secret(settings: Settings, db: Database,
                                                       clock: Clock) -> None:
    configured = build(replace(settings, secret_key="s3cr3t-from-the-environment"),
                       database=db, clock=clock)
    stored = build(settings, database=db, clock=clock)
    assert configured.engine.keyring == Keyring(b"s3cr3t-from-the-environment")
    digest = configured.engine.keyring.digest("event", "x")
    assert digest != stored.engine.keyring.digest("event", "x")
    assert digest == hmac.new(b"s3cr3t-from-the-environment", b"event\x1fx",
                              hashlib.sha256).hexdigest()


def test_where_slack_refuses_to_delete_the_alert_it_is_redacted(site: Site) -> None:
    by_console(site)
    assert site.outbox.run_once().sent == 1
    [alert] = site.slack_api.messages("CALERTS")
    site.slack_api.fail("chat.delete", error="cant_delete_message")
    forget_on_console(site)
    assert site.outbox.run_once().sent == 1
    [shown] = site.slack_api.messages("CALERTS")
    assert shown["ts"] == alert["ts"]
    assert shown["text"] == "(removed at the person's request)"
    assert "Quentin" not in str(shown) and "3/10" not in str(shown)


def test_an_alert_already_gone_from_slack_needs_no_retraction(site: Site) -> None:
    by_console(site)
    assert site.outbox.run_once().sent == 1
    site.slack_api.fail("chat.delete", error="message_not_found")
    forget_on_console(site)
    assert site.outbox.run_once().sent == 1
    assert site.slack_api.calls("chat.update") == []
    with site.app.db.transaction() as session:
        statuses = session.execute(select(Delivery.kind, Delivery.status)).all()
    assert sorted(statuses) == [("alert", "sent"), ("retraction", "sent")]


class ForgetsWhileSending:
    """The real Slack sender, with the person saying forget while their alert is on its way."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.real = site.app.senders["slack"]

    def send(self, address: str, message: Outbound) -> Receipt | None:
        """Let the person be forgotten, then post as the real sender does."""
        forget_on_console(self.site)
        return self.real.send(address, message)

    def retract(self, address: str, retraction: Retraction) -> None:
        """Take back as the real sender does."""
        self.real.retract(address, retraction)  # type: ignore[attr-defined]


def test_an_alert_posted_while_its_person_is_forgotten_is_taken_back(site: Site) -> None:
    by_console(site)
    site.outbox.senders["slack"] = ForgetsWhileSending(site)
    assert site.outbox.run_once().sent == 1
    assert len(site.slack_api.messages("CALERTS")) == 1
    assert site.outbox.run_once().sent == 1  # the retraction planned when its row was gone
    assert site.slack_api.messages("CALERTS") == []
    assert_nothing_left(site.app.db, ["console-zoe-7731"])
