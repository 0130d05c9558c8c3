"""The board's public page."""

from django.urls import path

from . import views

app_name = "reviewers"

urlpatterns = [
    path("board/", views.board, name="board"),
]
