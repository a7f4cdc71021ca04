"""name words: each word of a person's name, for the desk's search

Revision ID: accounts_0002
Revises: checkin_0003
Create Date: 2026-11-22 03:20:00

The desk finds "Maya Chen" by "chen" as well as by "maya": the words of every
name, lower-case and without accents, keyed (word, user) so that a word
prefix is an ordered index range. Filled here for the people already there.
"""
from alembic import op
import sqlalchemy as sa

from accounts.models import name_word_rows

revision = 'accounts_0002'
down_revision = 'checkin_0003'
branch_labels = None
depends_on = None


def upgrade():
    name_words = op.create_table(
        'name_words',
        sa.Column('word', sa.String(length=120), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_name_words_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('word', 'user_id', name=op.f('pk_name_words')),
    )
    with op.batch_alter_table('name_words', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_name_words_user_id'), ['user_id'], unique=False)
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('name', sa.String))
    connection = op.get_bind()
    last = 0
    while True:  # in batches: a provider may have tens of thousands of people already
        batch = connection.execute(sa.select(users.c.id, users.c.name).where(users.c.id > last)
                                   .order_by(users.c.id).limit(5000)).all()
        if not batch:
            break
        rows = [row for user_id, name in batch for row in name_word_rows(user_id, name or "")]
        if rows:
            connection.execute(name_words.insert(), rows)
        last = batch[-1][0]


def downgrade():
    with op.batch_alter_table('name_words', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_name_words_user_id'))
    op.drop_table('name_words')
