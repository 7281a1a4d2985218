from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/<slug:case_id>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<slug:slug>/", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/<slug:slug>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("charges/", views.ChargeCategoryListView.as_view(), name="charge-list"),
    path("charges/<slug:slug>/", views.ChargeCategoryDetailView.as_view(), name="charge-detail"),
    path("corrections/", views.CorrectionListView.as_view(), name="correction-list"),
]
