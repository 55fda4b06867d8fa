"""category members: "in category X" as one index range, in SKU order

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 07:45:00

One row per (category, product) for each category a product is filed in (itself or through its
product model) and every category above it (``hub.store.category_members``). Filled here from
the links and the tree in one statement, the tree walked by a recursive query.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FILL = """
WITH RECURSIVE lineage (category_id, above_id) AS (
    SELECT id, id FROM category
    UNION ALL
    SELECT lineage.category_id, category.parent_id FROM lineage JOIN category ON category.id = lineage.above_id
    WHERE category.parent_id IS NOT NULL
), filed (product_id, category_id) AS (
    SELECT product_id, category_id FROM product_category
    UNION
    SELECT product.id, product_model_category.category_id FROM product
    JOIN product_model_category ON product_model_category.product_model_id = product.parent_id
)
INSERT INTO category_member (category_id, sku, product_id)
SELECT DISTINCT lineage.above_id, product.sku, product.id
FROM filed JOIN lineage ON lineage.category_id = filed.category_id JOIN product ON product.id = filed.product_id
"""


def upgrade() -> None:
    op.create_table(
        'category_member',
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('sku', sa.String(length=64), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_category_member_category_id_category'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_category_member_product_id_product'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('category_id', 'sku', name=op.f('pk_category_member')),
        sqlite_with_rowid=False,
    )
    op.create_index('ix_category_member_product', 'category_member', ['product_id'], unique=False)
    op.execute(FILL)


def downgrade() -> None:
    op.drop_index('ix_category_member_product', table_name='category_member')
    op.drop_table('category_member')
