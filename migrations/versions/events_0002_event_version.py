"""event version: counts up with every change a cached copy must see

Revision ID: events_0002
Revises: checkin_0004
Create Date: 2026-12-01 18:00:00

Server processes keep what hosts change rarely (a session with its event,
speakers, questions) in memory, keyed by this number; every change bumps it
(events.catalogue), and each attendee request reads it in the query it makes
anyway, so a host's edit shows on the next request in every process.
"""
from alembic import op
import sqlalchemy as sa

revision = 'events_0002'
down_revision = 'checkin_0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('version')
