"""documents in rows of their own: a stock line or a change stamp rewrites a narrow row

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 04:45:00

The 2 KB document moves from ``product_document`` to ``product_document_body``; the stock,
the hash, the sale moments and the change stamp stay in the narrow row, which SQLite rewrites
whole on every update.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'product_document_body',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('doc', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_product_document_body_product_id_product'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_product_document_body')),
    )
    op.execute("INSERT INTO product_document_body (product_id, doc) SELECT product_id, doc FROM product_document")
    with op.batch_alter_table('product_document') as batch:
        batch.drop_column('doc')


def downgrade() -> None:
    with op.batch_alter_table('product_document') as batch:
        batch.add_column(sa.Column('doc', sa.LargeBinary(), nullable=True))
    op.execute("UPDATE product_document SET doc = (SELECT b.doc FROM product_document_body b "
               "WHERE b.product_id = product_document.product_id)")
    op.drop_table('product_document_body')
