"""a diagnostic holds from the publication that found it until one that renders its product again

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 22:30:00

Rows written before keep their meaning: each held for its own publication only, so its
``until_id`` is the next publication of the same channel (none for the newest).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('publication_diagnostic') as batch:
        batch.add_column(sa.Column('channel_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('until_id', sa.Integer(), nullable=True))
        batch.drop_index('ix_publication_diagnostic_code')
    op.execute("UPDATE publication_diagnostic SET channel_id = "
               "(SELECT p.channel_id FROM publication p WHERE p.id = publication_diagnostic.publication_id)")
    op.execute("UPDATE publication_diagnostic SET until_id = (SELECT min(p.id) FROM publication p WHERE "
               "p.channel_id = publication_diagnostic.channel_id AND p.id > publication_diagnostic.publication_id)")
    with op.batch_alter_table('publication_diagnostic') as batch:
        batch.alter_column('channel_id', existing_type=sa.Integer(), nullable=False)
        batch.create_index('ix_publication_diagnostic_current', ['channel_id', 'until_id', 'product_id'], unique=False)
        batch.create_index('ix_publication_diagnostic_code', ['channel_id', 'code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('publication_diagnostic') as batch:
        batch.drop_index('ix_publication_diagnostic_code')
        batch.drop_index('ix_publication_diagnostic_current')
        batch.create_index('ix_publication_diagnostic_code', ['publication_id', 'code'], unique=False)
        batch.drop_column('until_id')
        batch.drop_column('channel_id')
