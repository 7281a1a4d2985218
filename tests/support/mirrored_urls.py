"""The site's URLconf under /mirror/, for tests that change ROOT_URLCONF."""

from django.urls import include, path

urlpatterns = [path("mirror/", include("detainers.urls"))]
