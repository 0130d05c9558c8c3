"""The public reader site."""

from django.urls import path

from .reader import report, views

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
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
    path("editorial-policy/", views.editorial_policy, name="editorial_policy"),
]
