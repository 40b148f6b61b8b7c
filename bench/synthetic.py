"""A year of synthetic feedback as rows: respondents, conversations and answers, day by day.

The rows are what the product writes (``storage.respondents``, ``storage.conversations``,
``storage.answers``, ``bot.submissions`` for forms): customers answer NPS, CSAT and
CES on the web widget (channel ``web``), Telegram and the terminal (``console``),
in one of twenty shops (the conversation's context); employees rate internal
services on Slack, in a DM dialogue, by the named form or by the anonymous one
(no respondent, no language, times cut to the hour, random negative ids as
``storage.anonymous`` makes them). Volume grows over the year and dips at
weekends; scores improve slowly, and some shops do better than others.
French and English people comment in their own language (``bot.corpus``).
A dialogue nobody finished is abandoned 24 hours after its last answer, as the
worker does, or still active when that is later than the end of the year.

Ids are given here, in time order for named rows, so answers can point at their
conversations without reading anything back. Exactly ``answers`` answer rows are
drawn: each day gets its share, and the day's last conversation stops early
when it would go over.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from bisect import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from typing import Any

from bench import flows
from bench.flows import Flow
from storage.anonymous import SPAN
from storage.vocabulary import ConversationStatus

DAYS = 365
CONTEXTS = tuple(f"shop-{n:02d}" for n in range(1, 21))
CHANNELS = (("web", 45), ("telegram", 30), ("slack", 20), ("console", 5))
CUSTOMER_SURVEYS = (("nps", 50), ("csat", 35), ("ces", 15))
SLACK_WAYS = (("dialogue", 60), ("form", 15), ("anonymous", 25))
HOURS = (0, 0, 0, 0, 0, 0, 1, 2, 5, 8, 9, 9, 10, 9, 8, 8, 8, 9, 10, 9, 7, 5, 3, 1)
IDLE = timedelta(hours=24)
FRENCH = 55  # per cent of people
PER_PERSON = 2.5  # conversations per person over the year, on average
ANSWERS_PER_CONVERSATION = 1.6


@dataclass
class Rows:
    """Rows to insert, table by table, in this order (foreign keys)."""

    respondents: list[dict[str, Any]] = field(default_factory=list)
    conversations: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class FirstIds:
    """The next free id of each table whose named rows are numbered here."""

    respondent: int = 1
    conversation: int = 1
    answer: int = 1


@dataclass
class Draft:
    """One conversation before it gets its time and ids."""

    channel: str
    survey: str
    person: int | None  # index among the channel's people; None: anonymous
    language: str
    context: str | None
    flow: Flow
    form: bool = False


def external_id(channel: str, person: int) -> str:
    """Return the platform id of a channel's ``person``-th person, shaped like the real ones."""
    scrambled = (person * 2654435761 + 97) % 2**32  # one-to-one: a different id each
    if channel == "telegram":
        return str(1_000_000_000 + scrambled)
    if channel == "slack":
        return "U" + format(scrambled, "X").rjust(10, "0")
    if channel == "web":
        digest = hashlib.blake2b(f"visitor{person}".encode(), digest_size=16).hexdigest()
        return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"
    return f"user{person:05d}"


def language_of(person: int) -> str:
    """Return a person's language (fixed for the person)."""
    return "fr" if (person * 40503) % 100 < FRENCH else "en"


class Weighted:
    """Draws among named options by weight (faster than ``random.choices`` called each time)."""

    def __init__(self, options: tuple[tuple[str, float], ...] | dict[str, float]) -> None:
        pairs = list(options.items()) if isinstance(options, dict) else list(options)
        self.names = [name for name, _ in pairs]
        self.cumulative = list(accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> str:
        """Return one option."""
        return self.names[bisect(self.cumulative, rng.random() * self.cumulative[-1])]


class Year:
    """Draws the year's rows in time order, one day at a time."""

    def __init__(self, versions: dict[str, int], answers: int, end: datetime, seed: int,
                 first: FirstIds = FirstIds()) -> None:
        self.rng = random.Random(seed)
        self.versions, self.total, self.end = versions, answers, end
        midnight = end.replace(hour=0, minute=0, second=0, microsecond=0)
        self.start = midnight - timedelta(days=DAYS)  # the last DAYS whole days before today
        self.next = {"respondent": first.respondent, "conversation": first.conversation,
                     "answer": first.answer}
        expected = answers / ANSWERS_PER_CONVERSATION / PER_PERSON
        self.people = {name: array("q", bytes(8 * max(50, int(expected * share / 100))))
                       for name, share in CHANNELS}
        self.busy: set[int] = set()  # respondents with an active conversation
        self.active: dict[int, dict[str, Any]] = {}  # and that conversation's row
        self.context_tilt = {c: self.rng.uniform(-0.5, 0.5) for c in CONTEXTS}
        self.contexts = Weighted({c: 1 / (rank + 1) ** 0.5 for rank, c in enumerate(CONTEXTS)})
        self.channels, self.surveys = Weighted(CHANNELS), Weighted(CUSTOMER_SURVEYS)
        self.slack_ways = Weighted(SLACK_WAYS)
        self.hours = Weighted(tuple((str(hour), w) for hour, w in enumerate(HOURS)))
        self._day_weights = [self._day_weight(day) for day in range(DAYS)]

    def _day_weight(self, day: int) -> float:
        """Return a day's share of the year's answers: growing, lower at weekends."""
        weekday = (self.start + timedelta(days=day)).weekday()
        return (0.8 + 0.4 * day / DAYS) * (0.55 if weekday == 6 else 0.8 if weekday == 5 else 1)

    def days(self) -> Iterator[Rows]:
        """Yield each day's rows; together they hold exactly ``answers`` answers."""
        total_weight, running, given = sum(self._day_weights), 0.0, 0
        for day, weight in enumerate(self._day_weights):
            running += weight
            target = self.total if day == DAYS - 1 else round(self.total * running / total_weight)
            drafts = self._drafts(day, target - given)
            given = target
            yield self._rows(day, drafts)

    def _drafts(self, day: int, answers: int) -> list[Draft]:
        """Draw conversations until they hold ``answers`` answers (the last one cut short)."""
        drafts: list[Draft] = []
        tilt = -0.3 + 0.6 * day / DAYS  # slowly better over the year
        while answers > 0:
            draft = self._draft(tilt)
            if draft.flow.answers > answers:
                if draft.form:
                    continue  # a form is stored whole or not at all
                draft.flow.cut(answers)
            answers -= draft.flow.answers
            drafts.append(draft)
        return drafts

    def _draft(self, tilt: float) -> Draft:
        """Draw one conversation: channel, person, survey, context and answers."""
        rng = self.rng
        channel = self.channels.draw(rng)
        if channel == "slack":
            way = self.slack_ways.draw(rng)
            person = None if way == "anonymous" else self._person(channel)
            language = language_of(person if person is not None else rng.randrange(10**6))
            form = way != "dialogue"
            return Draft(channel, "internal", person, language, None,
                         flows.draw(rng, "internal", language, tilt, form=form), form)
        survey = self.surveys.draw(rng)
        context = self.contexts.draw(rng)
        person = self._person(channel)
        language = language_of(person)
        flow = flows.draw(rng, survey, language, tilt + self.context_tilt[context])
        return Draft(channel, survey, person, language, context, flow)

    def _person(self, channel: str) -> int:
        """Return a person of ``channel`` not in a conversation now (some answer often)."""
        people = self.people[channel]
        while True:
            person = int(len(people) * self.rng.random() ** 1.6)
            if people[person] not in self.busy:
                return person

    def _rows(self, day: int, drafts: list[Draft]) -> Rows:
        """Give the day's conversations their times (in order) and ids; return their rows."""
        rows = Rows()
        midnight = self.start + timedelta(days=day)
        starts = sorted(midnight + timedelta(hours=int(self.hours.draw(self.rng)),
                                             seconds=self.rng.randrange(3600))
                        for _ in drafts)
        for draft, started in zip(drafts, starts, strict=True):
            if draft.person is None:
                self._anonymous(rows, draft, started)
            else:
                self._named(rows, draft, started)
        return rows

    def _respondent(self, rows: Rows, draft: Draft, now: datetime) -> int:
        """Return the id of the draft's person, adding their row the first time."""
        assert draft.person is not None
        people = self.people[draft.channel]
        if people[draft.person]:
            return people[draft.person]
        new_id = people[draft.person] = self._take("respondent")
        rng = self.rng
        done = draft.flow.stopped_at is None
        asked = now + timedelta(seconds=30) if done else None  # after the first survey
        opted_out = now + timedelta(days=rng.randrange(1, 60)) if rng.random() < 0.02 else None
        blocked = draft.channel == "telegram" and rng.random() < 0.01
        rows.respondents.append({
            "id": new_id, "channel": draft.channel,
            "external_id": external_id(draft.channel, draft.person),
            "language": draft.language, "language_chosen": rng.random() < 0.05,
            "internal": draft.channel == "slack",
            "consent_at": asked + timedelta(seconds=20) if asked and rng.random() < 0.4 else None,
            "consent_asked_at": asked,
            "opted_out_at": opted_out if opted_out and opted_out < self.end else None,
            "unreachable_at": now + timedelta(days=30) if blocked else None,
            "unreachable_reason": "Forbidden: bot was blocked by the user" if blocked else None,
            "pending": None, "created_at": now, "seen_at": now,
        })
        return new_id

    def _take(self, table: str) -> int:
        """Return the next id of ``table``."""
        taken = self.next[table]
        self.next[table] = taken + 1
        return taken

    def _named(self, rows: Rows, draft: Draft, started: datetime) -> None:
        """Add a named conversation (a dialogue turn by turn, or a form at once) and answers."""
        respondent = self._respondent(rows, draft, started)
        earlier = self.active.pop(respondent, None)
        if earlier is not None:  # starting a survey abandons the one left open (same day)
            earlier.update(status=ConversationStatus.ABANDONED.value, updated_at=started)
        conversation_id = self._take("conversation")
        moment, values = started, {}
        for step in draft.flow.steps:
            if not draft.form:
                moment += timedelta(seconds=self.rng.randrange(4, 25 if step.text is None else 90))
            if not step.skipped:
                rows.answers.append(self._answer(self._take("answer"), conversation_id,
                                                 draft, step, moment))
                values[step.question_id] = _value(step)
        status, updated, step_id = self._ending(draft, moment, respondent)
        row = self._conversation(conversation_id, respondent, draft, started, updated, values,
                                 status, step_id)
        rows.conversations.append(row)
        if status is ConversationStatus.ACTIVE:
            self.active[respondent] = row

    def _ending(self, draft: Draft, last: datetime,
                respondent: int) -> tuple[ConversationStatus, datetime, str | None]:
        """Return the status, last update and current question of a conversation."""
        if draft.flow.stopped_at is None:
            return ConversationStatus.COMPLETED, last, None
        if last + IDLE > self.end:
            self.busy.add(respondent)
            return ConversationStatus.ACTIVE, last, draft.flow.stopped_at
        expired = last + IDLE + timedelta(seconds=self.rng.randrange(300))
        return ConversationStatus.ABANDONED, expired, draft.flow.stopped_at

    def _anonymous(self, rows: Rows, draft: Draft, started: datetime) -> None:
        """Add an anonymous form's conversation and answers: random ids, times to the hour."""
        hour = started.replace(minute=0, second=0, microsecond=0)
        conversation_id = -self.rng.randrange(SPAN) - 1
        values = {}
        for step in draft.flow.steps:
            if not step.skipped:
                answer_id = -self.rng.randrange(SPAN) - 1
                rows.answers.append(self._answer(answer_id, conversation_id, draft, step, hour))
                values[step.question_id] = _value(step)
        rows.conversations.append(self._conversation(
            conversation_id, None, replace_language(draft, ""), hour, hour, values,
            ConversationStatus.COMPLETED, None))

    def _conversation(self, conversation_id: int, respondent: int | None, draft: Draft,
                      started: datetime, updated: datetime, values: dict[str, Any],
                      status: ConversationStatus, step: str | None) -> dict[str, Any]:
        """Return a conversation row."""
        return {
            "id": conversation_id, "public_id": format(self.rng.getrandbits(96), "024x"),
            "respondent_id": respondent, "survey_version_id": self.versions[draft.survey],
            "channel": draft.channel, "language": draft.language, "status": status.value,
            "step": step, "attempts": 0, "context": draft.context, "values": values,
            "started_at": started, "updated_at": updated,
            "completed_at": updated if status is ConversationStatus.COMPLETED else None,
        }

    def _answer(self, answer_id: int, conversation_id: int, draft: Draft, step: flows.Step,
                moment: datetime) -> dict[str, Any]:
        """Return an answer row."""
        return {
            "id": answer_id, "conversation_id": conversation_id,
            "survey_version_id": self.versions[draft.survey], "question_id": step.question_id,
            "question_type": step.question_type, "number": step.number, "text": step.text,
            "choice": step.choice, "created_at": moment,
        }


def replace_language(draft: Draft, language: str) -> Draft:
    """Return the draft with another stored language (anonymous ones keep none)."""
    return Draft(draft.channel, draft.survey, draft.person, language, draft.context,
                 draft.flow, draft.form)


def _value(step: flows.Step) -> int | str | None:
    """Return the value the engine remembers for branching (``Parsed.value``)."""
    return step.number if step.number is not None else (step.choice or step.text)
