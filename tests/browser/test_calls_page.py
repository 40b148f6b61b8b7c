"""Calls for participants in real Chromium: a manager opens one on a phone and sees who is in."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.fixtures import Site, sign_in
from tests.test_calls import customer

pytestmark = pytest.mark.browser


def open_call(page: Page, site: Site, title: str, places: str, *,
              browser_checks: bool = True) -> str:
    """Fill the console's form as a manager would, send it, and return where the page went."""
    page.goto(f"{site.url}/admin/calls")
    page.get_by_label("Title (English)").fill(title)
    page.get_by_label("Title (French)").fill("Goûtez notre pain")
    page.get_by_label("Description (English)").fill("Thirty minutes in our Lyon shop.")
    page.get_by_label("What it is").select_option("product_test")
    page.get_by_label("Where").fill("Lyon")
    page.get_by_label("When (UTC)").fill("2030-01-10T10:00")
    page.get_by_label("Places").fill(places)
    page.get_by_label("Closes (UTC)").fill("2030-01-05T18:00")
    page.get_by_label("Score band").select_option("promoter")
    if not browser_checks:  # as an old browser, or a hand-made request, would send it
        page.evaluate("document.querySelector('form.card').noValidate = true")
    page.get_by_role("button", name="Open the call and send the invitations").click()
    return page.url


def test_a_manager_opens_a_call_on_a_phone_and_sees_who_is_in(page: Page, site: Site) -> None:
    ana = customer(site.ecoute, "ana")
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, site, "manager")
    address = open_call(page, site, "Taste our <b>new</b> bread", places="1")
    expect(page.get_by_text("Call opened: 1 invitations planned.")).to_be_visible()
    expect(page.get_by_role("heading", name="Taste our <b>new</b> bread")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    ana.taps("in", ref=f"call:{address.rsplit('/', 1)[-1]}")
    ana.says("ana@example.org")
    page.reload()
    row = page.locator("table tbody tr").filter(has_text="ana")
    expect(row).to_contain_text("Confirmed")
    expect(row).to_contain_text("ana@example.org")
    page.get_by_role("button", name="Close the call").click()
    expect(page.get_by_text("Call closed.")).to_be_visible()
    expect(page.get_by_role("button", name="Close the call")).to_have_count(0)


def test_a_mistake_the_browser_let_through_is_explained_and_what_was_typed_is_kept(
        page: Page, site: Site, problems: list[str]) -> None:
    sign_in(page, site, "manager")
    open_call(page, site, "Focus group", places="0", browser_checks=False)
    expect(page.get_by_role("alert")).to_contain_text("places must be from 1 to 100000")
    expect(page.get_by_label("Where")).to_have_value("Lyon")
    expect(page.get_by_label("Title (English)")).to_have_value("Focus group")
    assert len(problems) == 1 and "status of 400" in problems[0], problems  # the refusal's
    problems.clear()
