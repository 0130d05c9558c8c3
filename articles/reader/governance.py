"""Governance on the reader page (docs/reader.md, docs/governance.md): who reviewed it and when,
when it is reviewed next, the schema.org ``MedicalWebPage`` metadata, and the link on each statement
to report a problem with it.

Everything here is read while rendering the cached page of one (article, reading level,
content version), so it depends on the article's data only: whatever changes it (an approval,
a new review date, the review date passing, a reviewer's name or credentials) moves the content
version on. Reviewers and their decisions are asked of the board (``articles.board``); this
module imports nothing of theirs.
"""

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from html import escape
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from editorial.people import name_of

from ..board import board
from ..choices import ReadingLevel
from ..models import Article
from .selectors import ARTICLE_ID_PLACEHOLDER, ArticleHeader, PreparedQuery, ReaderReference


@dataclass(frozen=True)
class ReviewerCredit:
    """A board member named under “Medically reviewed by”."""

    name: str
    credentials: str
    specialty: str

    def __str__(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass(frozen=True)
class ReviewFacts:
    """What the page says about review: the standing approval, its reviewers and dates."""

    has_standing_approval: bool
    approved_at: datetime | None
    next_review_due: date | None
    review_in_progress: bool
    published_at: datetime | None
    last_updated: datetime | None
    reviewers: list[ReviewerCredit] = field(default_factory=list)


_FACTS = PreparedQuery(
    lambda article_id: (
        Article.objects.filter(pk=article_id)
        .order_by()
        .values_list(
            "review_status",
            "approved_at",
            "next_review_due",
            "review_date_passed_at",
            "published_at",
            "last_material_change_at",
            "approved_by_id",
            *board().credit_lookups("approved_by"),
        )
    ),
    article_id=ARTICLE_ID_PLACEHOLDER,
)
"""What the page says about review, in one query compiled once (the page renders once per
version, but a cold render is what readers wait for after every change)."""


def _credit(first_name, last_name, username, credentials, specialty) -> ReviewerCredit:
    return ReviewerCredit(
        name=name_of(first_name, last_name, username),
        credentials=credentials or "",
        specialty=specialty or "",
    )


def approval_reviewers(*, article_id: int, approved_at, approved_by: tuple | None) -> list:
    """The board members whose approving decisions made the current approval: for each claim,
    the reviewer of its last decision up to the approval (an approval, or there would be no
    approval: docs/invariants.md#i1-truthful-badge), by name; then the member who approved the
    article."""
    covering: dict[int, tuple] = {}
    for claim_id, decided_at, approves, *reviewer in board().decisions_on_claims(article_id):
        if claim_id not in covering and decided_at <= approved_at:
            covering[claim_id] = (approves, reviewer)
    reviewers = {reviewer[0]: reviewer for approves, reviewer in covering.values() if approves}
    ordered = sorted(
        reviewers.values(), key=lambda reviewer: (reviewer[2], reviewer[1], reviewer[3])
    )
    credits = [_credit(*reviewer[1:]) for reviewer in ordered]
    if approved_by is not None and approved_by[0] not in reviewers:
        credits.append(_credit(*approved_by[1:]))
    return credits


def review_facts(header: ArticleHeader) -> ReviewFacts:
    (
        review_status,
        approved_at,
        next_review_due,
        review_date_passed_at,
        published_at,
        last_updated,
        approved_by_id,
        *approver,
    ) = _FACTS.rows(article_id=header.id)[0]
    article = Article(
        pk=header.id,
        review_status=review_status,
        next_review_due=next_review_due,
        review_date_passed_at=review_date_passed_at,
    )
    approved = article.has_standing_approval
    reviewers = []
    if approved:
        approved_by = (approved_by_id, *approver) if approved_by_id else None
        reviewers = approval_reviewers(
            article_id=header.id, approved_at=approved_at, approved_by=approved_by
        )
    return ReviewFacts(
        has_standing_approval=approved,
        approved_at=approved_at if approved else None,
        next_review_due=next_review_due if approved else None,
        review_in_progress=article.says_review_in_progress,
        published_at=published_at,
        last_updated=last_updated,
        reviewers=reviewers,
    )


# schema.org MedicalWebPage (JSON-LD).

_AUDIENCE = {
    ReadingLevel.PATIENT: {"@type": "Patient", "audienceType": "Patient or caregiver"},
    ReadingLevel.STUDENT: {"@type": "MedicalAudience", "audienceType": "Student"},
    ReadingLevel.CLINICIAN: {"@type": "MedicalAudience", "audienceType": "Clinician"},
}


def _day(moment: datetime | None) -> str | None:
    return timezone.localdate(moment).isoformat() if moment else None


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _citation(reference: ReaderReference) -> dict:
    cited = {"@type": "ScholarlyArticle", "name": reference.title}
    if reference.authors:
        cited["author"] = reference.authors
    if reference.year:
        cited["datePublished"] = str(reference.year)
    if reference.source:
        cited["isPartOf"] = {"@type": "Periodical", "name": reference.source}
    identifiers, same_as = [], []
    if reference.doi:
        identifiers.append({"@type": "PropertyValue", "propertyID": "DOI", "value": reference.doi})
        same_as.append(reference.doi_url)
    if reference.pmid:
        identifiers.append(
            {"@type": "PropertyValue", "propertyID": "PMID", "value": reference.pmid}
        )
        same_as.append(reference.pubmed_url)
    if identifiers:
        cited["identifier"] = identifiers
        cited["sameAs"] = same_as
    if reference.url:
        cited["url"] = reference.url
    return cited


def medical_web_page(
    *, header: ArticleHeader, facts: ReviewFacts, references: list[ReaderReference], level: str
) -> dict:
    """The page as schema.org ``MedicalWebPage`` data; review fields only while approved."""
    page = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": header.title,
        "url": _site(reverse("articles:page", kwargs={"slug": header.slug, "level": level})),
        "inLanguage": "en",
        "datePublished": _day(facts.published_at),
        "dateModified": _day(facts.last_updated),
        "publisher": {
            "@type": "Organization",
            "name": settings.EDITORIAL_PUBLISHER_NAME,
            "url": _site("/"),
        },
        "audience": _AUDIENCE.get(level, _AUDIENCE[ReadingLevel.CLINICIAN]),
    }
    if facts.has_standing_approval:
        page["lastReviewed"] = _day(facts.approved_at)
        page["reviewedBy"] = [
            {
                "@type": "Person",
                "name": reviewer.name,
                **({"honorificSuffix": reviewer.credentials} if reviewer.credentials else {}),
                "jobTitle": "Medical Advisory Board member",
                **({"knowsAbout": reviewer.specialty} if reviewer.specialty else {}),
            }
            for reviewer in facts.reviewers
        ]
    if references:
        page["citation"] = [_citation(reference) for reference in references]
    return {name: value for name, value in page.items() if value is not None}


_SCRIPT_ESCAPES = (("&", "\\u0026"), ("<", "\\u003C"), (">", "\\u003E"))
"""As Django's ``json_script``; applied with ``str.replace``, some 50 times faster than
``str.translate`` with a mapping on a page's worth of JSON."""


def json_ld_script(data: dict) -> SafeString:
    """``data`` in a JSON-LD data block, escaped as Django's ``json_script`` escapes: no ``<``,
    ``>`` or ``&`` reaches the HTML parser, so no text can close the element. A data block is
    not executed, so the Content-Security-Policy (``script-src 'self'``) allows it."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for character, escaped in _SCRIPT_ESCAPES:
        payload = payload.replace(character, escaped)
    return mark_safe(f'<script type="application/ld+json">{payload}</script>')


# “Report a problem with this statement”: a plain link on the cached page (works without
# JavaScript, carries no per-reader data) to the report form on its own uncached address.


def report_link_maker(*, slug: str, level: str, version: int):
    """A function giving the report link of a claim id on this page (level and version in
    the link, so the report records what the reader saw)."""
    base = reverse("articles:report_problem", kwargs={"slug": slug, "claim_id": 0})
    prefix, suffix = base.rsplit("/0/", 1)
    query = urlencode({"level": level, "v": version})

    def link(claim_id: int) -> str:
        href = escape(f"{prefix}/{claim_id}/{suffix}?{query}")
        return (
            f' <a class="claim-report" href="{href}" rel="nofollow">Report'
            '<span class="visually-hidden"> a problem with this statement</span></a>'
        )

    return link


def governance_context(*, header: ArticleHeader, references, level: str) -> dict:
    """What ``articles/article_detail.html``'s governance partials need."""
    facts = review_facts(header)
    return {
        "review": facts,
        "medical_web_page": json_ld_script(
            medical_web_page(header=header, facts=facts, references=references, level=level)
        ),
    }
