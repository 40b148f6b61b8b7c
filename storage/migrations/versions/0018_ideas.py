"""ideas: employees' ideas (signed or anonymous) and their supporters

Revision ID: 0018
Revises: 0017
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('idea',
    sa.Column('id', ID, nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('service', sa.String(length=64), nullable=True),
    sa.Column('signed', sa.Boolean(), nullable=False),
    sa.Column('author_id', ID, nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('decline_reason', sa.Text(), nullable=True),
    sa.Column('merged_into_id', ID, nullable=True),
    sa.Column('improvement_id', ID, nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['respondent.id'], name=op.f('fk_idea_author_id_respondent'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['improvement_id'], ['improvement.id'], name=op.f('fk_idea_improvement_id_improvement'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['idea.id'], name=op.f('fk_idea_merged_into_id_idea'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_author_id'), ['author_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_improvement_id'), ['improvement_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_merged_into_id'), ['merged_into_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_service'), ['service'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_status'), ['status'], unique=False)

    op.create_table('idea_support',
    sa.Column('id', ID, nullable=False),
    sa.Column('idea_id', ID, nullable=False),
    sa.Column('respondent_id', ID, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['idea.id'], name=op.f('fk_idea_support_idea_id_idea'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondent.id'], name=op.f('fk_idea_support_respondent_id_respondent'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_support')),
    sa.UniqueConstraint('idea_id', 'respondent_id', name=op.f('uq_idea_support_idea_id_respondent_id'))
    )
    with op.batch_alter_table('idea_support', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_support_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_support_respondent_id'), ['respondent_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('idea_support', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_support_respondent_id'))
        batch_op.drop_index(batch_op.f('ix_idea_support_idea_id'))
    op.drop_table('idea_support')
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_status'))
        batch_op.drop_index(batch_op.f('ix_idea_service'))
        batch_op.drop_index(batch_op.f('ix_idea_merged_into_id'))
        batch_op.drop_index(batch_op.f('ix_idea_improvement_id'))
        batch_op.drop_index(batch_op.f('ix_idea_created_at'))
        batch_op.drop_index(batch_op.f('ix_idea_author_id'))
    op.drop_table('idea')
