"""Schema.org ``Dataset`` descriptions for dataset search engines (JSON-LD)."""

from django.conf import settings
from django.urls import reverse

from . import dataversion
from . import querystring as qs
from .exports import FORMATS

MEDIA_TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DESCRIPTION = (
    "Immigration detainers that local law-enforcement agencies declined, transcribed from the Declined "
    "Detainer Reports published by U.S. Immigration and Customs Enforcement (ICE), each case with its "
    "source report and row, and a public log of corrections."
)


def _distribution(absolute, pairs):
    path = reverse("cases:case-list")
    return [
        {
            "@type": "DataDownload",
            "encodingFormat": MEDIA_TYPES[fmt],
            "contentUrl": absolute(qs.as_url(path, [*pairs, ("_export", fmt)])),
        }
        for fmt in FORMATS
    ]


def site_dataset(request):
    absolute = request.build_absolute_uri
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": settings.SITE_NAME,
        "description": DESCRIPTION,
        "url": absolute(reverse("cases:home")),
        "isAccessibleForFree": True,
        "creator": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute(reverse("cases:home"))},
        "isBasedOn": "https://www.ice.gov/",
        "dateModified": dataversion.data_as_of().isoformat(timespec="seconds"),
        "keywords": ["immigration detainers", "ICE", "Declined Detainer Report", "law enforcement"],
        "variableMeasured": _columns(),
        "distribution": _distribution(absolute, []),
        "subjectOf": {"@type": "WebPage", "url": absolute(reverse("cases:data-dictionary"))},
    }


def report_dataset(request, report):
    absolute = request.build_absolute_uri
    data = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": report.title,
        "description": report.scope_notes
        or f"{report.get_kind_display()}, {report.fiscal_period.label}, as transcribed here. {DESCRIPTION}",
        "url": absolute(report.get_absolute_url()),
        "datePublished": report.published_on.isoformat(),
        "temporalCoverage": f"{report.period_start.isoformat()}/{report.period_end.isoformat()}",
        "isAccessibleForFree": True,
        "sourceOrganization": {"@type": "Organization", "name": report.publisher},
        "creator": {"@type": "Organization", "name": settings.SITE_NAME, "url": absolute(reverse("cases:home"))},
        "variableMeasured": _columns(),
        "distribution": _distribution(absolute, [("report", report.slug)]),
        "includedInDataCatalog": {"@type": "DataCatalog", "name": settings.SITE_NAME},
    }
    if report.source_url:
        data["isBasedOn"] = report.source_url
    return data


def _columns():
    from .exports import CASE_COLUMNS

    return [column.name for column in CASE_COLUMNS]
