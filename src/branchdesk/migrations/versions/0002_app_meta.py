"""app_meta: facts about the database itself, starting with its identity

Revision ID: 0002
Revises: 0001

A sync package names the database it came from, so that importing it back
into the same database can trust its record codes, while another branch's
package is merged by ID numbers and addresses instead.
"""
import uuid

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    meta = op.create_table(
        'app_meta',
        sa.Column('key', sa.String(length=50), nullable=False),
        sa.Column('value', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_app_meta')),
    )
    op.bulk_insert(meta, [{'key': 'database_id', 'value': uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table('app_meta')
