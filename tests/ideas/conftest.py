"""Fixtures of the ideas' tests: Slack on its loopback emulator (the channel tests' fixtures)."""

from __future__ import annotations

from typing import Any

import pytest

from testkit.emulators.slack import SlackEmulator, SlackWorkspace
from tests.channels import conftest as channels
from tests.console import conftest as consoles

# the channel tests' fixtures, shared
slack_api = channels.slack_api
slack_settings = channels.slack_settings
slack_ecoute = channels.slack_ecoute
slack = channels.slack
slack_in_step = channels.slack_in_step
slack_outbox = channels.slack_outbox


class Employee:
    """One employee in Slack: opens ``/idea``, sends it, opens App Home and taps 👍."""

    def __init__(self, slack: SlackWorkspace, api: SlackEmulator, user: str) -> None:
        self.slack, self.api, self.user = slack, api, user

    def idea(self, text: str, service: str | None = "it", *, anonymous: bool = False,
             view_id: str | None = None) -> Any:
        """Open /idea and send ``text``; return Slack's response to the submission."""
        opened = len(self.api.calls("views.open"))
        assert self.slack.command(self.user, "/idea").status_code == 200
        view = self.api.wait_for("views.open", opened + 1)[-1].params["view"]
        values = {"idea_text": text, **({"idea_service": service} if service else {})}
        return self.slack.submit(self.user, view, values, anonymous=anonymous,
                                 view_id=view_id or f"V{self.user}{opened}")

    def home(self) -> dict[str, Any]:
        """Open App Home; return the view published for this employee."""
        published = len(self.api.calls("views.publish"))
        assert self.slack.home(self.user).status_code == 200
        return self.api.wait_for("views.publish", published + 1)[-1].params["view"]

    def support(self, view: dict[str, Any], idea_id: int) -> dict[str, Any]:
        """Tap 👍 on an idea of App Home; return App Home as published again."""
        published = len(self.api.calls("views.publish"))
        response = self.slack.tap_view(self.user, view, f"ecoute_support_idea_{idea_id}")
        assert response.status_code == 200
        return self.api.wait_for("views.publish", published + 1)[-1].params["view"]


@pytest.fixture
def ada(slack_in_step: SlackWorkspace, slack_api: SlackEmulator) -> Employee:
    """Return Ada, an English-speaking employee (Slack user U1)."""
    return Employee(slack_in_step, slack_api, "U1")


@pytest.fixture
def bea(slack_in_step: SlackWorkspace, slack_api: SlackEmulator) -> Employee:
    """Return Béa, a French-speaking employee (Slack user U2)."""
    return Employee(slack_in_step, slack_api, "U2")


# the console tests' fixtures, shared
quick_hashes = consoles.quick_hashes
served = consoles.served
app = consoles.app
team = consoles.team
