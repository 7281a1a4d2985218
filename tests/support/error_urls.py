from django.urls import include, path


def fail(request):
    raise RuntimeError("deliberate failure for the 500-page test")


urlpatterns = [path("__fail__/", fail), path("", include("detainers.urls"))]
handler400 = "detainers.views.bad_request"
handler403 = "detainers.views.permission_denied"
handler404 = "detainers.views.page_not_found"
handler500 = "detainers.views.server_error"
