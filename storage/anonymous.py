"""Row ids for anonymous rows: random and negative, so no id orders them against named rows.

Named rows take the next id of their table's sequence, so the id of a row
written between two named ones would sit between theirs. An anonymous
submission's rows (its conversation, answers, event and alert) get instead a
random id below zero: PostgreSQL's sequences never see explicit ids, and SQLite
counts these tables with AUTOINCREMENT (migration ``0004_anonymous``), whose
sequence negative ids never raise. A collision (one chance in 2**62 per row)
fails the insert like a replay, and the engine stores the submission again.
"""

from __future__ import annotations

import secrets

SPAN = 2**62


def random_id() -> int:
    """Return a random negative row id, in [-2**62, -1]."""
    return -secrets.randbelow(SPAN) - 1
