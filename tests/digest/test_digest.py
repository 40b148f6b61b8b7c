"""The weekly digest: what it says, the dashboard's figures, one department's data only, fr/en."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from bot import api_tokens, digest, staff
from bot.digest import Scope, Week
from channels.slack.digest import digest_blocks
from ecoute.wiring import Ecoute
from tests.digest.conftest import MONDAY, SECRET
from web import create_app

WEEK = Week(datetime(2026, 11, 23, tzinfo=UTC), datetime(2026, 11, 30, tzinfo=UTC))


def read(ecoute: Ecoute, scope: Scope) -> digest.Digest:
    """Return last week's digest for ``scope``."""
    with ecoute.db.transaction() as session:
        return digest.build(session, scope, digest.week_before(MONDAY), MONDAY)


def text(ecoute: Ecoute, scope: Scope, language: str = "en") -> str:
    """Return last week's digest as the terminal prints it."""
    label = digest.labeller(ecoute.catalog)(scope, language)
    return digest.as_text(digest.to_outbound(read(ecoute, scope), language, label))


def test_the_week_is_the_seven_days_before_the_run_in_its_time_zone() -> None:
    assert digest.week_before(MONDAY) == WEEK
    late = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)  # already Monday in Paris
    assert digest.week_before(late, "Europe/Paris") == WEEK
    assert digest.week_before(late) == Week(datetime(2026, 11, 22, tzinfo=UTC),
                                            datetime(2026, 11, 29, tzinfo=UTC))


def test_the_digest_of_everything_says_what_happened_this_week(week: Ecoute) -> None:
    found = read(week, Scope())
    assert found.answers == 4  # three named ratings and an NPS (the anonymous one waits)
    assert (found.figures.nps.score, found.before.nps.score) == (100.0, None)
    assert found.complaints == {"delivery": 1} and found.missed_deadlines == 1
    assert [n.we_did for n in found.improvements] == ["New VPN for it", "New VPN for hr"]
    assert found.improvements[0].reactions == {"yes": 2, "no": 1}
    assert found.ideas == 2
    said = text(week, Scope())
    assert "Voice of the customer, 2026-11-23 to 2026-11-29: All services" in said
    assert "CSAT: 66.7% (▲ +66.7 since the week before)" in said
    assert "New: 1 (delivery 1); past a deadline: 1" in said and "Scores given: 4" in said
    assert "• slow, monday, vpn (comments: 1)" in said
    assert "• New VPN for it: yes 2 · partly 0 · no 1" in said
    assert "VPN" in "".join(q for t in found.themes for q in t.quotes)
    assert SECRET not in said  # never a quote from an anonymous answer


def test_a_departments_digest_holds_only_that_departments_data(week: Ecoute) -> None:
    found = read(week, Scope("it"))
    assert (found.answers, found.figures.csat.responses) == (2, 2)  # IT's two named ratings
    assert found.complaints == {} and found.missed_deadlines == 0
    assert [n.we_did for n in found.improvements] == ["New VPN for it"]
    assert found.ideas == 1
    said = text(week, Scope("it"))
    assert ": IT" in said.splitlines()[0]
    for elsewhere in ("Payslips", "hr", "Complaints", "Invoices", SECRET, "delivery"):
        assert elsewhere not in said, elsewhere
    assert "VPN" in said


def test_the_digest_gives_the_dashboards_figures_for_the_same_filters(week: Ecoute) -> None:
    token, _record = api_tokens.issue_token(week.db, "digest check", "read", created_by=None,
                                            actor=staff.CLI, now=MONDAY)
    client = create_app(week).test_client()
    for scope in (Scope(), Scope("it"), Scope("hr")):
        found = read(week, scope)
        for period, figures in ((WEEK, found.figures), (WEEK.previous, found.before)):
            last = period.until - timedelta(days=1)  # the API's "to" is the last day
            query = {"from": f"{period.since:%Y-%m-%d}", "to": f"{last:%Y-%m-%d}"}
            if scope.service:
                query["service"] = scope.service
            answer = client.get("/api/v1/stats", query_string=query,
                                headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 200
            assert answer.get_json() == json.loads(json.dumps(figures.to_dict())), (scope, period)


def test_the_digest_speaks_french(week: Ecoute) -> None:
    said = text(week, Scope("it"), "fr")
    assert said.startswith("La voix du client, du 2026-11-23 au 2026-11-29 : Informatique")
    assert "Idées" in said and "Idées reçues : 1" in said and "Notes données : 2" in said


def test_the_french_digest_writes_its_figures_the_french_way(week: Ecoute) -> None:
    said = text(week, Scope(), "fr")
    assert "NPS : 100 (aucune réponse la semaine précédente)" in said
    assert "CSAT : 66,7\u00a0% (▲ +66,7 depuis la semaine précédente)" in said
    assert "CES : aucune réponse" in said
    blocks = digest_blocks(digest.to_outbound(read(week, Scope()), "fr", "Tous"))
    shown = "\n".join(block["text"]["text"] for block in blocks if "text" in block)
    assert "CSAT : 66,7\u00a0%" in shown and "CSAT: " not in shown
    assert "CSAT: 66.7% (▲ +66.7 since the week before)" in text(week, Scope(), "en")
