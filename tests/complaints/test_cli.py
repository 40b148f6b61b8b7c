"""``ecoute complaints list`` and ``show``: the board and one complaint, from a terminal."""

from __future__ import annotations

import json

from bot import complaint_actions
from bot.complaint_actions import StaffChange
from ecoute.wiring import Ecoute
from storage.vocabulary import ComplaintStatus as S
from storage.vocabulary import RejectionReason
from tests.complaints.test_actions import file_one
from tests.console.test_cli_staff import ecoute as run
from tests.console.test_cli_staff import process


def test_list_shows_the_open_complaints_and_filters_by_status(ecoute: Ecoute) -> None:
    kept = file_one(ecoute, category="billing")
    rejected = file_one(ecoute)
    with ecoute.db.transaction() as session:
        complaint_actions.apply(session, ecoute.engine.settings, rejected,
                                StaffChange(status=S.REJECTED,
                                            reason=RejectionReason.OUT_OF_SCOPE),
                                actor="staff:1", now=ecoute.engine.clock())
    table = run("complaints", "list", url=ecoute.db.url)
    assert table.exit_code == 0, table.output
    lines = table.stdout.splitlines()
    assert lines[0].startswith("REFERENCE") and len(lines) == 2
    assert lines[1].startswith(kept) and "billing" in lines[1] and "OVERDUE" in lines[1]
    listed = json.loads(run("complaints", "list", "--status", "rejected", "--format", "json",
                            url=ecoute.db.url).stdout)
    assert [c["reference"] for c in listed] == [rejected]
    assert listed[0]["due"] is None
    overdue = json.loads(run("complaints", "list", "--status", "all", "--overdue", "--format",
                             "json", url=ecoute.db.url).stdout)
    assert [c["reference"] for c in overdue] == [kept], "the real clock is past its deadline"


def test_show_prints_the_complaint_and_its_history(ecoute: Ecoute) -> None:
    reference = file_one(ecoute, description="Box crushed on arrival")
    with ecoute.db.transaction() as session:
        complaint_actions.apply(session, ecoute.engine.settings, reference,
                                StaffChange(status=S.ACKNOWLEDGED, note="Photo asked",
                                            visible=True),
                                actor="staff:1", now=ecoute.engine.clock())
    shown = run("complaints", "show", reference.lower(), url=ecoute.db.url)
    assert shown.exit_code == 0, shown.output
    assert "Box crushed on arrival" in shown.stdout
    assert "received -> acknowledged  [to the complainant] Photo asked" in shown.stdout
    record = json.loads(run("complaints", "show", reference, "--format", "json",
                            url=ecoute.db.url).stdout)
    assert [e["status_to"] for e in record["history"]] == ["received", "acknowledged"]


def test_an_unknown_reference_is_one_line_on_stderr_and_exit_1(ecoute: Ecoute) -> None:
    done = process("complaints", "show", "R-2026-9999", url=ecoute.db.url)
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == ("ecoute: error: there is no complaint with the reference "
                           "R-2026-9999\n")
    bad = process("complaints", "list", "--status", "lost", url=ecoute.db.url)
    assert bad.returncode == 2 and "lost" in bad.stderr
