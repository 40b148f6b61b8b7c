"""response browser: indexes to page conversations by (started_at, id)

Revision ID: 0008
Revises: 0005

Named conversations are listed newest first by key; a partial index holds only
them, so a page walks it without reading a row linked to nobody. Those linked to
nobody (anonymous, or forgotten) are read a calendar month at a time, found by
(respondent_id, started_at): SQLite's planner would take the plain respondent_id
index for "IS NULL" over a partial one, and read every such row.
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

NAMED = sa.text('respondent_id IS NOT NULL')


def upgrade() -> None:
    op.create_index('ix_conversation_named_started_at', 'conversation', ['started_at', 'id'],
                    unique=False, sqlite_where=NAMED, postgresql_where=NAMED)
    op.create_index('ix_conversation_respondent_id_started_at', 'conversation',
                    ['respondent_id', 'started_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_conversation_respondent_id_started_at', table_name='conversation')
    op.drop_index('ix_conversation_named_started_at', table_name='conversation')
