"""Slack's ``/wedid``: staff allowed to write improvements open a modal and save a draft.

Who may: the Slack user's email (``users.info``, which needs the ``users:read.email``
scope) must be the email of an enabled staff account whose role writes (manager or
admin). Anyone else is told so, privately (an ephemeral reply), and no modal opens.
The modal asks what people said, what was done and in which language; its
submission is checked again (the account may have been disabled meanwhile) and
stored by :func:`bot.improvements.create`, audited as that staff member. A refusal
shows beside its field; a saved draft turns the modal into a note with its number.
Linking feedback and publishing happen in the console.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond
from slack_sdk.errors import SlackApiError

from bot import improvements, staff
from bot.i18n import SUPPORTED, gettext_for, language_name
from bot.improvements import Draft, ImprovementError, Refusal
from bot.staff import Account, Permission, StaffError
from channels.registry import BUILT_IN
from channels.slack.render import plain

if TYPE_CHECKING:
    from channels.slack.adapter import SlackChannel

DOMAIN = "slack"
COMMAND = "/wedid"
CALLBACK = "ecoute_wedid"
FIELDS = {Refusal.BAD_SUMMARY: "you_said", Refusal.BAD_ACTION: "we_did",
          Refusal.BAD_LANGUAGE: "language"}


def register(app: App, channel: SlackChannel) -> None:
    """Attach ``/wedid`` and its modal's submission to the Bolt app."""
    wedid = WeDid(channel)
    app.command(COMMAND)(wedid.on_command)
    app.view(CALLBACK)(wedid.on_submitted)


class WeDid:
    """The listeners of ``/wedid``, over the Slack channel's engine and client."""

    def __init__(self, channel: SlackChannel) -> None:
        self.channel = channel

    def writer(self, user: str) -> Account | None:
        """Return the enabled staff account of this Slack user when its role writes, else None."""
        try:
            info = self.channel.client.users_info(user=user)
        except SlackApiError:
            return None
        email = ((info.get("user") or {}).get("profile") or {}).get("email")
        if not isinstance(email, str) or not email:
            return None
        db = self.channel.engine.db
        try:
            account = staff.active_account(db, staff.find_account(db, email).id)
        except StaffError:
            return None
        return account if account and staff.may(account.role, Permission.WRITE) else None

    def on_command(self, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """Open the modal for staff who may write; tell anyone else, privately."""
        ack()
        user = str(body.get("user_id") or "")
        language = self.channel.language(user)
        if self.writer(user) is None:
            _ = gettext_for(language, DOMAIN)
            respond(text=_("/wedid is for staff who write improvements (managers and "
                           "admins): ask an admin for an account with your Slack email."),
                    response_type="ephemeral")
            return
        self.channel.client.views_open(trigger_id=body["trigger_id"], view=modal(language))

    def on_submitted(self, ack: Ack, body: dict[str, Any], view: dict[str, Any]) -> None:
        """Save the draft (refusals beside their field), then say its number."""
        user = str((body.get("user") or {}).get("id") or "")
        values = answers(view)
        language = values.get("language") or self.channel.language(user)
        account = self.writer(user)
        _ = gettext_for(language if language in SUPPORTED else "en", DOMAIN)
        if account is None:
            ack(response_action="errors", errors={"you_said": _(
                "Your account may no longer write improvements.")})
            return
        engine = self.channel.engine
        draft = Draft(values.get("you_said", ""), values.get("we_did", ""), language)
        try:
            improvement_id = improvements.create(
                engine.db, draft, improvements.known(engine.catalog, BUILT_IN),
                actor=staff.staff_actor(account.id), now=engine.clock())
        except ImprovementError as error:
            ack(response_action="errors", errors={FIELDS.get(error.refusal, "you_said"):
                                                  improvements.explain(error.refusal, language,
                                                                       error.detail)})
            return
        ack(response_action="update", view=saved(improvement_id, language))


def modal(language: str) -> dict[str, Any]:
    """Return the ``/wedid`` modal: what people said, what was done, the language."""
    _ = gettext_for(language, DOMAIN)
    options = [{"text": plain(language_name(code)), "value": code} for code in SUPPORTED]
    return {
        "type": "modal", "callback_id": CALLBACK,
        "title": plain(_("You said, we did"), 24),
        "submit": plain(_("Save the draft"), 24), "close": plain(_("Cancel"), 24),
        "blocks": [
            _text("you_said", _("You said (a short summary of the feedback)"), 500, False),
            _text("we_did", _("We did (what was changed)"), 2000, True),
            {"type": "input", "block_id": "language", "label": plain(_("Language"), 2000),
             "element": {"type": "radio_buttons", "action_id": "value", "options": options,
                         "initial_option": next(o for o in options
                                                if o["value"] == language)}},
        ],
    }


def _text(block_id: str, label: str, longest: int, multiline: bool) -> dict[str, Any]:
    """Return a text input block."""
    return {"type": "input", "block_id": block_id, "label": plain(label, 2000),
            "element": {"type": "plain_text_input", "action_id": "value",
                        "multiline": multiline, "max_length": longest}}


def answers(view: dict[str, Any]) -> dict[str, str]:
    """Read the submitted modal's values by block id."""
    found: dict[str, str] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = (actions or {}).get("value") or {}
        selected = element.get("selected_option")
        raw = selected.get("value") if selected else element.get("value")
        if isinstance(raw, str):
            found[str(block_id)] = raw
    return found


def saved(improvement_id: int, language: str) -> dict[str, Any]:
    """Return the view the modal becomes once the draft is saved."""
    _ = gettext_for(language, DOMAIN)
    text = _("Draft #{id} saved. Link the feedback that led to it, then publish it, in the "
             "console.").format(id=improvement_id)
    return {"type": "modal", "title": plain(_("You said, we did"), 24),
            "close": plain(_("Close"), 24),
            "blocks": [{"type": "section", "text": {"type": "plain_text", "text": text}}]}
