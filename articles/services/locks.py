"""The lock order (docs/invariants.md#i1-truthful-badge, docs/invariants.md#i7-no-lost-updates).

Every write that can change what “Approved” means takes its row locks in one order: the
references it starts to cite, then the article row, then the article's claims. Approving,
deciding on claims, editing content, references and assignments therefore queue on the article,
and no interleaving can approve an article around an open claim. On SQLite, whose transactions
take the database's write lock when they begin, these are no-ops and writers queue anyway.
"""

from collections.abc import Iterable

from editorial.exceptions import EditorialError

from ..models import Article, Claim, Reference, Section


def hold_references(references: Iterable[Reference]) -> None:
    """Lock references a write is about to cite, before its article, so a concurrent change to
    one of them (which locks the reference, then the articles citing it) cannot miss the new
    citation nor deadlock with it."""
    ids = sorted({reference.pk for reference in references})
    if ids:
        list(
            Reference.objects.select_for_update(no_key=True)
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def lock_article(article_id: int) -> Article:
    """The article row, locked: the first lock of every write to it."""
    try:
        return Article.objects.select_for_update().get(pk=article_id)
    except Article.DoesNotExist as exc:
        raise EditorialError(f"Article {article_id} does not exist.") from exc


def lock_articles(article_ids: Iterable[int]) -> list[Article]:
    """Several article rows, locked in id order so two writers never wait on each other."""
    return list(Article.objects.select_for_update().filter(pk__in=set(article_ids)).order_by("pk"))


def lock_claims(claim_ids: Iterable[int]) -> list[Claim]:
    """Current claims, locked in id order; their articles must be locked already."""
    return list(
        Claim.objects.select_for_update(of=("self",))
        .filter(pk__in=set(claim_ids))
        .select_related("section__article")
        .order_by("pk")
    )


def lock_claim(claim: Claim) -> Claim:
    """Lock a claim's article, then the claim; refuse a claim removed meanwhile."""
    article_id = (
        Claim.objects.filter(pk=claim.pk).values_list("section__article_id", flat=True).first()
    )
    if article_id is not None:
        lock_article(article_id)
        locked = lock_claims([claim.pk])
        if locked:
            return locked[0]
    raise EditorialError(f"The claim “{claim.summary(60)}” has been removed from its article.")


def lock_section(section: Section) -> Section:
    """Lock the section's article, then the section; refuse a section removed meanwhile."""
    lock_article(section.article_id)
    locked = Section.objects.select_for_update().filter(pk=section.pk).first()
    if locked is None:
        raise EditorialError(f"The section “{section}” has been removed from its article.")
    return locked
