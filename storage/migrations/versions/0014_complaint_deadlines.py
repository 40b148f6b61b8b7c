"""complaint deadlines: reminder points, the scan's next check, and the breach record

Revision ID: 0014
Revises: 0013
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledge_remind_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('resolve_remind_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('deadline_check_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_complaint_deadline_check_at', ['deadline_check_at'], unique=False)
    # complaints filed before this revision: the scan looks at the open ones once, computes
    # their reminder points with the business calendar, and keeps them up from then on
    op.execute("UPDATE complaint SET deadline_check_at = created_at "
               "WHERE status IN ('received', 'acknowledged', 'in_progress', 'reopened')")
    op.create_table(
        'complaint_breach',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('complaint_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('deadline', sa.String(length=16), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('assignee_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
        sa.ForeignKeyConstraint(['assignee_id'], ['staff_user.id'], name=op.f('fk_complaint_breach_assignee_id_staff_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], name=op.f('fk_complaint_breach_complaint_id_complaint'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_breach')),
        sa.UniqueConstraint('complaint_id', 'deadline', 'due_at', name=op.f('uq_complaint_breach_complaint_id_deadline_due_at')),
    )
    with op.batch_alter_table('complaint_breach', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_breach_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_breach_detected_at'), ['detected_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaint_breach', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_breach_detected_at'))
        batch_op.drop_index(batch_op.f('ix_complaint_breach_assignee_id'))
    op.drop_table('complaint_breach')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_deadline_check_at')
        batch_op.drop_column('deadline_check_at')
        batch_op.drop_column('resolve_remind_at')
        batch_op.drop_column('acknowledge_remind_at')
