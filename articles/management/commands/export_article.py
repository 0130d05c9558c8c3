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
            Path(output).write_text(markdown, encoding="utf-8")
            self.stderr.write(self.style.SUCCESS(f"Exported “{article}” to {output}."))
        else:
            self.stdout.write(markdown, ending="")
