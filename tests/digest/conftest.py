"""A week of feedback to digest: ratings of two services, a customer's NPS, complaints, ideas."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from bot import ideas
from bot.digest import DigestSettings, Scope, Target
from bot.ideas import NewIdea
from bot.messages import Identity
from bot.submissions import Submission
from ecoute.config import Settings, SlackSettings
from ecoute.wiring import Ecoute
from storage import complaints, improvements
from storage.complaints import NewComplaint
from storage.improvements import NewImprovement
from storage.models import Complaint, Improvement, Reaction, Respondent
from tests.channels import conftest as channels
from tests.conftest import Clock, Person

# the channel tests' fixtures, shared
slack_api = channels.slack_api
slack_ecoute = channels.slack_ecoute
slack_outbox = channels.slack_outbox

MONDAY = datetime(2026, 11, 30, 9, tzinfo=UTC)  # the digest's run: the week of 23-29 November
TARGETS = (Target("CGENERAL", Scope()), Target("CITTEAM", Scope("it")))
SECRET = "anonymous VPN secret"


@pytest.fixture
def slack_settings(settings: Settings, slack_api: object) -> Settings:
    """Return Slack on the emulator, with a digest to #general (all) and #it-team (IT)."""
    slack = SlackSettings(bot_token="xoxb-test", signing_secret=channels.SLACK_SECRET,
                          api_base_url=slack_api.api_url)  # type: ignore[attr-defined]
    return replace(settings, slack=slack, digests=DigestSettings(TARGETS))


def rate(ecoute: Ecoute, user: str | None, service: str, rating: int, comment: str) -> None:
    """Store an employee's rating of a service through the Slack form (anonymous: no user)."""
    sender = Identity("slack", user) if user else None
    ecoute.engine.submit(Submission("slack", "internal", {
        "service": service, "rating": str(rating), "comment": comment}, sender=sender))


def complain(ecoute: Ecoute, number: int, category: str, filed: datetime,
             acknowledged: bool = False) -> None:
    """File a complaint at ``filed``: acknowledge within a day, resolve within three weeks."""
    with ecoute.db.transaction() as session:
        complaint_id = complaints.add_complaint(session, NewComplaint(
            f"C-2026-{number:04d}", 2026, number, None, None, "test", "en", category,
            "broken", None, None, "high", "high", "p1",
            "acknowledged" if acknowledged else "received", False,
            filed + timedelta(days=1), filed + timedelta(days=21)), actor="test", now=filed)
        if acknowledged:
            session.execute(update(Complaint).where(Complaint.id == complaint_id).values(
                acknowledged_at=filed + timedelta(hours=1)))


def publish(ecoute: Ecoute, when: datetime, service: str, reactions: dict[str, int]) -> None:
    """Publish an improvement about ``service`` with reactions."""
    with ecoute.db.transaction() as session:
        made = improvements.create(session, NewImprovement(
            "VPN drops", f"New VPN for {service}", "en", "test",
            concerns={"services": [service]}), now=when)
        session.execute(update(Improvement).where(Improvement.id == made).values(
            status="published", published_at=when))
        for answer, count in reactions.items():
            for n in range(count):
                person = Respondent(channel="slack", external_id=f"R{made}{answer}{n}",
                                    created_at=when, seen_at=when)
                session.add(person)
                session.flush()
                session.add(Reaction(improvement_id=made, respondent_id=person.id,
                                     channel="slack", answer=answer, created_at=when))


@pytest.fixture
def week(slack_ecoute: Ecoute, clock: Clock) -> Ecoute:
    """Fill the week of 23-29 November (and a little of the one before); now is Monday 09:00."""
    clock.now = datetime(2026, 11, 18, 10, tzinfo=UTC)
    rate(slack_ecoute, "U1", "it", 2, "Printer jammed")
    Person(slack_ecoute.engine, "ana").says("start nps")
    clock.now = datetime(2026, 11, 25, 10, tzinfo=UTC)
    rate(slack_ecoute, "U1", "it", 5, "The VPN is slow since Monday")
    rate(slack_ecoute, "U2", "it", 4, "VPN drops again, VPN again")
    rate(slack_ecoute, "U3", "hr", 1, "Payslips arrive late")
    rate(slack_ecoute, None, "it", 1, SECRET)
    bob = Person(slack_ecoute.engine, "bob")
    bob.says("start nps")
    bob.says("10")
    complain(slack_ecoute, 1, "delivery", clock())  # never acknowledged: a missed deadline
    complain(slack_ecoute, 2, "billing", datetime(2026, 11, 10, tzinfo=UTC), acknowledged=True)
    ideas.submit(slack_ecoute.engine, NewIdea("slack", "VPN status page", "it",
                                              Identity("slack", "U1")))
    ideas.submit(slack_ecoute.engine, NewIdea("slack", "Invoices in English", "finance"))
    publish(slack_ecoute, datetime(2026, 11, 27, tzinfo=UTC), "it", {"yes": 2, "no": 1})
    publish(slack_ecoute, datetime(2026, 11, 28, tzinfo=UTC), "hr", {"partly": 1})
    clock.now = MONDAY
    return slack_ecoute
