"""A customer files a complaint on its own page, in Chromium, with clicks and typing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from storage.models import Complaint
from tests.browser.fixtures import Site

pytestmark = pytest.mark.browser


def test_the_complaint_page_files_a_complaint_and_shows_its_reference(page: Page,
                                                                      site: Site) -> None:
    page.goto(f"{site.url}/s/complaint")
    expect(page.get_by_role("heading", name="File a complaint")).to_be_visible()
    page.get_by_role("button", name="Billing", exact=True).click()
    expect(page.get_by_text("Please describe what happened.")).to_be_visible()
    page.get_by_role("textbox", name="Your answer").fill("Charged twice <b>for one</b> order")
    page.get_by_role("button", name="Send").click()
    page.get_by_role("button", name="Skip", exact=True).click()
    page.get_by_role("button", name="It is annoying", exact=True).click()
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.get_by_text("Your complaint is registered under the reference R-")).to_be_visible()
    with site.db.transaction() as session:
        complaint = session.scalars(select(Complaint)).one()
    assert complaint.description == "Charged twice <b>for one</b> order"
    expect(page.get_by_text(f"type “status {complaint.reference}”")).to_be_visible()
