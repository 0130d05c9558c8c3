"""The board's public page (docs/reader.md): who reviews the articles."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from .selectors import board_with_declarations


@require_safe
def board(request):
    return render(request, "reviewers/board.html", {"members": board_with_declarations()})
