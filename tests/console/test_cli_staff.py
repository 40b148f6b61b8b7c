"""``ecoute users`` and ``ecoute tokens``: passwords from a prompt or stdin, tokens shown once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot import api_tokens, staff
from ecoute.cli import cli
from ecoute.cli_staff import announce_setup_link
from ecoute.wiring import Ecoute
from storage.db import Database

ROOT = Path(__file__).resolve().parents[2]


def process(*args: str, url: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess, stdin piped."""
    environment = {**os.environ, "DATABASE_URL": url, "LANG": "C"}
    environment.pop("ECOUTE_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "ecoute.cli", *args], input=stdin,
                          capture_output=True, text=True, env=environment, cwd=ROOT, timeout=60)


def ecoute(*args: str, url: str, stdin: str = "") -> Result:
    """Run the command line in this process (quicker), stdin piped."""
    return CliRunner().invoke(cli, list(args), input=stdin, env={"DATABASE_URL": url})


@pytest.fixture
def url(db: Database) -> str:
    """Return the URL of the migrated test store."""
    return db.url


def test_an_admin_is_created_with_the_password_from_stdin_and_listed(url: str) -> None:
    created = process("users", "create", "Ana@Example.com", "--role", "admin", url=url,
                      stdin="a very long password\n")
    assert (created.returncode, created.stdout) == (0, "created ana@example.com (admin)\n")
    listed = ecoute("users", "list", url=url).stdout
    assert listed.startswith("ana@example.com") and " admin " in listed and "active" in listed
    assert "a very long password" not in listed


def test_the_password_is_never_an_argument(url: str) -> None:
    refused = ecoute("users", "create", "ana@example.com", "--role", "admin", "--password",
                     "a very long password", url=url)
    assert refused.exit_code == 2 and "No such option '--password'" in refused.stderr


def test_errors_are_one_line_and_a_non_zero_exit(url: str) -> None:
    short = ecoute("users", "create", "ana@example.com", "--role", "admin", url=url,
                   stdin="short\n")
    assert (short.exit_code, short.stderr) == (
        1, "ecoute: error: The password must have at least 12 characters.\n")
    ecoute("users", "create", "ana@example.com", "--role", "admin", url=url,
           stdin="a very long password\n")
    again = ecoute("users", "create", "ANA@example.com", "--role", "viewer", url=url,
                   stdin="a very long password\n")
    assert again.stderr == "ecoute: error: An account with this email exists already.\n"
    last = ecoute("users", "disable", "ana@example.com", url=url)
    assert last.stderr == ("ecoute: error: The last admin cannot be disabled or lose the "
                           "admin role.\n")
    unknown = ecoute("users", "set-role", "nobody@example.com", "viewer", url=url)
    assert (unknown.exit_code, unknown.stderr) == (1, "ecoute: error: There is no such account.\n")


def test_set_role_and_disable(url: str) -> None:
    for email in ("ana@example.com", "bruno@example.com"):
        ecoute("users", "create", email, "--role", "admin", url=url,
               stdin="a very long password\n")
    assert ecoute("users", "set-role", "bruno@example.com", "viewer", url=url).stdout == (
        "bruno@example.com is now viewer\n")
    assert ecoute("users", "disable", "bruno@example.com", url=url).exit_code == 0
    listed = ecoute("users", "list", url=url).stdout.splitlines()
    assert " viewer " in listed[1] and "disabled" in listed[1]


def test_a_token_is_printed_once_then_listed_by_its_hint_and_revoked(url: str,
                                                                     db: Database) -> None:
    created = ecoute("tokens", "create", "--name", "crm", "--scope", "write", url=url)
    token = created.stdout.strip()
    assert created.exit_code == 0 and token.startswith("ecoute_") and len(token) > 40
    assert "not shown again" in created.stderr
    listed = ecoute("tokens", "list", url=url).stdout
    assert token not in listed and token[:11] in listed and "active" in listed
    assert ecoute("tokens", "revoke", "1", url=url).stdout == "revoked token 1\n"
    assert "revoked" in ecoute("tokens", "list", url=url).stdout
    assert api_tokens.authenticate_token(db, token, staff_now()) is None
    again = ecoute("tokens", "revoke", "1", url=url)
    assert again.stderr == "ecoute: error: There is no such token, or it is revoked already.\n"


def staff_now():  # type: ignore[no-untyped-def]
    """Return the wall clock's now (the command line runs on it)."""
    from bot.engine import utcnow

    return utcnow()


def test_serve_prints_a_setup_link_only_while_no_account_exists(
        served: Ecoute, capsys: pytest.CaptureFixture[str]) -> None:
    announce_setup_link(served)
    printed = capsys.readouterr().err
    link = printed.split("/admin/setup/")[1].strip()
    assert "create the first admin" in printed and printed.count("http://127.0.0.1:8000") == 1
    assert staff.setup_link_open(served.db, link, served.engine.clock())
    staff.create_account(served.db, "ana@example.com", "a very long password", "admin",
                         actor=staff.CLI, now=served.engine.clock())
    announce_setup_link(served)
    assert capsys.readouterr().err == ""
