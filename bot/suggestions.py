"""Suggestions for an improvement: past feedback close in meaning to what people said.

Offline, with scikit-learn, in French and English. Each text (the improvement's
"you said" and every candidate: a conversation's free text or a complaint's
description) is read two ways, and the two cosine similarities are added:

- **its letters**: TF-IDF over character n-grams inside words (``char_wb``, 3 to 4
  letters, accents folded, French and English stop words dropped), which matches
  "remboursé" with "remboursement" and a typo with its word, within a language;
- **its concepts**: the bilingual lexicon of the domain (:data:`LEXICON`, an
  editable file) gives each text the concepts its words name, so "livraison" and
  "delivery" meet on ``delivery`` whatever the language. Across languages this is
  what matches; letters alone mostly do not.

The cost is bounded by the caller: :mod:`storage.improvement_links` hands at most
:data:`MAX_CANDIDATES` of the latest candidates of each kind of a period (and of the
improvement's concerns). Ranking 5,000 of them takes about a second on a busy 2-core
machine (``bench/suggestions.py``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.themes import _stop_words  # one stop-word list for both

LEXICON = Path(__file__).with_name("lexicon.yaml")
MAX_CANDIDATES = 5_000
LIMIT = 20
FLOOR = 0.08  # below this, a candidate shares too little with the summary to be proposed
LETTERS, CONCEPTS = 0.45, 0.55  # the weights of the two readings
WORD = re.compile(r"[^\W\d_]+")
COMBINING = re.compile(r"[\u0300-\u036f]")
CACHED = 50_000  # texts whose preparation is kept


@dataclass(frozen=True)
class Candidate:
    """A piece of past feedback that could be linked: a conversation or a complaint."""

    target: str  # storage.vocabulary.LinkTarget
    id: int
    text: str
    language: str


@dataclass(frozen=True)
class Suggestion:
    """A candidate and how close it is to the improvement (0 to 1)."""

    candidate: Candidate
    score: float


class Lexicon:
    """Concepts and the French and English words that name them, ready to find in a text."""

    def __init__(self, concepts: Mapping[str, Mapping[str, Sequence[str]]]) -> None:
        self.names = list(concepts)
        groups = [f"(?P<c{i}>{_alternatives([w for words in by_language.values() for w in words])})"
                  for i, by_language in enumerate(concepts.values())]
        # one pass over a text finds every concept (a group per concept)
        self.pattern = re.compile(r"\b(?:" + "|".join(groups) + r")\b") if groups else None
        self._prepared: dict[str, tuple[str, tuple[str, ...]]] = {}

    @classmethod
    def load(cls, path: Path = LEXICON) -> Lexicon:
        """Read a lexicon file (``concept: {fr: [...], en: [...]}``)."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ValueError(f"{path}: each concept maps languages to lists of words")
        return cls(data)

    def concepts(self, text: str) -> list[str]:
        """Return the concepts a text names, once per mention."""
        return list(self.prepared(text)[1])

    def prepared(self, text: str) -> tuple[str, tuple[str, ...]]:
        """Return a text's content words (folded, no stop words) and its concepts, cached."""
        found = self._prepared.get(text)
        if found is None:
            words = WORD.findall(_fold(text))
            content = " ".join(w for w in words if w not in _stops() and len(w) > 2)
            concepts = tuple(self.names[int(m.lastgroup[1:])]  # type: ignore[index]
                             for m in self.pattern.finditer(" ".join(words))) \
                if self.pattern else ()
            if len(self._prepared) >= CACHED:
                self._prepared.clear()
            self._prepared[text] = found = (content, concepts)
        return found


def _alternatives(words: Sequence[str]) -> str:
    """Return the regular expression of any of ``words`` ("livr*" is a prefix)."""
    parts = []
    for entry in words:
        tokens = [re.escape(t.rstrip("*")) + (r"\w*" if t.endswith("*") else "")
                  for t in _fold(str(entry)).split()]
        parts.append(r"\s+".join(tokens))
    return "|".join(parts)


def _fold(text: str) -> str:
    """Return the text lower-cased, without accents (as :func:`bot.themes._folded`, faster)."""
    return COMBINING.sub("", unicodedata.normalize("NFKD", text.lower()))


@cache
def _stops() -> frozenset[str]:
    """Return the French and English stop words, accents folded."""
    return _stop_words("fr") | _stop_words("en")


@cache
def default_lexicon() -> Lexicon:
    """Return the lexicon shipped beside this module (read once per process)."""
    return Lexicon.load()


def rank(summary: str, candidates: Sequence[Candidate], *, lexicon: Lexicon | None = None,
         limit: int = LIMIT, floor: float = FLOOR) -> list[Suggestion]:
    """Return the candidates closest to ``summary``, best first, at most ``limit``."""
    if not candidates or not summary.strip():
        return []
    lexicon = lexicon or default_lexicon()
    prepared = [lexicon.prepared(text) for text in (summary, *(c.text for c in candidates))]
    scores = LETTERS * _similarity([p[0] for p in prepared], _letters_vectorizer()) + \
        CONCEPTS * _similarity([p[1] for p in prepared], _concepts_vectorizer())
    order = sorted(range(len(candidates)), key=lambda i: (-scores[i], i))
    return [Suggestion(candidates[i], round(float(scores[i]), 4))
            for i in order[:limit] if scores[i] >= floor]


def _similarity(texts: list[Any], vectorizer: Any) -> Any:
    """Return the cosine similarity of the first text with each of the others."""
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no feature at all (no concept named anywhere)
        import numpy

        return numpy.zeros(len(texts) - 1)
    # TF-IDF rows are L2-normalised: the dot product is the cosine
    return (matrix[1:] @ matrix[0].T).toarray().ravel()


def _letters_vectorizer() -> Any:
    """Return the TF-IDF of character n-grams (of texts already folded, without stop words)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4), sublinear_tf=True,
                           lowercase=False)


def _concepts_vectorizer() -> Any:
    """Return the TF-IDF of concepts (each text given as its list of concepts)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=list, sublinear_tf=True)
