"""Pulse surveys by Slack DM: on a cron-like schedule, to a channel's members or a user list.

Slack's part only: list who the pulse is for (every page of a channel's
members, or the configured users; bots, deactivated accounts and this bot left
out) and render the invitation. Planning is the core's campaign mechanism
(:mod:`bot.campaigns`, kind ``pulse``): one campaign per survey and run time, so
a run repeated by a second worker or after a restart plans nothing twice, and
people who said stop (or who are gone) are skipped. The message offers the
survey as a choice ``survey:<key>`` (tapping it starts the survey in the DM) and
a way to say stop. The newcomers' profiles also give their timezone, stored once
(as the adapter does, :mod:`channels.slack.profiles`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import timezones
from bot.campaigns import Roster, plan
from bot.i18n import gettext_for, pick
from bot.messages import Choice, InputHint, Kind, Outbound
from bot.surveys import Survey, SurveyCatalog
from channels.slack import CHANNEL, NAME
from channels.slack.settings import Pulse
from storage import respondents
from storage.db import Database
from storage.installation import Keyring
from storage.vocabulary import DeliveryKind

DOMAIN = "slack"


def audience(client: WebClient, pulse: Pulse) -> list[str]:
    """Return the user ids a pulse goes to (every page of the channel's members)."""
    if pulse.users:
        return list(dict.fromkeys(pulse.users))
    members: list[str] = []
    cursor = None
    while True:
        page = client.conversations_members(channel=pulse.channel, limit=200, cursor=cursor)
        members += page.get("members") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return list(dict.fromkeys(members))


def roster(client: WebClient, pulse: Pulse, keyring: Keyring | None = None,
           zones: dict[str, str] | None = None) -> Roster:
    """Return the pulse's audience: its members (not this bot), vetted through ``users.info``.

    Only people Écoute does not know yet are looked up (one ``users.info`` each):
    bots and deactivated accounts are left out, the others come with their locale;
    their valid timezones are put in ``zones``.
    """
    bot_user = _bot_user(client)
    members = [user for user in audience(client, pulse) if user != bot_user]

    def vet(newcomers: Sequence[str]) -> Mapping[str, str | None]:
        """Return the newcomers who are people, with their Slack locale."""
        profiles = {user: _profile(client, user) for user in newcomers}
        people = {user: found for user, found in profiles.items() if found is not None}
        if zones is not None:
            zones.update({user: zone for user, (_l, zone) in people.items() if zone})
        return {user: locale for user, (locale, _z) in people.items()}

    return Roster(NAME, dict.fromkeys(members), internal=CHANNEL.internal, vet=vet,
                  keyring=keyring)


def invitation(survey: Survey, language: str) -> Outbound:
    """Return the pulse DM: the survey's title, and buttons to answer or to stop."""
    _ = gettext_for(language, DOMAIN)
    text = _("Pulse survey: {title}").format(title=pick(survey.title, language))
    if survey.description:
        text += "\n" + pick(survey.description, language)
    return Outbound(
        text, Kind.ANNOUNCEMENT, language=language, ref=f"pulse:{survey.key}",
        expects=InputHint.CHOICE,
        choices=(Choice(f"survey:{survey.key}", _("Answer now")),
                 Choice("cmd:stop", _("No more messages"))),
    )


def campaign_key(survey: Survey, now: datetime) -> str:
    """Return the key of this run's campaign: one per survey and run time (to the minute)."""
    return f"slack-pulse:{survey.key}:{now.strftime('%Y%m%dT%H%M')}"


def send_pulse(database: Database, client: WebClient, catalog: SurveyCatalog, pulse: Pulse,
               clock: Callable[[], datetime], default_language: str = "en", *,
               keyring: Keyring) -> int:
    """Plan this run's pulse DMs in the outbox; return how many were planned.

    ``keyring`` recognises the forgotten people who had said stop (the suppression list).
    """
    survey = catalog.get(pulse.survey)
    if survey is None:
        raise LookupError(f"pulse survey {pulse.survey!r} is not in the catalog")
    now = clock()
    zones: dict[str, str] = {}
    planned = plan(database, campaign_key(survey, now), DeliveryKind.PULSE,
                   roster(client, pulse, keyring, zones),
                   lambda language: invitation(survey, language),
                   now=now, default_language=default_language)
    if zones:  # the newcomers now have a row to hold theirs
        with database.transaction() as session:
            for user, zone in zones.items():
                respondents.set_timezone(session, NAME, user, zone, keep=True)
    return planned.planned


def _bot_user(client: WebClient) -> str | None:
    """Return this bot's own user id (it is a member of the channel too)."""
    try:
        return str(client.auth_test().get("user_id"))
    except SlackApiError:
        return None


def _profile(client: WebClient, user: str) -> tuple[str, str | None] | None:
    """Return a person's locale ("" when unknown) and valid timezone; None for bots, the gone."""
    try:
        info = client.users_info(user=user, include_locale=True).get("user") or {}
    except SlackApiError:
        return None
    if info.get("is_bot") or info.get("deleted") or user == "USLACKBOT":
        return None
    return str(info.get("locale") or ""), timezones.known(info.get("tz"))
