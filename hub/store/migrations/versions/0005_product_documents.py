"""resolved product documents; how many items a publication rendered anew; the product of a diagnostic

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 20:10:00

Rows are filled by ``crosscanal`` on its next start (``product_index.backfill``) or by
``crosscanal reindex``.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('product_document',
    sa.Column('product_id', sa.Integer(), nullable=False),
    sa.Column('doc', sa.LargeBinary(), nullable=False),
    sa.Column('stock', sa.LargeBinary(), nullable=False),
    sa.Column('doc_hash', sa.String(length=32), nullable=False),
    sa.Column('moments', sa.Text(), nullable=False),
    sa.Column('stale', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_document_product_id_product'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_document'))
    )
    op.create_index('ix_product_document_stale', 'product_document', ['stale'], unique=False)
    with op.batch_alter_table('publication') as batch:
        batch.add_column(sa.Column('rendered', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('publication_diagnostic') as batch:
        batch.add_column(sa.Column('product_id', sa.Integer(), nullable=True))
        batch.drop_index('ix_publication_diagnostic_publication_id')
        batch.create_index('ix_publication_diagnostic_product', ['publication_id', 'product_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('publication_diagnostic') as batch:
        batch.drop_index('ix_publication_diagnostic_product')
        batch.create_index('ix_publication_diagnostic_publication_id', ['publication_id'], unique=False)
        batch.drop_column('product_id')
    with op.batch_alter_table('publication') as batch:
        batch.drop_column('rendered')
    op.drop_index('ix_product_document_stale', table_name='product_document')
    op.drop_table('product_document')
