"""sitemap.xml: every public page, detail pages of published records only."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from .models import Agency, ChargeCategory, Detainer, Report


class PagesSitemap(Sitemap):
    NAMES = (
        "cases:home",
        "cases:about",
        "cases:case-list",
        "cases:agency-list",
        "cases:report-list",
        "cases:charge-list",
        "cases:correction-list",
        "cases:stats",
        "cases:data-dictionary",
    )

    def items(self):
        return self.NAMES

    def location(self, name):
        return reverse(name)


class ReportSitemap(Sitemap):
    def items(self):
        return Report.objects.published().order_by("pk").only("slug", "updated_at")

    def lastmod(self, report):
        return report.updated_at


class CaseSitemap(Sitemap):
    limit = 10000

    def items(self):
        return Detainer.objects.published().order_by("pk").only("case_id", "updated_at")

    def lastmod(self, case):
        return case.updated_at

    def get_latest_lastmod(self):
        # Django's default walks every item (a million cases); one aggregate instead.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class AgencySitemap(Sitemap):
    def items(self):
        return Agency.objects.visible_to(None).order_by("pk").only("slug", "updated_at")

    def lastmod(self, agency):
        return agency.updated_at


class ChargeSitemap(Sitemap):
    def items(self):
        return ChargeCategory.objects.order_by("code").only("slug")


SITEMAPS = {
    "pages": PagesSitemap,
    "reports": ReportSitemap,
    "cases": CaseSitemap,
    "agencies": AgencySitemap,
    "charges": ChargeSitemap,
}
