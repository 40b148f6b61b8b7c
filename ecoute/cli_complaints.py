"""``ecoute complaints``: the complaint board and one complaint, from a terminal.

Usage::

    ecoute complaints list                       # the open ones, newest first
    ecoute complaints list --status all --overdue --format json
    ecoute complaints show R-2026-0042           # its description, deadlines and history

``list`` takes the board's filters (``--status open|all|<status>``, ``--overdue``)
and prints the console board's columns, or the API's items as JSON. ``show``
prints what ``GET /api/v1/complaints/{ref}`` gives, and the reading is in the
audit log (actor ``cli``); an unknown reference is one line on stderr, exit 1.
"""

from __future__ import annotations

import json
from typing import Any

import click

from bot import staff
from bot.complaints import Reference
from ecoute.cli_common import Failure, friendly, from_environment
from storage import complaints as store
from storage.vocabulary import AuditAction, ComplaintStatus

FORMATS = click.Choice(["table", "json"])
STATUSES = click.Choice(["open", "all", *(s.value for s in ComplaintStatus)])


@click.group()
def complaints() -> None:
    """Read the complaints: the board, or one complaint."""


@complaints.command("list")
@click.option("--status", type=STATUSES, default="open", show_default=True,
              help="open, all, or one status.")
@click.option("--overdue", is_flag=True, help="Only those past their standing deadline.")
@click.option("--limit", type=click.IntRange(1, 10000), default=200, show_default=True,
              help="How many, newest first.")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@friendly
def complaints_list(status: str, overdue: bool, limit: int, fmt: str) -> None:
    """List the complaints, newest first: reference, priority, status, standing deadline."""
    from web.api.complaints import item
    from web.console.complaints_filters import page, parse

    ecoute = from_environment()
    now = ecoute.engine.clock()
    query = parse({"status": status, "overdue": "1" if overdue else ""}, now)
    with ecoute.db.reading() as connection:
        rows = page(connection, query.filter, limit=limit).rows
    records = [item(row, now) for row in rows]
    if fmt == "json":
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    click.echo(f"{'REFERENCE':14} {'FILED':16} {'CATEGORY':16} {'CHANNEL':9} {'PRIORITY':8} "
               f"{'STATUS':12} DUE")
    for record in records:
        click.echo(_line(record))


def _line(record: dict[str, Any]) -> str:
    """Return one complaint as a table line."""
    due = record["due"]
    when = "-" if due is None else due["at"][:16].replace("T", " ") + (
        " OVERDUE" if due["overdue"] else "")
    return (f"{record['reference']:14} {record['created_at'][:16].replace('T', ' '):16} "
            f"{record['category'][:16]:16} {record['channel'][:9]:9} {record['priority']:8} "
            f"{record['status']:12} {when}")


@complaints.command("show")
@click.argument("reference")
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
@friendly
def complaints_show(reference: str, fmt: str) -> None:
    """Show one complaint: its facts, deadlines, description and history."""
    from web.api.complaints import detail_record

    ecoute = from_environment()
    now = ecoute.engine.clock()
    parsed = Reference.parse(reference)
    with ecoute.db.transaction() as session:
        found = store.find(session, str(parsed)) if parsed else None
        if found is None:
            raise Failure(f"there is no complaint with the reference {reference.strip()[:32]}")
        history = store.history(session, found.id)
        staff.audit(session, now, staff.CLI, AuditAction.COMPLAINT_VIEWED, found.reference)
    record = detail_record(found, history, now)
    if fmt == "json":
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
        return
    for name in ("reference", "status", "priority", "urgency", "importance", "category",
                 "channel", "language", "created_at", "assignee", "acknowledge_due_at",
                 "resolve_due_at", "own_reference"):
        click.echo(f"{name + ':':20} {'-' if record[name] is None else record[name]}")
    click.echo(f"{'description:':20} {record['description'] or '(erased)'}")
    click.echo("history:")
    for event in record["history"]:
        change = (f"{event['status_from'] or ''} -> {event['status_to']}"
                  if event["status_to"] else event["kind"])
        note = f"  [{'to the complainant' if event['visible'] else 'staff'}] {event['note']}" \
            if event["note"] else ""
        click.echo(f"  {event['at'][:16].replace('T', ' ')} {event['actor']:12} {change}{note}")


def register(cli: click.Group) -> None:
    """Add ``complaints`` to the command line."""
    cli.add_command(complaints)
