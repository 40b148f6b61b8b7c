"""Declared surveys: loading YAML files, validating them, and versions by content hash.

A survey file reads like a table of questions (see ``surveys/nps.yaml``). On load
it is checked against :data:`bot.survey_schema.SURVEY`, question ids must be
unique, and each ``when`` condition may only name earlier questions and compare
their answers with values of their type. Errors name
the file, the line and the key. A survey's version is the SHA-256 of its
normalised definition, so any edit makes a new version and old answers keep
pointing at the one that asked them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from bot.conditions import Condition, ConditionError, ValueType, check_types, parse
from bot.questions import SCALES, Option, Question
from bot.survey_schema import SURVEY

_VALIDATOR = Draft202012Validator(SURVEY)
# what an answer is when a condition reads it: scores are numbers, the others strings
VALUE_TYPES: dict[str, ValueType] = {**dict.fromkeys(SCALES, ValueType.NUMBER),
                                     "choice": ValueType.STRING, "yesno": ValueType.STRING,
                                     "text": ValueType.STRING, "photo": ValueType.STRING}


class SurveyError(ValueError):
    """A survey file that cannot be used; the message names file, line, key and problem."""


@dataclass(frozen=True)
class Survey:
    """A validated survey and its content hash."""

    key: str
    title: dict[str, str]
    questions: tuple[Question, ...]
    thanks: dict[str, str]
    definition: dict[str, Any]
    hash: str
    audience: str = "any"
    description: dict[str, str] | None = None
    kind: str = "survey"  # or "complaint": the complaint intake (bot.complaint_intake)

    def question(self, question_id: str) -> Question:
        """Return the question with this id."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)

    def next_question(self, after: str | None, answers: Mapping[str, object]) -> Question | None:
        """Return the first question after ``after`` whose condition holds, or None."""
        ids = [q.id for q in self.questions]
        start = ids.index(after) + 1 if after is not None else 0
        for question in self.questions[start:]:
            if question.when is None or question.when.evaluate(answers):  # type: ignore[arg-type]
                return question
        return None

    @cached_property
    def condition_names(self) -> frozenset[str]:
        """Return the question ids that some condition of this survey reads."""
        names: set[str] = set()
        for question in self.questions:
            if question.when is not None:
                names |= question.when.names
        return frozenset(names)


def content_hash(definition: Mapping[str, Any]) -> str:
    """Return the SHA-256 of a definition in canonical JSON."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def load_text(text: str, source: str = "<survey>") -> Survey:
    """Parse and validate one survey from YAML text."""
    try:
        data = yaml.safe_load(text)
        tree = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise SurveyError(f"{source}{where}: not valid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise SurveyError(f"{source}: a survey file must be a mapping with key, title, questions")
    errors = sorted(
        _VALIDATOR.iter_errors(data),
        key=lambda e: (list(e.absolute_path), e.validator != "additionalProperties"),
    )
    if errors:
        error = errors[0]
        path = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {})  # type: ignore[union-attr]
            path.append(next(k for k in error.instance if k not in known))
        raise SurveyError(f"{source}{_line(tree, path)}: {_key(path)}: {error.message}")
    return _build(data, source, tree)


def load_file(path: Path) -> Survey:
    """Load and validate one survey file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SurveyError(f"{path}: cannot read: {exc.strerror}") from exc
    return load_text(text, str(path))


def _build(data: dict[str, Any], source: str, tree: yaml.Node) -> Survey:
    """Turn validated data into a :class:`Survey`, checking ids and conditions."""
    questions: list[Question] = []
    seen: dict[str, ValueType] = {}
    for index, raw in enumerate(data["questions"]):
        path: list[str | int] = ["questions", index]
        if raw["id"] in seen:
            where = _line(tree, [*path, "id"])
            raise SurveyError(f"{source}{where}: {_key([*path, 'id'])}: duplicate id {raw['id']!r}")
        condition = None
        if "when" in raw:
            where = f"{source}{_line(tree, [*path, 'when'])}: {_key([*path, 'when'])}"
            try:
                condition = _condition(raw["when"], seen)
            except ConditionError as exc:
                raise SurveyError(f"{where}: {exc} (question {raw['id']!r})") from exc
        seen[raw["id"]] = VALUE_TYPES[raw["type"]]
        questions.append(_question(raw, condition))
    return Survey(
        key=data["key"],
        title=data["title"],
        questions=tuple(questions),
        thanks=data["thanks"],
        definition=data,
        hash=content_hash(data),
        audience=data.get("audience", "any"),
        description=data.get("description"),
        kind=data.get("kind", "survey"),
    )


def _condition(source: str, earlier: Mapping[str, ValueType]) -> Condition:
    """Parse a ``when`` over the earlier questions (their answers' types by id), or refuse it."""
    condition = parse(source)
    unknown = sorted(condition.names - set(earlier))
    if unknown:
        raise ConditionError(f"names no earlier question: {', '.join(unknown)}")
    check_types(condition, earlier)
    return condition


def _question(raw: dict[str, Any], condition: Condition | None) -> Question:
    """Build one :class:`Question` from its validated mapping."""
    options = tuple(Option(o["id"], o["label"]) for o in raw.get("options", ()))
    extra = {"max_length": raw["max_length"]} if "max_length" in raw else {}
    return Question(
        id=raw["id"],
        type=raw["type"],
        text=raw["text"],
        options=options,
        optional=raw.get("optional", False),
        when=condition,
        hint=raw.get("hint", {}),
        **extra,
    )


def _key(path: list[str | int]) -> str:
    """Render a JSON path as ``questions[2].when``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "(top level)"


def _line(tree: yaml.Node | None, path: list[str | int]) -> str:
    """Return ``:LINE`` for the deepest node of ``path`` found in the YAML tree."""
    node = tree
    for part in path:
        child = _child(node, part)
        if child is None:
            break
        node = child
    return f":{node.start_mark.line + 1}" if node is not None else ""


def _child(node: yaml.Node | None, part: str | int) -> yaml.Node | None:
    """Return the child of a YAML node by mapping key or sequence index."""
    if isinstance(node, yaml.MappingNode) and isinstance(part, str):
        return next((v for k, v in node.value if k.value == part), None)
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


class SurveyCatalog:
    """The surveys offered, by key, in a stable order (files sorted by name)."""

    def __init__(self, surveys: list[Survey]) -> None:
        self._surveys = {s.key: s for s in surveys}

    @classmethod
    def from_directory(cls, directory: Path) -> SurveyCatalog:
        """Load every ``*.yaml``/``*.yml`` file of a directory; fail on the first bad one."""
        files = sorted([*directory.glob("*.yaml"), *directory.glob("*.yml")])
        surveys = [load_file(path) for path in files]
        keys = [s.key for s in surveys]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise SurveyError(f"{directory}: two files declare survey key {duplicates[0]!r}")
        return cls(surveys)

    def __iter__(self) -> Iterator[Survey]:
        return iter(self._surveys.values())

    def __contains__(self, key: object) -> bool:
        return key in self._surveys

    def __len__(self) -> int:
        return len(self._surveys)

    def get(self, key: str) -> Survey | None:
        """Return the survey with this key, if any."""
        return self._surveys.get(key)

    def offered(self, internal: bool) -> list[Survey]:
        """Return the surveys a person may start (internal ones only for employees)."""
        hidden = "external" if internal else "internal"
        return [s for s in self._surveys.values() if s.audience != hidden]

    def complaint(self) -> Survey | None:
        """Return the complaint intake dialogue, if the catalog has one."""
        return next((s for s in self._surveys.values() if s.kind == "complaint"), None)


def from_definition(definition: dict[str, Any], source: str) -> Survey:
    """Rebuild a survey from a stored definition (a version stored earlier)."""
    return load_text(yaml.safe_dump(definition, allow_unicode=True), source)
