"""A caller of the REST API whose every answer is checked against ``web/api/openapi.yaml``."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

OPENAPI = Path(__file__).resolve().parents[2] / "web" / "api" / "openapi.yaml"
PREFIX = "/api/v1"


@cache
def document() -> dict[str, Any]:
    """Return the parsed OpenAPI document."""
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def template_of(path: str) -> str:
    """Return the documented path a concrete one matches (``/webhooks/3`` → ``/webhooks/{…}``)."""
    for template in document()["paths"]:
        if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", template), path):
            return template
    raise AssertionError(f"{path} is not documented")


def assert_documented(method: str, path: str, response: TestResponse) -> None:
    """Fail unless the status and the JSON body are those the document promises."""
    template = template_of(path.removeprefix(PREFIX).split("?")[0])
    operation = document()["paths"][template][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {template} answered {status}"
    declared = operation["responses"][status]
    if "$ref" not in declared and "content" not in declared:
        assert not response.get_data(), f"{method} {template} {status} has no body"
        return
    if "$ref" in declared:
        pointer = declared["$ref"] + "/content/application~1json/schema"
    else:
        escaped = template.replace("~", "~0").replace("/", "~1")
        pointer = (f"#/paths/{escaped}/{method.lower()}/responses/{status}"
                   "/content/application~1json/schema")
    registry = Registry().with_resource("urn:api", Resource.from_contents(document(),
                                                                           DRAFT202012))
    Draft202012Validator({"$ref": "urn:api" + pointer}, registry=registry).validate(
        response.get_json())


class ApiCaller:
    """An outside system calling the API with one token (or none)."""

    def __init__(self, client: FlaskClient, token: str | None) -> None:
        self.client, self.token = client, token

    def get(self, path: str, **query: str) -> TestResponse:
        """GET a route of the API and check the answer against the document."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.client.get(PREFIX + path, query_string=query, headers=headers)
        assert_documented("GET", PREFIX + path, response)
        return response

    def post(self, path: str, body: object = None, headers: dict[str, str] | None = None,
             **options: Any) -> TestResponse:
        """POST JSON (or ``data=`` as sent) to a route and check the answer against the document."""
        if "data" not in options:
            options["json"] = body
        response = self.client.post(PREFIX + path, headers={**self._headers(), **(headers or {})},
                                    **options)
        assert_documented("POST", PREFIX + path, response)
        return response

    def delete(self, path: str) -> TestResponse:
        """DELETE a route of the API and check the answer against the document."""
        response = self.client.delete(PREFIX + path, headers=self._headers())
        assert_documented("DELETE", PREFIX + path, response)
        return response

    def _headers(self) -> dict[str, str]:
        """Return the Authorization header, when there is a token."""
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}
