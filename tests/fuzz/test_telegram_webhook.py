"""Fuzzing ``POST /telegram/webhook``: generated updates never get a 5xx or half-store a turn.

Updates in Telegram's real shapes, with hostile strings and wrong types, arrive
with the right secret (Telegram's) at the app wired on the loopback Bot API; a
few are raw bodies nested thousands deep. After each one the ledger checks the
answer and the database (:mod:`tests.fuzz.ledger`).
"""

from __future__ import annotations

import json
from typing import Any

from flask.testing import FlaskClient
from hypothesis import assume, given
from hypothesis import strategies as st

from tests.fuzz.conftest import TELEGRAM_HEADERS, fuzz_settings, storable
from tests.fuzz.hostile import nested_body
from tests.fuzz.ledger import Ledger
from tests.fuzz.telegram_shapes import updates

bodies = st.one_of(
    updates.map(lambda update: json.dumps(update)),
    st.builds(nested_body, st.just('{"update_id": 7, "message": '), st.integers(900, 6000)),
)


def test_generated_updates_get_no_server_error_and_store_whole_turns(
    telegram_client: FlaskClient, ledger: Ledger
) -> None:
    @fuzz_settings()
    @given(body=bodies)
    def post(body: str) -> None:
        assume(storable(body))
        before = ledger.counts()
        response = telegram_client.post("/telegram/webhook", data=body.encode(),
                                        headers=TELEGRAM_HEADERS)
        ledger.check(before, response.status_code, f"update {_short(body)}")

    post()


def _short(body: str) -> Any:
    """Return the start of a body, to name the input in a failure."""
    return body[:300] + ("…" if len(body) > 300 else "")
