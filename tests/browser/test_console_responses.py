"""The response browser in real Chromium: sign in, filter, follow an alert's link, go back, export.

Free text full of markup shows as text on every page (no script runs, no element
is made from it), the filters live in the URL, and the export is a real download.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from storage.models import AuditEntry, Delivery
from tests.browser.fixtures import Site, sign_in
from tests.conftest import Person

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> slow'


def answer(site: Site, name: str, score: str, comment: str, context: str | None = None) -> None:
    """Let someone answer the NPS survey with a score and a comment."""
    person = Person(site.ecoute.engine, name, locale="en")
    person.send(command="start", argument="nps", context=context)
    person.says(score)
    person.says(comment)



def test_a_manager_filters_follows_an_alert_link_goes_back_and_exports(
        page: Page, site: Site) -> None:
    engine = site.ecoute.engine
    engine.settings = replace(engine.settings, alert_targets=(("test", "staff-room"),),
                              console_url=site.url)
    answer(site, "ana-5150", "2", HOSTILE, context='<b onmouseover="window.pwned=3">shop</b>')
    answer(site, "bruno-77", "10", "Lovely people")
    with site.db.transaction() as session:
        [alert] = session.scalars(select(Delivery).where(Delivery.kind == "alert")).all()
        link = alert.payload["link"]

    sign_in(page, site, "manager")
    page.get_by_role("link", name="Responses").click()
    rows = page.locator("table.responses tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_label("Score band").select_option("detractor")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    expect(page).to_have_url(f"{site.url}/admin/responses?from=&to=&channel=&survey=&context="
                             "&service=&band=detractor&comment=&q=")
    expect(rows.first).to_contain_text(HOSTILE)  # shown as typed, markup and all
    expect(rows.first).to_contain_text('<b onmouseover="window.pwned=3">shop</b>')
    expect(rows.first).to_contain_text("ana-5150")
    assert page.locator("table.responses img, table.responses b").count() == 0

    page.goto(link)  # the alert's link, as Slack would open it
    expect(page.get_by_role("heading", name="Answers")).to_be_visible()
    expect(page.get_by_text(HOSTILE).first).to_be_visible()
    page.get_by_role("link", name="← Back to the responses").click()
    expect(rows).to_have_count(2)  # an alert's link goes back to the whole list
    page.get_by_label("Words in the comments").fill("SLOW")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(1)
    rows.first.get_by_role("link", name="Open").click()
    page.get_by_role("link", name="← Back to the responses").click()
    expect(page.get_by_label("Words in the comments")).to_have_value("SLOW")
    expect(rows).to_have_count(1)

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename.startswith("ecoute-responses-")
    exported = list(csv.DictReader(io.StringIO(
        download.value.path().read_text(encoding="utf-8"))))
    assert [(row["person"], row["answers.why_detractor"]) for row in exported] == [
        ("ana-5150", HOSTILE)]
    assert page.evaluate("window.pwned") is None
    with site.db.transaction() as session:
        assert session.scalars(select(AuditEntry.action).where(
            AuditEntry.action == "exported")).all() == ["exported"]


def test_a_viewer_reads_the_list_in_french_without_anyone(page: Page, site: Site) -> None:
    answer(site, "ana-5150", "3", "Trop lent")
    sign_in(page, site, "viewer")
    page.get_by_role("button", name="Français").click()
    page.get_by_role("link", name="Réponses").click()
    expect(page.locator("table.responses")).to_contain_text("Trop lent")
    expect(page.locator("main")).not_to_contain_text("ana-5150")
    expect(page.get_by_text("(sans l’identité des personnes)")).to_be_visible()
