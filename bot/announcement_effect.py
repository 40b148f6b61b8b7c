"""The effect of an improvement: the linked group's satisfaction before and after, and the answers.

The group is the people behind the improvement's accepted links; only their
answers to the linked conversations' surveys, in the same contexts, count, split
at the moment the improvement was published. NPS, CSAT and CES are computed as on
the dashboard (:mod:`bot.metrics`). The answers to "Does this answer your concern?"
are given as counts and shares (per cent of those who answered).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot import metrics
from bot.metrics import Summary
from storage import improvements
from storage.db import Executor
from storage.improvements import ScoreTally
from storage.vocabulary import ReactionAnswer


@dataclass(frozen=True)
class Effect:
    """Satisfaction of the linked group before and after publication, and the reactions."""

    before: Summary
    after: Summary
    answers: dict[str, int] = field(default_factory=dict)

    @property
    def shares(self) -> dict[str, float | None]:
        """Return each answer's share of all answers, in per cent (None with no answer)."""
        total = sum(self.answers.values())
        return {a.value: round(self.answers.get(a.value, 0) * 100 / total, 1) if total else None
                for a in ReactionAnswer}

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"before": self.before.to_dict(), "after": self.after.to_dict(),
                "answers": {a.value: self.answers.get(a.value, 0) for a in ReactionAnswer},
                "shares": self.shares}


def effect(session: Executor, improvement_id: int) -> Effect | None:
    """Return the effect of a published improvement (None while it is a draft)."""
    row = improvements.find(session, improvement_id)
    if row is None or row.published_at is None:
        return None
    tallies = improvements.group_scores(session, improvement_id, row.published_at,
                                        metrics.THRESHOLDS)
    return Effect(_summary(tallies, after=False), _summary(tallies, after=True),
                  improvements.reaction_counts(session, improvement_id))


def _summary(tallies: list[ScoreTally], *, after: bool) -> Summary:
    """Compute NPS, CSAT and CES from one side's tallies."""
    side = {t.question_type: t for t in tallies if t.after is after}
    empty = ScoreTally("", after, 0, 0, 0, 0)
    n, c, e = (side.get(kind, empty) for kind in ("nps", "csat", "ces"))
    return Summary(nps=metrics.nps(n.high, n.count - n.high - n.low, n.low),
                   csat=metrics.csat(c.high, c.count, c.total),
                   ces=metrics.ces(e.count, e.total))

