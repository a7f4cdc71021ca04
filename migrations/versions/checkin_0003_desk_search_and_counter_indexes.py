"""desk search and counter indexes

Revision ID: checkin_0003
Revises: reporting_0001
Create Date: 2026-11-22 00:20:00

The desk's name search reads lower(users.name) as an index range (SQLite and
PostgreSQL both index expressions); its "registered" counter counts
(event_id, revoked_at) from the index alone.
"""
from alembic import op
import sqlalchemy as sa


revision = 'checkin_0003'
down_revision = 'reporting_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.create_index('ix_registrations_event_id_revoked_at', ['event_id', 'revoked_at'], unique=False)
    op.create_index('ix_users_name_lower', 'users', [sa.text('lower(name)')], unique=False)


def downgrade():
    op.drop_index('ix_users_name_lower', table_name='users')
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_index('ix_registrations_event_id_revoked_at')
