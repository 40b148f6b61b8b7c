"""The widget in real Chromium: clicks, keyboard only, reload, hostile text, French, 320 px."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import select

from bot import api_tokens, staff
from bot.messages import Kind, Outbound
from bot.outbox import enqueue
from ecoute.output import write_export
from storage.models import Answer, Conversation, Respondent
from tests.browser.fixtures import ARTIFACTS, TIMEOUT_MS, Shop, Site

pytestmark = pytest.mark.browser

Opener = Callable[..., Page]
SCORE_QUESTION = "How likely are you to recommend us to a friend or colleague?"
THANKS = "Thank you for your feedback, it helps us improve."


def exported(site: Site) -> list[dict]:
    """Return what ``ecoute export responses`` prints, as records."""
    out = io.StringIO()
    with site.db.transaction() as session:
        write_export(session, out, "jsonl", None)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def shadow(page: Page, script: str) -> object:
    """Evaluate ``script`` with ``root`` bound to the widget's shadow root."""
    return page.evaluate(f"(() => {{ const root = document.querySelector('ecoute-widget')"
                         f".shadowRoot; return {script}; }})()")


def test_clicks_complete_an_nps_dialogue_on_a_page_with_hostile_css(
    page: Page, open_shop: Opener, site: Site
) -> None:
    open_shop(page)
    bubble = page.get_by_role("button", name="Feedback")
    expect(bubble).to_be_visible()
    assert bubble.evaluate("b => getComputedStyle(b).fontSize") == "15px"
    bubble.click()
    expect(page.get_by_text(SCORE_QUESTION)).to_be_visible()
    expect(page.get_by_text("Question 1 of 2")).to_be_visible()
    page.get_by_role("button", name="9", exact=True).click()
    answer = page.get_by_role("textbox", name="Your answer")
    expect(page.get_by_text("Wonderful! What do you like most about us?")).to_be_visible()
    assert answer.bounding_box()["width"] > 100
    answer.fill("The staff <b>really</b> listen")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(THANKS)).to_be_visible()
    page.get_by_role("button", name="No", exact=True).click()
    expect(page.get_by_text("Understood, we will not message you.")).to_be_visible()
    answer.fill("stop")  # the commands work after the survey too
    answer.press("Enter")
    expect(page.get_by_text("Done: you will not receive any more messages from us.",
                            exact=False)).to_be_visible()

    [record] = exported(site)
    assert record["channel"] == "web"
    assert record["answers"] == {"score": 9, "why_promoter": "The staff <b>really</b> listen"}
    # The widget added no style to the host page, whose own rules still hold.
    assert page.evaluate("document.styleSheets.length") == 1
    title = page.locator("#shop-title")
    assert title.evaluate("h => getComputedStyle(h).color") == "rgb(255, 0, 0)"


def test_the_keyboard_alone_completes_a_dialogue(
    page: Page, open_shop: Opener, site: Site
) -> None:
    open_shop(page)
    expect(page.get_by_role("button", name="Feedback")).to_be_visible()
    for _ in range(6):
        page.keyboard.press("Tab")
        if shadow(page, "root.activeElement && root.activeElement.className") == "bubble":
            break
    else:
        pytest.fail("the bubble never got the focus")
    page.keyboard.press("Enter")
    expect(page.get_by_text(SCORE_QUESTION)).to_be_visible()
    zero = page.get_by_role("button", name="0", exact=True)
    expect(zero).to_be_focused()
    assert zero.evaluate("b => getComputedStyle(b).outlineStyle") == "solid"
    for _ in range(9):
        page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="9", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    answer = page.get_by_role("textbox", name="Your answer")
    expect(answer).to_be_focused()
    page.keyboard.type("Quick and friendly")
    page.keyboard.press("Enter")
    expect(page.get_by_text(THANKS)).to_be_visible()
    expect(page.get_by_role("button", name="Yes, tell me")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="I'd like to take part in future tests")).to_be_focused()
    page.keyboard.press("Tab")  # the standing panel's offer: no thanks
    expect(page.get_by_role("button", name="No thanks")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Your answer")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(page.get_by_role("button", name="Feedback")).to_be_focused()
    assert exported(site)[0]["answers"] == {"score": 9, "why_promoter": "Quick and friendly"}


def test_new_messages_are_announced_in_a_live_region(page: Page, open_shop: Opener) -> None:
    open_shop(page)
    page.get_by_role("button", name="Feedback").click()
    log = page.get_by_role("log")
    expect(log).to_contain_text(SCORE_QUESTION)
    assert log.get_attribute("aria-live") == "polite"
    dialog = page.get_by_role("dialog", name="Your feedback")
    expect(dialog).to_be_visible()
    assert page.get_by_role("button", name="Feedback").get_attribute("aria-expanded") == "true"


def test_a_reload_mid_way_resumes_the_same_conversation(
    page: Page, open_shop: Opener, site: Site
) -> None:
    open_shop(page)
    page.get_by_role("button", name="Feedback").click()
    page.get_by_role("button", name="3", exact=True).click()
    sorry = "We're sorry to hear that. What disappointed you the most?"
    expect(page.get_by_text(sorry)).to_be_visible()
    page.reload()
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text(sorry)).to_be_visible()
    expect(page.get_by_text("Question 2 of 2")).to_be_visible()
    page.goto(page.url + "contact")  # another page of the same site
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text(sorry)).to_be_visible()
    page.get_by_role("textbox", name="Your answer").fill("Waited too long")
    page.keyboard.press("Enter")
    expect(page.get_by_text(THANKS)).to_be_visible()
    [record] = exported(site)
    assert record["answers"] == {"score": 3, "why_detractor": "Waited too long"}


def test_hostile_survey_text_is_shown_as_text_and_runs_nothing(
    page: Page, open_shop: Opener, site: Site
) -> None:
    open_shop(page, survey="hostile")
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text('Shown as text? <img src=x onerror="window.pwned=1">')).to_be_visible()
    page.get_by_role("button", name="Yes", exact=True).click()
    expect(page.get_by_text("Thanks <script>window.pwned=2</script>")).to_be_visible()
    assert shadow(page, "root.querySelectorAll('img, script, b').length") == 0
    assert page.evaluate("window.pwned") is None
    page.goto(f"{site.url}/s/hostile")
    expect(page.get_by_role("heading", name='Hostile <b onmouseover="window.pwned=3">title</b>'))\
        .to_be_visible()
    expect(page.get_by_text('Shown as text? <img src=x onerror="window.pwned=1">')).to_be_visible()
    assert page.evaluate("window.pwned") is None


def test_a_french_browser_gets_french_and_its_timezone_is_kept(
        browser: Browser, site: Site, shop: Shop) -> None:
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    shop.html = (f'<!doctype html><meta charset="utf-8"><p>Boutique</p>'
                 f'<script src="{site.url}/widget.js" data-survey="nps" async></script>')
    page.goto(f"{shop.origin}/")
    page.get_by_role("button", name="Votre avis").click()
    expect(page.get_by_text("Quelle est la probabilité que vous nous recommandiez"))\
        .to_be_visible()
    expect(page.get_by_text("Question 1 sur 2")).to_be_visible()
    expect(page.get_by_role("textbox", name="Votre réponse")).to_be_visible()
    expect(page.get_by_role("button", name="Fermer")).to_be_visible()
    visitor = page.evaluate("localStorage.getItem('ecoute:visitor')")
    with site.db.reading() as connection:
        zone = connection.execute(select(Respondent.timezone).where(
            Respondent.channel == "web", Respondent.external_id == visitor)).scalar_one()
    assert zone == "Europe/Paris", "quiet hours follow the visitor's own clock"
    context.close()


def test_the_widget_fits_a_320_px_phone(browser: Browser, site: Site) -> None:
    # Layout is measured once the panel has settled: without motion, nothing is mid-slide.
    context = browser.new_context(locale="en-GB", viewport={"width": 320, "height": 568},
                                  is_mobile=True, has_touch=True, reduced_motion="reduce")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{site.url}/")
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text(SCORE_QUESTION)).to_be_visible()
    boxes = [page.get_by_role("button", name=str(n), exact=True).bounding_box()
             for n in range(11)]
    assert all(box["x"] >= 0 and box["x"] + box["width"] <= 320 for box in boxes)
    assert all(box["width"] >= 22 and box["height"] >= 40 for box in boxes)
    tops = [box["y"] for box in boxes]
    assert max(tops) - min(tops) < 2, "the scale fits on one row"
    assert shadow(page, "root.querySelector('.panel').scrollWidth <= 320")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-320px.png"))
    page.get_by_role("button", name="10", exact=True).tap()
    expect(page.get_by_text("Wonderful! What do you like most about us?")).to_be_visible()
    context.close()


def test_the_standalone_page_runs_the_survey_with_its_context(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/s/csat?context=shop12")
    expect(page.get_by_role("heading", name="How did we do?")).to_be_visible()
    expect(page.get_by_role("button", name="Feedback")).to_have_count(0)
    expect(page.get_by_role("region", name="Your feedback")).to_be_visible()
    page.get_by_role("button", name="2", exact=True).click()
    expect(page.get_by_text("What should we improve?")).to_be_visible()
    page.get_by_role("textbox", name="Your answer").fill("Longer opening hours")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you, your answer has been recorded.")).to_be_visible()
    with site.db.transaction() as session:
        conversation = session.scalar(select(Conversation))
        assert (conversation.context, conversation.status) == ("shop12", "completed")


def test_a_newcomer_completes_the_survey_on_the_demo_page(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/")
    expect(page.get_by_role("heading", name="Écoute")).to_be_visible()
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text(SCORE_QUESTION)).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget-open.png"))
    page.get_by_role("button", name="10", exact=True).click()
    expect(page.get_by_text("Wonderful! What do you like most about us?")).to_be_visible()
    page.get_by_role("textbox", name="Your answer").fill("Everything")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text(THANKS)).to_be_visible()
    assert exported(site)[0]["answers"] == {"score": 10, "why_promoter": "Everything"}


def test_the_visitor_is_a_random_id_in_local_storage_and_no_cookie(
    page: Page, open_shop: Opener
) -> None:
    open_shop(page)
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text(SCORE_QUESTION)).to_be_visible()
    visitor = page.evaluate("localStorage.getItem('ecoute:visitor')")
    assert len(visitor) >= 32
    assert page.context.cookies() == []


def test_reduced_motion_opens_the_panel_without_animation(
    browser: Browser, site: Site
) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{site.url}/")
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text(SCORE_QUESTION)).to_be_visible()
    assert shadow(page, "getComputedStyle(root.querySelector('.panel')).animationName") == "none"
    context.close()
    context = browser.new_context(reduced_motion="no-preference")
    page = context.new_page()
    page.goto(f"{site.url}/")
    page.get_by_role("button", name="Feedback").click()
    assert shadow(page, "getComputedStyle(root.querySelector('.panel')).animationName") == "rise"
    context.close()


def test_an_answer_whose_reply_was_lost_is_sent_again_and_counted_once(
    page: Page, open_shop: Opener, site: Site, problems: list[str]
) -> None:
    open_shop(page)
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text(SCORE_QUESTION)).to_be_visible()
    bodies: list[str] = []

    def lose_the_first_reply(route: Route) -> None:
        bodies.append(route.request.post_data or "")
        if len(bodies) == 1:
            route.fetch()  # the server applies it...
            route.abort("connectionreset")  # ...but the reply never arrives
        else:
            route.continue_()

    page.route("**/api/widget/v1/conversations/*/messages", lose_the_first_reply)
    page.get_by_role("button", name="8", exact=True).click()
    expect(page.get_by_text("Thank you! What would it take for you to give us a 10?"))\
        .to_be_visible()
    assert len(bodies) == 2
    assert json.loads(bodies[0])["client_message_id"] == json.loads(bodies[1])["client_message_id"]
    with site.db.transaction() as session:
        assert session.scalars(select(Answer.question_id)).all() == ["score"]
    assert [p for p in problems if "ERR_CONNECTION_RESET" in p] == problems != []
    problems.clear()  # the one lost reply, on purpose


def test_an_announcement_waiting_in_the_inbox_shows_when_the_widget_opens(
    page: Page, open_shop: Opener, site: Site
) -> None:
    open_shop(page)
    page.get_by_role("button", name="Feedback").click()
    page.get_by_role("button", name="4", exact=True).click()
    expect(page.get_by_text("We're sorry to hear that.", exact=False)).to_be_visible()
    page.get_by_role("textbox", name="Your answer").fill("The queue at the till")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes, tell me").click()
    expect(page.get_by_text("Thank you! We will tell you what changes.")).to_be_visible()
    with site.db.transaction() as session:
        respondent = session.scalar(select(Respondent.id).where(Respondent.channel == "web"))
    news = "You said the queue was long: we opened a second till. <b>Thanks!</b>"
    enqueue(site.db, key="improvement-7", kind="announcement", channel="web",
            message=Outbound(news, Kind.ANNOUNCEMENT), respondent_id=respondent,
            now=datetime.now(UTC))
    page.reload()
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text(news)).to_be_visible()
    # and the conversation resumes: the complaint offered after that low score
    expect(page.get_by_text("Would you like us to handle this as a complaint?",
                            exact=False)).to_be_visible()


def test_a_triggered_survey_waits_in_the_inbox_and_a_click_answers_it(
    page: Page, open_shop: Opener, site: Site
) -> None:
    open_shop(page)
    page.get_by_role("button", name="Feedback").click()
    page.get_by_role("button", name="10", exact=True).click()
    expect(page.get_by_text("Wonderful! What do you like most about us?")).to_be_visible()
    page.get_by_role("textbox", name="Your answer").fill("Friendly staff")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Yes, tell me").click()
    expect(page.get_by_text("Thank you! We will tell you what changes.")).to_be_visible()
    with site.db.transaction() as session:
        visitor = session.scalar(select(Respondent.external_id).where(
            Respondent.channel == "web"))
    token = api_tokens.issue_token(site.db, "shop", "write", created_by=None, actor=staff.CLI,
                                   now=datetime.now(UTC))[0]
    planned = httpx.post(f"{site.url}/api/v1/invitations", headers={
        "Authorization": f"Bearer {token}"}, json={
        "survey": "csat", "channel": "web", "external_id": visitor, "context": "delivery-981"})
    assert planned.status_code == 202

    page.reload()
    page.get_by_role("button", name="Feedback").click()
    expect(page.get_by_text("A quick question from us: How did we do?", exact=False)
           ).to_be_visible()
    page.get_by_role("button", name="2", exact=True).click()
    expect(page.get_by_text("What should we improve?")).to_be_visible()
    page.get_by_role("textbox", name="Your answer").fill("A bigger car park")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Thank you, your answer has been recorded.")).to_be_visible()
    expect(page.get_by_text(SCORE_QUESTION)).to_have_count(0)  # the page's survey waited
    with site.db.transaction() as session:
        answered = session.scalars(select(Conversation).where(
            Conversation.context == "delivery-981")).one()
        assert answered.values == {"rating": 2, "improve": "A bigger car park"}
