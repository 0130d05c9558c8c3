"""The review and publication workflows of an article (DESIGN §3): each service runs one
transition of the model under the article's lock, records who and why, and announces it after
commit. The rules themselves are the transitions' conditions and permissions."""

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from editorial.exceptions import EditorialError
from editorial.history import save_with_history
from editorial.workflow import run_transition

from ..models import Article, Claim
from ..signals import article_transitioned, review_round_opened
from .content import article_new_version
from .locks import lock_article, lock_claims
from .permissions import require_perm


def _transition_article(
    *, article: Article, name: str, actor, reason: str = "", arguments=None
) -> Article:
    """Run a review or publication transition under the article's lock, then its claims'.

    ``arguments`` makes the transition's keyword arguments once the lock is held, so the times
    it records (approved at, published at) are those of the decision, not of the wait.
    """
    with transaction.atomic():
        locked = lock_article(article.pk)
        lock_claims(Claim.objects.of_article(locked).values_list("pk", flat=True))
        run_transition(locked, name, actor, **(arguments() if arguments else {}))
        article_new_version(locked)
        save_with_history(locked, actor=actor, reason=f"{name}: {reason}" if reason else name)
        transaction.on_commit(
            lambda: article_transitioned.send(
                sender=Article, article=locked, transition=name, actor=actor
            )
        )
    return locked


def article_create(*, title: str, slug: str = "", actor, reason: str = "Created") -> Article:
    require_perm(actor, "articles.add_article", "create articles")
    title = title.strip()
    if not title:
        raise EditorialError("An article needs a question as its title.")
    slug = slug or slugify(title)[:200]
    if Article.objects.filter(slug=slug).exists():
        raise EditorialError(f"An article with the slug “{slug}” already exists.")
    article = Article(
        title=title, slug=slug, created_by=actor, last_material_change_at=timezone.now()
    )
    return save_with_history(article, actor=actor, reason=reason)


def article_start_review(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(article=article, name="start_review", actor=actor, reason=reason)


def article_request_changes(*, article: Article, actor, note: str) -> Article:
    if not note or not note.strip():
        raise EditorialError(
            f"Write a note saying what must change before sending “{article}” back."
        )
    return _transition_article(
        article=article, name="request_changes", actor=actor, reason=note.strip()
    )


def article_resubmit(*, article: Article, actor, reason: str = "") -> Article:
    """Send a revised article back; its reviewers are carried into the new round."""
    with transaction.atomic():
        resubmitted = _transition_article(
            article=article, name="resubmit", actor=actor, reason=reason
        )
        review_round_opened.send(sender=Article, article=resubmitted, actor=actor)
    return resubmitted


def article_approve(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(
        article=article,
        name="approve",
        actor=actor,
        reason=reason,
        arguments=lambda: {"approved_by": actor, "approved_at": timezone.now()},
    )


def article_publish(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(
        article=article,
        name="publish",
        actor=actor,
        reason=reason,
        arguments=lambda: {"published_at": timezone.now()},
    )


def article_withdraw(*, article: Article, actor, reason: str = "") -> Article:
    return _transition_article(article=article, name="withdraw", actor=actor, reason=reason)
