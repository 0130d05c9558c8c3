"""The public reader site: see ``reader.views`` for which pages shared caches may keep."""

from django.urls import path, register_converter

from .choices import ReadingLevel
from .reader import report, views


class ReadingLevelConverter:
    """A reading level in a page's address: ``patient``, ``student`` or ``clinician``."""

    regex = "|".join(ReadingLevel.values)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


register_converter(ReadingLevelConverter, "reading_level")

app_name = "articles"

urlpatterns = [
    # The page readers ask for most comes first: it is found sooner.
    path("articles/<slug:slug>/<reading_level:level>/", views.article_page, name="page"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path(
        "articles/<slug:slug>/statements/<int:claim_id>/report/",
        report.report_problem,
        name="report_problem",
    ),
    path(
        "articles/<slug:slug>/statements/<int:claim_id>/report/sent/",
        report.report_sent,
        name="report_sent",
    ),
    path("", views.article_list, name="list"),
    path("editorial-policy/", views.editorial_policy, name="editorial_policy"),
]
