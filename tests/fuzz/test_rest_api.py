"""Fuzzing the REST API, ``/api/v1``, with Schemathesis, from its OpenAPI document.

Every operation the document describes (the responses, the statistics, and any
route added later) gets generated requests, valid ones and, in the fuzzing
phase, ones that break the schema: odd filters, cursors, limits, ids. They go
through the Flask app itself (WSGI) with a read token, on a store holding named
conversations and a closed month of anonymous ratings. Each answer is checked:
no server error, and it conforms to the document (status, headers, body
schema). Reads change nothing but the audit log and the token's last use, which
the ledger leaves aside.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import schemathesis
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from ecoute.wiring import Ecoute
from tests.conftest import Clock
from tests.console.test_api import token
from tests.fuzz.conftest import examples, fuzz_settings
from tests.test_responses import nps, rate
from web.api.routes import openapi_document

CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def filled(served: Ecoute, clock: Clock) -> Iterator[tuple[Flask, str]]:
    """Return the app over named answers and a closed month of anonymous ones, and a token."""
    from web import create_app

    clock.now = datetime(2026, 10, 3, 9, tzinfo=UTC)
    for n in range(5):
        rate(served, "it", str(1 + n))
        nps(served, f"person-{n}", str(2 * n), f"comment <b>{n}</b> 100%" if n % 2 else None,
            context="shop-1" if n % 3 else None)
        clock.advance(days=3)
    clock.now = datetime(2026, 11, 26, 9, tzinfo=UTC)
    yield create_app(served), token(served, "read")


@pytest.fixture
def served(settings, db, clock):  # type: ignore[no-untyped-def]
    """Return Écoute on the test store, with a secret key of its own."""
    from dataclasses import replace

    from ecoute.wiring import build

    return build(replace(settings, secret_key="fuzz-secret"), database=db, clock=clock)


def test_generated_requests_get_no_server_error_and_answer_as_documented(
        filled: tuple[Flask, str]) -> None:
    app, read_token = filled
    headers = {"Authorization": f"Bearer {read_token}"}
    schema = schemathesis.openapi.from_dict(openapi_document())  # every path, its own too
    schema.app = app
    operations = [result.ok() for result in schema.get_all_operations()]
    labels = {op.label for op in operations}
    documented = {f"{method.upper()} {path}" for path, item in schema.raw_schema["paths"].items()
                  for method in item}
    assert labels == documented and "GET /responses/{conversation}" in labels
    share = max(1, examples() // len(operations))
    for operation in operations:
        @fuzz_settings(share)
        @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                              operation.as_strategy(GenerationMode.NEGATIVE)))
        def call(case: schemathesis.Case) -> None:
            response = case.call(headers={**headers, **(case.headers or {})})
            case.validate_response(response, checks=CHECKS)

        call()
