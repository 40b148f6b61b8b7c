"""What one person answers to one survey, drawn at random: the steps of surveys/*.yaml.

Each survey's flow follows its file's branching (the NPS "why" by score band, CSAT's
"improve" or "praise", CES's obstacle and details when it was hard, the internal
service, its rating and an optional comment). A required question someone does not
want to answer is where they stop: the conversation is left unfinished there, as in
the product (the engine keeps the answers given). Scores come from a realistic
distribution tilted by ``tilt`` (about -1 to 1: worse to better).
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from functools import cache

from bot.corpus import Tone, customer_comment, internal_comment, shrug

# Each scale's lowest value and its share of answers at tilt 0 (NPS about +20).
SCALES: dict[str, tuple[int, tuple[int, ...]]] = {
    "nps": (0, (3, 1, 2, 2, 3, 6, 6, 12, 16, 20, 19)),
    "csat": (1, (6, 7, 14, 35, 38)),
    "ces": (1, (4, 5, 7, 10, 18, 28, 28)),
    "internal": (1, (5, 8, 20, 37, 30)),
}
SERVICES = (("it", 30), ("hr", 20), ("facilities", 20), ("logistics", 15), ("finance", 15))
SERVICE_TILT = {"it": -0.2, "hr": 0.1, "facilities": 0.0, "logistics": -0.35, "finance": 0.2}
OBSTACLES = ("waiting", "transfers", "information", "other")
NO_ANSWER = 0.07  # started, and never answered the first question
SHRUG = 0.08  # typed "nothing" to a required "why"


@dataclass(frozen=True)
class Step:
    """One question put to the person: their answer, or a skip (an optional question)."""

    question_id: str
    question_type: str
    number: int | None = None
    choice: str | None = None
    text: str | None = None
    skipped: bool = False


@dataclass
class Flow:
    """The steps of one conversation and, when unfinished, the question it stopped at."""

    steps: list[Step] = field(default_factory=list)
    stopped_at: str | None = None

    @property
    def answers(self) -> int:
        """Return how many answers (rows) the steps give."""
        return sum(1 for step in self.steps if not step.skipped)

    def cut(self, answers: int) -> None:
        """Keep only the first ``answers`` answers: the person stops at the next question."""
        kept: list[Step] = []
        for step in self.steps:
            if not step.skipped and sum(1 for s in kept if not s.skipped) == answers:
                self.steps, self.stopped_at = kept, step.question_id
                return
            kept.append(step)


@cache
def _cumulative(kind: str, tilt: float) -> tuple[list[float], int]:
    """Return the cumulative weights of a scale tilted by ``tilt``, and its lowest value."""
    low, base = SCALES[kind]
    middle, half = (len(base) - 1) / 2, (len(base) - 1) / 2
    weights = [w * math.exp(1.6 * tilt * (k - middle) / half) for k, w in enumerate(base)]
    running, total = [], 0.0
    for weight in weights:
        total += weight
        running.append(total)
    return running, low


def score(rng: random.Random, kind: str, tilt: float) -> int:
    """Return a score of scale ``kind`` drawn at the given tilt."""
    cumulative, low = _cumulative(kind, round(tilt, 2))
    return low + bisect(cumulative, rng.random() * cumulative[-1])


def nps(rng: random.Random, language: str, tilt: float) -> Flow:
    """Draw an NPS conversation: the score, then the "why" of its band."""
    value = score(rng, "nps", tilt)
    band, tone, comment = (("detractor", Tone.BAD, 0.55) if value <= 6 else
                           ("passive", Tone.MIXED, 0.35) if value <= 8 else
                           ("promoter", Tone.GOOD, 0.35))
    return _with_why(rng, Step("score", "nps", number=value), f"why_{band}", comment,
                     language, tone)


def _with_why(rng: random.Random, first: Step, question_id: str, comment: float,
              language: str, tone: Tone) -> Flow:
    """Return ``first`` and the answer to a required "why", or stop at the "why"."""
    draw_ = rng.random()
    if draw_ < comment:
        text = customer_comment(rng, language, tone)
    elif draw_ < comment + SHRUG:
        text = shrug(rng, language)
    else:
        return Flow([first], stopped_at=question_id)
    return Flow([first, Step(question_id, "text", text=text)])


def csat(rng: random.Random, language: str, tilt: float) -> Flow:
    """Draw a CSAT conversation: the rating, then "improve" (required) or "praise" (optional)."""
    value = score(rng, "csat", tilt)
    rating = Step("rating", "csat", number=value)
    if value <= 3:
        tone = Tone.BAD if value <= 2 else Tone.MIXED
        return _with_why(rng, rating, "improve", 0.6, language, tone)
    if rng.random() < 0.22:
        return Flow([rating, Step("praise", "text",
                                  text=customer_comment(rng, language, Tone.GOOD))])
    return Flow([rating, Step("praise", "text", skipped=True)])


def ces(rng: random.Random, language: str, tilt: float) -> Flow:
    """Draw a CES conversation: the effort, and when it was hard, the obstacle and details."""
    value = score(rng, "ces", tilt)
    effort = Step("effort", "ces", number=value)
    if value > 4:
        return Flow([effort])
    if rng.random() > 0.9:
        return Flow([effort], stopped_at="obstacle")
    obstacle = Step("obstacle", "choice", choice=rng.choice(OBSTACLES))
    if rng.random() < 0.4:
        details = Step("details", "text", text=customer_comment(rng, language, Tone.BAD))
    else:
        details = Step("details", "text", skipped=True)
    return Flow([effort, obstacle, details])


def internal(rng: random.Random, language: str, tilt: float) -> Flow:
    """Draw an internal-service rating: the service, its rating, an optional comment."""
    service = rng.choices([s for s, _ in SERVICES], [w for _, w in SERVICES])[0]
    value = score(rng, "internal", tilt + SERVICE_TILT[service])
    steps = [Step("service", "choice", choice=service), Step("rating", "csat", number=value)]
    if rng.random() < 0.3:
        tone = Tone.BAD if value <= 2 else Tone.MIXED if value == 3 else Tone.GOOD
        steps.append(Step("comment", "text",
                          text=internal_comment(rng, language, service, tone)))
    else:
        steps.append(Step("comment", "text", skipped=True))
    return Flow(steps)


FLOWS = {"nps": nps, "csat": csat, "ces": ces, "internal": internal}
FIRST_QUESTION = {"nps": "score", "csat": "rating", "ces": "effort", "internal": "service"}


def draw(rng: random.Random, survey: str, language: str, tilt: float, *,
         form: bool = False) -> Flow:
    """Draw one conversation of ``survey``; a dialogue may stop before the first answer."""
    if not form and rng.random() < NO_ANSWER:
        return Flow(stopped_at=FIRST_QUESTION[survey])
    return FLOWS[survey](rng, language, tilt)
