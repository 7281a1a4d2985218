from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("_nested_admin/", include("nested_admin.urls")),
    path("", include("cases.urls")),
]

handler400 = "detainers.views.bad_request"
handler403 = "detainers.views.permission_denied"
handler404 = "detainers.views.page_not_found"
handler500 = "detainers.views.server_error"
