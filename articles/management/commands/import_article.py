from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.interchange.read import read_import_file
from articles.management.actors import acting_user
from articles.services import article_import
from editorial.exceptions import EditorialError


class Command(BaseCommand):
    help = (
        "Import an article from a Markdown file with YAML front matter (docs/interchange.md). "
        "Nothing is "
        "written unless the whole file is valid; every problem is reported with its line."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .md file to import.")
        parser.add_argument(
            "--allow-missing-references",
            action="store_true",
            help="Create incomplete placeholder references (which block approval) for "
            "citation numbers the front matter does not list.",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="Apply the file to the existing article with its slug; changed claims "
            "return to pending review.",
        )
        parser.add_argument(
            "--as",
            dest="username",
            help="The editor the import is recorded under (default: the first superuser).",
        )

    def handle(self, *args, path, allow_missing_references, update, username, **options):
        source = Path(path)
        try:
            with source.open("rb") as file:
                source_text = read_import_file(file, source_name=source.name)
        except OSError as exc:
            raise CommandError(f"Cannot read {source}: {exc}") from exc
        except EditorialError as exc:
            raise CommandError(str(exc)) from exc
        try:
            result = article_import(
                source_text=source_text,
                actor=acting_user(username),
                allow_missing_references=allow_missing_references,
                update=update,
                source_name=source.name,
            )
        except EditorialError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(f"Warning: {warning}"))
        article = result.article
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(f"Imported “{article}” as /articles/{article.slug}/.")
            )
        elif result.changes:
            for change in result.changes:
                self.stdout.write(f"  {change}")
            self.stdout.write(
                self.style.SUCCESS(
                    f"Updated “{article}”: {len(result.changes)} change(s) from {source.name}."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"“{article}” already matches {source.name}."))
