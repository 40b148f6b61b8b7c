"""The complaint rules: the priority matrix, the lifecycle's allowed moves, the reference format.

Pure rules, no storage: :mod:`bot.complaint_desk` applies them.

Priority is urgency (the person's answer) times importance (the category's rule),
read from :data:`MATRIX`::

                 importance: high      medium    low
    blocking                 critical  critical  high
    annoying                 critical  high      medium
    minor                    high      medium    low

A reference is ``R-YYYY-NNNN``: the year of filing and its number in that year,
gap-free (:func:`storage.complaints.next_number`), four digits at least.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.vocabulary import ComplaintStatus, Importance, Priority, RejectionReason, Urgency

S = ComplaintStatus

MATRIX: dict[tuple[Urgency, Importance], Priority] = {
    (Urgency.BLOCKING, Importance.HIGH): Priority.CRITICAL,
    (Urgency.BLOCKING, Importance.MEDIUM): Priority.CRITICAL,
    (Urgency.BLOCKING, Importance.LOW): Priority.HIGH,
    (Urgency.ANNOYING, Importance.HIGH): Priority.CRITICAL,
    (Urgency.ANNOYING, Importance.MEDIUM): Priority.HIGH,
    (Urgency.ANNOYING, Importance.LOW): Priority.MEDIUM,
    (Urgency.MINOR, Importance.HIGH): Priority.HIGH,
    (Urgency.MINOR, Importance.MEDIUM): Priority.MEDIUM,
    (Urgency.MINOR, Importance.LOW): Priority.LOW,
}
LEVELS = (Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL)  # lowest first

TRANSITIONS: dict[ComplaintStatus, frozenset[ComplaintStatus]] = {
    S.RECEIVED: frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.REJECTED}),
    S.ACKNOWLEDGED: frozenset({S.IN_PROGRESS, S.RESOLVED, S.REJECTED}),
    S.IN_PROGRESS: frozenset({S.RESOLVED, S.REJECTED}),
    S.RESOLVED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED, S.REJECTED}),
    S.REJECTED: frozenset(),
}
OPEN = frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.REOPENED})
AWAITING_ACKNOWLEDGEMENT = frozenset({S.RECEIVED})

REFERENCE = re.compile(r"R-(\d{4})-(\d{4,})")


def N_(text: str) -> str:
    """Mark a string for translation; it is translated where it is shown."""
    return text


STATUS_NAMES = {
    ComplaintStatus.RECEIVED: N_("received"),
    ComplaintStatus.ACKNOWLEDGED: N_("acknowledged"),
    ComplaintStatus.IN_PROGRESS: N_("being handled"),
    ComplaintStatus.RESOLVED: N_("resolved"),
    ComplaintStatus.CLOSED: N_("closed"),
    ComplaintStatus.REOPENED: N_("reopened"),
    ComplaintStatus.REJECTED: N_("rejected"),
}


class LifecycleError(ValueError):
    """A status change the lifecycle forbids, or a rejection without its reason."""


def priority(urgency: Urgency, importance: Importance) -> Priority:
    """Return the priority of a complaint from its urgency and importance."""
    return MATRIX[(Urgency(urgency), Importance(importance))]


def raised(level: Priority) -> Priority:
    """Return the next priority up (critical stays critical): a reopened complaint's."""
    index = LEVELS.index(Priority(level))
    return LEVELS[min(index + 1, len(LEVELS) - 1)]


def check_move(current: ComplaintStatus, wanted: ComplaintStatus,
               reason: RejectionReason | None = None) -> None:
    """Refuse a move the lifecycle does not allow; a rejection must carry its reason."""
    current, wanted = ComplaintStatus(current), ComplaintStatus(wanted)
    if wanted not in TRANSITIONS[current]:
        raise LifecycleError(f"a complaint that is {current} cannot become {wanted}")
    if wanted is S.REJECTED and reason is None:
        raise LifecycleError("a rejection needs a reason: not_a_complaint or out_of_scope")


@dataclass(frozen=True)
class Reference:
    """A complaint's reference: the year and the number within it."""

    year: int
    number: int

    def __str__(self) -> str:
        return f"R-{self.year:04d}-{self.number:04d}"

    @classmethod
    def parse(cls, text: str | None) -> Reference | None:
        """Read ``R-2026-0042`` (any case, spaces around) into a reference, else None."""
        found = REFERENCE.fullmatch((text or "").strip().upper())
        if found is None:
            return None
        return cls(int(found.group(1)), int(found.group(2)))
