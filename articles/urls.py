"""The public reader site."""

from django.urls import path

from .reader import views

app_name = "articles"

urlpatterns = [
    path("", views.article_list, name="list"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("editorial-policy/", views.editorial_policy, name="editorial_policy"),
]
