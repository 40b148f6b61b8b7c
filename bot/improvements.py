"""Improvements ("you said, we did"), the core's use cases: drafts, links to feedback, suggestions.

Staff write a draft (what people said, what was done, when, in which language,
and optionally what it concerns: channels, surveys, contexts, internal services,
complaint categories, each checked against what exists), then link the feedback
that led to it, three ways:

- **by hand**: conversations by public id, complaints by reference; one unknown
  reference refuses the whole request, so nothing is stored half;
- **by filter**: the response browser's :class:`~storage.filters.ResponseFilter`,
  linked in one ``INSERT … SELECT``. Anonymous conversations are linked too, by whole
  calendar months that are over (as the export places them, so a narrow filter does not
  date one): they count, but an audience is people (:func:`storage.improvements.audience`
  reads only conversations and complaints still linked to a person, so neither an
  anonymous answer nor one whose author was erased ever becomes a recipient). They
  are counted only by the rule of five (:func:`bot.small_groups.visible`, as the
  dashboard and ``ecoute stats``): a group too small, or of a month not over, is
  withheld from the detail the console and the API show;
- **by suggestion** (:mod:`bot.suggestions`): accepted or rejected one by one; a
  rejected one stays stored (``accepted = false``) so it is not proposed again.

Every change is in the audit log (who, which improvement, how many: never words).
The console, the REST API and Slack's ``/wedid`` all call these functions.
Publishing is not here: it belongs to the announcement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot import improvement_counts
from bot.complaint_intake import categories
from bot.i18n import SUPPORTED, gettext_for
from bot.metrics import THRESHOLDS
from bot.responses import unlinked_span
from bot.staff import audit
from bot.suggestions import MAX_CANDIDATES, Candidate, rank
from bot.surveys import SurveyCatalog
from storage import improvement_links as links
from storage import improvements as rows
from storage.db import Database
from storage.filters import ResponseFilter
from storage.improvement_links import ChannelCount, Linked
from storage.improvements import ImprovementRow, NewImprovement
from storage.responses import matching
from storage.vocabulary import AuditAction, ImprovementStatus, LinkSource, LinkTarget

__all__ = ["Concerns", "Detail", "Draft", "ImprovementError", "Known", "Proposal", "Refusal",
           "create", "decide", "detail", "edit", "explain", "known", "link_by_filter",
           "link_by_hand", "listing", "suggest", "unlink"]

DOMAIN = "console"
LONGEST_SAID, LONGEST_DONE = 500, 2000
MOST_CONCERNS = 50
MOST_BY_HAND = 500
SUGGESTION_PERIOD = timedelta(days=365)
SHOWN_LINKS = 200


class Refusal(StrEnum):
    """Why a change to an improvement was refused."""

    BAD_SUMMARY = "bad_summary"
    BAD_ACTION = "bad_action"
    BAD_LANGUAGE = "bad_language"
    BAD_CONCERNS = "bad_concerns"
    UNKNOWN_CONCERN = "unknown_concern"
    UNKNOWN = "unknown"
    NOT_DRAFT = "not_draft"
    UNKNOWN_FEEDBACK = "unknown_feedback"
    NOTHING_CHOSEN = "nothing_chosen"
    TOO_MANY = "too_many"


class ImprovementError(Exception):
    """A refused change; ``str()`` is the English sentence, :func:`explain` any language."""

    def __init__(self, refusal: Refusal, detail: str = "") -> None:
        super().__init__(explain(refusal, "en", detail))
        self.refusal = refusal
        self.detail = detail


def explain(refusal: Refusal, language: str, detail: str = "") -> str:
    """Return the sentence saying why, in ``language`` (``detail`` names what was wrong)."""
    _ = gettext_for(language, "console")
    return {
        Refusal.BAD_SUMMARY: _("Write what people said, in 1 to 500 characters."),
        Refusal.BAD_ACTION: _("Write what was done, in 1 to 2000 characters."),
        Refusal.BAD_LANGUAGE: _("The language must be en or fr."),
        Refusal.BAD_CONCERNS: _("What it concerns must be lists of at most 50 names: "
                                "channels, surveys, contexts, services, categories."),
        Refusal.UNKNOWN_CONCERN: _("Unknown in what it concerns: {names}."),
        Refusal.UNKNOWN: _("There is no such improvement."),
        Refusal.NOT_DRAFT: _("Only a draft can be edited."),
        Refusal.UNKNOWN_FEEDBACK: _("No such conversation or complaint: {names}."),
        Refusal.NOTHING_CHOSEN: _("Choose the feedback to link, or at least one filter."),
        Refusal.TOO_MANY: _("Link at most 500 conversations and complaints at a time."),
    }[refusal].format(names=detail)


@dataclass(frozen=True)
class Concerns:
    """What an improvement is about; every part optional."""

    channels: tuple[str, ...] = ()
    surveys: tuple[str, ...] = ()
    contexts: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @classmethod
    def read(cls, raw: object) -> Concerns:
        """Read ``{"channels": [...], …}`` (missing parts empty); refuse any other shape."""
        if raw is None:
            return cls()
        names = {f.name for f in fields(cls)}
        if not isinstance(raw, Mapping) or set(raw) - names:
            raise ImprovementError(Refusal.BAD_CONCERNS)
        parts: dict[str, tuple[str, ...]] = {}
        for name, values in raw.items():
            if not isinstance(values, list | tuple) or len(values) > MOST_CONCERNS or not all(
                    isinstance(v, str) and 0 < len(v.strip()) <= 128 for v in values):
                raise ImprovementError(Refusal.BAD_CONCERNS)
            parts[name] = tuple(dict.fromkeys(v.strip() for v in values))
        return cls(**parts)

    def as_dict(self) -> dict[str, list[str]]:
        """Return the parts given, as stored."""
        return {f.name: list(getattr(self, f.name)) for f in fields(self) if getattr(self, f.name)}


@dataclass(frozen=True)
class Known:
    """What exists to be concerned: channels, survey keys, internal services, categories."""

    channels: frozenset[str]
    surveys: frozenset[str]
    services: frozenset[str]
    categories: frozenset[str]


@dataclass(frozen=True)
class Draft:
    """What staff write: what people said, what was done, when, in which language, about what."""

    you_said: str
    we_did: str
    language: str = "en"
    done_on: date | None = None
    concerns: Concerns = Concerns()


def _checked(db: Database, draft: Draft, known: Known) -> Draft:
    """Return the draft trimmed, or refuse it."""
    said, done = draft.you_said.strip(), draft.we_did.strip()
    if not 0 < len(said) <= LONGEST_SAID:
        raise ImprovementError(Refusal.BAD_SUMMARY)
    if not 0 < len(done) <= LONGEST_DONE:
        raise ImprovementError(Refusal.BAD_ACTION)
    if draft.language not in SUPPORTED:
        raise ImprovementError(Refusal.BAD_LANGUAGE)
    concerns = draft.concerns
    unknown = [v for v in concerns.channels if v not in known.channels]
    unknown += [v for v in concerns.surveys if v not in known.surveys]
    unknown += [v for v in concerns.services if v not in known.services]
    unknown += [v for v in concerns.categories if v not in known.categories]
    with db.reading() as connection:
        seen = links.contexts_seen(connection, concerns.contexts)
    unknown += [v for v in concerns.contexts if v not in seen]
    if unknown:
        raise ImprovementError(Refusal.UNKNOWN_CONCERN, ", ".join(unknown))
    return Draft(said, done, draft.language, draft.done_on, concerns)


def create(db: Database, draft: Draft, known: Known, *, actor: str, now: datetime,
           idempotency: str | None = None) -> int:
    """Store a new draft improvement; return its id.

    ``idempotency`` names the request for good (:func:`bot.invitations.idempotency`):
    a repeat gets the id of the draft the first one made, and nothing is stored twice.
    """
    if idempotency is not None:
        with db.reading() as connection:
            made = rows.by_idempotency(connection, idempotency)
        if made is not None:
            return made
    draft = _checked(db, draft, known)
    with db.transaction() as session:
        made = rows.create_once(session, NewImprovement(
            draft.you_said, draft.we_did, draft.language, actor, draft.done_on,
            draft.concerns.as_dict(), idempotency), now=now)
        if made.first:  # a concurrent repeat of the request is not a second creation
            audit(session, now, actor, AuditAction.IMPROVEMENT_CREATED, str(made.id))
    return made.id


def edit(db: Database, improvement_id: int, draft: Draft, known: Known, *, actor: str,
         now: datetime) -> None:
    """Rewrite a draft (a published improvement is not edited here)."""
    draft = _checked(db, draft, known)
    with db.transaction() as session:
        found = rows.find(session, improvement_id)
        if found is None:
            raise ImprovementError(Refusal.UNKNOWN)
        if not links.update_draft(session, improvement_id, you_said=draft.you_said,
                                  we_did=draft.we_did, language=draft.language,
                                  done_on=draft.done_on, concerns=draft.concerns.as_dict(),
                                  now=now):
            raise ImprovementError(Refusal.NOT_DRAFT)
        audit(session, now, actor, AuditAction.IMPROVEMENT_EDITED, str(improvement_id))


def _existing(session: object, improvement_id: int) -> ImprovementRow:
    """Return the improvement, or refuse."""
    found = rows.find(session, improvement_id)  # type: ignore[arg-type]
    if found is None:
        raise ImprovementError(Refusal.UNKNOWN)
    return found


def link_by_hand(db: Database, improvement_id: int, *, conversations: Sequence[str] = (),
                 complaints: Sequence[str] = (), actor: str, now: datetime) -> int:
    """Link conversations (public ids) and complaints (references); return how many were new.

    A suggestion rejected before is accepted now: staff chose it.
    """
    wanted = [c.strip() for c in conversations if c.strip()]
    refs = [c.strip().upper() for c in complaints if c.strip()]
    if not wanted and not refs:
        raise ImprovementError(Refusal.NOTHING_CHOSEN)
    if len(wanted) + len(refs) > MOST_BY_HAND:
        raise ImprovementError(Refusal.TOO_MANY)
    with db.transaction() as session:
        _existing(session, improvement_id)
        by_public = links.conversation_ids(session, wanted)
        by_ref = links.complaint_ids(session, refs)
        unknown = [c for c in wanted if c not in by_public] + [r for r in refs if r not in by_ref]
        if unknown:
            raise ImprovementError(Refusal.UNKNOWN_FEEDBACK, ", ".join(unknown[:10]))
        added = rows.link(session, improvement_id, source=LinkSource.HAND, actor=actor, now=now,
                          conversations=by_public.values(), complaints=by_ref.values())
        for target, ids in ((LinkTarget.CONVERSATION, by_public.values()),
                            (LinkTarget.COMPLAINT, by_ref.values())):
            for target_id in ids:  # at most MOST_BY_HAND: a rejected suggestion, now chosen
                links.decide(session, improvement_id, target, target_id, accepted=True,
                             source=LinkSource.HAND, actor=actor, now=now)
        audit(session, now, actor, AuditAction.IMPROVEMENT_LINKED, str(improvement_id),
              how=LinkSource.HAND.value, added=added)
    return added


def link_by_filter(db: Database, improvement_id: int, wanted: ResponseFilter, *, actor: str,
                   now: datetime) -> int:
    """Link every conversation the filter matches; return how many may be counted.

    Anonymous ones are linked but, like everywhere, counted only when the rule of
    five shows them.
    """
    if wanted.is_everything():
        raise ImprovementError(Refusal.NOTHING_CHOSEN)
    # anonymous ones by whole calendar months that are over, as the export places them
    condition = matching(wanted, THRESHOLDS, unlinked_span(wanted, now))
    with db.transaction() as session:
        _existing(session, improvement_id)
        linked = links.link_matching(session, improvement_id, condition, actor=actor, now=now)
        added = improvement_counts.counted(session, improvement_id, linked, now)
        audit(session, now, actor, AuditAction.IMPROVEMENT_LINKED, str(improvement_id),
              how=LinkSource.FILTER.value, added=added)
    return added


def unlink(db: Database, improvement_id: int, link_id: int, *, actor: str,
           now: datetime) -> None:
    """Remove one link."""
    with db.transaction() as session:
        _existing(session, improvement_id)
        if not links.unlink(session, improvement_id, link_id):
            raise ImprovementError(Refusal.UNKNOWN_FEEDBACK, str(link_id))
        audit(session, now, actor, AuditAction.IMPROVEMENT_UNLINKED, str(improvement_id))


@dataclass(frozen=True)
class Proposal:
    """A suggestion as staff see it: the feedback's reference, its words, how close it is."""

    target: LinkTarget
    reference: str
    text: str
    language: str
    score: float


def suggest(db: Database, improvement_id: int, *, now: datetime, limit: int = 20,
            catalog: SurveyCatalog | None = None) -> list[Proposal]:
    """Return the past feedback closest to the improvement's summary, best first.

    Looked for in the year before the improvement was done (or before now), within
    its concerns, among at most :data:`~bot.suggestions.MAX_CANDIDATES` of each kind.
    With the ``catalog``, the complaint intake's dialogues are left out: a complaint
    filed is proposed itself, and an offer not taken up holds only a copy of the
    comment its survey already proposes.
    """
    intake = catalog.complaint() if catalog is not None else None
    with db.reading() as connection:
        found = _existing(connection, improvement_id)
        concerns = Concerns.read(found.concerns)
        end = datetime.combine(found.done_on, datetime.min.time(), now.tzinfo) + \
            timedelta(days=1) if found.done_on else None
        scope = links.Scope(since=(end or now) - SUGGESTION_PERIOD, until=end,
                            channels=concerns.channels,
                            surveys=concerns.surveys, contexts=concerns.contexts,
                            categories=concerns.categories,
                            left_out_surveys=(intake.key,) if intake else ())
        pool = links.candidates(connection, improvement_id, scope, limit=MAX_CANDIDATES)
    references = {(c.target, c.id): c.reference for c in pool}
    ranked = rank(found.you_said, [Candidate(c.target, c.id, c.text, c.language) for c in pool],
                  limit=limit)
    return [Proposal(LinkTarget(s.candidate.target), references[(s.candidate.target,
                                                                 s.candidate.id)],
                     s.candidate.text, s.candidate.language, s.score) for s in ranked]


def decide(db: Database, improvement_id: int, target: LinkTarget, reference: str, *,
           accepted: bool, actor: str, now: datetime) -> None:
    """Accept a suggestion (it becomes a link) or reject it (kept, never proposed again)."""
    with db.transaction() as session:
        _existing(session, improvement_id)
        ids = links.conversation_ids(session, [reference]) if target is LinkTarget.CONVERSATION \
            else links.complaint_ids(session, [reference])
        if reference not in ids:
            raise ImprovementError(Refusal.UNKNOWN_FEEDBACK, reference)
        links.decide(session, improvement_id, target, ids[reference], accepted=accepted,
                     source=LinkSource.SUGGESTION, actor=actor, now=now)
        audit(session, now, actor, AuditAction.SUGGESTION_ACCEPTED if accepted
              else AuditAction.SUGGESTION_REJECTED, str(improvement_id), kind=target.value)


@dataclass(frozen=True)
class Detail:
    """An improvement with its links: counts by channel and the latest links with excerpts."""

    improvement: ImprovementRow
    counts: tuple[ChannelCount, ...]
    links: tuple[Linked, ...]

    @property
    def linked(self) -> int:
        """Return how many accepted links it has in all."""
        return sum(c.conversations + c.anonymous + c.complaints for c in self.counts)


def detail(db: Database, improvement_id: int, *, now: datetime) -> Detail:
    """Return an improvement with its links, or refuse when there is none.

    Anonymous links are counted and listed only when the rule of five shows them.
    """
    with db.reading() as connection:
        found = _existing(connection, improvement_id)
        shown = improvement_counts.shown_anonymous(connection, improvement_id, now)
        named = links.counts(connection, improvement_id)
        latest = links.linked(connection, improvement_id, limit=SHOWN_LINKS)
    ids = {link.public_id for link in shown}
    return Detail(found, improvement_counts.with_anonymous(named, shown),
                  tuple(link for link in latest if not link.anonymous or link.reference in ids))


def listing(db: Database, *, before_id: int | None = None, limit: int = 50,
            status: ImprovementStatus | None = None) -> list[ImprovementRow]:
    """Return improvements, newest first."""
    with db.reading() as connection:
        return links.listing(connection, before_id=before_id, limit=limit,
                             status=status.value if status else None)


def known(catalog: SurveyCatalog, channels: Iterable[str]) -> Known:
    """Return what exists to be concerned: the channels given, the catalog's surveys and so on."""
    services = {option.id for survey in catalog for question in survey.questions
                if question.id == "service" for option in question.options}
    complaint = catalog.complaint()
    return Known(frozenset(channels), frozenset(survey.key for survey in catalog),
                 frozenset(services), categories(complaint) if complaint else frozenset())
