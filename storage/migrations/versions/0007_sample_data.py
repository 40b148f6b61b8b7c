"""sample data of `ecoute demo`: which respondents and conversations are made up

Revision ID: 0007
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('sample_respondent',
    sa.Column('respondent_id', ID, nullable=False),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'],
                            name=op.f('fk_sample_respondent_respondent_id_respondent'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('respondent_id', name=op.f('pk_sample_respondent'))
    )
    op.create_table('sample_conversation',
    sa.Column('conversation_id', ID, nullable=False),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'],
                            name=op.f('fk_sample_conversation_conversation_id_conversation'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('conversation_id', name=op.f('pk_sample_conversation'))
    )


def downgrade() -> None:
    op.drop_table('sample_conversation')
    op.drop_table('sample_respondent')
