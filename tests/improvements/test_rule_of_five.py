"""An improvement counts anonymous answers only in groups the rule of five shows.

Anonymous ratings of one service in one month that is over are one group: below
the minimum they are withheld from the console's page, the API's counts and the
count a link by filter answers; at the minimum they are shown.
"""

from __future__ import annotations

import pytest
from flask import Flask

from bot.small_groups import MIN_ANONYMOUS
from ecoute.wiring import Ecoute
from tests.conftest import Clock
from tests.console.api_client import ApiCaller
from tests.console.conftest import Team
from tests.console.test_api import token
from tests.test_responses import rate

LATE = {"you_said": "The VPN drops", "we_did": "We replaced the VPN gateway"}
SIZES = pytest.mark.parametrize("anonymous, shown", [(MIN_ANONYMOUS - 1, 0),
                                                     (MIN_ANONYMOUS, MIN_ANONYMOUS)])


@pytest.fixture
def writer(app: Flask, served: Ecoute) -> ApiCaller:
    """Return an outside system with a write token."""
    return ApiCaller(app.test_client(), token(served, "write"))


def improvement_linked_to(writer: ApiCaller, served: Ecoute, clock: Clock,
                          anonymous: int) -> int:
    """Rate the IT service anonymously ``anonymous`` times, once by name, link them by hand
    and let the month end; return the improvement."""
    said = [rate(served, "it", "1", comment="VPN drops") for _ in range(anonymous)]
    said.append(rate(served, "it", "2", by="U7", comment="VPN drops again"))
    made = writer.post("/improvements", LATE).get_json()
    linked = writer.post(f"/improvements/{made['id']}/links", {"conversations": said})
    assert linked.status_code == 200
    clock.advance(days=31)
    return int(made["id"])


@SIZES
def test_the_api_counts_anonymous_links_only_in_a_group_large_enough(
        writer: ApiCaller, served: Ecoute, clock: Clock, anonymous: int, shown: int) -> None:
    improvement_id = improvement_linked_to(writer, served, clock, anonymous)
    links = writer.get(f"/improvements/{improvement_id}").get_json()["links"]
    assert links == {"total": 1 + shown, "by_channel": [
        {"channel": "slack", "conversations": 1, "anonymous": shown, "complaints": 0}]}


@SIZES
def test_the_console_page_counts_and_lists_anonymous_links_only_in_a_group_large_enough(
        writer: ApiCaller, served: Ecoute, clock: Clock, team: Team, anonymous: int,
        shown: int) -> None:
    improvement_id = improvement_linked_to(writer, served, clock, anonymous)
    page = team.viewer.client.get(f"/admin/improvements/{improvement_id}")
    text = page.get_data(as_text=True)
    assert f"Linked feedback: {1 + shown}" in text
    assert f'<td class="num">1</td><td class="num">{shown}</td>' in text
    assert text.count('<span class="muted">anonymous</span>') == shown


def test_a_link_by_filter_counts_a_small_group_as_nothing_and_a_large_one_in_full(
        writer: ApiCaller, served: Ecoute, clock: Clock) -> None:
    for service, times in (("hr", MIN_ANONYMOUS - 1), ("it", MIN_ANONYMOUS)):
        for _ in range(times):
            rate(served, service, "1", comment="slow")
    made = writer.post("/improvements", LATE).get_json()
    links = f"/improvements/{made['id']}/links"
    clock.advance(days=31)
    small = writer.post(links, {"filter": {"service": "hr"}}).get_json()
    assert small == {"added": 0, "linked": 0}, "four anonymous answers are not told apart"
    large = writer.post(links, {"filter": {"service": "it"}}).get_json()
    assert large == {"added": MIN_ANONYMOUS, "linked": MIN_ANONYMOUS}
