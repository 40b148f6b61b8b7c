"""Alembic environment: runs migrations on the connection handed in by storage.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.models import Base, When

config = context.config
target_metadata = Base.metadata


def render_item(type_, obj, autogen_context):  # type: ignore[no-untyped-def]
    """Render the UTC timestamp type as a plain timezone-aware DateTime in migrations."""
    if type_ == "type" and isinstance(obj, When):
        return "sa.DateTime(timezone=True)"
    return False


def run(connection) -> None:  # type: ignore[no-untyped-def]
    """Run the migrations on ``connection``."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    with create_engine(config.get_main_option("sqlalchemy.url")).begin() as conn:
        run(conn)
