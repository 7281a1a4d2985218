"""A small published world for the public-site tests: two published reports, one draft.

fy2018-q2-01  LAPD (CA, Los Angeles AOR)        MX  prior 35 drugs      subsequent 09 homicide
fy2018-q2-02  SLO Sheriff (CA, Los Angeles AOR) MX  prior 50 judiciary  subsequent 11 sexual assault
fy2018-q2-03  Philadelphia PD (PA, Philadelphia) JM prior 09 homicide   no later arrest
fy2017-q2-01  Travis County Jail (TX, San Antonio) KH prior 22 burglary (conviction), subsequent 35
fy2018-q3-01  LAPD, in a DRAFT report: never public
"""

import datetime as dt
import re
from dataclasses import dataclass

from cases.models import AgencyType

from .factories import AgencyFactory, CorrectionFactory, ReportFactory, field_office, make_case, publish


@dataclass
class World:
    q2: object
    q2_2017: object
    draft: object
    lapd: object
    slo: object
    philly: object
    travis: object


def build_world():
    lapd = AgencyFactory(
        name="Los Angeles Police Department",
        slug="los-angeles-police-department-ca",
        agency_type=AgencyType.POLICE,
        ori="CA0194200",
        city="Los Angeles",
        county="Los Angeles",
    )
    slo = AgencyFactory(name="San Luis Obispo County Sheriff's Office", slug="san-luis-obispo-sheriff-ca")
    philly = AgencyFactory(
        name="Philadelphia Police Department",
        slug="philadelphia-police-pa",
        state="PA",
        agency_type=AgencyType.POLICE,
        aor=field_office("Philadelphia"),
    )
    travis = AgencyFactory(
        name="Travis County Jail",
        slug="travis-county-jail-tx",
        state="TX",
        agency_type=AgencyType.COUNTY_JAIL,
        aor=field_office("San Antonio"),
    )

    q2 = ReportFactory(stated_total=16)
    make_case(q2, 1, agency=lapd)
    make_case(
        q2,
        2,
        agency=slo,
        prior=(("50", "probation violation", "charge"),),
        subsequent=(("11", "rape", "charge"),),
    )
    make_case(q2, 3, agency=philly, citizenship="JM", prior=(("09", "homicide", "charge"),), subsequent=())
    publish(q2)

    q2_2017 = ReportFactory(fy=2017, q=2, published_on=dt.date(2017, 7, 1))
    make_case(
        q2_2017,
        1,
        agency=travis,
        citizenship="KH",
        prior=(("22", "burglary", "conviction"),),
        subsequent=(("35", "possession", "charge"),),
        arrested_on=dt.date(2017, 1, 10),
        lodged_on=dt.date(2017, 1, 12),
        released_on=dt.date(2017, 1, 20),
        next_arrest_on=dt.date(2017, 3, 1),
    )
    publish(q2_2017)
    CorrectionFactory(report=q2_2017, detainer=q2_2017.detainers.get(), what_changed="Agency corrected to Travis.")

    draft = ReportFactory(fy=2018, q=3)
    make_case(
        draft,
        1,
        agency=lapd,
        arrested_on=dt.date(2018, 4, 10),
        lodged_on=dt.date(2018, 4, 12),
        released_on=dt.date(2018, 4, 20),
        next_arrest_on=dt.date(2018, 5, 19),
    )
    return World(q2, q2_2017, draft, lapd, slo, philly, travis)


def text(response):
    """The page's HTML with runs of whitespace collapsed, after checking it is a 200."""
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())
