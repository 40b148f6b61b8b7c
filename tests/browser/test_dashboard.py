"""The dashboard in real Chromium: a staff member watches, a visitor answers in the widget,
and the new answer appears on the open dashboard within seconds, without a reload.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.fixtures import TIMEOUT_MS, Site, sign_in

pytestmark = pytest.mark.browser


def test_an_answer_in_the_widget_appears_on_the_open_dashboard_without_reload(
    page: Page, browser: Browser, site: Site, open_shop: Callable[..., Page]
) -> None:
    sign_in(page, site)
    nps = page.locator("[data-figure=nps]")
    expect(nps).to_have_text("—")
    expect(page.locator("#headline-nps")).to_contain_text("0 answers")
    page.evaluate("window.kept = 'no reload'")  # a reload would lose it

    visitor = browser.new_context(locale="en-US").new_page()
    try:
        open_shop(visitor)
        visitor.get_by_role("button", name="Feedback").click()
        visitor.get_by_role("button", name="3", exact=True).click()
        answer = visitor.get_by_role("textbox", name="Your answer")
        answer.fill("Delivery was late")
        visitor.get_by_role("button", name="Send").click()
    finally:
        visitor.context.close()

    expect(nps).to_have_text("-100.0", timeout=TIMEOUT_MS)
    expect(page.locator("#headline-nps")).to_contain_text("1 answers")
    expect(page.locator("#detractor-comments")).to_contain_text("Delivery was late")
    assert page.evaluate("window.kept") == "no reload"
    link = page.locator("#detractor-comments a").first
    link.click()
    expect(page.get_by_text("Delivery was late").first).to_be_visible()


def test_the_dashboard_fits_a_phone_and_its_charts_load_nothing_from_outside(
    page: Page, site: Site
) -> None:
    outside: list[str] = []
    page.on("request", lambda request: outside.append(request.url)
            if not request.url.startswith(site.url) and not request.url.startswith("data:")
            else None)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, site, "manager")
    assert page.locator("figure.chart svg").count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert outside == []
