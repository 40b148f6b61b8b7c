"""staff accounts, API tokens, audit log, sign-in throttling, first-admin setup links

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table('staff_user',
    sa.Column('id', ID, nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('disabled_at', WHEN, nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('last_sign_in_at', WHEN, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_user')),
    sa.UniqueConstraint('email', name=op.f('uq_staff_user_email'))
    )
    op.create_table('api_token',
    sa.Column('id', ID, nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('scope', sa.String(length=8), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('hint', sa.String(length=16), nullable=False),
    sa.Column('created_by', ID, nullable=True),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('revoked_at', WHEN, nullable=True),
    sa.Column('last_used_at', WHEN, nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'],
                            name=op.f('fk_api_token_created_by_staff_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token')),
    sa.UniqueConstraint('digest', name=op.f('uq_api_token_digest'))
    )
    op.create_table('audit_log',
    sa.Column('id', ID, nullable=False),
    sa.Column('at', WHEN, nullable=False),
    sa.Column('actor', sa.String(length=32), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('target', sa.String(length=254), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
    op.create_table('sign_in_failure',
    sa.Column('id', ID, nullable=False),
    sa.Column('at', WHEN, nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_failure'))
    )
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_failure_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_failure_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_sign_in_failure_address'), ['address'], unique=False)
    op.create_table('setup_link',
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', WHEN, nullable=False),
    sa.Column('expires_at', WHEN, nullable=False),
    sa.Column('used_at', WHEN, nullable=True),
    sa.PrimaryKeyConstraint('digest', name=op.f('pk_setup_link'))
    )


def downgrade() -> None:
    op.drop_table('setup_link')
    with op.batch_alter_table('sign_in_failure', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_failure_address'))
        batch_op.drop_index(batch_op.f('ix_sign_in_failure_email'))
        batch_op.drop_index(batch_op.f('ix_sign_in_failure_at'))
    op.drop_table('sign_in_failure')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
    op.drop_table('audit_log')
    op.drop_table('api_token')
    op.drop_table('staff_user')
