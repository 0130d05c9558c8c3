from django.db import migrations


def grant_governance_permissions(apps, schema_editor):
    """Editors settle reader feedback and see the governance dashboard; board members keep
    their declarations of interest; approvers see assignments to override conflicts."""
    from reviewers.roles import ensure_roles

    ensure_roles(apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("reviewers", "0007_conflicts_of_interest_and_review_cycle_reminders"),
        ("articles", "0003_review_cycle_and_reader_feedback"),
    ]

    operations = [migrations.RunPython(grant_governance_permissions, migrations.RunPython.noop)]
