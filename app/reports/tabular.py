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
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

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


# Rows read ahead of writing to size the columns: an .xlsx written as a stream (below) has
# its column widths before its first row.
_WIDTH_SAMPLE = 500


def write_xlsx(path: str | Path, sheets: Sequence[Sheet]) -> int:
    """Write the sheets to an .xlsx file; returns the number of data rows written.

    The workbook is written as a stream (openpyxl's write-only mode): each row goes to the
    file as it comes, so memory stays flat and time grows with the rows — the normal mode
    looked for the last row of the sheet before every append, 29 s for 10 000 rows. The
    column widths come from the headers and the first rows.
    """
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    written = 0
    for sheet in sheets:
        written += _write_sheet(book, sheet)
    if not book.sheetnames:
        book.create_sheet("Sheet1")
    book.save(str(path))
    return written


def _write_sheet(book: Any, sheet: Sheet) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(_sheet_title(sheet.title, book.sheetnames))
    rows = iter(sheet.rows)
    ahead = list(itertools.islice(rows, _WIDTH_SAMPLE))
    widths = [_width(h) for h in sheet.headers]
    for row in ahead:
        for col, value in enumerate(row[:len(widths)]):
            widths[col] = max(widths[col], _width(_excel_value(value)))
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = min(60, width + 2)
    header_row = len(sheet.above) + (2 if sheet.above else 1)
    ws.freeze_panes = f"A{header_row + 1}"
    bold = Font(bold=True)
    formats = [_NUMBER_FORMATS.get(kind) for kind in sheet.kinds]
    # One formatted cell per column, given each row's value in turn: a row is written out
    # as it is appended, and a new cell with its format for every date of every row was
    # a tenth of a 100 000-row export.
    formatted: dict[int, Any] = {}

    def cell(value: Cell, col: int, strong: bool) -> Any:
        fmt = formats[col] if col < len(formats) else None
        formula = isinstance(value, str) and value.startswith("=")
        if not (strong or formula or (fmt is not None and value is not None)):
            return value  # a plain value needs no cell object
        if fmt is not None and not (strong or formula):
            reused = formatted.get(col)
            if reused is None:
                reused = formatted[col] = WriteOnlyCell(ws)
                reused.number_format = fmt
            reused.value = value
            return reused
        made = WriteOnlyCell(ws, value=value)
        if formula:
            # A typed value that looks like a formula stays text (no formula injection).
            made.data_type = "s"
        elif fmt is not None and value is not None:
            made.number_format = fmt
        if strong:
            made.font = bold
        return made

    for line in sheet.above:
        ws.append([line])
    if sheet.above:
        ws.append([])
    headers = []
    for header in sheet.headers:
        made = WriteOnlyCell(ws, value=header)
        made.font = bold
        headers.append(made)
    ws.append(headers)
    written = 0
    for index, row in enumerate(itertools.chain(ahead, rows)):
        strong = index in sheet.total_rows
        ws.append([cell(_excel_value(v), col, strong) for col, v in enumerate(row)])
        written += 1
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
