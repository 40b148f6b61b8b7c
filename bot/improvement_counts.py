"""Which of an improvement's anonymous links may be counted: the rule of five, applied.

Conversations linked to nobody (anonymous, or of someone forgotten) are counted by
an improvement's page, its API and a link by filter only when
:func:`bot.small_groups.visible` shows them, the function the dashboard, the export
and ``ecoute stats`` use: a group of fewer than five, or of a month not over, is
withheld until it grows. Named links are always counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot import small_groups
from storage import improvement_links as links
from storage.db import Executor
from storage.improvement_links import AnonymousLink, ChannelCount


def counted(session: Executor, improvement_id: int, conversation_ids: Sequence[int],
            now: datetime) -> int:
    """Return how many of these newly linked conversations may be counted (the rule of five)."""
    new = set(conversation_ids)
    anonymous = [link for link in links.anonymous_links(session, improvement_id)
                 if link.conversation_id in new]
    return len(new) - len(anonymous) + len(visible(session, anonymous, now))


def shown_anonymous(session: Executor, improvement_id: int,
                    now: datetime) -> list[AnonymousLink]:
    """Return the improvement's anonymous links whose groups the rule of five shows."""
    return visible(session, links.anonymous_links(session, improvement_id), now)


def visible(session: Executor, found: Sequence[AnonymousLink],
            now: datetime) -> list[AnonymousLink]:
    """Return the anonymous links among ``found`` that the rule of five shows."""
    if not found:
        return []
    last = small_groups.bucket_start(max(link.started_at for link in found))
    shown = small_groups.visible(
        session, now, min(link.started_at for link in found),  # type: ignore[arg-type]
        until=small_groups.bucket_after(last))
    return [link for link in found if link.public_id in shown]


def with_anonymous(named: Sequence[ChannelCount],
                   shown: Sequence[AnonymousLink]) -> tuple[ChannelCount, ...]:
    """Return the counts by channel with the anonymous links shown added."""
    by_channel = {count.channel: count for count in named}
    for channel, number in Counter(link.channel for link in shown).items():
        by_channel[channel] = replace(by_channel.get(channel, ChannelCount(channel, 0, 0, 0)),
                                      anonymous=number)
    return tuple(by_channel[channel] for channel in sorted(by_channel))
