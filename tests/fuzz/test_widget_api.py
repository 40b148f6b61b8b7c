"""Fuzzing the widget's API with Schemathesis, from its OpenAPI document (``web/openapi.yaml``).

Every operation gets generated requests (valid ones and, in the fuzzing phase,
ones that break the schema), through the Flask app itself (WSGI), with the rate
limits raised by configuration so that answers are not all 429. Each answer is
checked: no server error, and it conforms to the document (status, headers,
body schema). After each one the ledger checks the database
(:mod:`tests.fuzz.ledger`). The stateful phase follows the document's ``links``:
a started conversation's id goes into its messages and its resumption.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.stateful import run_state_machine_as_test
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.hooks import HookContext
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.fuzz.conftest import examples, fuzz_settings, storable
from tests.fuzz.ledger import Ledger

SURVEYS = ["nps", "csat", "ces"]
CHECKS = [not_a_server_error, response_schema_conformance]


@pytest.fixture
def widget_schema(widget_app: Flask) -> schemathesis.BaseSchema:
    """Return the OpenAPI document the app serves, loaded by Schemathesis.

    Half the conversations started name a survey the app offers (a random key gets 404,
    none gets the menu), so that the links lead somewhere.
    """
    schema = schemathesis.openapi.from_wsgi("/api/widget/v1/openapi.yaml", widget_app)

    @schema.hook("flatmap_body")
    def offered_surveys(context: HookContext, body: Any) -> st.SearchStrategy[Any]:
        if context.operation is None or context.operation.label != "POST /conversations" \
                or not isinstance(body, dict):
            return st.just(body)
        return st.one_of(st.just(body), st.sampled_from(SURVEYS).map(
            lambda key: {**body, "survey": key}))

    return schema


def test_generated_requests_get_no_server_error_and_answer_as_documented(
    widget_schema: schemathesis.BaseSchema, ledger: Ledger
) -> None:
    operations = [result.ok() for result in widget_schema.get_all_operations()]
    share = max(1, examples() // len(operations))
    for operation in operations:
        @fuzz_settings(share)
        @given(case=st.one_of(operation.as_strategy(GenerationMode.POSITIVE),
                              operation.as_strategy(GenerationMode.NEGATIVE)))
        def call(case: schemathesis.Case) -> None:
            assume(storable(json.dumps(case.body, default=str, ensure_ascii=False)))
            before = ledger.counts()
            response = case.call()
            ledger.check(before, response.status_code, f"{case.method} {case.formatted_path}")
            case.validate_response(response, checks=CHECKS)

        call()


def test_started_conversations_are_answered_and_resumed_through_the_documents_links(
    widget_schema: schemathesis.BaseSchema, ledger: Ledger
) -> None:
    class Machine(widget_schema.as_state_machine()):  # type: ignore[misc]
        def validate_response(self, response, case, **kwargs):  # type: ignore[no-untyped-def]
            ledger.check(self.before, response.status_code, f"{case.method} {case.formatted_path}")
            case.validate_response(response, checks=CHECKS)

        def call(self, case, **kwargs):  # type: ignore[no-untyped-def]
            if not storable(json.dumps(case.body, default=str, ensure_ascii=False)):
                case.body = {}  # the stateful phase cannot skip a step: send an empty body
            self.before = ledger.counts()
            return case.call(**kwargs)

    run_state_machine_as_test(Machine, settings=fuzz_settings(max(5, examples() // 100)))
