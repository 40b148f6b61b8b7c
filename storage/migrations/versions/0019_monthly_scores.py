"""the dashboard's named scores summed per calendar month (filled from the daily counts)

Revision ID: 0019
Revises: 0018
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

KEY = ('channel', 'survey', 'context', 'service', 'question_type')
COUNTS = tuple(f'n{value}' for value in range(11))


def upgrade() -> None:
    lengths = {'channel': 32, 'survey': 64, 'context': 128, 'service': 64, 'question_type': 16}
    op.create_table('monthly_score',
    sa.Column('month', sa.Date(), nullable=False),
    *(sa.Column(column, sa.String(length=lengths[column]), nullable=False) for column in KEY),
    *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
    sa.PrimaryKeyConstraint('month', *KEY, name=op.f('pk_monthly_score'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        month = "CAST(date_trunc('month', day) AS DATE)"
    else:
        month = "strftime('%Y-%m-01', day)"
    columns = ', '.join(KEY)
    sums = ', '.join(f'SUM({name})' for name in COUNTS)
    op.execute(f"INSERT INTO monthly_score (month, {columns}, {', '.join(COUNTS)}) "
               f"SELECT {month}, {columns}, {sums} FROM daily_score GROUP BY {month}, {columns}")


def downgrade() -> None:
    op.drop_table('monthly_score')
