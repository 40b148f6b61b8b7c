"""Block Kit for Slack: the core's outbound messages and the feedback modal.

Pure functions from the core's types to Block Kit JSON (and back, for a modal's
submitted state): no client, no I/O. Choices become buttons whose ``value`` is
the choice id and whose ``block_id`` carries the message's ``ref``, so a tap
comes back as exactly what the engine expects. Staff alerts lay their fields out
as a two-column section with a button to the staff console. Every message also
has a plain ``text`` fallback (numbered choices) for notifications and screen
readers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.i18n import gettext_for, pick
from bot.messages import InputHint, Kind, Outbound
from bot.questions import Question
from bot.surveys import Survey
from channels.text_fallbacks import numbered

DOMAIN = "slack"
CHOICE_ACTION = "ecoute_choice_"
OPEN_FEEDBACK_ACTION = "ecoute_open_feedback"
OPEN_COMPLAINT_ACTION = "ecoute_open_complaint"
FEEDBACK_CALLBACK = "ecoute_feedback"
ANONYMOUS_BLOCK = "ecoute_anonymous"
ROW = 25  # Slack's limit of elements in one actions block

Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn reserves."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of a message a person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain(text: str, limit: int = 75) -> dict[str, Any]:
    """Return a ``plain_text`` object, trimmed to Slack's limit for its place."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def fallback_text(message: Outbound) -> str:
    """Return the message as escaped text (numbered choices, alert fields as lines).

    Slack shows it in notifications and to screen readers, and reads it as mrkdwn.
    """
    lines = [numbered(message)]
    lines += [f"{label}: {value}" for label, value in message.fields]
    if message.link:
        lines.append(message.link)
    return escape("\n".join(lines))


def message_blocks(message: Outbound) -> list[Block]:
    """Return the Block Kit layout of one outbound message."""
    if message.kind is Kind.ALERT:
        return alert_blocks(message)
    if message.kind is Kind.DIGEST:
        from channels.slack.digest import digest_blocks  # the weekly digest lays out its parts

        return digest_blocks(message)
    _ = gettext_for(message.language, DOMAIN)
    blocks: list[Block] = [section_block(escape(message.text))]
    if message.progress and message.progress.total > 1:
        progress = _("Question {current} of {total}").format(
            current=message.progress.current, total=message.progress.total)
        blocks.append(context_block(progress))
    blocks += choice_rows(message)
    if message.expects is InputHint.TEXT:
        hint = _("Type your answer as a message below.")
        if message.max_length:
            hint = _("Type your answer as a message below (up to {max} characters).").format(
                max=message.max_length)
        blocks.append(context_block(hint))
    return blocks


def choice_rows(message: Outbound) -> list[Block]:
    """Return the message's choices as rows of buttons tied to its ``ref``."""
    rows = []
    for start in range(0, len(message.choices), ROW):
        buttons = [
            {"type": "button", "action_id": f"{CHOICE_ACTION}{n}", "value": choice.id,
             "text": plain(choice.label)}
            for n, choice in enumerate(message.choices[start:start + ROW], start)
        ]
        rows.append({"type": "actions", "block_id": f"{message.ref or ''}#{start}",
                     "elements": buttons})
    return rows


def ref_of(block_id: str) -> str | None:
    """Return the ``ref`` a row of buttons was tied to (see :func:`choice_rows`)."""
    ref = block_id.rpartition("#")[0]
    return ref or None


def answered_blocks(text: str, label: str, language: str) -> list[Block]:
    """Return a question whose buttons were tapped: its text and the chosen label."""
    _ = gettext_for(language, DOMAIN)
    answer = _("Your answer: {label}").format(label=escape(label))
    return [section_block(escape(text)), context_block(answer)]


def alert_blocks(message: Outbound) -> list[Block]:
    """Return a staff alert: the headline, its fields in two columns, a console button."""
    _ = gettext_for(message.language, DOMAIN)
    blocks: list[Block] = [section_block(":rotating_light: *" + escape(message.text) + "*")]
    if message.fields:
        fields = [{"type": "mrkdwn", "text": f"*{escape(k)}*\n{escape(v)}"}
                  for k, v in message.fields[:10]]
        blocks.append({"type": "section", "fields": fields})
    if message.link:
        blocks.append({"type": "actions", "elements": [
            {"type": "button", "action_id": "ecoute_open_console", "url": message.link,
             "text": plain(_("Open in the staff console"))}]})
    return blocks


@dataclass(frozen=True)
class ModalAnswers:
    """What a submitted feedback modal holds."""

    survey: str
    language: str
    answers: dict[str, str]
    anonymous: bool


def feedback_modal(survey: Survey, language: str) -> dict[str, Any]:
    """Return the ``/feedback`` modal for ``survey``: one input per question, plus anonymity."""
    _ = gettext_for(language, DOMAIN)
    blocks: list[Block] = []
    if survey.description:
        blocks.append(section_block(escape(pick(survey.description, language))))
    blocks += [_input(question, language) for question in survey.questions]
    blocks.append({
        "type": "input", "block_id": ANONYMOUS_BLOCK, "optional": True,
        "label": plain(_("Anonymity"), 2000),
        "element": {"type": "checkboxes", "action_id": "value", "options": [{
            "value": "anonymous",
            "text": plain(_("Send anonymously"), 150),
            "description": plain(_("Your name and Slack id are not stored with it."), 150),
        }]},
    })
    blocks.append(context_block(_("Anonymous answers are shown only by calendar month, once the "
                             "month is over, and only when a service has at least 5 of them.")))
    return {
        "type": "modal",
        "callback_id": FEEDBACK_CALLBACK,
        "private_metadata": json.dumps({"survey": survey.key, "language": language}),
        "title": plain(_("Feedback"), 24),
        "submit": plain(_("Send"), 24),
        "close": plain(_("Cancel"), 24),
        "blocks": blocks,
    }


def _input(question: Question, language: str) -> Block:
    """Return the input block for one question (a select, radio buttons or a text area)."""
    label = pick(question.text, language)
    element: dict[str, Any]
    if question.type == "text":
        element = {"type": "plain_text_input", "action_id": "value", "multiline": True,
                   "max_length": min(question.max_length, 3000)}
    else:
        options = _options(question, language)
        kind = "radio_buttons" if len(options) <= 5 else "static_select"
        element = {"type": kind, "action_id": "value", "options": options}
        if kind == "static_select":
            _ = gettext_for(language, DOMAIN)
            element["placeholder"] = plain(_("Choose…"), 150)
    block: Block = {"type": "input", "block_id": question.id, "label": plain(label, 2000),
                    "element": element, "optional": question.optional or question.when is not None}
    if question.hint:
        block["hint"] = plain(pick(question.hint, language), 2000)
    return block


def _options(question: Question, language: str) -> list[dict[str, Any]]:
    """Return a closed question's options as Block Kit option objects."""
    _ = gettext_for(language, DOMAIN)
    if question.scale:
        low, high = question.scale
        pairs = [(str(n), str(n)) for n in range(low, high + 1)]
    elif question.type == "yesno":
        pairs = [("yes", _("Yes")), ("no", _("No"))]
    else:
        pairs = [(o.id, pick(o.label, language)) for o in question.options]
    return [{"value": value, "text": plain(label)} for value, label in pairs]


def modal_answers(view: dict[str, Any]) -> ModalAnswers:
    """Read the survey, language, answers and anonymity from a submitted modal."""
    meta = json.loads(view.get("private_metadata") or "{}")
    answers: dict[str, str] = {}
    anonymous = False
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        element = actions.get("value") or {}
        if block_id == ANONYMOUS_BLOCK:
            anonymous = any(o.get("value") == "anonymous"
                            for o in element.get("selected_options") or [])
            continue
        selected = element.get("selected_option")
        raw = selected.get("value") if selected else element.get("value")
        if raw:
            answers[block_id] = str(raw)
    return ModalAnswers(str(meta.get("survey", "")), str(meta.get("language", "en")),
                        answers, anonymous)


def anonymous_thanks(language: str) -> dict[str, Any]:
    """Return the view an anonymous form turns into: thanks that name nothing of it."""
    _ = gettext_for(language, DOMAIN)
    return {
        "type": "modal",
        "title": plain(_("Feedback"), 24),
        "close": plain(_("Close"), 24),
        "blocks": [
            section_block(_("Thank you! Your feedback was sent anonymously.")),
            context_block(_("Nothing we store links it to you, and no message about it is kept "
                       "in your conversation with the bot.")),
        ],
    }


def section_block(text: str) -> Block:
    """Return a mrkdwn section (Slack allows 3000 characters)."""
    if len(text) > 3000:
        text = text[:2999] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context_block(text: str) -> Block:
    """Return a small grey line of mrkdwn."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
