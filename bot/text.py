"""What people type, made safe to store and show: invisible control characters are dropped.

Every channel passes what a person typed (answers, commands' arguments, a
context, a form's fields) through :func:`clean` before it reaches the core, so
the same text is stored whatever the channel. Dropped: the C0 and C1 control
characters but tab and newline (NUL cannot be stored in PostgreSQL's text, ESC
starts terminal escapes), the bidirectional embeddings, overrides and isolates
(U+202A-U+202E, U+2066-U+2069), which make text read differently from what it
is, and lone surrogates, which no database can encode. Everything else stays,
joiners of emoji sequences included.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
KEPT = frozenset("\t\n")


def _unsafe(char: str) -> bool:
    """Tell whether a character is dropped (see the module's docstring)."""
    if char in KEPT:
        return False
    return unicodedata.category(char) in ("Cc", "Cs") or char in BIDI_CONTROLS


# One character class built from the rule above, for a single pass over the text: every
# control and bidirectional control lies below U+3000; the surrogates are one range.
_UNSAFE = re.compile("[" + "".join(
    re.escape(chr(c)) for c in range(0x3000) if _unsafe(chr(c))) + "\ud800-\udfff]")


def clean(text: str) -> str:
    """Return ``text`` without control characters, bidirectional controls or lone surrogates."""
    return _UNSAFE.sub("", text)


def clean_optional(text: str | None) -> str | None:
    """Return :func:`clean` of ``text``, None staying None."""
    return None if text is None else _UNSAFE.sub("", text)


def clean_all(values: Mapping[str, str]) -> dict[str, str]:
    """Return a form's values (by field), each one cleaned."""
    return {key: _UNSAFE.sub("", value) for key, value in values.items()}
