"""Employees' ideas in Slack: ``/idea`` and App Home's **Idea** button, the modal, the 👍 list.

Translation only: the modal's fields become a :class:`bot.ideas.NewIdea` (no
author when "send anonymously" is ticked), a 👍 becomes :func:`bot.ideas.support`.
Both answers are shown where the person is: the modal turns into its thanks
(``response_action: update``), App Home is published again with the new count;
nothing is posted to the DM, so nothing the bot token can read later dates an
anonymous idea. The submission's event id is Slack's view id (keyed-hashed when
anonymous), so Slack's retries store nothing twice; a second 👍 adds nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk import WebClient

from bot import ideas
from bot.engine import DialogueEngine
from bot.i18n import gettext_for, pick
from bot.ideas import HomeIdea, NewIdea
from bot.messages import Identity
from bot.text import clean
from channels.slack import NAME
from channels.slack.render import ANONYMOUS_BLOCK, escape, plain

DOMAIN = "slack"
IDEA_CALLBACK = "ecoute_idea"
OPEN_IDEA_ACTION = "ecoute_open_idea"
SUPPORT_ACTION = "ecoute_support_idea_"
TEXT_BLOCK = "idea_text"
SERVICE_BLOCK = "idea_service"
FIELDS = {"text": TEXT_BLOCK, "service": SERVICE_BLOCK}

Block = dict[str, Any]


class Host(Protocol):
    """What the Slack channel lends its ideas: the engine, the client, languages, event ids."""

    engine: DialogueEngine
    client: WebClient

    def language(self, user: str) -> str:
        """Return the language to speak with ``user``."""

    def _submission_id(self, view: dict[str, Any], anonymous: bool) -> str:
        """Return a submitted view's event id (keyed-hashed when anonymous)."""

    def on_home_opened(self, event: dict[str, Any]) -> None:
        """Publish App Home for a person."""


def idea_modal(services: Sequence[tuple[str, Mapping[str, str]]], language: str) -> Block:
    """Return the ``/idea`` modal: the idea, the service it concerns, sign or send anonymously."""
    _ = gettext_for(language, DOMAIN)
    blocks: list[Block] = [
        {"type": "input", "block_id": TEXT_BLOCK,
         "label": plain(_("What do clients expect, or what could be better?"), 2000),
         "element": {"type": "plain_text_input", "action_id": "value", "multiline": True,
                     "max_length": ideas.MAX_TEXT}},
    ]
    if services:
        blocks.append({
            "type": "input", "block_id": SERVICE_BLOCK, "optional": True,
            "label": plain(_("Which service or department does it concern?"), 2000),
            "element": {"type": "static_select", "action_id": "value",
                        "placeholder": plain(_("Choose…"), 150),
                        "options": [{"value": key, "text": plain(pick(label, language))}
                                    for key, label in services]}})
    blocks.append({
        "type": "input", "block_id": ANONYMOUS_BLOCK, "optional": True,
        "label": plain(_("Anonymity"), 2000),
        "element": {"type": "checkboxes", "action_id": "value", "options": [{
            "value": "anonymous", "text": plain(_("Send anonymously"), 150),
            "description": plain(_("Your name and Slack id are not stored with it."), 150)}]}})
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _(
        "Signed, you hear back if your idea leads to a change. Anonymous, nobody can "
        "tell it was you, and so nobody can tell you either.")}]})
    return {"type": "modal", "callback_id": IDEA_CALLBACK,
            "private_metadata": json.dumps({"language": language}),
            "title": plain(_("Share an idea"), 24), "submit": plain(_("Send"), 24),
            "close": plain(_("Cancel"), 24), "blocks": blocks}


def read_form(view: dict[str, Any]) -> tuple[str, str | None, bool, str]:
    """Return a submitted idea modal's (text, service, anonymous, language)."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values = (view.get("state") or {}).get("values", {})
    text = str(((values.get(TEXT_BLOCK) or {}).get("value") or {}).get("value") or "")
    selected = ((values.get(SERVICE_BLOCK) or {}).get("value") or {}).get("selected_option")
    chosen = ((values.get(ANONYMOUS_BLOCK) or {}).get("value") or {}).get("selected_options")
    anonymous = any(o.get("value") == "anonymous" for o in chosen or [])
    service = str(selected["value"]) if selected else None
    return text, service, anonymous, str(meta.get("language") or "en")


def thanks_view(language: str, anonymous: bool) -> Block:
    """Return the view the modal turns into: thanks, naming nothing of the idea."""
    _ = gettext_for(language, DOMAIN)
    said = (_("Thank you! Your idea was sent anonymously.") if anonymous else
            _("Thank you! Your idea was sent under your name: you will hear back if it "
              "leads to a change."))
    return {"type": "modal", "title": plain(_("Share an idea"), 24),
            "close": plain(_("Close"), 24),
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": said}}]}


def home_blocks(recent: Sequence[HomeIdea], language: str) -> list[Block]:
    """Return App Home's ideas: a button to share one, and the latest with a 👍 each."""
    _ = gettext_for(language, DOMAIN)
    blocks: list[Block] = [
        {"type": "divider"},
        {"type": "header", "text": plain(_("Ideas"), 150)},
        {"type": "section", "text": {"type": "mrkdwn", "text": _(
            "You know what clients expect: share an idea, or back a colleague's.")}},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": OPEN_IDEA_ACTION, "style": "primary",
             "text": plain(_("Idea"))}]},
    ]
    if not recent:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _("No open idea yet: be the first.")}]})
    for item in recent:
        where = f"{escape(item.service)} · " if item.service else ""
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text":
                       f"{escape(item.text)}\n_{where}{item.day}_"}})
        label = (_("👍 {count} · you support it") if item.mine else _("👍 {count}")).format(
            count=item.supporters)
        blocks.append({"type": "actions", "block_id": f"idea#{item.id}", "elements": [
            {"type": "button", "action_id": f"{SUPPORT_ACTION}{item.id}", "value": str(item.id),
             "text": plain(label)}]})
    return blocks


class SlackIdeas:
    """The ideas' listeners, on the Slack channel's Bolt app."""

    def __init__(self, host: Host) -> None:
        self.host = host

    def register(self, app: App) -> None:
        """Attach ``/idea``, the modal, App Home's buttons."""
        app.command("/idea")(self.on_command)
        app.action(OPEN_IDEA_ACTION)(self.on_open)
        app.action(re.compile(f"^{SUPPORT_ACTION}"))(self.on_support)
        app.view(IDEA_CALLBACK)(self.on_submitted)

    def home_blocks(self, user: str, language: str) -> list[Block]:
        """Return App Home's ideas for ``user``."""
        engine = self.host.engine
        return home_blocks(ideas.recent(engine, Identity(NAME, user), language), language)

    def on_command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """Open the idea modal."""
        ack()
        user = _user(body.get("user_id"))
        if user is not None:
            self._open(body["trigger_id"], user)

    def on_open(self, ack: Ack, body: dict[str, Any]) -> None:
        """Open the idea modal from App Home's button."""
        ack()
        user = _user((body.get("user") or {}).get("id"))
        if user is not None:
            self._open(body["trigger_id"], user)

    def _open(self, trigger_id: str, user: str) -> None:
        """Open the modal in the person's language."""
        language = self.host.language(user)
        view = idea_modal(ideas.services(self.host.engine.catalog), language)
        self.host.client.views_open(trigger_id=trigger_id, view=view)

    def on_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Store the idea (errors beside their fields) and thank in the modal itself."""
        user = _user((body.get("user") or {}).get("id"))
        if user is None:
            ack()
            return
        text, service, anonymous, language = read_form(view)
        new = NewIdea(NAME, clean(text), service, None if anonymous else Identity(NAME, user),
                      self.host._submission_id(view, anonymous), language)
        received = ideas.submit(self.host.engine, new)
        if received.errors:
            ack(response_action="errors",
                errors={FIELDS[name]: error for name, error in received.errors.items()})
            return
        ack(response_action="update", view=thanks_view(language, anonymous))

    def on_support(self, ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        """Add the person's 👍 (once) and show App Home again with the new count."""
        ack()
        user = _user((body.get("user") or {}).get("id"))
        try:
            idea_id = int(str(action.get("value")))
        except ValueError:
            return  # not a button Écoute made
        if user is None:
            return
        ideas.support(self.host.engine, Identity(NAME, user), idea_id)
        self.host.on_home_opened({"user": user, "tab": "home"})


def _user(value: object) -> str | None:
    """Return ``value`` if it is shaped like a Slack user id, else None."""
    from channels.slack.adapter import slack_id

    return slack_id(value)
