"""The case table's fast row rendering (CaseTable.fast_cells, used by the table_body tag)
gives exactly the cells django-tables2 renders."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.html import conditional_escape

from cases.models import Detainer
from cases.tables import CaseTable

from .factories import AgencyFactory, ReportFactory, make_case, publish

pytestmark = pytest.mark.django_db


def test_fast_cells_equal_what_django_tables2_renders(world):
    sparse = make_case(
        ReportFactory(fy=2019, q=1), 1, citizenship="", prior=(), subsequent=(), lodged_on=None, released_on=None
    )
    publish(sparse.report)
    month = make_case(ReportFactory(fy=2019, q=2), 1, released_on=dt.date(2019, 1, 1))
    Detainer.objects.filter(pk=month.pk).update(released_on_precision="month", lodged_on=None)
    marked = make_case(ReportFactory(fy=2019, q=3), 1, agency=AgencyFactory(name='<b>Tom & "Jerry" {0}</b>'))
    publish(marked.report)
    # An empty cell's default with markup and braces, escaped as the template escapes it.
    table = CaseTable(Detainer.objects.cases().for_list(), default="<i>none & {0}</i>")
    table.paginate(per_page=50)
    rows = list(table.paginated_rows)
    assert len(rows) >= 8
    for row in rows:
        # As the template writes them: escaped unless marked safe.
        slow = [str(conditional_escape(cell)) for _column, cell in row.items()]
        assert list(table.fast_cells(row.record)) == slow, row.record.case_id
    cells = [cell for row in rows for cell in table.fast_cells(row.record)]
    # The sparse rows exercised the empty cells, and the agency's name was escaped.
    assert "&lt;i&gt;none &amp; {0}&lt;/i&gt;" in cells
    assert any("&lt;b&gt;Tom &amp; &quot;Jerry&quot; {0}&lt;/b&gt;</a>" in cell for cell in cells)
    assert not any("<b>" in cell or "<i>" in cell for cell in cells)


def test_table_body_keeps_braces_in_headers_and_cells(world):
    """The row's format string is built from the cells' opening tags: braces there are literal."""
    import django_tables2 as tables

    class Braced(CaseTable):
        state = tables.Column("State {0} {}", accessor="state", order_by=("state", "case_id"))

    marked = make_case(ReportFactory(fy=2019, q=3), 1, agency=AgencyFactory(name="Braces {0} {name}"))
    publish(marked.report)
    table = Braced(Detainer.objects.cases().for_list())
    table.paginate(per_page=50)
    body = Template("{% load public_urls %}{% table_body table %}").render(Context({"table": table}))
    assert body.count('data-label="State {0} {}"') == len(list(table.paginated_rows)) >= 5
    assert ">Braces {0} {name}</a>" in body


def test_case_list_markup_has_one_cell_per_column(client, world):
    html = client.get("/cases/").content.decode()
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == 4
    assert body.count("<td ") == 4 * len(CaseTable.base_columns)
    assert 'data-label="Days from release to next arrest"' in body


# The template loops that the table_head and table_pagination tags replaced, kept to compare.
LOOPS = Path(__file__).parent / "data"
HEADER_LOOP = (LOOPS / "table_head_loop.html").read_text()
PAGINATION_LOOP = (LOOPS / "table_pagination_loop.html").read_text()


def _squeezed(html):
    """Whitespace beside tags dropped (the browser collapses it in a header cell)."""
    return re.sub(r"\s+", " ", re.sub(r"\s*(<[^>]*>)\s*", r"\1", html)).strip()


@pytest.mark.parametrize("sort", [None, "lodged", "-lodged", "agency", "-prior_charges"])
def test_table_head_equals_the_template_loop(world, sort):
    from cases.tables import AgencyTable

    request = RequestFactory().get("/cases/", {"quarter": "fy2018-q2", **({"sort": sort} if sort else {})})
    for table in (
        CaseTable(Detainer.objects.cases().for_list(), order_by=(sort,) if sort else None),
        AgencyTable([], order_by=("-case_count",)),
    ):
        table.columns["state"].column.orderable = sort is None  # one column not sortable, once
        context = Context({"request": request, "table": table})
        fast = Template("{% load public_urls %}{% table_head table %}").render(context)
        assert _squeezed(fast) == _squeezed(Template(HEADER_LOOP).render(context))
        assert 'scope="col"' in fast and ("aria-sort=" in fast) == bool(table.order_by)


@pytest.mark.parametrize(("rows", "page"), [(3, 1), (30, 1), (30, 2), (30, 8), (30, 15), (600, 150), (600, 300)])
def test_table_pagination_equals_the_template_loop(rows, page):
    from cases.tables import AgencyTable

    request = RequestFactory().get("/agencies/", {"sort": "name", "page": str(page)})
    table = AgencyTable([{"name": f"Agency {n}", "case_count": n} for n in range(rows)])
    table.paginate(page=page, per_page=2)
    context = Context({"request": request, "table": table})
    fast = Template("{% load public_urls %}{% table_pagination table %}").render(context)
    assert _squeezed(fast) == _squeezed(Template(PAGINATION_LOOP).render(context))
    assert ('aria-current="page"' in fast) == (rows > 2)


def test_list_rows_are_the_cases_the_orm_builds(world):
    """``for_list`` builds its instances without ``Model.__init__`` (ListRowIterable): the same
    loaded values, the same state, and a column left out still loads when asked for."""
    from django.db.models.query import ModelIterable

    fast = list(Detainer.objects.cases().for_list())
    plain = Detainer.objects.cases().for_list()
    plain._iterable_class = ModelIterable
    slow = list(plain)
    assert len(fast) == len(slow) >= 4
    for built, loaded in zip(fast, slow, strict=True):
        assert type(built) is Detainer
        public = {k: v for k, v in loaded.__dict__.items() if not k.startswith("_")}
        assert {k: v for k, v in built.__dict__.items() if not k.startswith("_")} == public
        assert (built._state.adding, built._state.db) == (False, loaded._state.db)
        assert built._loaded_pair == loaded._loaded_pair
        assert (
            built.get_deferred_fields() == loaded.get_deferred_fields()
            and "individual_id" in built.get_deferred_fields()
        )
        assert built.individual_id == loaded.individual_id  # loaded on first use
        assert (built.lodged, built.pk, built.get_absolute_url()) == (
            loaded.lodged,
            loaded.pk,
            loaded.get_absolute_url(),
        )
    # Joined rows take the ORM's way.
    joined = Detainer.objects.cases().for_list().select_related("report")
    assert [case.report.slug for case in joined] == [case.report.slug for case in slow]
