"""The suggestions' goal, on a bilingual test set: past feedback on the improvement's topic first.

``tests/data/suggestions.yaml`` holds short feedback over 8 topics in French and
English, and improvements in either language. For each improvement the feedback
of one language is ranked; the goal is at least 4 of the top 5 on the right topic
within a language, and at least 3 of 5 across languages. The figures per
direction are printed (``pytest -s``) and written in the README.
"""

from __future__ import annotations

from pathlib import Path
from statistics import mean
from typing import Any

import pytest
import yaml

from bot.suggestions import Candidate, Lexicon, default_lexicon, rank
from storage.vocabulary import LinkTarget

DATA = Path(__file__).parent.parent / "data" / "suggestions.yaml"
TOP = 5


def load(part: str | None = None) -> tuple[list[tuple[str, Candidate]], list[dict[str, Any]]]:
    """Return the feedback as (topic, candidate) pairs, and the improvements."""
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    data = data[part] if part else data
    feedback = []
    for topic, by_language in data["topics"].items():
        for language, texts in by_language.items():
            for text in texts:
                feedback.append((topic, Candidate(LinkTarget.CONVERSATION, len(feedback), text,
                                                  language)))
    return feedback, data["improvements"]


def hits(improvement: dict[str, Any], language: str,
         feedback: list[tuple[str, Candidate]], top: int = TOP) -> int:
    """Return how many of the top 5 of ``language`` feedback are on the improvement's topic."""
    pool = [c for _, c in feedback if c.language == language]
    topic_of = {c.id: topic for topic, c in feedback}
    found = rank(improvement["you_said"], pool, limit=top)
    return sum(topic_of[s.candidate.id] == improvement["topic"] for s in found)


def figures(part: str | None = None, top: int = TOP) -> dict[str, list[int]]:
    """Return the hits of every improvement, per direction (fr→fr, en→fr…)."""
    feedback, improvements = load(part)
    found: dict[str, list[int]] = {}
    for improvement in improvements:
        for language in ("en", "fr"):
            direction = f"{improvement['language']}→{language}"
            found.setdefault(direction, []).append(hits(improvement, language, feedback, top))
    return found


def test_the_test_set_is_as_big_as_the_goal_says() -> None:
    feedback, improvements = load()
    assert len(feedback) >= 40
    assert len({topic for topic, _ in feedback}) >= 8
    assert {c.language for _, c in feedback} == {"en", "fr"}
    assert {i["language"] for i in improvements} == {"en", "fr"}


def test_suggestions_reach_the_goal_within_and_across_languages() -> None:
    found = figures()
    for direction, numbers in sorted(found.items()):
        print(f"{direction}: {mean(numbers):.2f} of {TOP} on topic on average, "
              f"worst {min(numbers)}, {sum(n >= 4 for n in numbers)}/{len(numbers)} with ≥ 4")
    for direction, numbers in found.items():  # the goal holds for every improvement
        source, target = direction.split("→")
        goal = 4 if source == target else 3
        assert min(numbers) >= goal, direction


def test_on_phrasings_the_lexicon_was_not_written_for_it_still_beats_chance() -> None:
    """The held-out part (3 texts a topic, so the top 3): printed for the README, not a goal."""
    found = figures("held_out", top=3)
    for direction, numbers in sorted(found.items()):
        print(f"held out, {direction}: {mean(numbers):.2f} of 3 on topic on average")
    chance = 3 / 8
    assert all(mean(numbers) >= 2 * chance for numbers in found.values())


def test_without_the_lexicon_across_languages_falls_short() -> None:
    """The lexicon is what carries meaning across languages (letters alone do not)."""
    feedback, improvements = load()
    empty = Lexicon({})
    pool = [c for _, c in feedback if c.language == "en"]
    topic_of = {c.id: topic for topic, c in feedback}
    french = [i for i in improvements if i["language"] == "fr"]
    with_lexicon = sum(hits(i, "en", feedback) for i in french)
    without = sum(topic_of[s.candidate.id] == i["topic"]
                  for i in french for s in rank(i["you_said"], pool, lexicon=empty, limit=TOP))
    assert without < with_lexicon


@pytest.mark.parametrize("word, concept", [("livraison", "delivery"), ("Delivered", "delivery"),
                                           ("remboursé", "refund"), ("car park", "parking")])
def test_the_lexicon_names_concepts_in_both_languages(word: str, concept: str) -> None:
    assert concept in default_lexicon().concepts(word)


def test_a_summary_with_nothing_in_common_suggests_nothing() -> None:
    feedback, _ = load()
    assert rank("zzz qqq", [c for _, c in feedback]) == []
    assert rank("", [c for _, c in feedback]) == []
