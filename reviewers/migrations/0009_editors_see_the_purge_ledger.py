from django.db import migrations


def grant(apps, schema_editor):
    """Editors see the purge ledger of the shared caches, as they see the reminders'."""
    from reviewers.roles import ensure_roles

    ensure_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("reviewers", "0008_governance_permissions_for_roles"),
        ("articles", "0005_reader_edge_cache"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
