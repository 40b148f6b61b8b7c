"""``ecoute announce``: follow the announcements of improvements from a terminal.

Usage::

    ecoute announce list                # every announced improvement: state, sent/planned, answers
    ecoute announce status 12           # one announcement, with a progress bar
    ecoute announce status 12 --watch   # the same, redrawn every 2 s until nothing is pending

The figures are the console's (:func:`bot.announcements.status`). An unknown or
unpublished improvement is one line on stderr and exit status 1.
"""

from __future__ import annotations

import time

import click
from tqdm import tqdm

from bot import announcements
from bot.announcements import AnnouncementError, Status
from ecoute.cli_common import Failure, friendly, from_environment
from storage import improvements

BAR = "{l_bar}{bar}| {n_fmt}/{total_fmt}"


@click.group()
def announce() -> None:
    """Follow the announcements of published improvements."""


@announce.command("list")
@friendly
def list_announcements() -> None:
    """List every announced improvement with its state, progress and answers."""
    served = from_environment()
    with served.db.transaction() as session:
        rows = [(row, announcements.status(session, row.id))
                for row in improvements.announced(session)]
    if not rows:
        click.echo("No improvement has been published yet.")
    for row, found in rows:
        answers = " ".join(f"{k}={v}" for k, v in found.to_dict()["answers"].items())
        summary = " ".join(row.we_did.split())[:50]
        click.echo(f"{row.id:>5}  {found.state.value:<9}  sent {found.progress.sent:>6}/"
                   f"{found.progress.planned:<6}  {answers}  {summary}")


@announce.command("status")
@click.argument("improvement_id", type=int)
@click.option("--watch", is_flag=True, help="Redraw every 2 seconds until nothing is pending.")
@friendly
def status(improvement_id: int, watch: bool) -> None:
    """Show one announcement's progress, outcomes by reason and answers."""
    served = from_environment()
    while True:
        try:
            with served.db.transaction() as session:
                found = announcements.status(session, improvement_id)
        except AnnouncementError as error:
            raise Failure(str(error)) from error
        click.echo("\n".join(lines(found)))
        if not watch or found.progress.pending == 0:
            return
        time.sleep(2)
        click.echo()


def lines(found: Status) -> list[str]:
    """Return the report of one announcement, its progress bar first."""
    progress = found.progress
    handled = progress.planned - progress.pending
    bar = tqdm.format_meter(handled, max(progress.planned, 1), 0, ncols=72,
                            prefix=f"improvement {found.improvement_id}", bar_format=BAR)
    out = [bar, f"state: {found.state.value}", f"planned: {progress.planned}",
           f"sent: {progress.sent}", f"pending: {progress.pending}"]
    out += [f"failed ({reason}): {count}" for reason, count in sorted(progress.failed.items())]
    out += [f"skipped ({reason}): {count}" for reason, count in sorted(progress.skipped.items())]
    out.append("answers: " + ", ".join(f"{answer} {count}" for answer, count
                                       in found.to_dict()["answers"].items()))
    return out
