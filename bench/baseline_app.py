"""The baseline every HTTP benchmark compares against: a bare Flask endpoint, one insert.

``POST /insert`` stores one row through SQLAlchemy (same store settings as Écoute:
SQLite WAL pragmas, or PostgreSQL through psycopg 3) and answers a small JSON.
Serve it with gunicorn: ``gunicorn -w 2 'bench.baseline_app:create_app()'`` with
``DATABASE_URL`` set. Any turn of a channel is measured as a ratio of this.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, jsonify, request
from sqlalchemy import DateTime, Integer, String, insert
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storage.db import Database


class Base(DeclarativeBase):
    """Declarative base of the baseline's one table."""


class Row(Base):
    """One inserted row."""

    __tablename__ = "bench_baseline_row"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def create_app() -> Flask:
    """Return the baseline app on ``DATABASE_URL``."""
    database = Database(os.environ["DATABASE_URL"])
    Base.metadata.create_all(database.engine)
    app = Flask(__name__)

    @app.post("/insert")
    def insert_one():  # type: ignore[no-untyped-def]
        body = (request.get_data(as_text=True) or "x")[:200]
        with database.transaction() as session:
            session.execute(insert(Row).values(body=body, created_at=datetime.now(UTC)))
        return jsonify(ok=True)

    @app.get("/ping")
    def ping():  # type: ignore[no-untyped-def]
        return jsonify(ok=True)

    return app
