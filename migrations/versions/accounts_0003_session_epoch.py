"""session epoch: a user's log-out or new password ends every session cookie issued before

Revision ID: accounts_0003
Revises: events_0002
Create Date: 2026-12-02 10:00:00

Each session cookie carries the number it was issued with ("<id>:<epoch>"); the user
loader accepts only the current number, in the one statement it already makes.
Cookies from before this revision hold the bare id and count as epoch 1.
"""
from alembic import op
import sqlalchemy as sa

revision = 'accounts_0003'
down_revision = 'events_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
