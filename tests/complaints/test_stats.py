"""Complaint analytics: on time, medians in business hours, satisfaction, reopen rate, who missed.

Four complaints filed on Thursday 26 November 2026 at 09:00 (UTC, Monday-Friday
09:00-17:00). Billing ones are high priority (acknowledge in 4 business hours,
resolve in 24); delivery ones medium (8 and 40).

- R-0001 billing: acknowledged 10:00, resolved Friday 09:00, closed, handling 5;
- R-0002 billing, Léa's: acknowledged 15:00 (late), never resolved (late);
- R-0003 delivery: rejected (not a complaint): received only;
- R-0004 delivery: acknowledged 11:00, resolved 16:00, reopened, resolved again
  Friday 12:00, closed, handling 3.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import update

from bot import api_tokens, complaint_deadlines, complaint_desk, complaint_stats, staff
from bot.complaint_desk import Intake
from ecoute.wiring import Ecoute
from storage.models import Complaint
from storage.vocabulary import ComplaintStatus, RejectionReason, Urgency
from tests.conftest import Clock
from tests.console.conftest import Team, app, quick_hashes, served, team  # noqa: F401
from tests.test_cli import ecoute as run_cli

S = ComplaintStatus
THURSDAY = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 3, 0, 0, tzinfo=UTC)  # every deadline has passed


def at(day: int, hour: int) -> datetime:
    """Return a moment of November 2026 (UTC)."""
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


def move(site: Ecoute, number: int, status: S, when: datetime, **extra: Any) -> None:
    """Move complaint R-2026-000N as staff would."""
    with site.db.transaction() as session:
        complaint_desk.move(session, f"R-2026-{number:04d}", status, actor="staff:1", now=when,
                            **extra)


@pytest.fixture
def history(served: Ecoute, clock: Clock) -> Ecoute:  # noqa: F811
    """File the four complaints and move them as the module's docstring tells."""
    clock.now = THURSDAY
    with served.db.transaction() as session:
        for category in ("billing", "billing", "delivery", "delivery"):
            complaint_desk.file(session, served.engine.settings.complaints, Intake(
                respondent_id=None, conversation_id=None, channel="test", language="en",
                category=category, description="late", urgency=Urgency.MINOR,
                contact_consent=False), now=clock(), actor="respondent")
    lea = staff.create_account(served.db, "lea@example.com", "correct horse battery",
                               "viewer", actor=staff.CLI, now=clock())
    with served.db.transaction() as session:
        session.execute(update(Complaint).where(Complaint.number == 2).values(assignee_id=lea.id))
    move(served, 1, S.ACKNOWLEDGED, at(26, 10))
    move(served, 3, S.REJECTED, at(26, 10), reason=RejectionReason.NOT_A_COMPLAINT)
    move(served, 4, S.ACKNOWLEDGED, at(26, 11))
    complaint_deadlines.scan(served.db, served.engine.settings, at(26, 13))  # R-0002's miss
    move(served, 2, S.ACKNOWLEDGED, at(26, 15))
    move(served, 4, S.RESOLVED, at(26, 16))
    move(served, 1, S.RESOLVED, at(27, 9))
    move(served, 4, S.REOPENED, at(27, 10))
    move(served, 4, S.RESOLVED, at(27, 12))
    for number, score in ((1, 5), (4, 3)):
        move(served, number, S.CLOSED, at(27, 13))
        with served.db.transaction() as session:
            session.execute(update(Complaint).where(Complaint.number == number)
                            .values(handling_score=score))
    clock.now = LATER
    complaint_deadlines.scan(served.db, served.engine.settings, clock())  # R-0002's resolution
    return served


def compute(site: Ecoute, **period: datetime | None) -> complaint_stats.ComplaintStats:
    """Return the analytics as the console computes them."""
    with site.db.reading() as connection:
        return complaint_stats.compute(connection, site.engine.settings.complaints.calendar,
                                       period.get("since"), period.get("until"), LATER)


def test_the_figures_follow_iso_10002s_on_time_in_business_hours(history: Ecoute) -> None:
    total = compute(history).total
    assert total == complaint_stats.Figures(
        category=None, received=4,
        acknowledged_on_time=66.7, acknowledge_deadlines=3,  # R-0002 late; R-0003 rejected
        resolved_on_time=66.7, resolve_deadlines=3,  # R-0002 never resolved
        median_hours_to_acknowledge=2.0,  # 1, 2 and 6 business hours
        median_hours_to_resolve=9.5,  # 8 (Thursday 09:00 to Friday 09:00) and 11
        handling_score=4.0, handling_scores=2, reopen_rate=50.0, resolved_once=2)
    billing, delivery = compute(history).categories
    assert (billing.category, billing.received, billing.reopen_rate) == ("billing", 2, 0.0)
    assert (delivery.received, delivery.acknowledge_deadlines, delivery.reopen_rate) == (
        2, 1, 100.0)


def test_the_missed_deadlines_say_who_had_the_complaint(history: Ecoute) -> None:
    stats = compute(history)
    assert [(m.reference, m.deadline, m.assignee) for m in stats.missed] == [
        ("R-2026-0002", "resolve", "lea@example.com"),
        ("R-2026-0002", "acknowledge", "lea@example.com")]
    assert stats.missed_by_assignee == (("lea@example.com", 2),)


def test_a_period_counts_the_complaints_received_in_it(history: Ecoute) -> None:
    assert compute(history, since=at(27, 0)).total.received == 0
    assert compute(history, until=at(27, 0)).total.received == 4


def test_console_api_and_cli_give_the_same_figures(history: Ecoute, team: Team,  # noqa: F811
                                                   app: Flask) -> None:  # noqa: F811
    token, _ = api_tokens.issue_token(history.db, "stats", "read", created_by=None, actor=staff.CLI,
                                      now=THURSDAY)
    answer = app.test_client().get("/api/v1/complaints/stats?from=2026-11-01&to=2026-11-30",
                                   headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    api = answer.get_json()
    assert api["total"]["acknowledged_on_time"] == 66.7
    cli = run_cli("stats", "--complaints", "--from", "2026-11-01", "--to", "2026-11-30",
                  "--format", "json", url=history.db.url)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == api
    page = team.viewer.client.get("/admin/complaints/analytics?from=2026-11-01&to=2026-11-30")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for figures in api["categories"]:
        assert category_row(figures) in html
    assert "lea@example.com</th><td>2</td>" in html
    table = run_cli("stats", "--complaints", "--format", "table", url=history.db.url).stdout
    assert table.splitlines()[1].split()[:5] == ["(all)", "4", "66.7%", "of", "3"]


def category_row(f: dict[str, Any]) -> str:
    """Return the console's table row of one category's figures."""
    def pct(v: float | None) -> str:
        return "—" if v is None else f"{v:g} %"

    def num(v: float | None) -> str:
        return "—" if v is None else f"{v:g}"

    cells = [str(f["received"]), pct(f["acknowledged_on_time"]), pct(f["resolved_on_time"]),
             num(f["median_hours_to_acknowledge"]), num(f["median_hours_to_resolve"]),
             num(f["handling_score"]), pct(f["reopen_rate"])]
    return f'<th scope="row">{f["category"]}</th>' + "".join(f"<td>{c}</td>" for c in cells)


def test_a_bad_period_is_a_json_error_on_the_api_and_a_page_on_the_console(
        history: Ecoute, team: Team, app: Flask) -> None:  # noqa: F811
    token, _ = api_tokens.issue_token(history.db, "stats", "read", created_by=None, actor=staff.CLI,
                                      now=THURSDAY)
    answer = app.test_client().get("/api/v1/complaints/stats?from=yesterday",
                                   headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400
    assert answer.get_json()["error"] == "bad_request"
    unknown = app.test_client().get("/api/v1/complaints/stats?channel=slack",
                                    headers={"Authorization": f"Bearer {token}"})
    assert unknown.status_code == 400
    page = team.viewer.client.get("/admin/complaints/analytics?to=2026-13-01")
    assert page.status_code == 400
    assert re.search(r"<html", page.get_data(as_text=True))
    refused = run_cli("stats", "--complaints", "--channel", "slack", url=history.db.url)
    assert refused.returncode != 0
    assert refused.stderr.strip().count("\n") == 0, "one line on stderr"


def test_the_analytics_page_speaks_french(history: Ecoute, team: Team) -> None:  # noqa: F811
    page = team.manager.client.get("/admin/complaints/analytics",
                                   headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    html = page.get_data(as_text=True)
    assert "<h1>Analyse des réclamations</h1>" in html
    assert "Échéances dépassées, par responsable" in html
    assert 'aria-label="Échéances tenues, par catégorie (%)"' in html, "the chart's label"
