"""Approving asks each of its conditions once (issue 18): no statement runs twice."""

import re
from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import services
from articles.choices import ReviewStatus
from articles.models import Claim
from reviewers import services as reviewer_services
from tests.factories import article_with_claims
from tests.workflow import assign_and_start


def _ready_to_approve(*, editor, reviewer, claims: int = 10):
    article = assign_and_start(
        article_with_claims(editor=editor, claims=claims), editor=editor, reviewer=reviewer
    )
    assignment = article.assignments.get(reviewer=reviewer)
    reviewer_services.assignment_accept(assignment=assignment, actor=reviewer, no_conflict=True)
    reviewer_services.claims_decide(
        claims=list(Claim.objects.of_article(article)), actor=reviewer, decision="approve"
    )
    reviewer_services.assignment_complete(
        assignment=assignment, actor=reviewer, recommendation="approve"
    )
    return article


def test_approval_asks_each_of_its_conditions_once(editor, reviewer, approver):
    article = _ready_to_approve(editor=editor, reviewer=reviewer)
    with CaptureQueriesContext(connection) as captured:
        approved = services.article_approve(article=article, actor=approver)
    assert approved.review_status == ReviewStatus.APPROVED
    # The quorum's statement carries the time it is asked at: compare statements without it.
    statements = Counter(
        re.sub(r"'?\d{4}-\d\d-\d\d[ T][\d:.+-]+'?", "<time>", query["sql"])
        for query in captured.captured_queries
    )
    repeated = [sql for sql, times in statements.items() if times > 1]
    assert repeated == []
