"""The complainant's side in real Chromium: the widget files, shows staff news, takes the answers.

The widget runs on a shop's page of another origin (CORS for real) against Écoute
served on loopback; staff act as the board does (a move with a visible note, then
:func:`bot.complaint_notices.after_event`); the news waits in the widget's inbox.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from storage.vocabulary import ComplaintStatus as S
from tests.browser.fixtures import Site
from tests.complaints.conftest import complaints
from tests.complaints.test_notices import staff_moves

pytestmark = pytest.mark.browser



def test_a_visitor_files_hears_writes_and_settles_in_the_widget(
        page: Page, open_shop: Callable[..., Page], site: Site) -> None:
    open_shop(page, survey="complaint")
    page.get_by_role("button", name="Feedback").click()
    page.get_by_role("button", name="Billing").click()
    page.get_by_role("textbox", name="Your answer").fill("I was charged twice")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Skip").click()
    page.get_by_role("button", name="It is annoying").click()
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.get_by_text("registered under the reference R-2026-0001",
                            exact=False)).to_be_visible()

    staff_moves(site.ecoute, S.ACKNOWLEDGED, "We found both charges.")
    open_shop(page, survey=None)  # later, on another page of the shop
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text("We found both charges.", exact=False)).to_be_visible()
    page.get_by_role("textbox", name="Your answer").fill("It was my Visa card")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your message was added to your complaint R-2026-0001.",
                            exact=False)).to_be_visible()

    staff_moves(site.ecoute, S.RESOLVED, "The second charge is refunded.")
    open_shop(page, survey=None)
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text("Does this settle your complaint?", exact=False)).to_be_visible()
    page.get_by_role("button", name="Yes, it is settled").click()
    expect(page.get_by_text("Thank you! Your complaint R-2026-0001 is closed.")).to_be_visible()
    page.get_by_role("button", name="4", exact=True).click()
    expect(page.get_by_text("Thank you for your rating!")).to_be_visible()
    [complaint] = complaints(site.ecoute)
    assert (complaint.status, complaint.closure, complaint.handling_score) == (
        "closed", "confirmed", 4)
