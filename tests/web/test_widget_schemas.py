"""The widget API's two schema checkers agree: the fast one decides, the full one explains."""

from __future__ import annotations

from typing import Any

import fastjsonschema
import pytest

from web.widget_api import fast_check, validator

V = "visitor-ana-0001"
BODIES: list[tuple[str, Any]] = [
    ("StartRequest", {"visitor": V, "client_message_id": "0"}),
    ("StartRequest", {"visitor": V, "client_message_id": "0", "survey": "nps",
                      "language": "fr", "context": "shop12"}),
    ("StartRequest", {"visitor": V, "client_message_id": "0", "survey": None}),
    ("StartRequest", {"visitor": "short", "client_message_id": "0"}),
    ("StartRequest", {"visitor": V}),
    ("StartRequest", {"visitor": V, "client_message_id": "0", "surprise": 1}),
    ("StartRequest", {"visitor": V, "client_message_id": "0", "survey": "NPS!"}),
    ("StartRequest", []),
    ("MessageRequest", {"visitor": V, "client_message_id": "1", "text": "good"}),
    ("MessageRequest", {"visitor": V, "client_message_id": "1", "choice_id": "9",
                        "ref": "abc:score"}),
    ("MessageRequest", {"visitor": V, "client_message_id": "1"}),
    ("MessageRequest", {"visitor": V, "client_message_id": "1", "text": "a",
                        "choice_id": "9"}),
    ("MessageRequest", {"visitor": V, "client_message_id": "1", "text": ""}),
    ("MessageRequest", {"visitor": V, "client_message_id": "1", "text": 9}),
    ("MessageRequest", {"visitor": V, "client_message_id": "bad id", "text": "a"}),
    ("MessageRequest", "text"),
]


@pytest.mark.parametrize(("schema", "body"), BODIES)
def test_the_fast_check_accepts_exactly_what_the_schema_allows(schema: str, body: Any) -> None:
    allowed = not list(validator(schema).iter_errors(body))
    try:
        fast_check(schema)(body)
        accepted = True
    except fastjsonschema.JsonSchemaException:
        accepted = False
    assert accepted == allowed


def test_both_kinds_of_body_are_seen_above() -> None:
    verdicts = {not list(validator(schema).iter_errors(body)) for schema, body in BODIES}
    assert verdicts == {True, False}
