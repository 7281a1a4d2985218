from .cases import CaseDetailView, CaseListView
from .directory import (
    AgencyDetailView,
    AgencyListView,
    ChargeCategoryDetailView,
    ChargeCategoryListView,
    CorrectionListView,
    ReportDetailView,
    ReportListView,
)
from .pages import AboutView, HomeView

__all__ = [
    "AboutView",
    "AgencyDetailView",
    "AgencyListView",
    "CaseDetailView",
    "CaseListView",
    "ChargeCategoryDetailView",
    "ChargeCategoryListView",
    "CorrectionListView",
    "HomeView",
    "ReportDetailView",
    "ReportListView",
]
