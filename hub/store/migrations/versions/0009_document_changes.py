"""document change stamps: a republish reads the keys of the documents written since it last looked

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 04:00:00

Each document row gains the change number of its last write (``hub.store.document_changes``),
indexed with the product id; removed products leave a stamped row behind; SQLite's counter
starts at 0. Rows written before this migration carry 0: the first republish after it reads
every key once, as before.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0009'
down_revision: Union[str, Sequence[str], None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('product_document') as batch:
        batch.add_column(sa.Column('changed', sa.BigInteger(), server_default='0', nullable=False))
        batch.create_index('ix_product_document_changed', ['changed', 'product_id'], unique=False)
    op.create_table(
        'document_counter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.execute("INSERT INTO document_counter (id, number) VALUES (1, 0)")
    op.create_table(
        'document_removal',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('changed', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('product_id', 'changed'),
    )
    op.create_index('ix_document_removal_changed', 'document_removal', ['changed'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_document_removal_changed', table_name='document_removal')
    op.drop_table('document_removal')
    op.drop_table('document_counter')
    with op.batch_alter_table('product_document') as batch:
        batch.drop_index('ix_product_document_changed')
        batch.drop_column('changed')
