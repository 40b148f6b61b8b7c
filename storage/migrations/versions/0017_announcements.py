"""announcements: a campaign's state (active, paused, cancelled) and a person's timezone

Revision ID: 0017
Revises: 0016
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), server_default='active',
                                      nullable=False))
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('timezone', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.drop_column('timezone')
    with op.batch_alter_table('campaign', schema=None) as batch_op:
        batch_op.drop_column('state')
