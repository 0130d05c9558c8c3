from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]

if settings.EDITORIAL_BENCH_VIEWS:
    from bench.views import trivial

    urlpatterns.append(path("bench/trivial/", trivial, name="bench_trivial"))
