"""The sample data set: real records transcribed from press coverage of ICE's reports.

It is incomplete on purpose: only the rows the press described are here, and the
row numbers are the order of this transcription, not the report's own rows.
"""

import datetime as dt

D = dt.date
TRANSCRIBED_ON = D(2026, 11, 28)

INCOMPLETE = (
    "Sample data: an incomplete transcription from press coverage. Only rows described in the "
    "press are included, and row numbers are the order of this transcription, not the report's rows."
)

AGENCIES = [
    # name, state, type, ori, city, county, aor, parent name
    ("Los Angeles Police Department", "CA", "police", "CA0194200", "Los Angeles", "Los Angeles", "Los Angeles", None),
    ("San Luis Obispo County Sheriff's Office", "CA", "sheriff", "", "San Luis Obispo", "San Luis Obispo", "Los Angeles", None),
    ("Anaheim Police Department", "CA", "police", "", "Anaheim", "Orange", "Los Angeles", None),
    ("Anaheim City Jail", "CA", "other", "", "Anaheim", "Orange", "Los Angeles", "Anaheim Police Department"),
    ("Alameda County Sheriff's Office", "CA", "sheriff", "", "Oakland", "Alameda", "San Francisco", None),
    ("Santa Rita Jail", "CA", "county_jail", "", "Dublin", "Alameda", "San Francisco", "Alameda County Sheriff's Office"),
    ("Santa Barbara County Jail", "CA", "county_jail", "", "Santa Barbara", "Santa Barbara", "Los Angeles", None),
    ("Philadelphia", "PA", "other", "", "Philadelphia", "Philadelphia", "Philadelphia", None),
]  # fmt: skip

AGENCY_NOTES = {
    "Philadelphia": "The report names the jurisdiction only as Philadelphia, PA; it does not name the agency.",
    "Anaheim City Jail": "Run by the Anaheim Police Department.",
}

REPORTS = [
    {
        "slug": "fy2018-q2",
        "kind": "quarterly",
        "title": "Declined Detainer Report, FY2018 Q2",
        "period_start": D(2018, 1, 1),
        "period_end": D(2018, 3, 31),
        "published_on": D(2019, 7, 15),
        "stated_total": 16,
        "source_citation": (
            "ICE, Declined Detainer Report covering detainers lodged 1 January to 31 March 2018, "
            "published 15 July 2019. Transcribed from press coverage of the report. " + INCOMPLETE
        ),
        "scope_notes": (
            "Detainers lodged from 1 January to 31 March 2018 that the agency declined, where the person "
            "was later arrested again. The report names 16 individuals; one press account counts 15."
        ),
        "methodology_notes": "",
    },
    {
        "slug": "weekly-2017-01-28",
        "kind": "weekly",
        "title": "Weekly Declined Detainer Outcome Report, 28 Jan–3 Feb 2017 (edition 1)",
        "period_start": D(2017, 1, 28),
        "period_end": D(2017, 2, 3),
        "published_on": D(2017, 3, 20),
        "stated_total": 206,
        "archived_url": "https://assets.documentcloud.org/documents/3520992/ICE-Enforcement-and-Removal-Operations.txt",
        "source_citation": (
            "ICE Enforcement and Removal Operations, Weekly Declined Detainer Outcome Report for recorded "
            "declined detainers Jan. 28 – Feb. 3, 2017, released 20 March 2017. " + INCOMPLETE
        ),
        "scope_notes": (
            "Detainers recorded as declined between 28 January and 3 February 2017, regardless of the date "
            "the detainer was issued. ICE stated 206 declined detainers, 142 of them at Travis County, TX."
        ),
        "methodology_notes": (
            "The report states that law-enforcement agencies do not generally tell ICE when a detainer is "
            "not honoured, so it lists the declined detainers ICE personnel became aware of. The weekly "
            "reports were suspended on 13 April 2017."
        ),
    },
]

OC_DAILY = "http://www.ocdaily.net/pg/anaheim-among-cities-listed-in-ices-first-declined-detainers-report/"
EAST_COUNTY = (
    "http://eastcountytoday.net/dhs-releases-immigration-and-customs-enforcement-declined-detainer-outcome-report/"
)

# Each case: the report row, the individual, their arrests (with charges) and detainers.
# An arrest's "key" lets a detainer name the arrest it was lodged during.
CASES = [
    {
        "report": "fy2018-q2",
        "row": 1,
        "individual": {"citizenship": "MX", "gender": "", "notes": ""},
        "arrests": [
            {
                "key": "first",
                "date": (D(2018, 1, 1), "month"),
                "agency": ("Los Angeles Police Department", "CA"),
                "age": 30,
                "charges": [("35", "possession of a controlled substance", "charge")],
            },
            {
                "key": "later",
                "date": (D(2018, 2, 1), "month"),
                "agency": ("Los Angeles Police Department", "CA"),
                "charges": [("09", "murder", "charge")],
            },
        ],
        "detainer": {
            "arrest": "first",
            "agency": ("Los Angeles Police Department", "CA"),
            "lodged": (D(2018, 1, 1), "month"),
        },
    },
    {
        "report": "fy2018-q2",
        "row": 2,
        "individual": {"citizenship": "MX", "gender": "male", "notes": ""},
        "arrests": [
            {
                "key": "december",
                "date": (D(2017, 12, 1), "month"),
                "agency": ("San Luis Obispo County Sheriff's Office", "CA"),
                "charges": [("50", "probation violation", "charge")],
            },
            {
                "key": "january",
                "date": (D(2018, 1, 1), "month"),
                "agency": ("San Luis Obispo County Sheriff's Office", "CA"),
                "age": 28,
                "charges": [("11", "rape and other charges", "charge")],
            },
        ],
        "history_detainers": [
            {
                "arrest": "december",
                "agency": ("San Luis Obispo County Sheriff's Office", "CA"),
                "lodged": (D(2017, 12, 1), "month"),
            }
        ],
        "detainer": {
            "arrest": "january",
            "agency": ("San Luis Obispo County Sheriff's Office", "CA"),
            "lodged": (D(2018, 1, 1), "month"),
        },
    },
    {
        "report": "weekly-2017-01-28",
        "row": 1,
        "individual": {"citizenship": "MX", "gender": "", "notes": ""},
        "arrests": [
            {
                "key": "arrest",
                "date": (D(2017, 1, 17), "day"),
                "agency": ("Anaheim Police Department", "CA"),
                "citation": f"Anaheim Police Department statement of 22 March 2017, reported at {OC_DAILY}",
                "charges": [("22", "burglary", "charge")],
            }
        ],
        "detainer": {
            "arrest": "arrest",
            "agency": ("Anaheim City Jail", "CA"),
            "lodged": (D(2017, 1, 18), "day"),
            "declined": (D(2017, 1, 30), "day"),
            "agency_response": (
                "The Anaheim Police Department said its records show an arrest on 17 January 2017 (the report "
                "gives 18 January), on non-violent misdemeanour charges and an open warrant, and that the "
                "person was cited, released on the new charges and transported to the Orange County jail on "
                f"the warrant. Source: {OC_DAILY}"
            ),
        },
    },
    {
        "report": "weekly-2017-01-28",
        "row": 2,
        "individual": {"citizenship": "KH", "gender": "", "notes": ""},
        "arrests": [
            {
                "key": "arrest",
                "date": None,
                "agency": None,
                "citation": EAST_COUNTY,
                "charges": [("13", "domestic violence", "conviction")],
            }
        ],
        "detainer": {"arrest": "arrest", "agency": ("Santa Rita Jail", "CA")},
    },
    {
        "report": "weekly-2017-01-28",
        "row": 3,
        "individual": {"citizenship": "MX", "gender": "", "notes": ""},
        "arrests": [{"key": "arrest", "date": None, "agency": None, "charges": [("25", "forgery", "conviction")]}],
        "detainer": {"arrest": "arrest", "agency": ("Santa Barbara County Jail", "CA")},
    },
    {
        "report": "weekly-2017-01-28",
        "row": 4,
        "individual": {"citizenship": "JM", "gender": "", "notes": ""},
        "arrests": [{"key": "arrest", "date": None, "agency": None, "charges": [("09", "homicide", "charge")]}],
        "detainer": {"arrest": "arrest", "agency": ("Philadelphia", "PA")},
    },
]

CORRECTIONS = [
    {
        "report": "weekly-2017-01-28",
        "what_changed": (
            "Detainers the report attributed to Franklin County (IA, NY and PA) and to Montgomery County (IA) "
            "belonged to similarly named jurisdictions."
        ),
        "reason": "ICE corrected the jurisdictions it had listed in edition 1.",
        "source": "ICE's corrections to edition 1, as described in press coverage",
        "source_url": "",
    },
    {
        "report": "weekly-2017-01-28",
        "what_changed": (
            "The Williamson County and Bastrop County (TX) entries were people who had been transferred to "
            "Travis County."
        ),
        "reason": "ICE corrected the declining agency for these entries.",
        "source": "ICE's corrections to edition 1; Williamson County statement of 20 March 2017",
        "source_url": "http://www.newsradioklbj.com/news/austin-local-news/reaction-ice-detainer-requests-denied",
    },
]
