"""Socket Mode: Slack's traffic over a WebSocket the app opens, for sites without a public URL.

A :class:`SlackSocketService` is one of the services ``ecoute serve`` and
``ecoute worker`` start when ``SLACK_APP_TOKEN`` is set; the same Bolt app (and
so the same listeners) serves it as serves HTTP. Socket Mode envelopes are
acknowledged by Bolt before the listeners run.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from channels.slack.adapter import SlackChannel

log = logging.getLogger(__name__)


class SlackSocketService:
    """Runs a Slack channel over Socket Mode in the background."""

    def __init__(self, channel: SlackChannel, app_token: str) -> None:
        self.channel = channel
        self.app_token = app_token
        self._handler: SocketModeHandler | None = None

    def start(self) -> None:
        """Open the WebSocket (``apps.connections.open``) and serve events in the background."""
        self._handler = SocketModeHandler(self.channel.app, self.app_token,
                                          web_client=self.channel.client)
        self._handler.connect()
        log.info("slack: connected in Socket Mode")

    def stop(self) -> None:
        """Close the WebSocket."""
        if self._handler is not None:
            self._handler.close()
            self._handler = None
