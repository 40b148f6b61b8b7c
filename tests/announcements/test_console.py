"""The console: publish from the improvement's button, follow the progress, pause and cancel."""

from __future__ import annotations

from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import AuditEntry
from tests.announcements.conftest import Feedback, improvement_for
from tests.console.conftest import Team


def test_a_manager_publishes_and_sees_the_progress_live(
        team: Team, served: Ecoute, feedback: Feedback) -> None:
    improvement = improvement_for(served, [feedback("ana"), feedback("bob", consent=False)],
                                  we_did="We <b>hired</b> two agents")
    page = f"/admin/improvements/{improvement}/announcement"
    assert "not published yet" in team.manager.client.get(page).get_data(as_text=True)
    published = team.manager.post(f"/admin/improvements/{improvement}/publish")
    assert published.status_code == 303 and published.headers["Location"] == page
    team.manager.post(f"/admin/improvements/{improvement}/publish")  # twice: nothing more
    shown = team.manager.client.get(page).get_data(as_text=True)
    assert "We &lt;b&gt;hired&lt;/b&gt; two agents" in shown  # staff's text is escaped
    assert "no consent" in shown and 'data-live="' in shown
    live = team.viewer.client.get(page + "/live")
    assert live.status_code == 200 and "Planned" in live.get_data(as_text=True)
    tag = live.headers["ETag"]
    assert team.viewer.client.get(page + "/live",
                                  headers={"If-None-Match": tag}).status_code == 304
    team.manager.post(f"/admin/improvements/{improvement}/announcement/pause")
    changed = team.viewer.client.get(page + "/live", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and "Paused" in changed.get_data(as_text=True)
    assert "Resume" in team.manager.client.get(page).get_data(as_text=True)
    assert "/announcement/resume" not in team.viewer.client.get(page).get_data(as_text=True)
    with served.db.transaction() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("improvement_published") == 1 and "announcement_paused" in actions


def test_a_viewer_may_look_but_not_publish_or_cancel(
        team: Team, served: Ecoute, feedback: Feedback) -> None:
    improvement = improvement_for(served, [feedback("ana")])
    assert team.viewer.post(f"/admin/improvements/{improvement}/publish").status_code == 403
    team.admin.post(f"/admin/improvements/{improvement}/publish")
    assert team.viewer.post(
        f"/admin/improvements/{improvement}/announcement/cancel").status_code == 403
    listing = team.viewer.client.get("/admin/announcements").get_data(as_text=True)
    assert "We hired two agents" in listing


def test_a_form_without_its_csrf_token_is_refused(
        team: Team, served: Ecoute, feedback: Feedback) -> None:
    improvement = improvement_for(served, [feedback("ana")])
    refused = team.manager.client.post(f"/admin/improvements/{improvement}/publish")
    assert refused.status_code == 400
