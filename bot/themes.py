"""The main themes of a period's free-text answers, in French and English, offline.

Texts are grouped by the conversation's language; each language's texts are turned
into TF-IDF vectors by scikit-learn (its tokeniser, lower-casing and accent folding),
with that language's stop words (the ``stop-words`` package) and Snowball stems
(``snowballstemmer``), then factorised by NMF into a few themes. A theme is named by
its heaviest stems, each shown as the word people wrote most often for it, and
counts the texts it leads. At most :data:`MAX_TEXTS` texts (the latest) are read,
which keeps the dashboard within its time budget.
"""

from __future__ import annotations

import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache

MAX_TEXTS = 200
THEMES = 5
WORDS = 3
LANGUAGES = {"en": "english", "fr": "french"}


@dataclass(frozen=True)
class Theme:
    """One theme: its language, its words (most weighty first) and how many texts it leads."""

    language: str
    words: tuple[str, ...]
    texts: int


def themes(texts: Sequence[tuple[str, str]], default_language: str = "en",
           count: int = THEMES) -> list[Theme]:
    """Return the main themes of ``(text, language)`` pairs, per language, biggest first."""
    by_language: dict[str, list[str]] = {}
    for text, language in texts[:MAX_TEXTS]:
        code = language if language in LANGUAGES else default_language
        by_language.setdefault(code, []).append(text)
    found: list[Theme] = []
    for language, group in sorted(by_language.items()):
        found.extend(_language_themes(group, language, count))
    return sorted(found, key=lambda theme: (-theme.texts, theme.language, theme.words))


def _language_themes(texts: list[str], language: str, count: int) -> list[Theme]:
    """Return the themes of texts written in one language."""
    # Imported here: scikit-learn takes seconds to import, and every process (gunicorn's
    # workers, the CLI) would pay it at start while only the dashboard's themes need it.
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyse, spelled = _analyser(language)
    vectorizer = TfidfVectorizer(analyzer=analyse, min_df=2 if len(texts) >= 20 else 1,
                                 max_df=0.9 if len(texts) >= 20 else 1.0)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # nothing left once stop words are gone
        return []
    topics = min(count, matrix.shape[0], matrix.shape[1])
    if topics == 0:
        return []
    model = NMF(n_components=topics, init="nndsvd", random_state=0, max_iter=300)
    with warnings.catch_warnings():
        # Fewer distinct texts than themes asked (the same comment twice) never converge;
        # the factorisation still says which theme leads each text, all that is read here.
        warnings.simplefilter("ignore", ConvergenceWarning)
        weights = model.fit_transform(matrix)
    stems = vectorizer.get_feature_names_out()
    leaders = Counter(int(row.argmax()) for row in weights if row.max() > 0)
    out = []
    for index, component in enumerate(model.components_):
        if not leaders.get(index):
            continue
        top = [stems[i] for i in component.argsort()[::-1][:WORDS] if component[i] > 0]
        out.append(Theme(language, tuple(spelled(stem) for stem in top), leaders[index]))
    return out


def _analyser(language: str) -> tuple[Callable[[str], list[str]], Callable[[str], str]]:
    """Return a text analyser (tokens → stems, stop words dropped) and a stem's usual spelling."""
    import snowballstemmer
    from sklearn.feature_extraction.text import TfidfVectorizer

    stemmer = snowballstemmer.stemmer(LANGUAGES[language])
    tokenize = TfidfVectorizer(strip_accents=None, lowercase=True).build_analyzer()
    stops = _stop_words(language)
    spellings: dict[str, Counter[str]] = {}

    def analyse(text: str) -> list[str]:
        stems = []
        for token in tokenize(text):
            if _folded(token) in stops or len(token) < 3 or token.isdigit():
                continue
            stem = stemmer.stemWord(token)
            spellings.setdefault(stem, Counter())[token] += 1
            stems.append(stem)
        return stems

    def spelled(stem: str) -> str:
        seen = spellings.get(stem)
        return seen.most_common(1)[0][0] if seen else stem

    return analyse, spelled


@cache
def _stop_words(language: str) -> frozenset[str]:
    """Return a language's stop words, accents folded (people often type without them)."""
    from stop_words import get_stop_words

    return frozenset(_folded(word) for word in get_stop_words(LANGUAGES[language]))


def _folded(word: str) -> str:
    """Return a word without accents, lower-cased."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
