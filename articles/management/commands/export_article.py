from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.interchange.export import article_as_markdown
from articles.models import Article


class Command(BaseCommand):
    help = "Write an article in the import format (Markdown with YAML front matter)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The slug of the article to export.")
        parser.add_argument("-o", "--output", help="Write to this file instead of standard output.")

    def handle(self, *args, slug, output, **options):
        try:
            article = Article.objects.get(slug=slug)
        except Article.DoesNotExist as exc:
            raise CommandError(f"No article has the slug “{slug}”.") from exc
        markdown = article_as_markdown(article)
        if output:
            try:
                Path(output).write_text(markdown, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"Cannot write “{output}”: {_why(exc)}.") from exc
            self.stderr.write(self.style.SUCCESS(f"Exported “{article}” to {output}."))
        else:
            self.stdout.write(markdown, ending="")


def _why(exc: OSError) -> str:
    """The reason a file could not be written, as a sentence ending (no traceback)."""
    if isinstance(exc, IsADirectoryError):
        return "it is a directory; name a file in it"
    if isinstance(exc, FileNotFoundError):
        return "its directory does not exist"
    if isinstance(exc, PermissionError):
        return "permission denied"
    return exc.strerror or str(exc)
