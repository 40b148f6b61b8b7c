"""Signed outgoing webhooks: a completed survey reaches the company's receiver, signed, once.

The whole application is built on the test store with a real receiver on
loopback (:mod:`tests.webhook_receiver`); people answer through the real
engine; the outbox is drained, then what the receiver got is verified with the
``standardwebhooks`` library, as the company's system would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import timedelta

import pytest
from sqlalchemy import select
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from bot import webhook_events, webhooks
from bot.outbox import Dispatcher
from bot.submissions import Submission
from bot.webhooks import EVENTS, Refusal, WebhookError, check_url
from channels.webhooks import WebhookSender, WebhookSettings, retry_after
from ecoute.config import Settings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from storage.models import Delivery, Respondent
from storage.models import Webhook as WebhookRow
from storage.vocabulary import WebhookEvent
from storage.webhooks import WebhookRecord
from tests.conftest import Clock, Person
from tests.web.widget_client import Visitor
from tests.webhook_receiver import Receiver, receiver  # noqa: F401  # the fixture
from web import create_app

COMMENT = "the delivery man was late again"


@dataclass
class Hooked:
    """The application with one webhook to the receiver, and its outbox."""

    app: Ecoute
    outbox: Dispatcher
    secret: str
    webhook: WebhookRecord
    receiver: Receiver
    clock: Clock

    def answer(self, name: str, score: str, comment: str = COMMENT) -> Person:
        """Let someone answer the NPS survey to the end."""
        person = Person(self.app.engine, name, locale="en")
        person.says("start nps")
        person.says(score)
        person.says(comment)
        return person

    def deliveries(self) -> list[tuple[str, str, int]]:
        """Return (status, event type, attempts) of every webhook delivery, in order."""
        with self.app.db.transaction() as session:
            rows = session.execute(select(Delivery.status, Delivery.payload, Delivery.attempts)
                                   .where(Delivery.kind == "webhook").order_by(Delivery.id))
            return [(status, payload.get("type", ""), attempts)
                    for status, payload, attempts in rows]


@pytest.fixture
def hooked(settings: Settings, db: Database, clock: Clock,
           receiver: Receiver) -> Iterator[Hooked]:  # noqa: F811
    """Return Écoute with a webhook (both events) pointing at the loopback receiver."""
    app = build(replace(settings, webhooks=WebhookSettings(allow_private=True, timeout=5)),
                database=db, clock=clock)
    secret, record = webhooks.create(app.db, receiver.url, EVENTS, "CRM", actor="cli",
                                     allow_private=True, now=clock())
    yield Hooked(app, app.dispatcher(), secret, record, receiver, clock)
    app.senders["webhook"].close()  # type: ignore[attr-defined]


def test_a_completed_survey_reaches_the_receiver_signed(hooked: Hooked) -> None:
    hooked.answer("ana-4411", "8", "fine overall")
    assert hooked.outbox.run_once().sent == 1
    [got] = hooked.receiver.received
    event = got.verified(hooked.secret)
    assert event["type"] == "response.completed"
    assert event["timestamp"] == "2026-11-26T09:00:00.000Z"
    data = event["data"]
    assert (data["survey"], data["channel"], data["language"]) == ("nps", "test", "en")
    assert data["answers"] == [
        {"question": "score", "type": "nps", "value": 8},
        {"question": "why_passive", "type": "text", "value": "fine overall"}]
    assert data["link"].endswith(f"/admin/conversations/{data['conversation']}")
    assert "ana-4411" not in got.body.decode(), "no platform id of the person is sent"
    assert got.headers["webhook-id"].startswith("msg_")
    assert got.headers["content-type"] == "application/json"
    assert got.path == "/hooks/ecoute"


def test_a_detractor_fires_both_events_each_signed(hooked: Hooked) -> None:
    hooked.answer("bruno", "3")
    assert hooked.outbox.run_once().sent == 2
    events = {r.verified(hooked.secret)["type"]: r for r in hooked.receiver.received}
    assert set(events) == {"response.completed", "response.detractor"}
    detractor = events["response.detractor"].payload["data"]
    assert detractor["detractor_scores"] == [{"question": "score", "type": "nps", "value": 3}]
    assert {"question": "why_detractor", "type": "text", "value": COMMENT} in detractor["answers"]
    ids = {r.headers["webhook-id"] for r in hooked.receiver.received}
    assert len(ids) == 2, "each event has its own webhook-id"


def test_an_answer_in_the_web_widget_reaches_the_receiver(hooked: Hooked) -> None:
    zoe = Visitor(create_app(hooked.app).test_client(), "visitor-zoe-8120", "fr")
    zoe.start("nps")
    zoe.taps("4")
    zoe.types("trop lent")
    assert hooked.outbox.run_once().sent == 2
    events = [r.verified(hooked.secret) for r in hooked.receiver.received]
    assert sorted(e["type"] for e in events) == ["response.completed", "response.detractor"]
    assert {(e["data"]["channel"], e["data"]["language"]) for e in events} == {("web", "fr")}
    assert "visitor-zoe-8120" not in str(events)


def test_a_tampered_body_or_another_secret_fails_the_check(hooked: Hooked) -> None:
    hooked.answer("chloe", "9", "great")
    hooked.outbox.run_once()
    [got] = hooked.receiver.received
    tampered = got.body.replace(b'"value":9', b'"value":10')
    assert tampered != got.body
    with pytest.raises(WebhookVerificationError):
        Webhook(hooked.secret).verify(tampered, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(webhooks.new_secret()).verify(got.body, got.headers)
    assert got.verified(hooked.secret)["data"]["answers"][0]["value"] == 9


def test_a_subscriber_gets_only_the_events_it_asked_for(hooked: Hooked) -> None:
    secret, _ = webhooks.create(hooked.app.db, hooked.receiver.url, ["response.detractor"],
                                actor="cli", allow_private=True, now=hooked.clock())
    hooked.answer("dan", "10", "perfect")
    hooked.answer("eve", "2", "awful")
    assert hooked.outbox.run_once().sent == 4  # 2 completed + 1 detractor to the first; 1 here
    for_second = []
    for got in hooked.receiver.received:
        try:
            for_second.append(got.verified(secret)["type"])
        except WebhookVerificationError:
            got.verified(hooked.secret)  # the first webhook's, then
    assert for_second == ["response.detractor"]


def test_a_failed_delivery_is_retried_later_with_the_same_webhook_id(hooked: Hooked) -> None:
    hooked.receiver.answer(500)
    hooked.answer("fanny", "9", "good")
    report = hooked.outbox.run_once()
    assert (report.sent, report.retried) == (0, 1)
    assert hooked.outbox.run_once().sent == 0, "backed off: not due again at once"
    assert len(hooked.receiver.received) == 1
    hooked.clock.advance(seconds=10)
    assert hooked.outbox.run_once().sent == 1
    first, second = hooked.receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    second.verified(hooked.secret)
    assert hooked.deliveries() == [("sent", "response.completed", 2)]


def test_a_receiver_asking_to_wait_is_left_alone_as_long_as_it_says(hooked: Hooked) -> None:
    hooked.receiver.answer(429, Retry_After="120")
    hooked.answer("gael", "9", "good")
    assert hooked.outbox.run_once().retried == 1
    hooked.clock.advance(seconds=119)
    assert hooked.outbox.run_once().sent == 0
    hooked.clock.advance(seconds=2)
    assert hooked.outbox.run_once().sent == 1
    assert len(hooked.receiver.received) == 2


@pytest.mark.parametrize("status", [410, 404, 400])
def test_a_refusal_fails_for_good_and_nobody_becomes_unreachable(hooked: Hooked,
                                                                  status: int) -> None:
    hooked.receiver.answer(status)
    hooked.answer("hugo", "8", "ok")
    assert hooked.outbox.run_once().failed == 1
    hooked.clock.advance(hours=2)
    assert hooked.outbox.run_once().sent == 0
    assert len(hooked.receiver.received) == 1
    assert hooked.deliveries() == [("failed", "response.completed", 1)]
    with hooked.app.db.transaction() as session:
        assert session.scalar(select(Respondent.unreachable_at)) is None


def test_an_unreachable_receiver_is_retried(hooked: Hooked) -> None:
    closed = Receiver()  # bound, never started, then closed: nobody listens there
    closed.server.server_close()
    with hooked.app.db.transaction() as session:
        session.get(WebhookRow, hooked.webhook.id).url = closed.url  # type: ignore[union-attr]
    hooked.answer("ines", "9", "good")
    assert hooked.outbox.run_once().retried == 1
    with hooked.app.db.transaction() as session:
        error = session.scalar(select(Delivery.last_error))
    assert error == "TransientError: no answer (ConnectError)"


def test_a_replayed_last_answer_plans_nothing_twice(hooked: Hooked) -> None:
    jules = Person(hooked.app.engine, "jules", locale="en")
    jules.says("start nps")
    jules.says("10")
    jules.says("lovely", event_id="last-answer")
    assert jules.says("lovely", event_id="last-answer").duplicate
    assert hooked.outbox.run_once().sent == 1
    assert len(hooked.receiver.received) == 1


def test_an_anonymous_form_fires_nothing_a_named_one_does(hooked: Hooked) -> None:
    low = {"service": "it", "rating": "1", "comment": "The VPN drops every hour"}
    hooked.app.engine.submit(Submission("slack", "internal", low, event_id="anon:1"))
    assert hooked.deliveries() == []
    hooked.app.engine.submit(Submission("slack", "internal", low, event_id="named:1",
                                        sender=Person(hooked.app.engine, "U1").identity))
    assert [event for _, event, _ in hooked.deliveries()] == ["response.completed",
                                                              "response.detractor"]
    assert hooked.outbox.run_once().sent == 2


def test_stop_does_not_hold_back_an_event_already_planned(hooked: Hooked) -> None:
    karim = hooked.answer("karim", "9", "good")
    karim.says("stop")
    assert hooked.outbox.run_once().sent == 1, "it goes to the company, not to the person"


def test_a_deleted_webhook_gets_nothing_more_and_loses_its_secret(hooked: Hooked) -> None:
    hooked.answer("lea", "9", "good")
    webhooks.delete(hooked.app.db, hooked.webhook.id, actor="cli", now=hooked.clock())
    assert hooked.outbox.run_once().sent == 0
    hooked.answer("marc", "9", "good")
    assert hooked.outbox.run_once().sent == 0
    assert hooked.receiver.received == []
    assert hooked.deliveries() == [("cancelled", "", 0)]
    with hooked.app.db.transaction() as session:
        assert session.scalar(select(WebhookRow.secret)) == ""
    with pytest.raises(WebhookError):
        webhooks.delete(hooked.app.db, hooked.webhook.id, actor="cli", now=hooked.clock())


def test_the_sender_checks_the_address_again_before_each_post(hooked: Hooked) -> None:
    hooked.outbox.senders["webhook"] = WebhookSender(WebhookSettings(allow_private=False))
    hooked.answer("nina", "9", "good")
    assert hooked.outbox.run_once().failed == 1
    assert hooked.receiver.received == []


PUBLIC = {"hooks.example.com": ["93.184.215.14"], "inside.example.com": ["10.1.2.3"],
          "both.example.com": ["93.184.215.14", "127.0.0.1"]}


def fake_dns(host: str) -> list[str]:
    """Resolve the test's names (and IP addresses to themselves), as a resolver would."""
    if host in PUBLIC:
        return PUBLIC[host]
    if host.replace(".", "").isdigit() or ":" in host:
        return [host]
    raise OSError("no such name")


@pytest.mark.parametrize("url, refusal", [
    ("ftp://hooks.example.com/x", Refusal.BAD_URL),
    ("hooks.example.com/x", Refusal.BAD_URL),
    ("https://", Refusal.BAD_URL),
    ("https://hooks.example.com:99999/x", Refusal.BAD_URL),
    ("https://hooks.example.com/a b", Refusal.BAD_URL),
    ("https://user:pass@hooks.example.com/x", Refusal.CREDENTIALS),
    ("https://token@hooks.example.com/x", Refusal.CREDENTIALS),
    ("http://127.0.0.1:8000/x", Refusal.PRIVATE),
    ("http://10.0.0.7/x", Refusal.PRIVATE),
    ("http://169.254.169.254/latest/meta-data", Refusal.PRIVATE),
    ("http://[::1]/x", Refusal.PRIVATE),
    ("http://[::ffff:127.0.0.1]/x", Refusal.PRIVATE),
    ("http://0.0.0.0/x", Refusal.PRIVATE),
    ("https://inside.example.com/x", Refusal.PRIVATE),
    ("https://both.example.com/x", Refusal.PRIVATE),
    ("https://nowhere.example.com/x", Refusal.UNRESOLVED),
])
def test_a_url_that_could_reach_inside_is_refused(url: str, refusal: Refusal) -> None:
    with pytest.raises(WebhookError) as refused:
        check_url(url, allow_private=False, resolver=fake_dns)
    assert refused.value.refusal is refusal


def test_a_public_url_is_accepted_and_private_ones_only_when_allowed() -> None:
    assert check_url(" https://hooks.example.com/in?x=1 ", allow_private=False,
                     resolver=fake_dns) == "https://hooks.example.com/in?x=1"
    assert check_url("http://127.0.0.1:9/x", allow_private=True, resolver=fake_dns)
    with pytest.raises(WebhookError):
        check_url("https://user:pw@127.0.0.1/", allow_private=True, resolver=fake_dns)


def test_a_secret_is_the_standard_webhooks_format() -> None:
    secret = webhooks.new_secret()
    assert secret.startswith("whsec_") and len(secret) == 6 + 44
    assert secret != webhooks.new_secret()
    Webhook(secret)  # the library takes it


def test_the_events_and_the_description_are_checked(db: Database, clock: Clock) -> None:
    for events, description in (([], ""), (["response.deleted"], ""),
                                (["response.completed"], "x" * 201)):
        with pytest.raises(WebhookError):
            webhooks.create(db, "http://127.0.0.1:9/", events, description, actor="cli",
                            allow_private=True, now=clock())
    assert webhooks.live(db) == []


@pytest.mark.parametrize("header, seconds", [("120", 120.0), ("999999", 3600.0),
                                             ("Thu, 26 Nov 2026 09:01:00 GMT", 60.0),
                                             ("soon", None), (None, None)])
def test_retry_after_is_read_in_seconds_or_as_a_date(header: str | None,
                                                     seconds: float | None,
                                                     clock: Clock) -> None:
    assert retry_after(header, clock()) == seconds


def test_the_webhook_settings_come_from_the_environment() -> None:
    from channels.registry import ConfigError

    assert WebhookSettings.from_env({}).allow_private is False
    assert WebhookSettings.from_env({"ECOUTE_WEBHOOK_ALLOW_PRIVATE": "1"}).allow_private
    assert WebhookSettings.from_env({"ECOUTE_WEBHOOK_TIMEOUT_SECONDS": "3"}).timeout == 3
    for env in ({"ECOUTE_WEBHOOK_ALLOW_PRIVATE": "maybe"},
                {"ECOUTE_WEBHOOK_TIMEOUT_SECONDS": "0"}):
        with pytest.raises(ConfigError):
            WebhookSettings.from_env(env)


def test_back_off_grows_between_tries(hooked: Hooked) -> None:
    hooked.receiver.answer(503, 503, 503)
    hooked.answer("olga", "9", "good")
    waits = []
    for _ in range(3):
        hooked.outbox.run_once()
        with hooked.app.db.transaction() as session:
            due = session.scalar(select(Delivery.next_attempt_at))
        waits.append(due - hooked.clock())
        hooked.clock.now = due + timedelta(milliseconds=1)
    assert waits[0] < waits[1] < waits[2]
    assert hooked.outbox.run_once().sent == 1


def test_another_part_emits_an_event_once_per_subject_to_its_subscribers(
        hooked: Hooked) -> None:
    webhooks.create(hooked.app.db, hooked.receiver.url, ["response.detractor"], actor="cli",
                    allow_private=True, now=hooked.clock())  # not subscribed: gets nothing
    event = WebhookEvent.RESPONSE_COMPLETED
    with hooked.app.db.transaction() as session:
        assert webhook_events.emit(session, event, {"n": 1}, subject="s-1",
                                   now=hooked.clock()) == 1
        assert webhook_events.emit(session, event, {"n": 2}, subject="s-1",
                                   now=hooked.clock()) == 0
    assert hooked.outbox.run_once().sent == 1
    [got] = hooked.receiver.received
    assert got.verified(hooked.secret) == {"type": "response.completed",
                                           "timestamp": "2026-11-26T09:00:00.000Z",
                                           "data": {"n": 1}}


def test_a_receiver_asking_to_wait_pauses_its_own_webhook_only(hooked: Hooked) -> None:
    other, _ = webhooks.create(hooked.app.db, hooked.receiver.url, ["response.completed"],
                               actor="cli", allow_private=True, now=hooked.clock())
    hooked.receiver.answer(429, Retry_After="300")
    hooked.answer("paul", "9", "good")
    one_at_a_time = Dispatcher(hooked.app.db, hooked.app.senders, clock=hooked.clock,
                               settings=replace(hooked.outbox.settings, in_flight=1))
    report = one_at_a_time.run_once()  # the second is sent after the first's 429
    assert (report.retried, report.sent, report.deferred) == (1, 1, 0)
    first, second = hooked.receiver.received
    first.verified(hooked.secret)
    second.verified(other)
