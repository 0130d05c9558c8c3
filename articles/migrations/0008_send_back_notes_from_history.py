"""Fill the board's send-back note of each article from its history, once: the last
``request_changes: <note>`` row of the article becomes its ``changes_requested_note``, with who
wrote it and when. From now on the note is written with the transition; history stays audit."""

from django.db import migrations

PREFIX = "request_changes: "


def notes_from_history(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    HistoricalArticle = apps.get_model("articles", "HistoricalArticle")
    rows = HistoricalArticle.objects.filter(history_change_reason__startswith=PREFIX).order_by(
        "id", "-history_date", "-history_id"
    )
    last_per_article = {}
    for row in rows.values("id", "history_change_reason", "history_user_id", "history_date"):
        last_per_article.setdefault(row["id"], row)
    for article_id, row in last_per_article.items():
        Article.objects.filter(pk=article_id, changes_requested_note="").update(
            changes_requested_note=row["history_change_reason"].removeprefix(PREFIX),
            changes_requested_by_id=row["history_user_id"],
            changes_requested_at=row["history_date"],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0007_article_keeps_the_boards_send_back_note"),
    ]

    operations = [
        migrations.RunPython(notes_from_history, migrations.RunPython.noop),
    ]
