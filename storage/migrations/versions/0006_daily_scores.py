"""the dashboard's counts: named scores per day (and summed over contexts), shown anonymous
scores per month, and how far they go

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
KEY = ('channel', 'survey', 'context', 'service', 'question_type')


def _counts_table(name: str, first: str, key: tuple[str, ...] = KEY) -> None:
    """Create a table of score counts keyed by ``first`` (a date) and the breakdowns."""
    lengths = {'channel': 32, 'survey': 64, 'context': 128, 'service': 64, 'question_type': 16}
    op.create_table(name,
    sa.Column(first, sa.Date(), nullable=False),
    *(sa.Column(column, sa.String(length=lengths[column]), nullable=False) for column in key),
    *(sa.Column(f'n{value}', sa.Integer(), nullable=False) for value in range(11)),
    sa.PrimaryKeyConstraint(first, *key, name=op.f(f'pk_{name}'))
    )


def upgrade() -> None:
    _counts_table('daily_score', 'day')
    _counts_table('daily_total', 'day', tuple(c for c in KEY if c != 'context'))
    _counts_table('unlinked_score', 'month')
    op.create_table('daily_rollup',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rolled_until', WHEN, nullable=False),
    sa.Column('unlinked_until', sa.Date(), nullable=True),
    sa.Column('unlinked_dirty', sa.Date(), nullable=True),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_daily_rollup'))
    )


def downgrade() -> None:
    op.drop_table('daily_rollup')
    op.drop_table('unlinked_score')
    op.drop_table('daily_total')
    op.drop_table('daily_score')
