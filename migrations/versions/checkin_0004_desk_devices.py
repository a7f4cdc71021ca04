"""desk devices: tokens for scanner apps, and the device on each scan it made

Revision ID: checkin_0004
Revises: accounts_0002
Create Date: 2026-12-01 17:30:00

A host issues a desk device (a scanner app, a tablet) a token for one event's
desk; only its SHA-256 is kept. The scan log names the device a scan came from.

`checkins` gets no column: on SQLite adding a foreign key rebuilds the table,
and dropping the old `checkins` (foreign keys are on) would set every scan
log row's checkin_id to NULL. A device's check-in carries its name in
`checkins.desk`, and its scan log row names the device.
"""
import contextlib
import warnings

from alembic import op
import sqlalchemy as sa


revision = 'checkin_0004'
down_revision = 'accounts_0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'desk_devices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.Column('issued_by_id', sa.Integer(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_desk_devices_event_id_events'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_desk_devices_issued_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_desk_devices_revoked_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_devices')),
        sa.UniqueConstraint('token_sha256', name=op.f('uq_desk_devices_token_sha256')),
    )
    with op.batch_alter_table('desk_devices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_devices_event_id'), ['event_id'], unique=False)

    # On SQLite this rebuilds checkin_scans (copy, drop, rename); no table refers to it, so
    # dropping the old one sets nothing elsewhere to NULL.
    with _reflecting_users(), op.batch_alter_table('checkin_scans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('device_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_checkin_scans_device_id_desk_devices'), 'desk_devices',
                                    ['device_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with _reflecting_users(), op.batch_alter_table('checkin_scans', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_checkin_scans_device_id_desk_devices'), type_='foreignkey')
        batch_op.drop_column('device_id')

    with op.batch_alter_table('desk_devices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_devices_event_id'))
    op.drop_table('desk_devices')


@contextlib.contextmanager
def _reflecting_users():
    """Rebuilding a table on SQLite reflects the tables it refers to, users among them, whose
    lower(name) index SQLAlchemy cannot reflect and says so; the rebuilt table does not need it."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        yield
