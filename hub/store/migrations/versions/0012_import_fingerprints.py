"""import fingerprints: a nightly file's unchanged rows recognised without building them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 19:00:00

Per product, a fingerprint of the file row an import last read for it, the revision the
product had right after and its GTINs then (``hub.store.import_fingerprints``). Starts empty: the first import of a
file after this fills it.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'import_fingerprint',
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.LargeBinary(), nullable=False),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('gtins', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['product_id'], ['product.id'], name=op.f('fk_import_fingerprint_product_id_product'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('product_id', name=op.f('pk_import_fingerprint')),
    )


def downgrade() -> None:
    op.drop_table('import_fingerprint')
