"""``ecoute announce``: follow the announcements of improvements from a terminal.

Usage::

    ecoute announce list                # every announced improvement: state, sent, planned, answers
    ecoute announce list --language fr  # its header in French (default: ECOUTE_DEFAULT_LANGUAGE)
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
from bot.i18n import gettext_for
from ecoute.cli_common import Failure, friendly, from_environment
from storage import improvements

BAR = "{l_bar}{bar}| {n_fmt}/{total_fmt}"


@click.group()
def announce() -> None:
    """Follow the announcements of published improvements."""


@announce.command("list")
@click.option("--language", type=click.Choice(["en", "fr"]),
              help="Of the header. Default: ECOUTE_DEFAULT_LANGUAGE.")
@friendly
def list_announcements(language: str | None) -> None:
    """List every announced improvement with its state, progress and answers."""
    served = from_environment()
    _ = gettext_for(language or served.settings.default_language, "console")
    with served.db.transaction() as session:
        rows = [(row, announcements.status(session, row.id))
                for row in improvements.announced(session)]
    if not rows:
        click.echo(_("No improvement has been published yet."))
        return
    table = [("#", _("State"), _("Sent"), _("Planned"), _("Answers"), _("We did"))]
    table += [(str(row.id), found.state.value, str(found.progress.sent),
               str(found.progress.planned),
               " ".join(f"{k}={v}" for k, v in found.to_dict()["answers"].items()),
               " ".join(row.we_did.split())[:50]) for row, found in rows]
    click.echo("\n".join(aligned(table, numbers=(0, 2, 3))))


def aligned(table: list[tuple[str, ...]], numbers: tuple[int, ...] = ()) -> list[str]:
    """Return the table's lines, each column as wide as its widest cell (``numbers`` right)."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    return ["  ".join(cell.rjust(width) if i in numbers else cell.ljust(width)
                      for i, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip()
            for row in table]


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
