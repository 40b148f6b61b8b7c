"""Nothing private reaches the logs or error messages: no answer's text, no password, no token.

A failing statement names its SQL but never its values (they hold what people
wrote), on SQLAlchemy's path and on the prepared fast path alike; a database URL
is shown with its password masked, parsable or not; ``ecoute -v`` keeps the HTTP
clients' and SQLAlchemy's loggers quiet, so no request URL (a Telegram token is
part of it) and no statement's values are logged.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from sqlalchemy import insert
from sqlalchemy.exc import DBAPIError

from ecoute.cli import cli
from storage.db import Database, DatabaseError, make_engine
from storage.hotpath.prepared import Prepared
from storage.models import Answer

FREE_TEXT = "my manager Bruno Dupont shouts at me"
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def orphan_answer() -> dict[str, object]:
    """Return an answer to a conversation that does not exist: its insert must fail."""
    return {"conversation_id": 987654, "survey_version_id": 987654, "question_id": "why",
            "question_type": "text", "number": None, "choice": None, "text": FREE_TEXT,
            "created_at": NOW}


def test_a_failing_statement_shows_no_parameters(db: Database,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DBAPIError) as raised, db.connection() as connection:
        connection.execute(insert(Answer), orphan_answer())
    assert FREE_TEXT not in str(raised.value)
    assert FREE_TEXT not in caplog.text


def test_a_failing_prepared_statement_shows_no_parameters(
        db: Database, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DBAPIError) as raised, db.connection() as connection:
        Prepared(insert(Answer.__table__)).run(connection, orphan_answer())
    assert "INSERT INTO answer" in str(raised.value)  # the statement is still named
    assert FREE_TEXT not in str(raised.value)
    assert FREE_TEXT not in caplog.text


@pytest.mark.parametrize("url", [
    "postgresql://ana:s3cret-pw@db.example.com:notaport/ecoute",   # parsed, then refused
    "nonsense://ana:s3cret-pw@db.example.com/ecoute",              # no such dialect
    "ana:s3cret-pw@db.example.com",                                # not a URL at all
    "postgresql://ana:s3cret/pw@db.example.com:x/ecoute",          # a '/' in the password
])
def test_a_malformed_database_url_is_shown_without_its_password(url: str) -> None:
    with pytest.raises(DatabaseError) as raised:
        make_engine(url)
    assert "s3cret" not in str(raised.value)
    assert "DATABASE_URL is not usable" in str(raised.value)


def test_masking_keeps_everything_but_the_password() -> None:
    from storage.db import mask_url

    assert mask_url("postgresql+psycopg://ana:s3cret@db:5432/ecoute") == (
        "postgresql+psycopg://ana:***@db:5432/ecoute")
    assert mask_url("sqlite:///ecoute.db") == "sqlite:///ecoute.db"
    assert "s3cret" not in mask_url("pg://ana:s3cret@db:x/ecoute")


def test_an_unreachable_database_is_shown_without_its_password() -> None:
    database = Database("postgresql://ana:s3cret-pw@127.0.0.1:1/ecoute?connect_timeout=2")
    with pytest.raises(DatabaseError) as raised:
        database.check()
    assert "cannot reach the database" in str(raised.value)
    assert "s3cret" not in str(raised.value)


def test_the_cli_shows_a_malformed_url_without_its_password() -> None:
    result = CliRunner().invoke(
        cli, ["db", "upgrade"], env={"DATABASE_URL": "postgresql://ana:s3cret-pw@db:x/e"})
    assert result.exit_code == 1
    assert "s3cret" not in result.output


VERBOSE_QUIET = ("httpx", "httpcore", "urllib3", "slack_sdk", "slack_bolt", "telegram",
                 "sqlalchemy")


def test_verbose_keeps_http_clients_and_sql_at_warning() -> None:
    root = logging.getLogger()
    before = {name: logging.getLogger(name).level for name in (None, *VERBOSE_QUIET)}
    try:
        result = CliRunner().invoke(cli, ["-v", "surveys", "--help"])
        assert result.exit_code == 0
        assert root.level == logging.INFO  # -v logs what happens...
        for name in VERBOSE_QUIET:           # ...but never a request URL or a statement's values
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
    finally:  # as the other tests found them
        for name, level in before.items():
            logging.getLogger(name).setLevel(level)


def test_a_line_shaped_like_a_secret_is_scrubbed_before_it_is_written() -> None:
    from ecoute.logs import RedactingFormatter

    record = logging.LogRecord(
        "httpx", logging.WARNING, __file__, 1,
        'HTTP Request: POST %s "HTTP/1.1 200 OK"', (
            "https://api.telegram.org/bot123456789:AAH-secret_token-0123456789abcdef/getUpdates",),
        None)
    line = RedactingFormatter("%(message)s").format(record)
    assert line == 'HTTP Request: POST https://api.telegram.org/bot***/getUpdates "HTTP/1.1 200 OK"'
    for secret in ("xoxb-1234-5678-abcdEFGH", "xapp-1-A1-99-ffee",
                   "postgresql://ana:s3cret@db/ecoute"):
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "saw %s", (secret,), None)
        assert "s3cret" not in RedactingFormatter().format(record)
        assert secret not in RedactingFormatter().format(record)
