"""complaint board: what each history step records (kind), assignments and adjustments

Revision ID: 0016
Revises: 0015
"""

from alembic import op
import sqlalchemy as sa

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
OPEN = sa.text("status IN ('acknowledged', 'in_progress', 'received', 'reopened')")


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='status',
                                      nullable=False))
        batch_op.add_column(sa.Column('assignee_id', ID, nullable=True))
        batch_op.add_column(sa.Column('urgency', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('importance', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('priority', sa.String(length=16), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_complaint_event_assignee_id_staff_user'),
                                    'staff_user', ['assignee_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        # the board's first page: the open complaints, newest first, without a sort
        batch_op.create_index('ix_complaint_open_created_at', ['created_at', 'id'], unique=False,
                              sqlite_where=OPEN, postgresql_where=OPEN)


def downgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_open_created_at')
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaint_event_assignee_id_staff_user'),
                                 type_='foreignkey')
        batch_op.drop_column('priority')
        batch_op.drop_column('importance')
        batch_op.drop_column('urgency')
        batch_op.drop_column('assignee_id')
        batch_op.drop_column('kind')
