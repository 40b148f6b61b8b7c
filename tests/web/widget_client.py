"""A widget visitor speaking to the JSON API through Flask's test client.

Every response is checked against ``web/openapi.yaml``: its status must be
documented for the operation and its body must match the documented schema.
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

OPENAPI = Path(__file__).resolve().parents[2] / "web" / "openapi.yaml"
PREFIX = "/api/widget/v1"


@cache
def document() -> dict[str, Any]:
    """Return the parsed OpenAPI document."""
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _registry() -> Registry:
    doc = document()
    return Registry().with_resource("urn:doc", Resource.from_contents(doc, DRAFT202012))


def _template(path: str) -> str:
    """Return the documented path template a concrete API path matches."""
    parts = path.removeprefix(PREFIX).split("?")[0].strip("/").split("/")
    for template in document()["paths"]:
        pieces = template.strip("/").split("/")
        if len(pieces) == len(parts) and all(
            p.startswith("{") or p == q for p, q in zip(pieces, parts, strict=True)
        ):
            return template
    raise AssertionError(f"{path} is not documented")


def assert_documented(method: str, path: str, response: TestResponse) -> None:
    """Fail unless the response's status and JSON body are those the document promises."""
    template = _template(path)
    operation = document()["paths"][template][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {template} answered {status}"
    declared = operation["responses"][status]
    if "$ref" in declared:
        pointer = declared["$ref"] + "/content/application~1json/schema"
    else:
        escaped = template.replace("~", "~0").replace("/", "~1")
        pointer = (f"#/paths/{escaped}/{method.lower()}/responses/{status}"
                   "/content/application~1json/schema")
    root = {"$ref": "urn:doc" + pointer}
    Draft202012Validator(root, registry=_registry()).validate(response.get_json())


class Visitor:
    """Someone on a web page with the widget: a visitor id and numbered client messages."""

    _ids = itertools.count(1)

    def __init__(self, client: FlaskClient, visitor: str = "visitor-ana-0001",
                 language: str = "en") -> None:
        self.client = client
        self.visitor = visitor
        self.language = language
        self.conversation: str | None = None
        self.last: dict[str, Any] | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        """Call the API and check the answer against the OpenAPI document."""
        response = self.client.open(PREFIX + path, method=method, **kwargs)
        assert_documented(method, PREFIX + path, response)
        return response

    def next_id(self) -> str:
        """Return a fresh client message id."""
        return f"m{next(self._ids)}"

    def start(self, survey: str | None = "nps", **fields: Any) -> TestResponse:
        """Open the widget on a survey."""
        body = {"visitor": self.visitor, "client_message_id": self.next_id(),
                "survey": survey, "language": self.language, **fields}
        return self._remember(self.request("POST", "/conversations", json=body))

    def send(self, **fields: Any) -> TestResponse:
        """Send one message in the current conversation (a fresh client message id)."""
        body = {"visitor": self.visitor, "client_message_id": self.next_id(), **fields}
        return self.post_raw(json=body)

    def post_raw(self, conversation: str | None = None, **kwargs: Any) -> TestResponse:
        """POST anything to the conversation's messages."""
        path = f"/conversations/{conversation or self.conversation}/messages"
        return self._remember(self.request("POST", path, **kwargs))

    def resume(self, conversation: str | None = None) -> TestResponse:
        """Ask for the current question again, as the widget does after a reload."""
        return self.request("GET", f"/conversations/{conversation or self.conversation}",
                            headers={"X-Ecoute-Visitor": self.visitor})

    def inbox(self) -> TestResponse:
        """Take the messages waiting for this visitor."""
        return self.request("POST", "/inbox", json={"visitor": self.visitor})

    def taps(self, choice_id: str) -> TestResponse:
        """Tap a choice of the last message shown."""
        assert self.last is not None
        return self.send(choice_id=choice_id, ref=self.last["messages"][-1]["ref"])

    def answers_invitation(self, message: dict[str, Any], **answer: str) -> TestResponse:
        """Answer an invitation the inbox handed over (``choice_id=…`` or ``text=…``)."""
        body = {"visitor": self.visitor, "client_message_id": self.next_id(),
                "language": self.language, "ref": message["ref"], **answer}
        return self._remember(self.request("POST", "/conversations", json=body))

    def types(self, text: str) -> TestResponse:
        """Type a free answer."""
        return self.send(text=text)

    def texts(self) -> list[str]:
        """Return the texts of the last reply."""
        assert self.last is not None
        return [m["text"] for m in self.last["messages"]]

    def _remember(self, response: TestResponse) -> TestResponse:
        if response.status_code == 200:
            self.last = response.get_json()
            self.conversation = self.last.get("conversation") or self.conversation
        return response
