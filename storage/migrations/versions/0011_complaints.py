"""complaints: the complaint, its history of events, the gap-free per-year counter

Revision ID: 0011
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('complaint_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_complaint_counter'))
    )
    op.create_table('complaint',
    sa.Column('id', ID, nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('respondent_id', ID, nullable=True),
    sa.Column('conversation_id', ID, nullable=True),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('own_reference', sa.String(length=255), nullable=True),
    sa.Column('photo_file_id', sa.String(length=255), nullable=True),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('importance', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('contact_consent', sa.Boolean(), nullable=False),
    sa.Column('assignee_id', ID, nullable=True),
    sa.Column('acknowledge_due_at', WHEN, nullable=False),
    sa.Column('resolve_due_at', WHEN, nullable=False),
    sa.Column('acknowledged_at', WHEN, nullable=True),
    sa.Column('resolved_at', WHEN, nullable=True),
    sa.Column('closed_at', WHEN, nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('updated_at', WHEN, nullable=False),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'],
                            name=op.f('fk_complaint_respondent_id_respondent'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'],
                            name=op.f('fk_complaint_conversation_id_conversation'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['assignee_id'], ['staff_user.id'],
                            name=op.f('fk_complaint_assignee_id_staff_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    sa.UniqueConstraint('reference', name=op.f('uq_complaint_reference')),
    sa.UniqueConstraint('year', 'number', name=op.f('uq_complaint_year_number'))
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_respondent_id'), ['respondent_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_assignee_id'), ['assignee_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_created_at'), ['created_at'],
                              unique=False)
        batch_op.create_index('ix_complaint_status_acknowledge_due_at',
                              ['status', 'acknowledge_due_at'], unique=False)
        batch_op.create_index('ix_complaint_status_resolve_due_at',
                              ['status', 'resolve_due_at'], unique=False)
    op.create_table('complaint_event',
    sa.Column('id', ID, nullable=False),
    sa.Column('complaint_id', ID, nullable=False),
    sa.Column('at', WHEN, nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('status_from', sa.String(length=16), nullable=True),
    sa.Column('status_to', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('visible', sa.Boolean(), nullable=False),
    sa.Column('sent_at', WHEN, nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'],
                            name=op.f('fk_complaint_event_complaint_id_complaint'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_event'))
    )
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_event_complaint_id'), ['complaint_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('complaint_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_event_complaint_id'))
    op.drop_table('complaint_event')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index('ix_complaint_status_resolve_due_at')
        batch_op.drop_index('ix_complaint_status_acknowledge_due_at')
        batch_op.drop_index(batch_op.f('ix_complaint_created_at'))
        batch_op.drop_index(batch_op.f('ix_complaint_assignee_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_respondent_id'))
    op.drop_table('complaint')
    op.drop_table('complaint_counter')
