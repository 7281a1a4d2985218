"""The case table's fast row rendering (CaseTable.fast_cells, used by the table_body tag)
gives exactly the cells django-tables2 renders."""

import datetime as dt

import pytest

from cases.models import Detainer
from cases.tables import CaseTable

from .factories import ReportFactory, make_case, publish

pytestmark = pytest.mark.django_db


def test_fast_cells_equal_what_django_tables2_renders(world):
    sparse = make_case(
        ReportFactory(fy=2019, q=1), 1, citizenship="", prior=(), subsequent=(), lodged_on=None, released_on=None
    )
    publish(sparse.report)
    month = make_case(ReportFactory(fy=2019, q=2), 1, released_on=dt.date(2019, 1, 1))
    Detainer.objects.filter(pk=month.pk).update(released_on_precision="month", lodged_on=None)
    table = CaseTable(Detainer.objects.cases().for_list())
    table.paginate(per_page=50)
    rows = list(table.paginated_rows)
    assert len(rows) >= 7
    for row in rows:
        slow = [str(cell) for _column, cell in row.items()]
        assert [str(cell) for cell in table.fast_cells(row.record)] == slow, row.record.case_id
    # The two sparse rows exercised the empty cells.
    assert any("—" in str(cell) for row in rows for cell in table.fast_cells(row.record))


def test_case_list_markup_has_one_cell_per_column(client, world):
    html = client.get("/cases/").content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == 4
    assert body.count("<td ") == 4 * len(CaseTable.base_columns)
    assert 'data-label="Days from release to next arrest"' in body
