"""publication shards: which process rendered each shard of a publication, and how long it took

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:20:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision: str = '0018'
down_revision: Union[str, Sequence[str], None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('publication') as batch:
        batch.add_column(sa.Column('shards', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('publication') as batch:
        batch.drop_column('shards')
