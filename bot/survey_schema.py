"""The JSON Schema every survey file is validated against on load.

A file of ``kind: complaint`` is the complaint intake (``surveys/complaint.yaml``):
it may ask a ``photo`` question, which only channels that take pictures ask
(the others skip it); ``bot.complaint_intake`` checks the questions it reads.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import SUPPORTED

LANGUAGES = SUPPORTED

TEXT: dict[str, Any] = {
    "type": "object",
    "properties": {lang: {"type": "string", "minLength": 1} for lang in LANGUAGES},
    "required": list(LANGUAGES),
    "additionalProperties": False,
}

IDENT: dict[str, Any] = {"type": "string", "pattern": "^[a-z][a-z0-9_]{0,62}$"}

QUESTION: dict[str, Any] = {
    "type": "object",
    "properties": {
        "id": IDENT,
        "type": {"enum": ["nps", "csat", "ces", "choice", "text", "yesno", "photo"]},
        "text": TEXT,
        "hint": TEXT,
        "when": {"type": "string", "minLength": 1},
        "optional": {"type": "boolean"},
        "max_length": {"type": "integer", "minimum": 1, "maximum": 4000},
        "options": {
            "type": "array",
            "minItems": 2,
            "maxItems": 20,
            "items": {
                "type": "object",
                "properties": {"id": IDENT, "label": TEXT},
                "required": ["id", "label"],
                "additionalProperties": False,
            },
        },
    },
    "required": ["id", "type", "text"],
    "additionalProperties": False,
    "if": {"properties": {"type": {"const": "choice"}}},
    "then": {"required": ["options"]},
    "else": {"not": {"required": ["options"]}},
}

SURVEY: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "key": IDENT,
        "title": TEXT,
        "description": TEXT,
        "audience": {"enum": ["external", "internal", "any"]},
        "kind": {"enum": ["survey", "complaint"]},
        "questions": {"type": "array", "minItems": 1, "maxItems": 50, "items": QUESTION},
        "thanks": TEXT,
    },
    "required": ["key", "title", "questions", "thanks"],
    "additionalProperties": False,
}
