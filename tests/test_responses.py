"""The responses staff browse: filtered, paged by key both ways, anonymous ones by the rule of five.

Named conversations are listed newest first. Those linked to nobody show only
when their group of five is over a closed month, dated and placed at the start
of that month, after the month's named ones, whatever page or filter asks.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot import responses
from bot.messages import Identity
from bot.responses import Page, Position
from bot.submissions import Submission
from ecoute.wiring import Ecoute
from storage.filters import Band, ResponseFilter
from tests.conftest import Clock, Person

DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)
NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)


def nps(ecoute: Ecoute, name: str, score: str, comment: str | None = None,
        context: str | None = None) -> str:
    """Let someone answer the NPS survey (score, then a comment if any); return the conversation."""
    person = Person(ecoute.engine, name, locale="en")
    person.send(command="start", argument="nps", context=context)
    person.says(score)
    if comment:
        person.says(comment)
    return person.last.conversation  # type: ignore[union-attr,return-value]


def rate(ecoute: Ecoute, service: str, rating: str, *, by: str | None = None,
         comment: str = "") -> str:
    """Rate an internal service through Slack's form, anonymously unless ``by`` is given."""
    answers = {"service": service, "rating": rating, **({"comment": comment} if comment else {})}
    sender = Identity("slack", by) if by else None
    result = ecoute.engine.submit(Submission("slack", "internal", answers, sender=sender))
    assert result.conversation, result.errors
    return result.conversation


EVERYTHING = ResponseFilter()


def listed(ecoute: Ecoute, wanted: ResponseFilter = EVERYTHING, *, now: datetime,
           limit: int = 50, older: Position | None = None,
           newer: Position | None = None) -> Page:
    """Return a page as the console asks for it."""
    with ecoute.db.reading() as connection:
        return responses.page(connection, wanted, now, limit=limit,  # type: ignore[arg-type]
                              older_than=older, newer_than=newer)


def ids(page: Page) -> list[str]:
    """Return the conversations of a page, in its order."""
    return [r.public_id for r in page.responses]


def test_pages_go_older_and_back_newer_by_key(ecoute: Ecoute, clock: Clock) -> None:
    stored = []
    for n in range(5):
        stored.append(nps(ecoute, f"p{n}", str(n + 5)))
        clock.advance(minutes=1)
    newest_first = stored[::-1]
    first = listed(ecoute, limit=2, now=clock())
    assert ids(first) == newest_first[:2] and first.newer is None
    second = listed(ecoute, limit=2, now=clock(), older=first.older)
    assert ids(second) == newest_first[2:4]
    last = listed(ecoute, limit=2, now=clock(), older=second.older)
    assert ids(last) == newest_first[4:] and last.older is None
    back = listed(ecoute, limit=2, now=clock(), newer=last.newer)
    assert ids(back) == newest_first[2:4]
    top = listed(ecoute, limit=2, now=clock(), newer=back.newer)
    assert ids(top) == newest_first[:2] and top.newer is None
    assert [s.value for s in top.responses[0].scores] == [9]


def test_each_filter_narrows_the_list(ecoute: Ecoute, clock: Clock) -> None:
    low = nps(ecoute, "ana", "3", "Le service était LENT, 100% déçu", context="shop-12")
    clock.advance(days=1)
    middle = nps(ecoute, "bruno", "7", "Fine_ish")
    clock.advance(days=1)
    high = nps(ecoute, "chloe", "10")
    it = rate(ecoute, "it", "2", by="U1", comment="VPN lent")
    now = clock()

    def only(**fields: object) -> set[str]:
        return set(ids(listed(ecoute, ResponseFilter(**fields), now=now)))  # type: ignore[arg-type]

    assert only() == {low, middle, high, it}
    assert only(band=Band.DETRACTOR) == {low, it}  # CSAT 2 is a detractor's score too
    assert only(band=Band.PASSIVE) == {middle}
    assert only(band=Band.PROMOTER) == {high}
    assert only(has_comment=True) == {low, middle, it}
    assert only(has_comment=False) == {high}
    assert only(text="lent") == {low, it}
    assert only(text="lent déçu") == {low}  # every word
    assert only(text="100%") == {low} and only(text="_") == {middle}  # LIKE's wildcards as text
    assert only(context="shop-12") == {low}
    assert only(channel="slack") == only(survey="internal") == only(service="it") == {it}
    assert only(service="hr") == set()
    assert only(since=datetime(2026, 11, 27, tzinfo=UTC)) == {middle, high, it}
    assert only(until=datetime(2026, 11, 27, tzinfo=UTC)) == {low}


def test_a_rare_match_stops_the_walk_early_and_says_where(
        ecoute: Ecoute, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> None:
    from storage import responses as stored_responses

    monkeypatch.setattr(stored_responses, "SCAN", 3)
    rare = nps(ecoute, "ana", "2", "needle")
    for n in range(6):
        clock.advance(minutes=1)
        nps(ecoute, f"p{n}", "9")
    wanted = ResponseFilter(text="needle")
    first = listed(ecoute, wanted, now=clock())
    assert ids(first) == [] and first.scanned_to is not None and first.older is not None
    second = listed(ecoute, wanted, now=clock(), older=first.older)
    assert ids(second) == [] and second.older is not None
    third = listed(ecoute, wanted, now=clock(), older=second.older)
    assert ids(third) == [rare]


def test_anonymous_ratings_show_in_groups_of_five_once_their_month_is_over(
        ecoute: Ecoute, clock: Clock) -> None:
    clock.now = datetime(2026, 11, 3, 9, tzinfo=UTC)
    before = nps(ecoute, "ana", "9")
    anonymous = []
    for n in range(5):
        clock.advance(hours=20)
        anonymous.append(rate(ecoute, "it", str(2 + n % 3)))
    for _ in range(4):
        clock.advance(hours=20)
        rate(ecoute, "hr", "1")  # four: never shown
    clock.advance(days=1)
    after = nps(ecoute, "bruno", "6")
    assert ids(listed(ecoute, now=datetime(2026, 11, 30, tzinfo=UTC))) == [after, before]

    page = listed(ecoute, now=DECEMBER)
    assert ids(page)[:2] == [after, before], "named ones first in their month"
    assert set(ids(page)[2:]) == set(anonymous) and len(page.responses) == 7
    for response in page.responses[2:]:
        assert response.anonymous and response.started_at == NOVEMBER
        assert response.language == "" and response.person is None
        assert response.position.at == NOVEMBER
    # Paging one at a time meets the same seven, in the same order, both ways.
    walked, cursor = [], None
    while True:
        one = listed(ecoute, now=DECEMBER, limit=1, older=cursor)
        walked += ids(one)
        if one.older is None:
            break
        cursor = one.older
    assert walked == ids(page)
    back = listed(ecoute, now=DECEMBER, limit=3, newer=Position(NOVEMBER, -(2**63)))
    assert ids(back) == ids(page)[-3:]


def test_a_period_takes_anonymous_ones_by_their_whole_month(ecoute: Ecoute,
                                                            clock: Clock) -> None:
    clock.now = datetime(2026, 11, 10, 9, tzinfo=UTC)
    anonymous = {rate(ecoute, "it", "4") for _ in range(5)}
    named = nps(ecoute, "ana", "9")

    def shown(since: datetime, until: datetime) -> set[str]:
        return set(ids(listed(ecoute, ResponseFilter(since=since, until=until), now=DECEMBER)))

    assert shown(NOVEMBER, DECEMBER) == anonymous | {named}
    assert shown(datetime(2026, 11, 10, tzinfo=UTC), DECEMBER) == {named}  # no day of a month
    assert shown(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)) == \
        anonymous


def test_ecoute_export_takes_the_same_filters(ecoute: Ecoute, clock: Clock) -> None:
    from click.testing import CliRunner

    from ecoute.cli import cli

    low = nps(ecoute, "ana", "3", "Trop lent")
    nps(ecoute, "bruno", "10", "Parfait")
    env = {"DATABASE_URL": ecoute.db.url}
    done = CliRunner().invoke(cli, ["export", "responses", "--band", "detractor",
                                    "--q", "LENT", "--from", "2026-11-26"], env=env)
    assert done.exit_code == 0, done.output
    assert [json.loads(line)["id"] for line in done.stdout.splitlines()] == [low]
    for wrong, said in ((["--band", "worst"], "--band must be one of detractor, passive, "
                                              "promoter"),
                        (["--since", "2026-11-01", "--from", "2026-11-01"],
                         "give --since or --from, not both")):
        refused = CliRunner().invoke(cli, ["export", "responses", *wrong], env=env)
        assert refused.exit_code == 1 and refused.stderr == f"ecoute: error: {said}\n"
        assert refused.stdout == ""
