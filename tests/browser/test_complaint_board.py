"""The complaint board in real Chromium: sign in, filter, open one, acknowledge, assign, history.

A description full of markup shows as text (no script runs); the forms work with
the keyboard; the board fits a phone's width.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from storage.vocabulary import Urgency
from tests.browser.fixtures import Site, sign_in
from tests.complaints.test_actions import file_one

pytestmark = pytest.mark.browser

HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> charged twice'


def test_a_manager_filters_opens_acknowledges_with_a_visible_note_and_assigns(
        page: Page, site: Site) -> None:
    reference = file_one(site.ecoute, category="billing", description=HOSTILE,
                         urgency=Urgency.BLOCKING)
    file_one(site.ecoute, category="delivery", description="Parcel late")
    sign_in(page, site, "manager")
    page.get_by_role("link", name="Complaints").click()
    rows = page.locator("table.complaints tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Category").select_option("billing")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    assert "category=billing" in page.url
    expect(rows.first).to_contain_text("critical")

    page.get_by_role("link", name=reference).focus()
    page.keyboard.press("Enter")  # by keyboard
    expect(page.get_by_role("heading", name=f"Complaint {reference}")).to_be_visible()
    expect(page.locator("p.description")).to_have_text(HOSTILE)
    assert page.evaluate("window.pwned") is None
    expect(page.locator("ul.deadlines")).to_contain_text("business hours left")

    page.get_by_label("New status").select_option("acknowledged")
    page.get_by_label("Note", exact=True).fill("We are refunding the second charge")
    page.get_by_label("Send this note to the complainant").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("The complaint is updated.")
    expect(page.locator("#status")).to_have_text("acknowledged")

    page.get_by_label("Assign to").select_option(label="manager@example.com")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator("#assignee")).to_have_text("manager@example.com")
    history = page.locator("ol.history li")
    expect(history).to_have_count(3)
    expect(history.nth(1)).to_contain_text("received → acknowledged")
    expect(history.nth(1)).to_contain_text("We are refunding the second charge")
    expect(history.nth(1)).to_contain_text("to the complainant, not sent yet")
    expect(history.nth(2)).to_contain_text("assigned to manager@example.com")


def test_a_rejection_without_its_reason_is_refused_on_the_page(page: Page, site: Site,
                                                              problems: list[str]) -> None:
    reference = file_one(site.ecoute)
    sign_in(page, site, "admin")
    page.goto(f"{site.url}/admin/complaints/{reference}")
    page.get_by_label("New status").select_option("rejected")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("A rejection needs a reason")
    expect(page.locator("#status")).to_have_text("received")
    assert len(problems) == 1 and "status of 400" in problems[0], problems  # the refusal's
    problems.clear()


def test_the_board_and_a_complaint_fit_a_phone(browser: Browser, site: Site) -> None:
    reference = file_one(site.ecoute)
    context = browser.new_context(locale="en-US", viewport={"width": 375, "height": 740})
    phone = context.new_page()
    sign_in(phone, site, "viewer")
    for path in ("/admin/complaints", f"/admin/complaints/{reference}"):
        phone.goto(site.url + path)
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 375, f"{path} is {width} px wide on a phone"
    expect(phone.locator("#status")).to_have_text("received")
    context.close()
