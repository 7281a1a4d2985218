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
from .insight import CompareView, DataDictionaryView, RobotsView, StatsView
from .pages import AboutView, HomeView

__all__ = [
    "AboutView",
    "AgencyDetailView",
    "AgencyListView",
    "CaseDetailView",
    "CaseListView",
    "ChargeCategoryDetailView",
    "CompareView",
    "DataDictionaryView",
    "ChargeCategoryListView",
    "CorrectionListView",
    "HomeView",
    "ReportDetailView",
    "ReportListView",
    "RobotsView",
    "StatsView",
]
