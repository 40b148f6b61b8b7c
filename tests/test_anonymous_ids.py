"""Migration 0002 on SQLite: AUTOINCREMENT ids, rows and links kept, none after an anonymous id."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import Database
from storage.migrate import upgrade

ROWS = """
INSERT INTO survey_version (id, key, hash, definition, created_at)
    VALUES (1, 'nps', 'h', '{}', '2026-11-01');
INSERT INTO respondent (id, channel, external_id, language_chosen, internal, created_at, seen_at)
    VALUES (1, 'test', 'ana', 0, 0, '2026-11-01', '2026-11-01');
INSERT INTO conversation (id, public_id, respondent_id, survey_version_id, channel, language,
    status, attempts, "values", started_at, updated_at)
    VALUES (7, 'p7', 1, 1, 'test', 'en', 'active', 0, '{}', '2026-11-01', '2026-11-01');
INSERT INTO answer (id, conversation_id, survey_version_id, question_id, question_type, number,
    created_at) VALUES (3, 7, 1, 'nps', 'nps', 9, '2026-11-01');
INSERT INTO inbound_event (id, channel, event_id, respondent_id, conversation_id, created_at)
    VALUES (5, 'test', 'e5', 1, 7, '2026-11-01');
INSERT INTO delivery (id, idempotency_key, kind, channel, respondent_id, payload, status,
    attempts, next_attempt_at, created_at)
    VALUES (2, 'k2', 'reply', 'test', 1, '{}', 'pending', 0, '2026-11-01', '2026-11-01');
"""


def test_upgrading_a_sqlite_store_keeps_every_row_and_link(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    upgrade(database.engine, "0001")
    with database.engine.begin() as connection:
        for statement in ROWS.split(";")[:-1]:
            connection.execute(text(statement))
    upgrade(database.engine)
    with database.engine.begin() as connection:
        tables = {name: sql for name, sql in connection.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table'"))}
        assert all("AUTOINCREMENT" in tables[name]
                   for name in ("conversation", "answer", "inbound_event", "delivery"))
        assert "_old_" not in str(tables)
        assert connection.execute(text("SELECT id, conversation_id FROM answer")).all() == [(3, 7)]
        assert connection.execute(text(
            "SELECT conversation_id FROM inbound_event")).scalar() == 7
        assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
        index = connection.execute(text(
            "SELECT sql FROM sqlite_master WHERE name = 'uq_conversation_active_respondent'"
        )).scalar()
        assert "WHERE status = 'active'" in index
        connection.execute(text("DELETE FROM conversation WHERE id = 7"))
        assert connection.execute(text("SELECT count(*) FROM answer")).scalar() == 0  # cascade
    database.dispose()


def test_on_sqlite_a_named_id_never_follows_an_anonymous_one(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    upgrade(database.engine)
    with database.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO delivery (id, idempotency_key, kind, channel, payload, status, "
            "attempts, next_attempt_at, created_at) VALUES (-4242, 'a', 'alert', 'slack', '{}', "
            "'pending', 0, '2026-11-01', '2026-11-01')"))
        connection.execute(text(
            "INSERT INTO delivery (idempotency_key, kind, channel, payload, status, "
            "attempts, next_attempt_at, created_at) VALUES ('b', 'alert', 'slack', '{}', "
            "'pending', 0, '2026-11-01', '2026-11-01')"))
        assert connection.execute(text("SELECT id FROM delivery ORDER BY id")).scalars().all() == [
            -4242, 1]
    database.dispose()
