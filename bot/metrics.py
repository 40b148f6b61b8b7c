"""NPS, CSAT and CES: the definitions shared by ``ecoute stats``, dashboards and the API.

The counts come from one SQL aggregate each (:mod:`storage.reports`); this module
turns counts into scores so every screen computes them the same way.

- NPS: % promoters (9-10) minus % detractors (0-6), from -100 to 100.
- CSAT: % of answers that are 4 or 5 on the 1-5 scale, and the mean.
- CES: the mean on the 1-7 scale (7 = very easy).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage import reports

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
CSAT_SATISFIED_MIN = 4
CSAT_DETRACTOR_MAX = 2
CES_HIGH_MIN = 5  # "easy" on the 1-7 scale (counted, not used by the mean)
THRESHOLDS = {  # per score type: (the high band's minimum, the low band's maximum)
    "nps": (PROMOTER_MIN, DETRACTOR_MAX),
    "csat": (CSAT_SATISFIED_MIN, CSAT_DETRACTOR_MAX),
    "ces": (CES_HIGH_MIN, 2),
}


@dataclass(frozen=True)
class Nps:
    """Net Promoter Score and its bands."""

    score: float | None
    promoters: int
    passives: int
    detractors: int
    responses: int


@dataclass(frozen=True)
class Csat:
    """Customer satisfaction: % satisfied (4-5) and the mean rating."""

    score: float | None
    mean: float | None
    responses: int


@dataclass(frozen=True)
class Ces:
    """Customer effort score: the mean on 1-7."""

    mean: float | None
    responses: int


@dataclass(frozen=True)
class Summary:
    """The three metrics over one period."""

    nps: Nps
    csat: Csat
    ces: Ces

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {"nps": asdict(self.nps), "csat": asdict(self.csat), "ces": asdict(self.ces)}


def nps(promoters: int, passives: int, detractors: int) -> Nps:
    """Compute NPS from the band counts (score None with no responses)."""
    total = promoters + passives + detractors
    score = round((promoters - detractors) * 100 / total, 1) if total else None
    return Nps(score, promoters, passives, detractors, total)


def csat(satisfied: int, total: int, sum_: float) -> Csat:
    """Compute CSAT from the count of 4-5 answers, the count and the sum."""
    if not total:
        return Csat(None, None, 0)
    return Csat(round(satisfied * 100 / total, 1), round(sum_ / total, 2), total)


def ces(total: int, sum_: float) -> Ces:
    """Compute CES from the count and the sum."""
    return Ces(round(sum_ / total, 2) if total else None, total)


def summary(session: Session, since: datetime | None = None, *,
            visible: Collection[str] | None = None) -> Summary:
    """Return NPS, CSAT and CES over the answers given since ``since`` (all when None).

    With ``visible`` (see :mod:`bot.small_groups`), anonymous answers count only
    when their conversation is in it.
    """
    counts = reports.score_counts(session, THRESHOLDS, since, visible=visible)
    n, c, e = counts["nps"], counts["csat"], counts["ces"]
    return Summary(
        nps=nps(n.high, n.count - n.high - n.low, n.low),
        csat=csat(c.high, c.count, c.total),
        ces=ces(e.count, e.total),
    )


def is_detractor(question_type: str, value: int) -> bool:
    """Tell whether a score is a detractor's (NPS 0-6, CSAT 1-2): staff get alerted."""
    if question_type == "nps":
        return value <= DETRACTOR_MAX
    return question_type == "csat" and value <= CSAT_DETRACTOR_MAX
