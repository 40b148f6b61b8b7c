"""triggered survey invitations: the respondent's customer_ref and the invitation table

Revision ID: 0009
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('customer_ref', sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f('ix_respondent_customer_ref'), ['customer_ref'],
                              unique=False)
    op.create_table('invitation',
    sa.Column('id', ID, nullable=False),
    sa.Column('public_id', sa.String(length=32), nullable=False),
    sa.Column('respondent_id', ID, nullable=False),
    sa.Column('campaign_id', ID, nullable=False),
    sa.Column('survey', sa.String(length=64), nullable=False),
    sa.Column('context', sa.String(length=128), nullable=True),
    sa.Column('conversation_id', ID, nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('started_at', WHEN, nullable=True),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'],
                            name=op.f('fk_invitation_respondent_id_respondent'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'],
                            name=op.f('fk_invitation_campaign_id_campaign'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'],
                            name=op.f('fk_invitation_conversation_id_conversation'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation')),
    sa.UniqueConstraint('public_id', name=op.f('uq_invitation_public_id')),
    sa.UniqueConstraint('campaign_id', name=op.f('uq_invitation_campaign_id'))
    )
    op.create_index('ix_invitation_respondent_id_created_at', 'invitation',
                    ['respondent_id', 'created_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_invitation_respondent_id_created_at', table_name='invitation')
    op.drop_table('invitation')
    with op.batch_alter_table('respondent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_customer_ref'))
        batch_op.drop_column('customer_ref')
