"""job runners: the process that runs each import and bulk edit

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 12:50:00

An import or bulk edit runs in the process that queued it (a server worker, a command). When
that process was killed, its job stayed "queued" or "running" for ever. Each job now names its
process, so the next start on the same machine can tell that it died and mark the job failed.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = '0015'
down_revision: Union[str, Sequence[str], None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TABLES = ('import_job', 'bulk_edit')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('runner', sa.String(length=200), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('runner')
