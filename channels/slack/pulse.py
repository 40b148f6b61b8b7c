"""Pulse surveys by Slack DM: on a cron-like schedule, to a channel's members or a user list.

Each run plans one delivery per person through the outbox (kind ``pulse``),
keyed by survey, run time and person, so a run repeated by a second worker or
after a restart plans nothing twice. People who said "stop" (or who are gone)
are skipped; bots and deactivated accounts are left out. The message offers the
survey as a choice ``survey:<key>`` (tapping it starts the survey in the DM) and
a way to say stop.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.i18n import gettext_for, normalise, pick
from bot.messages import Choice, InputHint, Kind, Outbound
from bot.surveys import Survey, SurveyCatalog
from channels.slack import NAME
from channels.slack.settings import Pulse
from storage import deliveries, respondents
from storage.db import Database
from storage.installation import Keyring

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
    run = now.strftime("%Y%m%dT%H%M")
    users = audience(client, pulse)
    with database.transaction() as session:
        known = respondents.known_people(session, NAME, users)
    bot_user = _bot_user(client)
    newcomers = {u: _profile(client, u) for u in users if u not in known and u != bot_user}
    planned = 0
    keyring.load()
    with database.transaction() as session:
        for user in users:
            person = known.get(user)
            if person is None:
                profile = newcomers.get(user)
                if profile is None:  # a bot, a deactivated account, or this bot itself
                    continue
                language = normalise(profile) or default_language
                respondent_id = respondents.create_respondent(
                    session, NAME, user, now, internal=True, language=language,
                    keyring=keyring).id
            elif person.opted_out or person.unreachable:
                continue
            else:
                respondent_id, language = person.respondent_id, person.language
            planned += deliveries.enqueue(
                session, key=f"slack-pulse:{survey.key}:{run}:{user}", kind="pulse",
                channel="slack", respondent_id=respondent_id, address=user,
                payload=invitation(survey, language or default_language).to_dict(), now=now,
            )
    return planned


def _bot_user(client: WebClient) -> str | None:
    """Return this bot's own user id (it is a member of the channel too)."""
    try:
        return str(client.auth_test().get("user_id"))
    except SlackApiError:
        return None


def _profile(client: WebClient, user: str) -> str | None:
    """Return a person's locale ("" when unknown), or None for bots and deactivated users."""
    try:
        info = client.users_info(user=user, include_locale=True).get("user") or {}
    except SlackApiError:
        return None
    if info.get("is_bot") or info.get("deleted") or user == "USLACKBOT":
        return None
    return str(info.get("locale") or "")
