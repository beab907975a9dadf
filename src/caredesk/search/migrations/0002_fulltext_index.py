"""Full-text index over search entries: FTS5 on SQLite, a GIN tsvector index on PostgreSQL.

Both stem English words (porter; the 'english' text search configuration), so "refund"
finds "refunds" and "refunded".
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
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


def _pg_index():
    return GinIndex(SearchVector("title", "body", config="english"), name="searchentry_tsv_idx")


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.add_index(apps.get_model("search", "SearchEntry"), _pg_index())


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.remove_index(apps.get_model("search", "SearchEntry"), _pg_index())


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
