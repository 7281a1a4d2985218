"""Roles and publishing: Editors enter data but cannot publish; Publishers publish through a
confirmation page that lists whatever blocks publication; and the changes since publication."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cases.models import Detainer, Report, ReportStatus
from tests.factories import ReportFactory, make_case
from tests.staff import unchanged_form_data

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:cases_report_changelist"


@pytest.fixture
def complete():
    report = ReportFactory()
    make_case(report, 1)
    make_case(report, 2)
    return report


def act(client, action, reports, **extra):
    data = {"action": action, "_selected_action": [r.pk for r in reports], **extra}
    return client.post(reverse(CHANGELIST), data)


def test_the_groups_hold_the_intended_permissions():
    editor = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    publisher = set(Group.objects.get(name="Publisher").permissions.values_list("codename", flat=True))
    for model in ("detainer", "individual", "arrest", "arrestcharge", "agency", "correction", "report"):
        assert {f"add_{model}", f"change_{model}"} <= editor
    assert "import_report" in editor
    assert "publish_report" not in editor
    assert publisher == editor | {"publish_report"}
    assert not any(codename.startswith("delete_") for codename in editor - {"delete_arrestcharge"})


def test_an_editor_cannot_publish_by_action_or_by_editing_the_status(editor, complete):
    changelist = editor.get(reverse(CHANGELIST)).content.decode()
    assert "publish_reports" not in changelist

    act(editor, "publish_reports", [complete], confirm="yes")
    complete.refresh_from_db()
    assert complete.status == ReportStatus.DRAFT

    url = reverse("admin:cases_report_change", args=[complete.pk])
    page = editor.get(url)
    assert 'name="status"' not in page.content.decode()  # shown, but read-only
    response = editor.post(url, unchanged_form_data(page, status=ReportStatus.PUBLISHED, title="Renamed"))
    assert response.status_code == 302
    complete.refresh_from_db()
    assert (complete.title, complete.status) == ("Renamed", ReportStatus.DRAFT)


def test_a_publisher_sees_the_status_field_and_the_actions(publisher, complete):
    assert "publish_reports" in publisher.get(reverse(CHANGELIST)).content.decode()
    page = publisher.get(reverse("admin:cases_report_change", args=[complete.pk]))
    assert 'name="status"' in page.content.decode()


def test_publishing_an_incomplete_report_is_refused_with_its_problems_listed(publisher):
    empty = ReportFactory(source_url="")
    uncited = ReportFactory(fy=2018, q=3)
    case = make_case(uncited, 1)
    # A case that fails validation though the database accepted it: arrested after the detainer.
    Detainer.objects.filter(pk=case.pk).update(lodged_on=dt.date(2018, 1, 5))

    page = act(publisher, "publish_reports", [empty, uncited])

    html = page.content.decode()
    assert "Cannot be published until these are fixed:" in html
    assert (
        "A published report needs a source: a source URL, an uploaded document, an archived copy or a citation." in html
    )
    assert "A published report needs at least one case." in html
    assert (
        "Case fy2018-q3-01, detainer (case) (lodged): The detainer cannot be lodged (5 Jan 2018) before the "
        "arrest it was lodged during (10 Jan 2018)." in html
    )
    assert "None of the selected reports can be published yet." in html

    act(publisher, "publish_reports", [empty, uncited], confirm="yes")
    assert not Report.objects.filter(status=ReportStatus.PUBLISHED).exists()


def test_publishing_a_complete_report_after_confirmation(publisher, complete):
    page = act(publisher, "publish_reports", [complete])
    assert "Ready: it has a source, every case is cited and every case passes validation." in page.content.decode()
    complete.refresh_from_db()
    assert complete.status == ReportStatus.DRAFT  # nothing happens before the confirmation

    response = act(publisher, "publish_reports", [complete], confirm="yes")

    assert response.status_code == 302
    complete.refresh_from_db()
    assert complete.status == ReportStatus.PUBLISHED and complete.made_public_at is not None
    record = complete.history.first()
    assert (record.history_change_reason, record.history_user.username) == ("Published in the admin", "publisher")

    act(publisher, "unpublish_reports", [complete], confirm="yes")
    complete.refresh_from_db()
    assert complete.status == ReportStatus.DRAFT
    assert complete.history.first().history_change_reason == "Unpublished in the admin"


def test_changes_since_publication_lists_who_changed_what_and_why(publisher, complete):
    act(publisher, "publish_reports", [complete], confirm="yes")
    case = complete.detainers.get(row=1)
    case.page = 4
    case._change_reason = "Page checked against the PDF"
    case.save()

    page = publisher.get(reverse("admin:cases_report_changes", args=[complete.pk]))

    html = page.content.decode()
    entries = page.context["entries"]
    assert [(e.what, e.action, e.reason) for e in entries] == [
        ("Detainer (case): fy2018-q2-01", "changed", "Page checked against the PDF"),
        (f"Report: {complete}", "changed", "Published in the admin"),
    ]
    assert entries[0].changes == [("page", "—", "4")]
    assert "page: <del>—</del> → <ins>4</ins>" in html


def test_changes_view_of_an_unpublished_report_says_so(publisher, complete):
    page = publisher.get(reverse("admin:cases_report_changes", args=[complete.pk]))
    assert "This report has not been published yet" in page.content.decode()


def test_the_publication_checks_take_the_same_queries_for_any_number_of_cases(complete):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert complete.publication_problems() == {}
        return len(captured)

    few = queries()
    for row in range(3, 9):
        make_case(complete, row)
    assert queries() == few
