"""Tables to files: Excel (.xlsx) and CSV that opens correctly in Chinese Excel.

Used by every export (lists, statistics, the command line). A :class:`Sheet` is a title,
lines written above the table (the filters that produced it), column headers with a kind
per column, and rows. Money and numbers stay numbers in Excel (with a number format), dates
stay dates; CSV is UTF-8 with a byte-order mark, which Excel in a Chinese locale reads as
UTF-8 instead of GBK.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

Cell = str | int | Decimal | float | dt.date | dt.datetime | bool | None

# Column kinds understood here: text, integer, money, percent, decimal, date, datetime.
_NUMBER_FORMATS = {
    "integer": "#,##0",
    "money": "#,##0.00",
    "percent": "0.0\"%\"",
    "decimal": "#,##0.00",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}
_MAX_SHEET_TITLE = 31  # Excel's limit
_FORBIDDEN_IN_TITLE = str.maketrans({c: "_" for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Cell]]
    kinds: Sequence[str] = ()
    above: Sequence[str] = field(default=())   # e.g. "期间: 2026-10-01 – 2026-12-31"
    total_rows: frozenset[int] = frozenset()  # indexes of rows to show in bold


def write_xlsx(path: str | Path, sheets: Sequence[Sheet]) -> int:
    """Write the sheets to an .xlsx file; returns the number of data rows written."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    written = 0
    bold = Font(bold=True)
    for sheet in sheets:
        ws = book.create_sheet(_sheet_title(sheet.title, book.sheetnames))
        for line in sheet.above:
            ws.append([line])
        if sheet.above:
            ws.append([])
        ws.append(list(sheet.headers))
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = bold
        widths = [_width(h) for h in sheet.headers]
        for index, row in enumerate(sheet.rows):
            values = [_excel_value(v) for v in row]
            ws.append(values)
            written += 1
            excel_row = ws.max_row
            for col, value in enumerate(values):
                kind = sheet.kinds[col] if col < len(sheet.kinds) else "text"
                cell = ws.cell(row=excel_row, column=col + 1)
                fmt = _NUMBER_FORMATS.get(kind)
                if isinstance(value, str) and value.startswith("="):
                    # A typed value that looks like a formula stays text (no formula injection).
                    cell.data_type = "s"
                elif fmt is not None and value is not None:
                    cell.number_format = fmt
                if index in sheet.total_rows:
                    cell.font = bold
                if col < len(widths):
                    widths[col] = max(widths[col], _width(value))
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = min(60, width + 2)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    if not book.sheetnames:
        book.create_sheet("Sheet1")
    book.save(str(path))
    return written


def write_csv(path: str | Path, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> int:
    """Write a CSV file (UTF-8 with BOM); returns the number of data rows written."""
    written = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(list(headers))
        for row in rows:
            writer.writerow([_csv_value(v) for v in row])
            written += 1
    return written


def _excel_value(value: Cell) -> Cell:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the local wall-clock time the user saw.
        return value.astimezone().replace(tzinfo=None)
    return value


def _csv_value(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, dt.datetime):
        local = value.astimezone() if value.tzinfo is not None else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True


def _width(value: object) -> int:
    if value is None:
        return 4
    text = str(value)
    # CJK characters take two columns in Excel's width unit.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _sheet_title(title: str, taken: Sequence[str]) -> str:
    base = (title or "Sheet").translate(_FORBIDDEN_IN_TITLE)[:_MAX_SHEET_TITLE]
    candidate, n = base, 2
    while candidate in taken:
        suffix = f" ({n})"
        candidate = base[:_MAX_SHEET_TITLE - len(suffix)] + suffix
        n += 1
    return candidate
