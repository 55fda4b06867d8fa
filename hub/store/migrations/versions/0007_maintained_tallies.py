"""channel tallies and publication finding counts, kept instead of counted per page view

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-05 01:30:00

The index of completeness per channel gains the product id, so the least complete products
come in its order. The tallies are counted from the product index once here; the finding counts of each channel's
newest succeeded publication too (older publications are counted when someone looks at them).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # The least complete products of a channel come in the index's order (the dashboard's few).
    with op.batch_alter_table('product_completeness') as batch:
        batch.drop_index('ix_product_completeness_channel')
        batch.create_index('ix_product_completeness_channel', ['channel_id', 'carried', 'ratio', 'product_id'], unique=False)
    op.create_table(
        'channel_tally',
        sa.Column('channel_id', sa.Integer(), nullable=False),
        sa.Column('carried', sa.Integer(), nullable=False),
        sa.Column('complete', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('channel_id'),
    )
    op.create_table(
        'publication_diagnostic_count',
        sa.Column('publication_id', sa.Integer(), nullable=False),
        sa.Column('severity', sa.String(length=16), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('products', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['publication_id'], ['publication.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('publication_id', 'severity', 'code'),
    )
    op.execute(
        "INSERT INTO channel_tally (channel_id, carried, complete) "
        "SELECT c.id, "
        "(SELECT count(*) FROM product_completeness pc WHERE pc.channel_id = c.id AND pc.carried), "
        "(SELECT count(*) FROM product_completeness pc WHERE pc.channel_id = c.id AND pc.carried AND pc.ratio >= 1.0) "
        "FROM channel c")
    op.execute(
        "INSERT INTO publication_diagnostic_count (publication_id, severity, code, products) "
        "SELECT p.id, d.severity, d.code, count(DISTINCT d.sku) "
        "FROM publication p JOIN publication_diagnostic d ON d.channel_id = p.channel_id AND d.publication_id <= p.id "
        "AND (d.until_id IS NULL OR d.until_id > p.id) "
        "WHERE p.id IN (SELECT max(id) FROM publication WHERE status = 'succeeded' GROUP BY channel_id) "
        "GROUP BY p.id, d.severity, d.code")


def downgrade() -> None:
    with op.batch_alter_table('product_completeness') as batch:
        batch.drop_index('ix_product_completeness_channel')
        batch.create_index('ix_product_completeness_channel', ['channel_id', 'carried', 'ratio'], unique=False)
    op.drop_table('publication_diagnostic_count')
    op.drop_table('channel_tally')
