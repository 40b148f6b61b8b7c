"""the outbox indexes only the deliveries that are about someone (staff alerts, webhook events)

Every planned campaign row (an announcement, a call's invitation) has no
``about_respondent_id`` nor ``about_conversation_id``; full indexes gave each of
those rows two entries that no query reads. "Forget" and the foreign keys' SET NULL
look these columns up by value, which the partial indexes serve.

Revision ID: 0021
Revises: 0020
"""

from alembic import op
import sqlalchemy as sa


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

COLUMNS = ('about_respondent_id', 'about_conversation_id')


def upgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f'ix_delivery_{column}')
            where = sa.text(f'{column} IS NOT NULL')
            batch_op.create_index(f'ix_delivery_{column}', [column], unique=False,
                                  sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        for column in COLUMNS:
            batch_op.drop_index(f'ix_delivery_{column}')
            batch_op.create_index(f'ix_delivery_{column}', [column], unique=False)
