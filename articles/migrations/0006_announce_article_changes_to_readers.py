"""On PostgreSQL, any change to the articles table (a service, a manual SQL statement, a restore)
notifies the reader site's connections, which then forget the published versions they remember
(articles/reader/versions.py): I6 holds without anyone having to announce a change by hand."""

from django.db import migrations

CHANNEL = "editorial_reader_pages"

CREATE = f"""
CREATE OR REPLACE FUNCTION editorial_announce_article_change() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS editorial_article_changed ON articles_article;
CREATE TRIGGER editorial_article_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON articles_article
    FOR EACH STATEMENT EXECUTE FUNCTION editorial_announce_article_change();
"""

DROP = """
DROP TRIGGER IF EXISTS editorial_article_changed ON articles_article;
DROP FUNCTION IF EXISTS editorial_announce_article_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("articles", "0005_reader_edge_cache")]

    operations = [migrations.RunPython(create, drop)]
