"""Realistic sample comments in English and French, for sample data and generated stores.

The phrases live in ``corpus.yaml`` beside this module, by theme and tone. A
comment is one phrase (sometimes two, of different themes) in the tone its score
calls for; a passive's joins a good phrase and a bad one with "but" / "mais".
Every choice is drawn from the caller's :class:`random.Random`, so a seed gives
the same comments again. Used by ``ecoute demo`` (:mod:`bot.demo`) and by
``bench/generate.py``.
"""

from __future__ import annotations

import random
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

CORPUS = Path(__file__).with_name("corpus.yaml")
BUT = {"en": "but", "fr": "mais"}
SECOND_PHRASE = 0.3  # how often a good or bad comment says two things


class Tone(StrEnum):
    """What a comment says: praise, a complaint, or both."""

    GOOD = "good"
    BAD = "bad"
    MIXED = "mixed"


@cache
def _corpus() -> dict[str, Any]:
    """Return the phrases, read once."""
    with CORPUS.open(encoding="utf-8") as file:
        return yaml.safe_load(file)  # type: ignore[no-any-return]


def services() -> tuple[str, ...]:
    """Return the internal services the corpus has phrases for (ids of surveys/internal.yaml)."""
    return tuple(_corpus()["internal"])


def customer_comment(rng: random.Random, language: str, tone: Tone) -> str:
    """Return a customer's comment in ``language`` of the given tone."""
    themes = _corpus()["customer"]
    return _comment(rng, language, tone, [themes[name] for name in themes])


def internal_comment(rng: random.Random, language: str, service: str, tone: Tone) -> str:
    """Return an employee's comment about one internal service."""
    return _comment(rng, language, tone, [_corpus()["internal"][service]])


def shrug(rng: random.Random, language: str) -> str:
    """Return what someone types when they must answer and have nothing to say."""
    return rng.choice(_corpus()["shrug"][language])


def _comment(rng: random.Random, language: str, tone: Tone,
             themes: list[dict[str, dict[str, list[str]]]]) -> str:
    """Join one or two phrases of ``themes`` in the tone asked for."""
    first, second = rng.choice(themes), rng.choice(themes)
    if tone is Tone.MIXED:
        good = rng.choice(first["good"][language]).rstrip(".")
        bad = rng.choice(second["bad"][language])
        return f"{good}, {BUT[language]} {_lower_first(bad)}"
    phrase = rng.choice(first[tone.value][language])
    if first is not second and rng.random() < SECOND_PHRASE:
        return f"{phrase} {rng.choice(second[tone.value][language])}"
    return phrase


def _lower_first(phrase: str) -> str:
    """Return ``phrase`` to follow a comma: its first letter in lower case, unless it is "I"."""
    if phrase.startswith(("I ", "I'")):
        return phrase
    return phrase[0].lower() + phrase[1:]
