"""``ecoute users`` and ``ecoute tokens``: staff accounts and REST API tokens from a terminal.

Usage::

    ecoute users create ana@example.com --role admin   # asks for the password twice
    printf '%s\\n' "$PASSWORD" | ecoute users create bot@example.com --role viewer
    ecoute users list
    ecoute users set-role ana@example.com manager
    ecoute users disable ana@example.com
    ecoute tokens create --name crm --scope write      # prints the token once
    ecoute tokens list
    ecoute tokens revoke 3

A password is never an argument (it would stay in the shell's history and in
``ps``): it is asked twice, hidden, or read from the first line of standard input
when that is not a terminal. The audit log names these changes' actor ``cli``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

import click

from bot import api_tokens, staff
from ecoute.cli_common import Failure, friendly, from_environment
from storage.vocabulary import StaffRole, TokenScope

if TYPE_CHECKING:
    from ecoute.wiring import Ecoute

F = TypeVar("F", bound=Callable[..., Any])
ROLES = click.Choice([role.value for role in StaffRole])
SCOPES = click.Choice([scope.value for scope in TokenScope])


def _refusals(func: F) -> F:
    """Turn refused access changes (and the usual errors) into the one-line failure."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return friendly(func)(*args, **kwargs)
        except staff.StaffError as error:
            raise Failure(str(error)) from error

    return wrapper  # type: ignore[return-value]


def _now(ecoute: Ecoute) -> datetime:
    """Return the time on the application's clock."""
    return ecoute.engine.clock()


def _when(moment: datetime | None) -> str:
    """Render a time to the minute, or a dash."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


def read_password() -> str:
    """Ask for the password twice, hidden, or read the first line of a piped stdin."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@click.group()
def users() -> None:
    """Manage the staff console's accounts."""


@users.command("create")
@click.argument("email")
@click.option("--role", type=ROLES, required=True, help="What the account may do.")
@_refusals
def users_create(email: str, role: str) -> None:
    """Create an account; the password comes from a prompt or stdin, never an argument."""
    ecoute = from_environment()
    account = staff.create_account(ecoute.db, email, read_password(), role, actor=staff.CLI,
                                   now=_now(ecoute))
    click.echo(f"created {account.email} ({account.role})")


@users.command("list")
@_refusals
def users_list() -> None:
    """List the accounts: email, role, state, last sign-in."""
    for account in staff.list_accounts(from_environment().db):
        state = "active" if account.active else f"disabled {_when(account.disabled_at)}"
        click.echo(f"{account.email:40} {account.role:8} {state:26} "
                   f"last sign-in {_when(account.last_sign_in_at)}")


@users.command("disable")
@click.argument("email")
@_refusals
def users_disable(email: str) -> None:
    """Disable an account at once (its sessions end; the last admin stays)."""
    ecoute = from_environment()
    account = staff.find_account(ecoute.db, email)
    staff.disable_account(ecoute.db, account.id, actor=staff.CLI, now=_now(ecoute))
    click.echo(f"disabled {account.email}")


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=ROLES)
@_refusals
def users_set_role(email: str, role: str) -> None:
    """Give an account another role."""
    ecoute = from_environment()
    account = staff.find_account(ecoute.db, email)
    staff.set_role(ecoute.db, account.id, role, actor=staff.CLI, now=_now(ecoute))
    click.echo(f"{account.email} is now {role}")


@click.group()
def tokens() -> None:
    """Manage the REST API's Bearer tokens."""


@tokens.command("create")
@click.option("--name", required=True, help="What the token is for, e.g. crm.")
@click.option("--scope", type=SCOPES, required=True, help="read, or read and write.")
@_refusals
def tokens_create(name: str, scope: str) -> None:
    """Create a token and print it once: it is stored hashed and cannot be shown again."""
    ecoute = from_environment()
    token, record = api_tokens.issue_token(ecoute.db, name, scope, created_by=None,
                                           actor=staff.CLI, now=_now(ecoute))
    click.echo(f"token {record.id} ({record.name}, {record.scope}); keep it now, it is not "
               "shown again:", err=True)
    click.echo(token)


@tokens.command("list")
@_refusals
def tokens_list() -> None:
    """List the tokens: id, name, scope, hint, state, last use."""
    for token in api_tokens.list_tokens(from_environment().db):
        state = f"revoked {_when(token.revoked_at)}" if token.revoked_at else "active"
        click.echo(f"{token.id:>4} {token.name:24} {token.scope:6} {token.hint}…  {state:24} "
                   f"last used {_when(token.last_used_at)}")


@tokens.command("revoke")
@click.argument("token_id", type=int, metavar="ID")
@_refusals
def tokens_revoke(token_id: int) -> None:
    """Revoke a token at once."""
    ecoute = from_environment()
    api_tokens.revoke_token(ecoute.db, token_id, actor=staff.CLI, now=_now(ecoute))
    click.echo(f"revoked token {token_id}")


def announce_setup_link(ecoute: Ecoute) -> None:
    """With no staff account yet, print a one-time link (24 hours) that creates the first admin."""
    token = staff.open_setup_link(ecoute.db, _now(ecoute))
    if token is not None:
        click.echo("No staff account yet: open this link once, within 24 hours, to create the "
                   f"first admin:\n  {ecoute.settings.base_url}/admin/setup/{token}", err=True)


def register(cli: click.Group) -> None:
    """Add ``users`` and ``tokens`` to the command line."""
    cli.add_command(users)
    cli.add_command(tokens)
