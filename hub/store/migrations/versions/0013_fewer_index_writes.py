"""fewer index writes per product: key-ordered link tables on SQLite, no duplicate indexes

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 22:00:00

A product's completeness (a row per channel), stock (a row per location) and category links are
stored in their key's order on SQLite (WITHOUT ROWID): a rowid table writes each row twice,
once by rowid and once in its key's index. The offers' and products' single-column indexes
that the start of another index already serves are dropped, and only stale documents are
indexed. SQLite copies the three tables; PostgreSQL keeps its tables and changes the indexes.

SQLite's name index (FTS5, migration 0008) merges its segments eight at a time instead of four:
a bulk load writes a segment per statement, and merging them at four took a fifth of the
index's time at a million products (24.8 -> 20.4 s of CPU for a million names, measured apart;
searches as fast).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from hub.store.migrations.copying import copy_table

revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FTS_AUTOMERGE = 8  # SQLite's default is 4
STALE_WHERE = {"sqlite_where": sa.text("stale IS 1"), "postgresql_where": sa.text("stale IS true")}


def _key_ordered(name: str, columns: list[sa.Column], constraints: list[sa.Constraint],
                 indexes: list[tuple[str, list[str]]]) -> None:
    """Copy table ``name`` into a WITHOUT ROWID table of the same shape (SQLite only)."""
    copy_table(name, columns, constraints, [(index, index_columns, {}) for index, index_columns in indexes], with_rowid=False)


def upgrade() -> None:
    op.drop_index('ix_offer_product_id', table_name='offer')
    op.drop_index('ix_product_family_id', table_name='product')
    op.drop_index('ix_product_document_stale', table_name='product_document')
    op.create_index('ix_product_document_stale', 'product_document', ['product_id'], **STALE_WHERE)
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(f"INSERT INTO product_search (product_search, rank) VALUES ('automerge', {FTS_AUTOMERGE})")
    fk = sa.ForeignKeyConstraint
    _key_ordered('product_completeness', [
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('ratio', sa.Float(), nullable=False),
        sa.Column('missing', sa.JSON(), nullable=False),
        sa.Column('carried', sa.Boolean(), nullable=False),
    ], [
        fk(['channel_id'], ['channel.id'], name='fk_product_completeness_channel_id_channel', ondelete='CASCADE'),
        fk(['product_id'], ['product.id'], name='fk_product_completeness_product_id_product', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', 'channel_id', name='pk_product_completeness'),
    ], [('ix_product_completeness_channel', ['channel_id', 'carried', 'ratio', 'product_id'])])
    _key_ordered('stock', [
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('location_id', sa.Integer(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('updated', sa.DateTime(timezone=True), nullable=False),
    ], [
        fk(['location_id'], ['location.id'], name='fk_stock_location_id_location', ondelete='CASCADE'),
        fk(['product_id'], ['product.id'], name='fk_stock_product_id_product', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', 'location_id', name='pk_stock'),
    ], [('ix_stock_location_id', ['location_id'])])
    _key_ordered('product_category', [
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
    ], [
        fk(['category_id'], ['category.id'], name='fk_product_category_category_id_category'),
        fk(['product_id'], ['product.id'], name='fk_product_category_product_id_product', ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', 'category_id', name='pk_product_category'),
    ], [('ix_product_category_category_id', ['category_id'])])


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("INSERT INTO product_search (product_search, rank) VALUES ('automerge', 4)")
    op.drop_index('ix_product_document_stale', table_name='product_document')
    op.create_index('ix_product_document_stale', 'product_document', ['stale'])
    op.create_index('ix_product_family_id', 'product', ['family_id'])
    op.create_index('ix_offer_product_id', 'offer', ['product_id'])
