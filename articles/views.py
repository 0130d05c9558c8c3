"""The public reader site (DESIGN §4)."""

from django.http import Http404, HttpResponse


def article_list(request):
    return HttpResponse("Articles")


def article_detail(request, slug):
    raise Http404


def editorial_policy(request):
    return HttpResponse("Editorial policy")


def board(request):
    return HttpResponse("Medical Advisory Board")
