"""Does a free-text message read as a complaint? A small rule anyone can read and explain.

A message typed outside any survey reads as a complaint when it is a sentence
(at least :data:`MIN_WORDS` words) and one of its words, reduced to its stem by
the Snowball stemmers (English and French), is a complaint cue: a thing that
went wrong ("broken", "cassée"), a demand ("refund", "remboursement") or a
grievance ("unacceptable", "plainte"). :func:`cues` returns the words that
matched, which is the whole explanation. Nothing is filed on this alone: the
person is asked to confirm first.
"""

from __future__ import annotations

import re
from functools import cache

import snowballstemmer

MIN_WORDS = 4
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*", re.UNICODE)

CUES_EN = (
    "broken", "damaged", "defective", "faulty", "missing", "lost", "wrong", "late", "delayed",
    "overcharged", "refund", "reimburse", "compensation", "complaint", "complain",
    "unacceptable", "disgusting", "terrible", "awful", "rude", "scam", "never", "cancelled",
    "failed", "stolen", "leaking", "cracked", "error", "mistake",
)
CUES_FR = (
    "cassé", "abîmé", "endommagé", "défectueux", "manquant", "perdu", "erreur", "retard",
    "remboursement", "rembourser", "dédommagement", "plainte", "réclamation", "inadmissible",
    "inacceptable", "scandaleux", "honteux", "arnaque", "impoli", "jamais", "annulé", "volé",
    "fuite", "facturé", "surfacturé", "panne",
)


@cache
def _stemmers() -> tuple[snowballstemmer.stemmer, snowballstemmer.stemmer]:
    """Return the English and French stemmers (built once)."""
    return snowballstemmer.stemmer("english"), snowballstemmer.stemmer("french")


@cache
def _cue_stems() -> frozenset[str]:
    """Return the stems of every cue word, in both languages' stemmings."""
    english, french = _stemmers()
    words = [*CUES_EN, *CUES_FR]
    return frozenset(english.stemWords(words)) | frozenset(french.stemWords(words))


def cues(text: str) -> list[str]:
    """Return the words of ``text`` that make it read as a complaint (empty: it does not)."""
    words = WORD.findall(text.casefold())
    if len(words) < MIN_WORDS:
        return []
    english, french = _stemmers()
    stems = _cue_stems()
    return [w for w in words
            if english.stemWord(w) in stems or french.stemWord(w) in stems]


def reads_as_complaint(text: str | None) -> bool:
    """Tell whether a message outside a survey reads as a complaint."""
    return bool(text) and bool(cues(text or ""))
