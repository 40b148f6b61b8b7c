"""Slack's App Home: buttons to give feedback or complain, the person's named feedback, ideas.

Published again each time the person opens the Home tab (``app_home_opened``) and
after they back an idea. It lists only feedback given under the person's name:
anonymous feedback is stored without any, so it cannot be found to be listed.
The ideas' part is :class:`channels.slack.ideas.SlackIdeas`'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

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
from storage import conversations

DOMAIN = "slack"

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
        view["blocks"] += self.host.ideas.home_blocks(user, language)
        self.host.client.views_publish(user_id=user, view=view)

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
