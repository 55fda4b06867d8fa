"""derived tables without foreign keys: no per-row reference check on the bulk path

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 02:00:00

The tables derived from products (completeness, category members, documents and their bodies)
drop their foreign keys. PostgreSQL checks a foreign key with a query per inserted row: a new
product writes about 25 such rows (eight of completeness with two keys each), and the checks
took a third to two fifths of the server's CPU in the demo (a 100,000-product demo on
PostgreSQL: 50-57 s of server CPU with them, 29-38 s without, two runs each). The services keep
these rows as they keep their contents: a deleted product's go with it
(``product_index.forget``), a deleted channel's completeness with it, and a category that has
members classifies products or holds subcategories, so it cannot be deleted. ``crosscanal
reindex`` rebuilds them all. SQLite's checks cost too little to measure, but the schema stays the
same on both: SQLite copies the four tables.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

from hub.store.migrations.copying import copy_table

revision: str = '0014'
down_revision: Union[str, Sequence[str], None] = '0013'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

STALE_WHERE = {"sqlite_where": sa.text("stale IS 1"), "postgresql_where": sa.text("stale IS true")}
# table: the foreign keys it had, as (column, referred table)
KEYS = {
    'product_completeness': [('product_id', 'product'), ('channel_id', 'channel')],
    'category_member': [('category_id', 'category'), ('product_id', 'product')],
    'product_document': [('product_id', 'product')],
    'product_document_body': [('product_id', 'product')],
}


def _shapes() -> dict[str, tuple[list[sa.Column], list[sa.Constraint], list, bool]]:
    """Each table's columns, primary key, indexes and whether it has rowids (SQLite), as 0013 left them."""
    return {
        'product_completeness': ([
            sa.Column('product_id', sa.Integer(), nullable=False),
            sa.Column('channel_id', sa.Integer(), nullable=False),
            sa.Column('ratio', sa.Float(), nullable=False),
            sa.Column('missing', sa.JSON(), nullable=False),
            sa.Column('carried', sa.Boolean(), nullable=False),
        ], [sa.PrimaryKeyConstraint('product_id', 'channel_id', name='pk_product_completeness')],
            [('ix_product_completeness_channel', ['channel_id', 'carried', 'ratio', 'product_id'], {})], False),
        'category_member': ([
            sa.Column('category_id', sa.Integer(), nullable=False),
            sa.Column('sku', sa.String(length=64), nullable=False),
            sa.Column('product_id', sa.Integer(), nullable=False),
        ], [sa.PrimaryKeyConstraint('category_id', 'sku', name='pk_category_member')],
            [('ix_category_member_product', ['product_id'], {})], False),
        'product_document': ([
            sa.Column('product_id', sa.Integer(), nullable=False),
            sa.Column('stock', sa.LargeBinary(), nullable=False),
            sa.Column('doc_hash', sa.String(length=32), nullable=False),
            sa.Column('moments', sa.Text(), nullable=False),
            sa.Column('stale', sa.Boolean(), nullable=False),
            sa.Column('changed', sa.BigInteger(), server_default='0', nullable=False),
        ], [sa.PrimaryKeyConstraint('product_id', name='pk_product_document')],
            [('ix_product_document_stale', ['product_id'], STALE_WHERE),
             ('ix_product_document_changed', ['changed', 'product_id'], {})], True),
        'product_document_body': ([
            sa.Column('product_id', sa.Integer(), nullable=False),
            sa.Column('doc', sa.LargeBinary(), nullable=False),
        ], [sa.PrimaryKeyConstraint('product_id', name='pk_product_document_body')], [], True),
    }


def _key(table: str, column: str, referred: str) -> str:
    return f'fk_{table}_{column}_{referred}'


def upgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        for table, keys in KEYS.items():
            for column, referred in keys:
                op.drop_constraint(_key(table, column, referred), table, type_='foreignkey')
        return
    for table, (columns, constraints, indexes, with_rowid) in _shapes().items():
        copy_table(table, columns, constraints, indexes, with_rowid)


def downgrade() -> None:
    """The keys again: a product's or channel's derived rows then go with it by cascade. Rows
    whose product, channel or category is gone are deleted first, or no key would take them."""
    for table, keys in KEYS.items():
        gone = " OR ".join(f"NOT EXISTS (SELECT 1 FROM {referred} WHERE {referred}.id = {table}.{column})"
                           for column, referred in keys)
        op.execute(f"DELETE FROM {table} WHERE {gone}")
    if op.get_bind().dialect.name != 'sqlite':
        for table, keys in KEYS.items():
            for column, referred in keys:
                op.create_foreign_key(_key(table, column, referred), table, referred, [column], ['id'], ondelete='CASCADE')
        return
    for table, (columns, constraints, indexes, with_rowid) in _shapes().items():
        keys = [sa.ForeignKeyConstraint([column], [f'{referred}.id'], name=_key(table, column, referred), ondelete='CASCADE')
                for column, referred in KEYS[table]]
        copy_table(table, columns, constraints + keys, indexes, with_rowid)
