"""Extra data for the browser tests, written into the live server's own database after the
sample data: a published quarter with enough cases at one agency to page through after
filtering, and two staff members (Editor, Publisher) with TOTP devices.

Run by tests/browser/conftest.py with `manage.py shell -c "from tests.browser.world import build; build()"`.
"""

import datetime as dt

PASSWORD = "browser-tests-only-password-1"
# Staff members, their group and hex TOTP key (known to the tests, which compute the current token).
# A TOTP token is accepted once, so each test that logs in has its own user.
STAFF = {
    "editor": ("Editor", "3132333435363738393031323334353637383930"),
    "publisher": ("Publisher", "3031323334353637383930313233343536373839"),
    "reviewer": ("Publisher", "3233343536373839303132333435363738393031"),
}
REPORT_SLUG = "fy2018-q3"
DRAFT_TITLE = "Declined Detainer Report, FY2018 Q2 (draft for import)"
AGENCY_SLUG = "travis-county-jail-tx"
CASES = 64  # more than one page (50) after filtering by quarter, agency and charge


def build():
    from django.contrib.auth.models import Group, User
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from cases.models import AgencyType
    from tests.factories import AgencyFactory, ReportFactory, field_office, make_case, publish

    travis = AgencyFactory(
        name="Travis County Jail",
        slug=AGENCY_SLUG,
        state="TX",
        agency_type=AgencyType.COUNTY_JAIL,
        city="Austin",
        county="Travis",
        aor=field_office("San Antonio"),
    )
    report = ReportFactory(slug=REPORT_SLUG, fy=2018, q=3, published_on=dt.date(2020, 4, 15), stated_total=CASES + 4)
    for row in range(1, CASES + 5):
        start = dt.date(2018, 4, 1) + dt.timedelta(days=row % 60)
        # Four cases only have a burglary charge, so that filtering by drugs changes the result.
        prior = (
            (("22", "burglary", "charge"),)
            if row > CASES
            else (("35", "possession of a controlled substance", "charge"),)
        )
        make_case(
            report,
            row,
            agency=travis,
            citizenship=("MX", "GT", "HN", "SV")[row % 4],
            prior=prior,
            subsequent=(("13", "assault", "charge"),) if row % 3 else (),
            arrested_on=start,
            lodged_on=start + dt.timedelta(days=1),
            released_on=start + dt.timedelta(days=2 + row % 5),
            next_arrest_on=start + dt.timedelta(days=40 + row),
        )
    publish(report)
    ReportFactory(slug="fy2018-q2-draft", title=DRAFT_TITLE, fy=2018, q=2)

    for name, (group, key) in STAFF.items():
        user = User.objects.create_user(name, f"{name}@example.org", PASSWORD, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        TOTPDevice.objects.create(user=user, name="phone", key=key, confirmed=True)
