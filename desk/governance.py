"""The governance dashboard (docs/governance.md) for editors: the figures of ``selectors``, small
SVG charts and a CSV export. Each page is wrapped by the site's ``admin_view``."""

import csv

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from .charts import Bar, bar_chart, share_tone
from .selectors import Dashboard, governance_dashboard

GOVERNANCE_PERMISSION = "articles.view_governance"


def governance_urls(site) -> list:
    """The dashboard and its CSV under /admin/governance/."""
    return [
        path(
            "governance/",
            site.admin_view(lambda request: governance(request, site)),
            name="desk_governance",
        ),
        path(
            "governance/export.csv",
            site.admin_view(governance_csv),
            name="desk_governance_csv",
        ),
    ]


def _require_governance(request) -> None:
    if not request.user.has_perm(GOVERNANCE_PERMISSION):
        raise PermissionDenied


def _percent(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f} %"


def _days(value: float) -> str:
    if 0 < value < 0.05:
        return "< 0.1 days"
    return f"{value:.1f} days"


def dashboard_charts(dashboard: Dashboard) -> dict:
    compliance = dashboard.compliance
    return {
        "compliance_chart": bar_chart(
            [
                Bar(
                    row.article.title,
                    row.share or 0,
                    f"{_percent(row.share)} ({row.approved}/{row.claims})",
                    share_tone(row.share),
                )
                for row in compliance.by_article
            ],
            title=_("Published claims approved in their current wording, per article"),
            maximum=1,
        ),
        "feedback_chart": bar_chart(
            [Bar(label, count, str(count)) for label, count in dashboard.open_feedback_by_kind],
            title=_("Open reader feedback by problem"),
        ),
        "reviewer_chart": bar_chart(
            [
                Bar(row.label, row.median_days, f"{_days(row.median_days)} (n={row.count})")
                for row in dashboard.turnaround_by_reviewer
            ],
            title=_("Median days from assignment to completion, per reviewer"),
        ),
        "month_chart": bar_chart(
            [
                Bar(row.label, row.median_days, f"{_days(row.median_days)} (n={row.count})")
                for row in dashboard.turnaround_by_month
            ],
            title=_("Median days from assignment to completion, per month of completion"),
        ),
    }


def governance(request, site):
    _require_governance(request)
    dashboard = governance_dashboard()
    context = {
        **site.each_context(request),
        "title": _("Governance dashboard"),
        "dashboard": dashboard,
        "compliance_percent": _percent(dashboard.compliance.share),
        "today": timezone.localdate(dashboard.as_of),
        **dashboard_charts(dashboard),
    }
    return TemplateResponse(request, "admin/desk/governance.html", context)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run: text starting like a formula gets a quote."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(_FORMULA_START) else text


def governance_rows(dashboard: Dashboard) -> list[tuple]:
    """The dashboard as (figure, subject, value, detail) rows, in the page's order."""
    as_of = timezone.localdate(dashboard.as_of)
    compliance = dashboard.compliance
    rows: list[tuple] = [
        ("compliance", "published claims", compliance.claims, ""),
        ("compliance", "approved in current wording", compliance.approved, ""),
        (
            "compliance",
            "share",
            "" if compliance.share is None else f"{compliance.share:.4f}",
            "",
        ),
    ]
    rows += [
        (
            "compliance_by_article",
            row.article.title,
            "" if row.share is None else f"{row.share:.4f}",
            f"{row.approved}/{row.claims}",
        )
        for row in compliance.by_article
    ]
    rows += [
        (
            "past_review_date",
            article.title,
            article.next_review_due.isoformat(),
            f"{(as_of - article.next_review_due).days} days past",
        )
        for article in dashboard.past_review_date
    ]
    rows += [
        (
            "due_for_review",
            article.title,
            article.next_review_due.isoformat(),
            f"in {(article.next_review_due - as_of).days} days",
        )
        for article in dashboard.due_for_review
    ]
    rows.append(("open_feedback", "total", dashboard.open_feedback, ""))
    rows += [
        ("open_feedback_by_kind", label, n, "") for label, n in dashboard.open_feedback_by_kind
    ]
    rows += [
        ("turnaround_by_reviewer", row.label, f"{row.median_days:.1f}", f"n={row.count}")
        for row in dashboard.turnaround_by_reviewer
    ]
    rows += [
        ("turnaround_by_month", row.label, f"{row.median_days:.1f}", f"n={row.count}")
        for row in dashboard.turnaround_by_month
    ]
    rows += [
        (
            "overdue_assignment",
            f"{assignment.reviewer_label} on {assignment.article.title}",
            timezone.localtime(assignment.due_at).date().isoformat(),
            f"{(dashboard.as_of - assignment.due_at).days} days overdue",
        )
        for assignment in dashboard.overdue_assignments
    ]
    return rows


def governance_csv(request):
    _require_governance(request)
    dashboard = governance_dashboard()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"governance-{timezone.localdate(dashboard.as_of).isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(["figure", "subject", "value", "detail"])
    for row in governance_rows(dashboard):
        writer.writerow([_cell(value) for value in row])
    return response
