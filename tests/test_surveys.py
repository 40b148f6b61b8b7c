"""Survey files: the shipped ones, validation errors that say where, versions by content hash."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.conditions import ConditionError, parse
from bot.surveys import SurveyCatalog, SurveyError, load_text
from ecoute.config import PACKAGED_SURVEYS
from ecoute.wiring import Ecoute
from storage.models import Answer, SurveyVersion
from tests.conftest import Person

GOOD = """\
key: demo
title: {en: Demo, fr: Démo}
questions:
  - id: score
    type: nps
    text: {en: "Score?", fr: "Note ?"}
  - id: why
    type: text
    when: score <= 6
    text: {en: "Why?", fr: "Pourquoi ?"}
thanks: {en: Thanks, fr: Merci}
"""


def test_the_shipped_surveys_load_with_both_languages() -> None:
    catalog = SurveyCatalog.from_directory(PACKAGED_SURVEYS)
    assert {"nps", "csat", "ces"} <= {s.key for s in catalog}
    for survey in catalog:
        for question in survey.questions:
            assert set(question.text) == {"en", "fr"}


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (("type: nps", "type: stars"), ":5: questions[0].type: 'stars' is not one of"),
        (('text: {en: "Why?", fr: "Pourquoi ?"}', 'text: {en: "Why?"}'),
         ":10: questions[1].text: 'fr' is a required property"),
        (("when: score <= 6", "when: __import__('os').system('x')"),
         ":9: questions[1].when: condition \"__import__('os').system('x')\" uses Call"),
        (("when: score <= 6", "when: mood == 1"),
         ":9: questions[1].when: names no earlier question: mood"),
        (("id: why", "id: score"), ":7: questions[1].id: duplicate id 'score'"),
        (("key: demo", "key: Demo Survey"), ":1: key: 'Demo Survey' does not match"),
        (("thanks:", "thank_you:"),
         ":11: thank_you: Additional properties are not allowed ('thank_you' was unexpected)"),
        (("  - id: score", "  - id: score\n   oops: ["), ": not valid YAML"),
    ],
)
def test_a_bad_survey_is_refused_naming_file_line_key_and_problem(
    change: tuple[str, str], where: str
) -> None:
    with pytest.raises(SurveyError) as refused:
        load_text(GOOD.replace(*change), "surveys/demo.yaml")
    assert str(refused.value).startswith("surveys/demo.yaml")
    assert where in str(refused.value)


@pytest.mark.parametrize(
    "source",
    ["score.__class__", "open('x')", "score + 1 > 2", "[x for x in y]", "lambda: 1", "score[0]"],
)
def test_the_condition_language_refuses_anything_but_comparisons(source: str) -> None:
    with pytest.raises(ConditionError):
        parse(source)


@pytest.mark.parametrize(
    ("source", "values", "expected"),
    [
        ("7 <= score <= 8", {"score": 8}, True),
        ("7 <= score <= 8", {"score": 9}, False),
        ("reason in ['price', 'delay']", {"reason": "delay"}, True),
        ("not (recommend == 'yes') and score > 3", {"recommend": "no", "score": 4}, True),
        ("score <= 6", {}, False),
        ("score > -1", {"score": 0}, True),
        ("score < 'a'", {"score": 3}, False),
    ],
)
def test_conditions_evaluate_on_earlier_answers(source: str, values: dict[str, object],
                                                expected: bool) -> None:
    assert parse(source).evaluate(values) is expected  # type: ignore[arg-type]


def test_any_edit_makes_a_new_version_and_old_answers_keep_theirs(
    tmp_path: Path, ecoute: Ecoute
) -> None:
    before = load_text(GOOD)
    after = load_text(GOOD.replace("Score?", "Your score?"))
    assert before.hash != after.hash
    assert load_text(GOOD).hash == before.hash

    ana = Person(ecoute.engine)
    ana.says("start nps")
    ana.says("9")
    with ecoute.db.transaction() as session:
        version = session.scalar(select(Answer.survey_version_id))
        digest = session.scalar(select(SurveyVersion.hash).where(SurveyVersion.id == version))
    assert digest == ecoute.catalog.get("nps").hash  # type: ignore[union-attr]


def test_a_conversation_finishes_on_the_version_that_started_it(ecoute: Ecoute) -> None:
    ana = Person(ecoute.engine)
    ana.says("start nps")
    edited = load_text(
        (PACKAGED_SURVEYS / "nps.yaml").read_text().replace("Wonderful!", "Great!")
    )
    ecoute.engine.catalog = SurveyCatalog([edited])
    assert ana.says("10").messages[-1].text.startswith("Wonderful!")


def test_two_files_with_one_key_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    with pytest.raises(SurveyError, match="two files declare survey key 'demo'"):
        SurveyCatalog.from_directory(tmp_path)


TYPED = """\
key: typed
title: {en: Typed, fr: Typé}
questions:
  - id: score
    type: nps
    text: {en: "Score?", fr: "Note ?"}
  - id: reason
    type: choice
    text: {en: "Why?", fr: "Pourquoi ?"}
    options:
      - {id: price, label: {en: Price, fr: Prix}}
      - {id: delay, label: {en: Delay, fr: Délai}}
  - id: comment
    type: text
    optional: true
    text: {en: "Anything else?", fr: "Autre chose ?"}
  - id: last
    type: yesno
    when: CONDITION
    text: {en: "Again?", fr: "Encore ?"}
thanks: {en: Thanks, fr: Merci}
"""


def typed(condition: str) -> str:
    """Return the typed survey with ``condition`` on its last question (quoted for YAML)."""
    return TYPED.replace("CONDITION", "'" + condition.replace("'", "''") + "'")


@pytest.mark.parametrize(("condition", "problem"), [
    ('-"a" < 3', "'-' only goes before a number"),
    ("score < -'a'", "'-' only goes before a number"),
    ("score in [1, -'a']", "'-' only goes before a number"),
    ("-True < score", "'-' only goes before a number"),
    ("score < '7'", "compares score (a number) with '7' (a string)"),
    ("score == 'ten'", "compares score (a number) with 'ten' (a string)"),
    ("reason > 3", "compares reason (a string) with 3 (a number)"),
    ("score == True", "compares score (a number) with True (a boolean)"),
    ("score < None", "orders score (a number) and None (nothing)"),
    ("reason in [1, 2]", "looks for reason (a string) in a list of numbers"),
    ("score in ['a', 'b']", "looks for score (a number) in a list of strings"),
    ("score in reason", "looks for score (a number) in reason (a string)"),
    ("reason in score", "looks for reason (a string) in score (a number)"),
    ("[1, 2] == score", "a list only goes after 'in'"),
    ("score in [[1], 2]", "a list only goes after 'in'"),
    ("1j > score", "uses the constant 1j"),
    ("b'x' == reason", "uses the constant b'x'"),
])
def test_a_condition_that_cannot_be_evaluated_is_refused_on_load(condition: str,
                                                                 problem: str) -> None:
    with pytest.raises(SurveyError) as refused:
        load_text(typed(condition), "surveys/typed.yaml")
    message = str(refused.value)
    assert message.startswith("surveys/typed.yaml:19: questions[3].when: ")
    assert problem in message
    assert "question 'last'" in message


@pytest.mark.parametrize("condition", [
    "score <= 6", "7 <= score <= 8", "score > -1", "score in [1, 2, 3]", "score != None",
    "reason in ['price', 'delay']", "reason == 'price' or comment == 'late'",
    "not (reason == 'price') and score > 3", "'late' in comment", "comment", "not comment",
    "reason < 'z'", "score == 2.5", "None == comment",
])
def test_a_well_typed_condition_loads_and_evaluates(condition: str) -> None:
    survey = load_text(typed(condition), "surveys/typed.yaml")
    last = survey.question("last")
    assert last.when is not None
    for values in ({}, {"score": 3, "reason": "price", "comment": "late"}):
        last.when.evaluate(values)  # type: ignore[arg-type]  # never raises


def test_a_condition_naming_a_later_question_names_its_own() -> None:
    with pytest.raises(SurveyError, match=r"names no earlier question: last \(question 'last'\)"):
        load_text(typed("last == 'yes'"), "surveys/typed.yaml")
