"""The complaint rules: the priority matrix, the lifecycle's moves, the reference format."""

from __future__ import annotations

import pytest

from bot.complaints import LifecycleError, Reference, check_move, priority, raised
from storage.vocabulary import ComplaintStatus as S
from storage.vocabulary import Importance, Priority, RejectionReason, Urgency


@pytest.mark.parametrize(("urgency", "importance", "expected"), [
    (Urgency.BLOCKING, Importance.HIGH, Priority.CRITICAL),
    (Urgency.BLOCKING, Importance.MEDIUM, Priority.CRITICAL),
    (Urgency.BLOCKING, Importance.LOW, Priority.HIGH),
    (Urgency.ANNOYING, Importance.HIGH, Priority.CRITICAL),
    (Urgency.ANNOYING, Importance.MEDIUM, Priority.HIGH),
    (Urgency.ANNOYING, Importance.LOW, Priority.MEDIUM),
    (Urgency.MINOR, Importance.HIGH, Priority.HIGH),
    (Urgency.MINOR, Importance.MEDIUM, Priority.MEDIUM),
    (Urgency.MINOR, Importance.LOW, Priority.LOW),
])
def test_priority_is_urgency_times_importance(urgency: Urgency, importance: Importance,
                                              expected: Priority) -> None:
    assert priority(urgency, importance) is expected


def test_the_matrix_uses_all_four_levels_and_grows_with_each_axis() -> None:
    levels = [Priority.LOW, Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL]
    cells = {(u, i): priority(u, i) for u in Urgency for i in Importance}
    assert set(cells.values()) == set(levels)
    order = list(Urgency)[::-1]  # minor, annoying, blocking
    for importance in Importance:
        ranks = [levels.index(cells[(u, importance)]) for u in order]
        assert ranks == sorted(ranks), "more urgent never means a lower priority"


def test_reopening_raises_the_priority_one_level_up_to_critical() -> None:
    assert [raised(p) for p in (Priority.LOW, Priority.MEDIUM, Priority.HIGH,
                                Priority.CRITICAL)] == [
        Priority.MEDIUM, Priority.HIGH, Priority.CRITICAL, Priority.CRITICAL]


@pytest.mark.parametrize(("current", "wanted"), [
    (S.RECEIVED, S.ACKNOWLEDGED), (S.ACKNOWLEDGED, S.IN_PROGRESS), (S.IN_PROGRESS, S.RESOLVED),
    (S.RESOLVED, S.CLOSED), (S.RESOLVED, S.REOPENED), (S.CLOSED, S.REOPENED),
    (S.REOPENED, S.IN_PROGRESS),
])
def test_the_lifecycle_allows_its_moves(current: S, wanted: S) -> None:
    check_move(current, wanted)


@pytest.mark.parametrize(("current", "wanted"), [
    (S.REJECTED, S.CLOSED), (S.REJECTED, S.RESOLVED), (S.CLOSED, S.RESOLVED),
    (S.RECEIVED, S.CLOSED), (S.RECEIVED, S.RECEIVED), (S.IN_PROGRESS, S.ACKNOWLEDGED),
])
def test_the_lifecycle_forbids_the_others(current: S, wanted: S) -> None:
    with pytest.raises(LifecycleError, match=f"that is {current} cannot become {wanted}"):
        check_move(current, wanted)


def test_a_rejection_carries_its_reason() -> None:
    with pytest.raises(LifecycleError, match="a rejection needs a reason"):
        check_move(S.RECEIVED, S.REJECTED)
    check_move(S.RECEIVED, S.REJECTED, RejectionReason.OUT_OF_SCOPE)


def test_references_read_and_print_as_r_year_number() -> None:
    assert str(Reference(2026, 42)) == "R-2026-0042"
    assert str(Reference(2026, 12345)) == "R-2026-12345"
    assert Reference.parse(" r-2026-0042 ") == Reference(2026, 42)
    assert [Reference.parse(t) for t in ("R-2026-42", "C-0042", "R-26-0042", "", None)] == [
        None, None, None, None, None]
