from django.core.management.base import BaseCommand

from reviewers.roles import ROLE_PERMISSIONS, ensure_roles


class Command(BaseCommand):
    help = "Create the Editors, Medical Advisory Board and Board approvers groups (idempotent)."

    def handle(self, *args, **options):
        created = ensure_roles()
        self.stdout.write(
            self.style.SUCCESS(
                f"Roles ready: {', '.join(ROLE_PERMISSIONS)}"
                + (f" (created {', '.join(created)})" if created else " (nothing to change)")
            )
        )
