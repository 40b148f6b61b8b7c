"""Slack's App Home: feedback and complaint buttons, the person's named feedback, what changed.

Published again each time the person opens the Home tab (``app_home_opened``) and
after they back an idea. It lists only feedback given under the person's name:
anonymous feedback is stored without any, so it cannot be found to be listed.

"What changed" shows everybody the newest published improvements, the very rows
of the public page (:func:`storage.improvements.published`): staff's summary of
what people said, what was done and when, never anyone's own words. It is how
employees whose feedback was anonymous, never announced to anyone, hear what it
led to. A link goes to the public page when ``ECOUTE_BASE_URL`` is a public
address (not the loopback default). The ideas come from
:class:`channels.slack.ideas.SlackIdeas`. Slack's limits hold: at most 100
blocks, texts trimmed to each place's length.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

from babel.dates import format_date
from slack_sdk import WebClient

from bot.engine import DialogueEngine
from bot.i18n import gettext_for, pick
from channels.slack import NAME
from channels.slack.ideas import SlackIdeas
from channels.slack.render import (
    OPEN_COMPLAINT_ACTION,
    OPEN_FEEDBACK_ACTION,
    context_block,
    escape,
    plain,
    section_block,
)
from storage import conversations, improvements
from storage.improvements import ImprovementRow

DOMAIN = "slack"
CHANGES = 5  # the newest published improvements shown
MAX_BLOCKS = 100  # Slack's limit for a Home tab
PUBLIC_PAGE = "/you-said-we-did"

Block = dict[str, Any]


class Host(Protocol):
    """What the Slack channel lends its App Home: the engine, the client, languages, ideas."""

    engine: DialogueEngine
    client: WebClient
    ideas: SlackIdeas

    def language(self, user: str) -> str:
        """Return the language to speak with ``user``."""


@dataclass(frozen=True)
class HomeItem:
    """One piece of a person's recent feedback, as App Home lists it."""

    title: str
    when: datetime
    summary: str


def home_view(items: Sequence[HomeItem], language: str) -> dict[str, Any]:
    """Return App Home: buttons to give feedback or complain, and the person's recent feedback.

    A complaint is filed in the DM under the person's name (it cannot be anonymous).
    """
    _ = gettext_for(language, DOMAIN)
    blocks: list[Block] = [
        {"type": "header", "text": plain(_("Your feedback"), 150)},
        section_block(_("Tell an internal service how it went: it takes a minute.")),
        {"type": "actions", "elements": [
            {"type": "button", "action_id": OPEN_FEEDBACK_ACTION, "style": "primary",
             "text": plain(_("Give feedback"))},
            {"type": "button", "action_id": OPEN_COMPLAINT_ACTION,
             "text": plain(_("File a complaint"))}]},
        {"type": "divider"},
    ]
    if not items:
        blocks.append(section_block(_("You have not given any feedback under your name yet.")))
    for item in items:
        day = item.when.strftime("%Y-%m-%d")
        blocks.append(section_block(f"*{escape(item.title)}* · {day}\n{escape(item.summary)}"))
    blocks.append(context_block(_("Anonymous feedback is never listed here: it is stored "
                                  "without your name.")))
    return {"type": "home", "blocks": blocks}


@dataclass(frozen=True)
class Change:
    """A published improvement as App Home shows it: staff's words, never a person's."""

    we_did: str
    you_said: str
    done_on: date | None
    published_on: date


def change_of(row: ImprovementRow) -> Change:
    """Return what App Home shows of a published improvement."""
    published = row.published_at.date() if row.published_at else row.created_at.date()
    return Change(row.we_did, row.you_said, row.done_on, published)


def changes_blocks(changes: Sequence[Change], language: str, page: str | None) -> list[Block]:
    """Return App Home's "What changed": each improvement, its date, a link to the page."""
    _ = gettext_for(language, DOMAIN)
    blocks: list[Block] = [
        {"type": "divider"},
        {"type": "header", "text": plain(_("What changed"), 150)},
        section_block(_("What we changed because of what you all told us, anonymous "
                        "feedback included.")),
    ]
    if not changes:
        blocks.append(context_block(_("Nothing has been published yet.")))
    for change in changes:
        text = "\n".join((_("We did: {done}").format(done=_clip(change.we_did, 1500)),
                          _("You said: {said}").format(said=_clip(change.you_said, 600))))
        blocks.append({"type": "section", "text": plain(text, 3000)})  # plain: no markup
        when = (_("Done on {date}").format(date=_day(change.done_on, language))
                if change.done_on else
                _("Published on {date}").format(date=_day(change.published_on, language)))
        blocks.append(context_block(when))
    if page:
        label = escape(_("Everything we changed, on the public page"))
        blocks.append(context_block(f"<{escape(page)}|{label}>"))
    return blocks


def public_page(base_url: str, language: str) -> str | None:
    """Return the public page's address in ``language``, or None when the base is not public."""
    parts = urlsplit(base_url)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https") or not host or host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass  # a name, not an address
    return f"{base_url.rstrip('/')}{PUBLIC_PAGE}?lang={language}"


def _clip(text: str, limit: int) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


def _day(day: date, language: str) -> str:
    """Return a date written out in ``language`` (``26 novembre 2026``)."""
    return format_date(day, format="long", locale=language)


class SlackHome:
    """App Home's listener, on the Slack channel's Bolt app."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def on_opened(self, event: dict[str, Any]) -> None:
        """Publish App Home with the person's recent feedback given under their name."""
        from channels.slack.adapter import slack_id

        if event.get("tab", "home") != "home":
            return
        user = slack_id(event.get("user"))
        if user is None:
            return
        language = self.host.language(user)
        with self.host.engine.db.reading() as connection:
            recent = conversations.recent_feedback(connection, NAME, user)
        items = [HomeItem(self._title(f.survey, language), f.completed_at,
                          self._summary(f.survey, f.values, language)) for f in recent]
        view = home_view(items, language)
        view["blocks"] += self._changes(language)
        view["blocks"] += self.host.ideas.home_blocks(user, language)
        view["blocks"] = view["blocks"][:MAX_BLOCKS]
        self.host.client.views_publish(user_id=user, view=view)

    def _changes(self, language: str) -> list[Block]:
        """Return "What changed": the public page's newest improvements, for everybody."""
        engine = self.host.engine
        with engine.db.reading() as connection:
            rows = improvements.published(connection, CHANGES)
        page = public_page(engine.settings.console_url, language)
        return changes_blocks([change_of(row) for row in rows], language, page)

    def _title(self, key: str, language: str) -> str:
        """Return a survey's title (its key when it is no longer offered)."""
        survey = self.host.engine.catalog.get(key)
        return pick(survey.title, language) if survey else key

    def _summary(self, key: str, values: dict[str, Any], language: str) -> str:
        """Return the answers of one feedback as one short line (option labels, scores)."""
        survey = self.host.engine.catalog.get(key)
        parts = []
        for question_id, value in values.items():
            text = str(value)
            if survey is not None:
                try:
                    question = survey.question(question_id)
                except KeyError:
                    continue
                labels = {o.id: pick(o.label, language) for o in question.options}
                text = labels.get(text, text)
                if question.scale:
                    text = f"{value}/{question.scale[1]}"
            parts.append(text if len(text) <= 80 else text[:79] + "…")
        return " · ".join(parts)
