"""The effect of an improvement: the linked group's satisfaction before and after, and the answers.

The group is the people behind the improvement's accepted links; only their
answers to the linked conversations' surveys, in the same contexts, count, split
at the moment the improvement was published. NPS, CSAT and CES are computed as on
the dashboard (:mod:`bot.metrics`). The answers to "Does this answer your concern?"
are given as counts and shares (per cent of those who answered).

:func:`latest` gives the newest published improvements with their effects, read
in the same few queries whatever their number (for the staff dashboard).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot import metrics
from bot.metrics import Summary
from storage import improvement_effects, improvements
from storage.db import Executor
from storage.improvement_effects import ScoreTally
from storage.improvements import ImprovementRow
from storage.vocabulary import ReactionAnswer


@dataclass(frozen=True)
class Comparison:
    """One metric of the group before and after (NPS and CSAT: the score; CES: the mean)."""

    metric: str
    before: float | None
    before_answers: int
    after: float | None
    after_answers: int


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

    @property
    def answered(self) -> int:
        """Return how many people answered "Does this answer your concern?"."""
        return sum(self.answers.values())

    def compared(self) -> list[Comparison]:
        """Return NPS, CSAT and CES before and after, only those with answers on either side."""
        b, a = self.before, self.after
        rows = (Comparison("nps", b.nps.score, b.nps.responses, a.nps.score, a.nps.responses),
                Comparison("csat", b.csat.score, b.csat.responses, a.csat.score,
                           a.csat.responses),
                Comparison("ces", b.ces.mean, b.ces.responses, a.ces.mean, a.ces.responses))
        return [row for row in rows if row.before_answers or row.after_answers]

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
    return effects(session, [improvement_id])[improvement_id]


def effects(session: Executor, ids: list[int]) -> dict[int, Effect]:
    """Return the effects of published improvements by id, in three queries whatever their number.

    Pass published improvements only: a draft's scores are not tallied (it has no after).
    """
    tallies = improvement_effects.group_scores(session, ids, metrics.THRESHOLDS)
    reactions = improvement_effects.reaction_counts(session, ids)
    by_improvement: dict[int, list[ScoreTally]] = {i: [] for i in ids}
    for tally in tallies:
        by_improvement[tally.improvement_id].append(tally)
    return {i: Effect(_summary(found, after=False), _summary(found, after=True), reactions[i])
            for i, found in by_improvement.items()}


def latest(session: Executor, limit: int = 5) -> list[tuple[ImprovementRow, Effect]]:
    """Return the newest published improvements, newest first, each with its effect."""
    rows = improvements.published(session, limit)
    found = effects(session, [row.id for row in rows])
    return [(row, found[row.id]) for row in rows]


def _summary(tallies: list[ScoreTally], *, after: bool) -> Summary:
    """Compute NPS, CSAT and CES from one side's tallies."""
    side = {t.question_type: t for t in tallies if t.after is after}
    empty = ScoreTally(0, "", after, 0, 0, 0, 0)
    n, c, e = (side.get(kind, empty) for kind in ("nps", "csat", "ces"))
    return Summary(nps=metrics.nps(n.high, n.count - n.high - n.low, n.low),
                   csat=metrics.csat(c.high, c.count, c.total),
                   ces=metrics.ces(e.count, e.total))
