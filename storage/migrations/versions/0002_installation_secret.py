"""installation secret; deliveries tied to whom they are about, with the platform's receipt

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 13:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('installation',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_installation'))
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(sa.Column('about_respondent_id', ID, nullable=True))
        batch_op.add_column(sa.Column('about_conversation_id', ID, nullable=True))
        batch_op.add_column(sa.Column('receipt', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_delivery_about_respondent_id'), ['about_respondent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_about_conversation_id'), ['about_conversation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_delivery_about_respondent_id_respondent'), 'respondent', ['about_respondent_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_delivery_about_conversation_id_conversation'), 'conversation', ['about_conversation_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_delivery_about_conversation_id_conversation'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_delivery_about_respondent_id_respondent'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_delivery_about_conversation_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_about_respondent_id'))
        batch_op.drop_column('receipt')
        batch_op.drop_column('about_conversation_id')
        batch_op.drop_column('about_respondent_id')
    op.drop_table('installation')
