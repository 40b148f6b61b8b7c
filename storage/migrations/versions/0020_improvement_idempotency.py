"""improvement.idempotency: a repeated POST /api/v1/improvements with its Idempotency-Key

Revision ID: 0020
Revises: 0019
"""

from alembic import op
import sqlalchemy as sa


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('improvement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idempotency', sa.String(length=40), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_improvement_idempotency'),
                                          ['idempotency'])


def downgrade() -> None:
    with op.batch_alter_table('improvement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_improvement_idempotency'), type_='unique')
        batch_op.drop_column('idempotency')
