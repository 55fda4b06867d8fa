"""address failures: failed sign-ins counted per client address as well as per account

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 12:55:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0016'
down_revision: Union[str, Sequence[str], None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'address_failures',
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('since', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('address', name='pk_address_failures'),
    )


def downgrade() -> None:
    op.drop_table('address_failures')
