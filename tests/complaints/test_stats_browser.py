"""The complaint analytics page in real Chromium: by keyboard, on a phone, who missed what."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from bot import complaint_deadlines, complaint_desk
from bot.complaint_desk import Intake
from storage.models import Complaint
from storage.vocabulary import Urgency
from tests.browser.fixtures import Site, sign_in

pytestmark = pytest.mark.browser
FILED = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def late_billing_complaint(site: Site) -> None:
    """File a billing complaint on 26 November, give it to Léa, and let both deadlines pass."""
    settings = site.ecoute.engine.settings
    with site.db.transaction() as session:
        complaint_desk.file(session, settings.complaints, Intake(
            respondent_id=None, conversation_id=None, channel="test", language="en",
            category="billing", description="charged twice", urgency=Urgency.MINOR,
            contact_consent=False), now=FILED, actor="respondent")
    lea = complaint_desk_staff(site)
    with site.db.transaction() as session:
        session.execute(update(Complaint).values(assignee_id=lea))
    complaint_deadlines.scan(site.db, settings, datetime(2026, 12, 1, 9, tzinfo=UTC))


def complaint_desk_staff(site: Site) -> int:
    """Create Léa's account (a viewer) and return its id."""
    from bot import staff

    return staff.create_account(site.db, "lea@example.com", "a long staff password", "viewer",
                                actor=staff.CLI, now=FILED).id


def test_a_manager_sees_which_deadlines_were_missed_and_by_whom_by_keyboard_on_a_phone(
        page: Page, site: Site) -> None:
    late_billing_complaint(site)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, site, "manager")
    page.get_by_role("link", name="Complaint analytics").click()
    expect(page.get_by_role("heading", name="Complaint analytics")).to_be_visible()
    missed = page.get_by_role("table").last
    expect(missed).to_contain_text("R-2026-0001")
    expect(missed).to_contain_text("acknowledgement")
    expect(missed).to_contain_text("resolution")
    expect(page.get_by_role("row", name="lea@example.com 2")).to_be_visible()
    expect(page.get_by_role("img", name="Deadlines met, per category (%)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_label("From").focus()
    page.keyboard.type("12022026")  # a date field takes the day typed as digits
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site.url}/admin/complaints/analytics?from=2026-12-02&to=")
    expect(page.get_by_text("No complaint in this period.")).to_be_visible()
