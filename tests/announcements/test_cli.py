"""``ecoute announce list`` and ``ecoute announce status ID``, run as a newcomer would."""

from __future__ import annotations

from ecoute.wiring import Ecoute
from tests.announcements.conftest import Feedback, improvement_for
from tests.announcements.test_publish import publish
from tests.test_cli import ecoute as run


def test_the_status_shows_a_progress_bar_the_outcomes_and_the_answers(
        ecoute: Ecoute, feedback: Feedback) -> None:
    improvement = improvement_for(ecoute, [feedback("ana"), feedback("bob", consent=False)])
    publish(ecoute, improvement)
    shown = run("announce", "status", str(improvement), url=ecoute.db.url)
    assert shown.returncode == 0, shown.stderr
    assert f"improvement {improvement}:  50%|" in shown.stdout and "| 1/2" in shown.stdout
    assert "skipped (no consent): 1" in shown.stdout and "pending: 1" in shown.stdout
    assert "answers: yes 0, partly 0, no 0" in shown.stdout
    listed = run("announce", "list", url=ecoute.db.url)
    assert "active" in listed.stdout and "sent      0/2" in listed.stdout


def test_an_unknown_or_unpublished_improvement_is_one_line_on_stderr(
        ecoute: Ecoute, feedback: Feedback) -> None:
    draft = improvement_for(ecoute, [feedback("ana")])
    for wanted, said in ((str(draft), "not published"), ("999", "no improvement 999")):
        shown = run("announce", "status", wanted, url=ecoute.db.url)
        assert shown.returncode == 1 and shown.stdout == ""
        assert shown.stderr.startswith("ecoute: error: ") and said in shown.stderr
        assert len(shown.stderr.splitlines()) == 1
