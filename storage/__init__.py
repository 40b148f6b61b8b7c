"""Écoute's central store: SQLAlchemy 2 models, sessions and Alembic migrations.

Nothing outside this package writes SQL: the core calls the repository modules.
"""
