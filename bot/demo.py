"""Sample data for a first look: ``ecoute demo`` fills an empty store, ``--remove`` takes it out.

Usage::

    planted = demo.plant(engine)          # a few hundred answers over the last weeks
    removed = demo.remove(engine.db)      # exactly those rows, and what hangs off them

The sample people talk to the real engine (:meth:`DialogueEngine.handle`, and
:meth:`DialogueEngine.submit` for Slack's forms, anonymous ones too) on a clock
set weeks back, so every table the product keeps stays consistent. Customers
answer NPS, CSAT and CES on the web widget, Telegram and the terminal in six
shops; employees rate internal services on Slack. Their answers and French or
English comments come from :mod:`bot.sample_answers`. The sample engine plans no
staff alert and asks nobody's consent, so nothing is ever sent because of it.
Every sample person and conversation is listed (:mod:`storage.samples`):
removing deletes exactly those (:func:`storage.erasure.remove`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select

from bot import sample_answers
from bot.dialogue import SKIP
from bot.engine import DialogueEngine, utcnow
from bot.messages import Identity, Inbound
from bot.sample_answers import Flow
from bot.submissions import Submission
from storage import erasure, samples
from storage.db import Database
from storage.models import Conversation, Respondent

WEEKS = 8
CONVERSATIONS = 240
SHOPS = ("shop-01", "shop-02", "shop-03", "shop-04", "shop-05", "shop-06")
# channel, how many people, share of the conversations (Slack's are the employees')
PEOPLE = (("web", 40, 40), ("telegram", 30, 30), ("console", 6, 8), ("slack", 24, 22))
CUSTOMER_SURVEYS = ("nps", "nps", "csat", "csat", "ces")
SEED = 2024


class DemoRefused(Exception):
    """The store holds real answers: sample data would mix with them."""


@dataclass(frozen=True)
class DemoCounts:
    """How much sample data there is (or was removed); ``added`` when this run made it."""

    conversations: int
    answers: int
    added: bool = False


class _Clock:
    """The sample engine's clock, set before each message."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


def sample_identity(channel: str, number: int) -> Identity:
    """Return a sample person: an id no platform gives (Telegram's are numbers, others no ':')."""
    return Identity(channel, f"sample:{channel}:{number:02d}")


def language_of(person: Identity) -> str:
    """Return the language a sample person speaks (always the same one)."""
    return "fr" if int(person.external_id[-2:]) % 9 < 5 else "en"


def plant(engine: DialogueEngine, *, now: datetime | None = None) -> DemoCounts:
    """Add the sample conversations once; refuse when the store holds real answers."""
    database = engine.db
    with database.transaction() as session:
        present = samples.ids(session).conversations
        if present:
            return DemoCounts(len(present), samples.sample_answers(session))
        if samples.real_answers(session):
            raise DemoRefused("the store already holds real answers: sample data would mix "
                              "with them (`ecoute demo` is for an empty store)")
        for channel, people, _ in PEOPLE:
            taken = samples.real_people_among(
                session, channel, [sample_identity(channel, n).external_id for n in range(people)])
            if taken:
                raise DemoRefused(f"a real {channel} person has a sample id ({taken[0]})")
    clock = _Clock()
    sample = DialogueEngine(database, engine.catalog, clock=clock, keyring=engine.keyring,
                            settings=replace(engine.settings, alert_targets=(), ask_consent=False))
    end = (now or utcnow()).astimezone(UTC)
    _Planter(sample, clock).run(end)
    with database.transaction() as session:
        return DemoCounts(len(samples.ids(session).conversations),
                          samples.sample_answers(session), added=True)


class _Planter:
    """Holds the sample conversations, in time order, and lists what they made."""

    def __init__(self, engine: DialogueEngine, clock: _Clock) -> None:
        self.engine, self.clock = engine, clock
        self.rng = random.Random(SEED)
        self.unfinished: dict[Identity, datetime] = {}  # left mid-survey, when

    def run(self, end: datetime) -> None:
        """Hold :data:`CONVERSATIONS` conversations over the :data:`WEEKS` weeks before ``end``."""
        rng = self.rng
        for moment in sorted(end - timedelta(minutes=rng.randrange(WEEKS * 7 * 24 * 60))
                             for _ in range(CONVERSATIONS)):
            self.clock.now = moment
            self.engine.expire_idle(moment)  # as the worker does, every few minutes
            self._converse(-0.4 + 0.6 * (1 - (end - moment) / timedelta(weeks=WEEKS)))
        self.clock.now = end
        self.engine.expire_idle(end)

    def _person(self, channel: str) -> Identity | None:
        """Return a sample person of ``channel`` not in the middle of a survey (None: all are)."""
        count = next(people for name, people, _ in PEOPLE if name == channel)
        idle = self.clock.now - self.engine.settings.idle_timeout
        free = [person for n in range(count)
                if self.unfinished.get(person := sample_identity(channel, n), idle) <= idle]
        return self.rng.choice(free) if free else None

    def _converse(self, tilt: float) -> None:
        """Hold one sample conversation (or submit one form), getting better with ``tilt``."""
        rng = self.rng
        channel = rng.choices([c for c, _, _ in PEOPLE], [share for _, _, share in PEOPLE])[0]
        person = self._person(channel)
        if person is None:
            return
        language = language_of(person)
        survey, shop = "internal", None
        if channel == "slack":
            way = rng.random()
            if way < 0.45:  # Slack's form: anonymous (most) or named
                flow = sample_answers.draw(rng, survey, language, tilt, form=True)
                self._submit(flow, None if way < 0.3 else person, language)
                return
        else:
            survey, shop = rng.choice(CUSTOMER_SURVEYS), rng.choice(SHOPS)
        flow = sample_answers.draw(rng, survey, language, tilt)
        _mark(self.engine.db, self._dialogue(person, survey, shop, flow, language), person)
        if flow.stopped_at is not None:
            self.unfinished[person] = self.clock.now

    def _dialogue(self, person: Identity, survey: str, shop: str | None, flow: Flow,
                  language: str) -> str | None:
        """Start ``survey`` and answer it turn by turn as ``flow`` says; return its public id."""
        handle = self.engine.handle
        turn = handle(Inbound(person, command="start", argument=survey, context=shop,
                              locale=language))
        last = turn
        for step in flow.steps:
            self.clock.now += timedelta(seconds=self.rng.randrange(5, 60))
            if step.skipped:
                last = handle(Inbound(person, choice_id=SKIP, locale=language))
            elif step.text is not None:
                last = handle(Inbound(person, text=step.text, locale=language))
            else:
                last = handle(Inbound(person, choice_id=str(_given(step)), locale=language))
        if last.conversation not in (None, turn.conversation):  # a complaint offered: declined
            handle(Inbound(person, choice_id="no", locale=language))
        return turn.conversation

    def _submit(self, flow: Flow, person: Identity | None, language: str) -> None:
        """Submit Slack's internal-service form, named or anonymous (``person`` None)."""
        answers = {step.question_id: str(_given(step)) for step in flow.steps if not step.skipped}
        result = self.engine.submit(Submission("slack", "internal", answers, sender=person,
                                               language=language))
        assert not result.errors, result.errors  # drawn from the survey's own options
        _mark(self.engine.db, result.conversation, person)


def _given(step: sample_answers.Step) -> int | str | None:
    """Return what the person gave: the number, the option or the text."""
    return step.number if step.number is not None else step.choice or step.text


def _mark(database: Database, public_id: str | None, person: Identity | None) -> None:
    """List a sample conversation and its person as sample data."""
    with database.transaction() as session:
        respondent = session.scalars(select(Respondent.id).where(
            Respondent.channel == person.channel,
            Respondent.external_id == person.external_id)).all() if person else []
        conversation = session.scalars(select(Conversation.id).where(or_(
            Conversation.public_id == public_id,  # an anonymous form's has no person
            Conversation.respondent_id.in_(respondent),  # an offer declined after it too
        ))).all()
        samples.mark(session, respondents=respondent, conversations=conversation)


def remove(database: Database) -> DemoCounts:
    """Delete every sample person and conversation, with all that is tied to them."""
    with database.transaction() as session:
        found = samples.ids(session)
        answers = samples.sample_answers(session)
        erasure.remove(session, respondents=found.respondents, conversations=found.conversations)
    return DemoCounts(len(found.conversations), answers)
