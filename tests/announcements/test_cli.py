"""``ecoute announce list`` and ``ecoute announce status ID``, run as a newcomer would."""

from __future__ import annotations

from bot import announcements
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
    assert listed.stdout.splitlines()[1].split()[:4] == [str(improvement), "active", "0", "2"]


def test_the_list_has_a_header_its_columns_line_up_in_english_and_in_french(
        ecoute: Ecoute, feedback: Feedback) -> None:
    cancelled = improvement_for(ecoute, [feedback("ana")], we_did="New chairs")
    active = improvement_for(ecoute, [feedback("bob"), feedback("cy")])
    for improvement in (cancelled, active):
        publish(ecoute, improvement)
    with ecoute.db.transaction() as session:
        announcements.change(session, cancelled, "cancel", actor="staff:1",
                             now=ecoute.engine.clock())
    listed = run("announce", "list", url=ecoute.db.url)
    assert listed.returncode == 0, listed.stderr
    header, *rows = listed.stdout.splitlines()
    assert header.split() == ["#", "State", "Sent", "Planned", "Answers", "We", "did"]
    assert [row.split()[1] for row in rows] == ["active", "cancelled"]
    for row, we_did in zip(rows, ("We hired two agents", "New chairs"), strict=True):
        assert row.index("yes=") == header.index("Answers")
        assert row.index(we_did) == header.index("We did")
        assert row.split()[2:4] == (["0", "2"] if we_did.startswith("We") else ["0", "1"])
    header, *rows = run("announce", "list", "--language", "fr",
                        url=ecoute.db.url).stdout.splitlines()
    assert header.split() == ["#", "État", "Envoyés", "Prévus", "Réponses", "Nous", "avons",
                              "fait"]
    for row in rows:
        assert row.index("yes=") == header.index("Réponses")
        assert row.index(" 0 ") + 2 == header.index("Envoyés") + len("Envoyés")  # numbers right


def test_an_unknown_or_unpublished_improvement_is_one_line_on_stderr(
        ecoute: Ecoute, feedback: Feedback) -> None:
    draft = improvement_for(ecoute, [feedback("ana")])
    for wanted, said in ((str(draft), "not published"), ("999", "no improvement 999")):
        shown = run("announce", "status", wanted, url=ecoute.db.url)
        assert shown.returncode == 1 and shown.stdout == ""
        assert shown.stderr.startswith("ecoute: error: ") and said in shown.stderr
        assert len(shown.stderr.splitlines()) == 1
