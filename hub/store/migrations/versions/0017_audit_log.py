"""audit log: one row per administrative action (users, tokens, channels, locales, currencies,
the brand guide)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 10:00:00

Starts empty: actions before this migration were not recorded (``hub.store.audit``).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision: str = '0017'
down_revision: Union[str, Sequence[str], None] = '0016'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'audit_entry',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_kind', sa.String(length=16), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_name', sa.String(length=254), nullable=False),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('subject_kind', sa.String(length=32), nullable=False),
        sa.Column('subject_key', sa.String(length=254), nullable=False),
        sa.Column('changes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_entry')),
    )
    op.create_index('ix_audit_entry_action', 'audit_entry', ['action', 'id'], unique=False)
    op.create_index('ix_audit_entry_subject', 'audit_entry', ['subject_kind', 'subject_key', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_entry_subject', table_name='audit_entry')
    op.drop_index('ix_audit_entry_action', table_name='audit_entry')
    op.drop_table('audit_entry')
