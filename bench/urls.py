"""The benchmark's URLconf: the product's pages plus the trivial baseline view.

Only the benchmark's own settings (``bench.settings``) route it; the product never imports bench.
"""

from django.urls import path

from editorial.urls import urlpatterns as product_urlpatterns

from .views import trivial

urlpatterns = [path("bench/trivial/", trivial, name="bench_trivial"), *product_urlpatterns]
