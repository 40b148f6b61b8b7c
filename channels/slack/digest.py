"""The weekly digest in Block Kit: a header, one section per part, a divider between them.

The core sends the digest as an :class:`~bot.messages.Outbound` of kind ``digest``
whose ``fields`` are (heading, body) pairs (:func:`bot.digest.to_outbound`); this
lays them out. The message's ``text`` fallback (notifications, screen readers)
is made by :func:`channels.slack.render.fallback_text`, headings and bodies as lines.
"""

from __future__ import annotations

from typing import Any

from bot.messages import Outbound
from channels.slack.render import escape

Block = dict[str, Any]
SECTION = 3000  # Slack's limit of a section's text
HEADER = 150  # and of a header's


def digest_blocks(message: Outbound) -> list[Block]:
    """Return a digest's blocks: its title as a header, then each part as a section."""
    title = message.text if len(message.text) <= HEADER else message.text[:HEADER - 1] + "…"
    blocks: list[Block] = [{"type": "header",
                            "text": {"type": "plain_text", "text": title, "emoji": True}}]
    for heading, body in message.fields[:45]:  # Slack allows 50 blocks
        text = f"*{escape(heading)}*\n{escape(body)}"
        if len(text) > SECTION:
            text = text[:SECTION - 1] + "…"
        blocks += [{"type": "divider"},
                   {"type": "section", "text": {"type": "mrkdwn", "text": text}}]
    return blocks

