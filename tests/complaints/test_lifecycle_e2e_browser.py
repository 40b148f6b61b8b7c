"""The complainant's side in real Chromium: the widget files, shows staff news, takes the answers.

The widget runs on a shop's page of another origin (CORS for real) against Écoute
served on loopback; staff act as the board does (a move with a visible note, then
:func:`bot.complaint_notices.after_event`); the news waits in the widget's inbox.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, Request, Route, expect

from storage.vocabulary import ComplaintStatus as S
from tests.browser.fixtures import Site
from tests.complaints.conftest import complaints
from tests.complaints.test_notices import staff_moves

pytestmark = pytest.mark.browser


def files_a_complaint(page: Page, open_shop: Callable[..., Page]) -> None:
    """Let the visitor file R-2026-0001 in the widget, agreeing to be contacted about it."""
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


def test_a_visitor_files_hears_writes_and_settles_in_the_widget(
        page: Page, open_shop: Callable[..., Page], site: Site) -> None:
    files_a_complaint(page, open_shop)
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


def held(page: Page, url: str, method: str) -> list[Route]:
    """Hold the page's ``method`` requests to ``url`` until the test lets each one go."""
    routes: list[Route] = []

    def hold(route: Route) -> None:
        if route.request.method == method:
            routes.append(route)
        else:
            route.continue_()

    page.route(url, hold)
    return routes


def widget_call(request: Request) -> str:
    """Name a request to the widget API by its method and path, the conversation id as ID."""
    path = request.url.partition("/api/widget/v1/")[2]
    return f"{request.method} {re.sub(r'conversations/[^/]+', 'conversations/ID', path)}"


def test_a_reply_typed_while_the_widget_opens_keeps_the_focus(
        page: Page, open_shop: Callable[..., Page], site: Site) -> None:
    """The survey menu arriving late (a slow phone) takes neither the focus nor the words.

    The visitor reads the staff news and types back before the widget has finished
    opening; when the menu arrives, Enter still sends what they typed to the complaint
    rather than pressing the menu's first button (a survey they did not ask for).
    """
    files_a_complaint(page, open_shop)
    staff_moves(site.ecoute, S.ACKNOWLEDGED, "We found both charges.")
    starts = held(page, "**/api/widget/v1/conversations", "POST")
    open_shop(page, survey=None)
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/conversations")):
        page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text("We found both charges.", exact=False)).to_be_visible()
    answer = page.get_by_role("textbox", name="Your answer")
    answer.fill("It was my Visa card")
    [menu] = starts
    menu.continue_()
    expect(page.get_by_text("Which survey would you like to answer?")).to_be_visible()
    expect(answer).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Your message was added to your complaint R-2026-0001.",
                            exact=False)).to_be_visible()
    expect(answer).to_have_value("")


def test_a_reply_sent_while_the_widget_opens_waits_for_the_opening(
        page: Page, open_shop: Callable[..., Page], site: Site) -> None:
    """Enter pressed while the widget still asks about the last conversation is sent after.

    The reply stays in the box until the menu the opening was fetching has arrived,
    then goes, once, to the complaint: the two requests never race.
    """
    files_a_complaint(page, open_shop)
    staff_moves(site.ecoute, S.ACKNOWLEDGED, "We found both charges.")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(widget_call(r)))
    resumes = held(page, "**/api/widget/v1/conversations/*", "GET")
    open_shop(page, survey=None)
    with page.expect_request(lambda r: r.method == "GET" and "/conversations/" in r.url):
        page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text("We found both charges.", exact=False)).to_be_visible()
    answer = page.get_by_role("textbox", name="Your answer")
    answer.fill("It was my Visa card")
    answer.press("Enter")
    expect(answer).to_have_value("It was my Visa card")  # kept while the widget opens
    [resume] = resumes
    resume.continue_()
    expect(page.get_by_text("Your message was added to your complaint R-2026-0001.",
                            exact=False)).to_be_visible()
    expect(answer).to_have_value("")
    assert sent[-4:] == ["POST inbox", "GET conversations/ID", "POST conversations",
                         "POST conversations/ID/messages"]
