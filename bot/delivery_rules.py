"""What each kind of proactive message may do: one row per kind, applied at planning and sending.

Does it need the person's consent, does their "stop" block it, and why. The
campaigns apply :func:`person_refusal` when they plan (:mod:`bot.campaigns`) and the
outbox applies it again when it sends (:mod:`bot.outbox`), since a person may say
stop or withdraw in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.deliveries import Claimed
from storage.vocabulary import DeliveryKind


@dataclass(frozen=True)
class DeliveryRule:
    """What one kind of delivery may do: does it need consent, does "stop" block it, and why."""

    needs_consent: bool
    stopped_by_stop: bool
    reason: str


RULES: dict[DeliveryKind, DeliveryRule] = {
    DeliveryKind.ALERT: DeliveryRule(
        needs_consent=False, stopped_by_stop=False,
        reason="goes to a staff channel, not to the person whose answers it is about"),
    DeliveryKind.REPLY: DeliveryRule(
        needs_consent=False, stopped_by_stop=False,
        reason="the answer to what the person just wrote (a stop confirmation included)"),
    DeliveryKind.PULSE: DeliveryRule(
        needs_consent=False, stopped_by_stop=True,
        reason="goes to employees of the configured audience; saying stop ends it"),
    DeliveryKind.ANNOUNCEMENT: DeliveryRule(
        needs_consent=True, stopped_by_stop=True,
        reason="news nobody asked for: only to people who agreed, never after stop"),
    DeliveryKind.RETRACTION: DeliveryRule(
        needs_consent=False, stopped_by_stop=False,
        reason="takes back a posted message about someone forgotten: always, to a staff channel"),
    DeliveryKind.INVITATION: DeliveryRule(
        needs_consent=True, stopped_by_stop=True,
        reason="a survey an outside system triggered: only to people who agreed, never after stop"),
    DeliveryKind.CALL: DeliveryRule(
        needs_consent=True, stopped_by_stop=True,
        reason="an invitation to a test or focus group: only to people who agreed, "
               "never after stop"),

    DeliveryKind.WEBHOOK: DeliveryRule(
        needs_consent=False, stopped_by_stop=False,
        reason="an event to the company's own system, not to the person: stop ends messages "
               "to them, not the use of answers kept (forget deletes the unsent events)"),
    DeliveryKind.COMPLAINT_UPDATE: DeliveryRule(
        needs_consent=False, stopped_by_stop=True,
        reason="news of a complaint to the person who filed it: planned only when they agreed "
               "to be contacted about it (the complaint's own contact consent, not the general "
               "one), never after stop"),
    DeliveryKind.IDEA_THANKS: DeliveryRule(
        needs_consent=False, stopped_by_stop=True,
        reason="answers an employee who signed or supported an idea; saying stop ends it"),
    DeliveryKind.DIGEST: DeliveryRule(
        needs_consent=False, stopped_by_stop=False,
        reason="figures for a staff channel, never to a person"),
}


def person_refusal(kind: str, *, opted_out: bool, unreachable: bool,
                   consented: bool) -> str | None:
    """Return why a message of ``kind`` may not go to a person in this state, by its rule."""
    try:
        rule = RULES[DeliveryKind(kind)]
    except ValueError:  # no row: nothing plans such a kind (enqueue refuses it)
        return f"unknown kind {kind!r}"
    if rule.stopped_by_stop and opted_out:
        return "opted out"
    if unreachable:
        return "unreachable"
    if rule.needs_consent and not consented:
        return "no consent"
    return None


def refusal(delivery: Claimed) -> str | None:
    """Return why a delivery must not reach its person (stop, unreachable, no consent)."""
    if not delivery.address:
        return "no address"
    return person_refusal(delivery.kind, opted_out=delivery.opted_out,
                          unreachable=delivery.unreachable, consented=delivery.consented)
