"""Full-text index over search entries: FTS5 on SQLite, a stored tsvector on PostgreSQL.

Both stem English words (porter; the 'english' text search configuration), so "refund"
finds "refunds" and "refunded". On PostgreSQL the document is a generated column: a
filter on an expression index recomputes to_tsvector for every row the planner walks,
which made newest-first searches scan in seconds; a stored tsvector is checked in
microseconds and has statistics the planner can use.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(kind, title, body, "
    "content='search_searchentry', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_fts(rowid, kind, title, body) "
    "VALUES (new.id, new.kind, new.title, new.body); END",
    "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, kind, title, body) "
    "VALUES ('delete', old.id, old.kind, old.title, old.body); END",
    "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchentry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, kind, title, body) "
    "VALUES ('delete', old.id, old.kind, old.title, old.body); "
    "INSERT INTO search_fts(rowid, kind, title, body) "
    "VALUES (new.id, new.kind, new.title, new.body); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_UP = [
    "ALTER TABLE search_searchentry ADD COLUMN document tsvector GENERATED ALWAYS AS "
    "(to_tsvector('english'::regconfig, coalesce(title, '') || ' ' || coalesce(body, ''))) "
    "STORED",
    "CREATE INDEX searchentry_document_idx ON search_searchentry USING gin (document)",
    # Customers are a tenth of the documents: their own index answers a customer search
    # without visiting the tickets that share its words.
    "CREATE INDEX searchentry_customer_document_idx ON search_searchentry "
    "USING gin (document) WHERE kind = 'customer'",
]
POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS searchentry_customer_document_idx",
    "DROP INDEX IF EXISTS searchentry_document_idx",
    "ALTER TABLE search_searchentry DROP COLUMN IF EXISTS document",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}.get(vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
