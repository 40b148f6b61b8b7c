"""The website widget: its JSON requests become the core's inbound messages (``adapter``).

It is a pull channel: the widget asks for its proactive messages, so it has no
sender. Its name in the data is ``web``. :data:`CHANNEL` is the registry's entry.
"""

from __future__ import annotations

from channels.registry import Channel

NAME = "web"


class WidgetChannelEntry(Channel):
    """The widget's facts: a pull channel, nothing to start."""

    name = NAME
    pull = True


CHANNEL = WidgetChannelEntry()
