"""Improvements in real Chromium: write a draft, tick responses, link a whole filter, on a phone.

The response browser's checkboxes sit in the table, outside the form that posts
them (``form="link-checked"``): only a real browser shows that they are sent.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.fixtures import Site, sign_in
from tests.conftest import Person

pytestmark = pytest.mark.browser


def answer(site: Site, name: str, score: str, comment: str) -> None:
    """Let someone answer the NPS survey with a score and a comment."""
    person = Person(site.ecoute.engine, name, locale="en")
    person.send(command="start", argument="nps")
    person.says(score)
    person.says(comment)


def test_a_manager_writes_an_improvement_and_links_feedback_from_the_response_browser(
        page: Page, site: Site) -> None:
    answer(site, "ana", "2", "My parcel was late <b>again</b>")
    answer(site, "bob", "3", "Delivery took two weeks")
    answer(site, "cy", "10", "Lovely staff")
    sign_in(page, site, "manager")
    page.get_by_role("link", name="You said, we did").click()
    page.get_by_role("link", name="Write an improvement").click()
    page.get_by_label("You said (a short summary of the feedback)").fill("Parcels came late")
    page.get_by_label("We did (what was changed)").fill("We changed carrier")
    page.get_by_role("button", name="Save the draft").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Draft saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_be_visible()

    page.get_by_role("link", name="Choose in the response browser").click()
    rows = page.locator("table.responses tbody tr")
    expect(rows).to_have_count(3)
    rows.filter(has_text="My parcel was late").get_by_role("checkbox").check()
    page.get_by_role("button", name="Link the ticked responses").click()
    expect(page.get_by_text("1 linked.")).to_be_visible()
    expect(page.get_by_role("heading", name="Linked feedback: 1")).to_be_visible()
    expect(page.locator("q")).to_have_text("My parcel was late <b>again</b>")  # as text

    page.get_by_role("link", name="Choose in the response browser").click()
    page.get_by_label("Score band").select_option("detractor")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)
    page.get_by_role("button", name="Link every response these filters match").click()
    expect(page.get_by_text("1 linked.")).to_be_visible()  # ana's was linked already
    expect(page.get_by_role("heading", name="Linked feedback: 2")).to_be_visible()


def test_suggestions_are_accepted_on_a_phone(page: Page, site: Site) -> None:
    answer(site, "ana", "2", "Mon colis est arrivé en retard")
    answer(site, "cy", "4", "The cashier was rude")
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, site, "manager")
    page.goto(f"{site.url}/admin/improvements/new")
    page.get_by_label("You said (a short summary of the feedback)").fill("Parcels came late")
    page.get_by_label("We did (what was changed)").fill("We changed carrier")
    page.get_by_role("button", name="Save the draft").click()
    page.get_by_role("link", name="Suggestions").click()
    first = page.locator("ol.suggestions > li").first
    expect(first).to_contain_text("Mon colis est arrivé en retard")
    first.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Suggestion accepted: it is linked.")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("link", name="← Improvement #1").click()
    expect(page.get_by_role("heading", name="Linked feedback: 1")).to_be_visible()
