"""The shared filter reads back what it writes, and refuses malformed parameters clearly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from werkzeug.exceptions import BadRequest

from storage.filters import Band, ResponseFilter
from web.filters import parse, to_args


def test_a_filter_survives_the_round_trip_through_a_url() -> None:
    wanted = ResponseFilter(since=datetime(2026, 1, 1, tzinfo=UTC),
                            until=datetime(2026, 2, 1, tzinfo=UTC), channel="telegram",
                            survey="nps", context="shop-12", service="it", band=Band.DETRACTOR,
                            has_comment=True, text="livraison")
    assert parse(to_args(wanted)) == wanted


def test_an_empty_query_means_everything() -> None:
    assert parse({}).is_everything()
    assert to_args(ResponseFilter()) == {}


def test_the_last_day_is_included() -> None:
    got = parse({"from": "2026-03-01", "to": "2026-03-31"})
    assert got.until == datetime(2026, 4, 1, tzinfo=UTC)


@pytest.mark.parametrize(("args", "says"), [
    ({"from": "2026-13-01"}, "from must be a day"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "before or equal"),
    ({"band": "angry"}, "band must be one of"),
    ({"comment": "maybe"}, "comment must be"),
    ({"channel": "x" * 129}, "channel must be at most"),
    ({"q": "a\x00b"}, "q must be at most"),
])
def test_malformed_parameters_are_refused_with_their_name(args: dict[str, str], says: str) -> None:
    with pytest.raises(BadRequest, match=says):
        parse(args)
