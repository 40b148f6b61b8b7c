"""A complaint in the terminal (``ecoute chat``): numbered choices, typed answers, a reference."""

from __future__ import annotations

import io

from channels.console import ConsoleChannel
from ecoute.wiring import Ecoute


def test_a_complaint_is_filed_by_typing_numbers_and_words(ecoute: Ecoute) -> None:
    out = io.StringIO()
    lines = io.StringIO("3\nThe invoice lists a plan I never ordered\nINV-2026-77\n1\nyes\n"
                        "status R-2026-0001\n")
    ConsoleChannel(ecoute.engine, person="ana", stdin=lines, stdout=out,
                   language="en").run("complaint")
    text = out.getvalue()
    assert ("What is your complaint about?\n"
            "A complaint is filed under your name, never anonymously.\n  1. Delivery\n"
            "  2. Product quality\n  3. Billing") in text
    assert "Your complaint is registered under the reference R-2026-0001." in text
    assert text.rstrip().endswith(
        "Complaint R-2026-0001: received. Next step by Thursday 26 November 2026, 11:00 (UTC).")
