"""HTML of the repeated parts of the reader page: the body, the references, the review stepper
and the reading-level choices.

The body and references grow with the article (tens of claims, each with its citation links),
so they are written here in plain Python rather than with template loops: an uncached page
renders several times faster this way. Every text from the database goes through
``html.escape`` (what Django's ``escape`` does); the frame around them is a template,
``articles/article_detail.html``.
"""

from collections.abc import Callable
from html import escape

from django.utils.safestring import SafeString, mark_safe

from .selectors import REVIEW_STEPS, ReaderClaim, ReaderReference, ReaderSection


def review_stepper_html(current: int) -> SafeString:
    """The steps of the review as list items: those passed are done, ``current`` is marked."""
    items = []
    for index, label in enumerate(REVIEW_STEPS):
        if index < current:
            items.append(f'<li class="stepper__step is-done">{escape(label)}</li>')
        elif index == current:
            items.append(
                f'<li class="stepper__step is-current" aria-current="step">{escape(label)}'
                '<span class="visually-hidden"> (current step)</span></li>'
            )
        else:
            items.append(f'<li class="stepper__step">{escape(label)}</li>')
    return mark_safe("\n".join(items))


def reading_level_choices_html(choices, chosen: str) -> SafeString:
    """One labelled radio button per reading level, the reader's own checked."""
    return mark_safe(
        "\n".join(
            f'<label class="choice"><input type="radio" name="level" value="{escape(value)}"'
            f"{' checked' if value == chosen else ''}> <span>{escape(str(label))}</span></label>"
            for value, label in choices
        )
    )


def _citation_links(numbers: list[int]) -> str:
    if not numbers:
        return ""
    links = ", ".join(
        f'<a href="#ref-{number}" aria-label="Reference {number}">{number}</a>'
        for number in numbers
    )
    return f'<sup class="cite">{links}</sup>'


ClaimLink = Callable[[int], str]
"""HTML after a claim's citations, given its id (the “Report a problem” link)."""


def _claim_html(claim: ReaderClaim, after: ClaimLink | None = None) -> str:
    text = escape(claim.text) + _citation_links(claim.citation_numbers)
    return text + after(claim.id) if after else text


def article_body_html(
    sections: list[ReaderSection], *, after_claim: ClaimLink | None = None
) -> SafeString:
    """Sections as ``<h2>``/``<h3>``, paragraphs as ``<p>``, bullets as nested lists; each
    claim followed by ``after_claim(claim id)`` when given."""
    _claim = lambda claim: _claim_html(claim, after_claim)  # noqa: E731
    parts: list[str] = []
    for section in sections:
        tag = "h2" if section.level == 2 else "h3"
        parts.append(f"<{tag}>{escape(section.heading)}</{tag}>")
        for kind, block in section.blocks():
            if kind == "paragraph":
                parts.append(f"<p>{_claim(block)}</p>")
                continue
            parts.append("<ul>")
            for claim in block:
                if claim.sub_claims:
                    sub_items = "\n".join(f"<li>{_claim(sub)}</li>" for sub in claim.sub_claims)
                    parts.append(f"<li>{_claim(claim)}\n<ul>\n{sub_items}\n</ul></li>")
                else:
                    parts.append(f"<li>{_claim(claim)}</li>")
            parts.append("</ul>")
    return mark_safe("\n".join(parts))


def _reference_html(reference: ReaderReference, kind_labels: dict[str, str]) -> str:
    parts = [f'<li id="ref-{reference.number}" class="reference">']
    if reference.kind_label:
        if reference.kind not in kind_labels:
            kind_labels[reference.kind] = escape(str(reference.kind_label))
        parts.append(
            f'<p class="reference__kind reference__kind--{escape(reference.kind)}">'
            f"{kind_labels[reference.kind]}</p>"
        )
    parts.append(f'<p class="reference__title">{escape(reference.title)}</p>')
    if reference.authors:
        parts.append(f'<p class="reference__authors">{escape(reference.authors)}</p>')
    source = ", ".join(part for part in (reference.source, str(reference.year or "")) if part)
    if source:
        parts.append(f'<p class="reference__source">{escape(source)}</p>')
    if not reference.is_complete:
        parts.append(
            '<p class="reference__pending">'
            "Full details of this reference are being completed by our editors.</p>"
        )
    links = []
    if reference.doi:
        links.append(f'<a href="{escape(reference.doi_url)}">DOI: {escape(reference.doi)}</a>')
    if reference.pmid:
        links.append(
            f'<a href="{escape(reference.pubmed_url)}">PubMed: {escape(reference.pmid)}</a>'
        )
    if reference.url:
        links.append(f'<a href="{escape(reference.url)}" rel="noopener">Source</a>')
    if links:
        parts.append(f'<p class="reference__links">{" ".join(links)}</p>')
    parts.append("</li>")
    return "\n".join(parts)


def references_html(references: list[ReaderReference]) -> SafeString:
    """The reference list, numbered as cited: item N has the anchor ``ref-N``."""
    kind_labels: dict[str, str] = {}
    return mark_safe("\n".join(_reference_html(reference, kind_labels) for reference in references))
