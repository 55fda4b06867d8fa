"""trigram indexes for the grid's "name contains" (hub.store.name_search)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 01:45:00

SQLite: an FTS5 table with the trigram tokenizer over product.search_text, kept by triggers.
PostgreSQL: pg_trgm and a GIN index; where the extension cannot be created (no right to), the
search keeps working as before, by reading every name.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

SQLITE = [
    "CREATE VIRTUAL TABLE product_search USING fts5(search_text, content='product', content_rowid='id', tokenize='trigram', "
    "detail=none, columnsize=0)",  # the index alone answers LIKE; positions and sizes would only cost writes
    "INSERT INTO product_search (rowid, search_text) SELECT id, search_text FROM product WHERE search_text IS NOT NULL",
    "CREATE TRIGGER product_search_insert AFTER INSERT ON product WHEN new.search_text IS NOT NULL BEGIN "
    "INSERT INTO product_search (rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER product_search_delete AFTER DELETE ON product WHEN old.search_text IS NOT NULL BEGIN "
    "INSERT INTO product_search (product_search, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER product_search_update AFTER UPDATE OF search_text ON product BEGIN "
    "INSERT INTO product_search (product_search, rowid, search_text) SELECT 'delete', old.id, old.search_text "
    "WHERE old.search_text IS NOT NULL; "
    "INSERT INTO product_search (rowid, search_text) SELECT new.id, new.search_text WHERE new.search_text IS NOT NULL; END",
]

POSTGRESQL = """
DO $$
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'pg_trgm is not available (%): the name search reads every name', SQLERRM;
    END;
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX IF NOT EXISTS ix_product_search_text_trigram ON product USING gin (search_text gin_trgm_ops);
    END IF;
END $$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
    else:
        op.execute(POSTGRESQL)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in ("product_search_update", "product_search_delete", "product_search_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS product_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_product_search_text_trigram")
