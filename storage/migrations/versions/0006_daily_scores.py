"""the dashboard's daily counts of named scores, and how far they are rolled up

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('daily_score',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('survey', sa.String(length=64), nullable=False),
    sa.Column('context', sa.String(length=128), nullable=False),
    sa.Column('service', sa.String(length=64), nullable=False),
    sa.Column('question_type', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'channel', 'survey', 'context', 'service', 'question_type',
                            'value', name=op.f('pk_daily_score'))
    )
    op.create_table('daily_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rolled_until', WHEN, nullable=False),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_rollup'))
    )


def downgrade() -> None:
    op.drop_table('daily_rollup')
    op.drop_table('daily_score')
