"""The downloadable import templates: a header row and one example row, as CSV or XLSX.

The XLSX also carries a sheet explaining each column and one listing the charge categories.
"""

import csv
import io

from ..models import ChargeCategory
from .import_format import COLUMNS


def template_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    writer.writerow([c.example for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read it as UTF-8


def template_xlsx() -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    cases = book.active
    cases.title = "Cases"
    cases.append([c.name for c in COLUMNS])
    cases.append([int(c.example) if c.example.isdigit() else c.example for c in COLUMNS])
    for cell in cases[1]:
        cell.font = Font(bold=True)
    cases.freeze_panes = "A2"
    help_sheet = book.create_sheet("Columns")
    help_sheet.append(["column", "required", "what to write"])
    for column in COLUMNS:
        help_sheet.append([column.name, "yes" if column.required else "", column.help])
    categories = book.create_sheet("Charge categories")
    categories.append(["slug", "NCIC code", "name"])
    for category in ChargeCategory.objects.order_by("code"):
        categories.append([category.slug, category.code, category.name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
