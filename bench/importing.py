"""Import benchmark: how long ``article_import`` takes for the seed and a 1,000-claim article.

Migrates a throwaway database (a SQLite file in a temporary directory, or the database named by
BENCH_DATABASE_URL, which must be empty or disposable), then imports each article ``--runs``
times under fresh slugs and prints the median and best times, with the parse-and-check time
(``read_article``, no writes) on its own.

    .venv/bin/python bench/importing.py [--runs 5] [--claims 1000]
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "articles" / "demo" / "calcium-deposits.md"


def generated_article(*, claims: int, slug: str = "generated") -> str:
    """A valid article of ``claims`` claims: sections of ten, a third of them sub-bullets."""
    references = 40
    lines = [
        "---",
        "title: What does a long generated article cost to import?",
        f"slug: {slug}",
        "last_updated: 2025-12-11",
        "references:",
    ]
    for number in range(1, references + 1):
        lines += [
            f"  {number}:",
            "    kind: research",
            f"    title: Generated study number {number} of soft tissue calcification",
            "    source: Journal of Benchmarks",
            f"    year: {1990 + number % 35}",
            f"    doi: 10.5555/bench.{number}",
        ]
    lines += ["---", ""]
    written = 0
    section = 0
    while written < claims:
        section += 1
        lines += [f"{'##' if section % 3 == 1 else '###'} Section {section}", ""]
        for index in range(min(10, claims - written)):
            number = (written % references) + 1
            cites = f"[{number}]" if index % 4 else f"[{number}, {number % references + 1}]"
            indent = "  " if index % 3 == 2 else ""
            lines.append(
                f"{indent}- Claim {written + 1}: calcium deposits behave this way in case "
                f"{index} of section {section} {cites}"
            )
            written += 1
        lines.append("")
    return "\n".join(lines)


def median_and_best(timings: list[float]) -> str:
    return f"median {statistics.median(timings) * 1000:7.1f} ms, best {min(timings) * 1000:7.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--claims", type=int, default=1000)
    options = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="editorial-bench-import-")
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "editorial.settings")
    # Production settings (DEBUG off) start only with a SECRET_KEY: a throwaway one.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from articles.interchange.read import read_article
    from articles.models import Claim
    from articles.services import article_import

    call_command("migrate", verbosity=0)
    actor, _ = get_user_model().objects.get_or_create(
        username="bench-importer", defaults={"is_superuser": True, "is_staff": True}
    )
    seed_text = SEED.read_text(encoding="utf-8")
    articles = {
        "seed article": seed_text,
        f"generated {options.claims}-claim article": generated_article(claims=options.claims),
    }
    vendor = django.db.connection.vendor
    print(f"Import benchmark on {vendor}, {options.runs} runs each")
    for label, text in articles.items():
        plan = read_article(text, allow_missing_references=True)
        claims = sum(1 for _ in plan.claims())
        parse, full = [], []
        for run in range(options.runs):
            slug_text = text.replace(f"slug: {plan.slug}\n", f"slug: {plan.slug}-{run}\n", 1)
            started = time.perf_counter()
            read_article(slug_text, allow_missing_references=True)
            parse.append(time.perf_counter() - started)
            started = time.perf_counter()
            result = article_import(
                source_text=slug_text, actor=actor, allow_missing_references=True
            )
            full.append(time.perf_counter() - started)
            assert Claim.objects.of_article(result.article).count() == claims
        print(f"{label} ({claims} claims, {len(plan.sections)} sections):")
        print(f"  parse and check: {median_and_best(parse)}")
        print(f"  whole import:    {median_and_best(full)}")


if __name__ == "__main__":
    main()
