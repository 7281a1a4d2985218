from django.contrib.sitemaps.views import index as sitemap_index
from django.contrib.sitemaps.views import sitemap
from django.urls import path

from . import views
from .feeds import CaseFeed, CorrectionFeed, ReportFeed
from .sitemaps import SITEMAPS
from .views.documents import ReportDocumentView

app_name = "cases"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("about/", views.AboutView.as_view(), name="about"),
    path("cases/", views.CaseListView.as_view(), name="case-list"),
    path("cases/feed/", CaseFeed(), name="case-feed"),
    path("cases/<slug:case_id>/", views.CaseDetailView.as_view(), name="case-detail"),
    path("agencies/", views.AgencyListView.as_view(), name="agency-list"),
    path("agencies/<slug:slug>/", views.AgencyDetailView.as_view(), name="agency-detail"),
    path("reports/", views.ReportListView.as_view(), name="report-list"),
    path("reports/feed/", ReportFeed(), name="report-feed"),
    path("reports/<slug:slug>/", views.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<slug:slug>/source.pdf", ReportDocumentView.as_view(), name="report-document"),
    path("charges/", views.ChargeCategoryListView.as_view(), name="charge-list"),
    path("charges/<slug:slug>/", views.ChargeCategoryDetailView.as_view(), name="charge-detail"),
    path("corrections/", views.CorrectionListView.as_view(), name="correction-list"),
    path("corrections/feed/", CorrectionFeed(), name="correction-feed"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    path("stats/compare/", views.CompareView.as_view(), name="compare"),
    path("data/", views.DataDictionaryView.as_view(), name="data-dictionary"),
    path("robots.txt", views.RobotsView.as_view(), name="robots"),
    path(
        "sitemap.xml", sitemap_index, {"sitemaps": SITEMAPS, "sitemap_url_name": "cases:sitemap"}, name="sitemap-index"
    ),
    path("sitemap-<section>.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
