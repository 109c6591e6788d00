"""Excel and CSV writers: numbers stay numbers, Chinese survives, formulas are not run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import openpyxl

from app.reports.tabular import Sheet, write_csv, write_xlsx


def test_xlsx_keeps_filters_on_top_numbers_as_numbers_and_chinese(tmp_path: Path) -> None:
    out = tmp_path / "t.xlsx"
    written = write_xlsx(out, [Sheet(
        title="产品销售",
        headers=["类别", "收入", "日期"],
        rows=[["打印机", Decimal("1234.50"), dt.date(2026, 10, 3)],
              ["合计", Decimal("1234.50"), None]],
        kinds=["text", "money", "date"],
        above=["期间：2026-10-01 – 2026-12-31"],
        total_rows=frozenset({1}),
    )])
    assert written == 2
    ws = openpyxl.load_workbook(out)["产品销售"]
    assert ws["A1"].value == "期间：2026-10-01 – 2026-12-31"
    assert [c.value for c in ws[3]] == ["类别", "收入", "日期"]
    assert ws["B4"].value == 1234.5
    assert ws["B4"].number_format == "#,##0.00"
    assert ws["C4"].value == dt.datetime(2026, 10, 3)
    assert ws["A5"].font.bold
    assert ws["A3"].font.bold and not ws["A4"].font.bold
    # Frozen under the headers; the columns as wide as their widest text.
    assert ws.freeze_panes == "A4"
    assert ws.column_dimensions["A"].width >= len("期间") * 2
    assert ws.column_dimensions["B"].width >= len("1234.50")


def test_a_long_sheet_is_written_as_a_stream(tmp_path: Path) -> None:
    """Rows go to the file as they come: memory does not grow with the rows (the rows of
    a 40 000-row sheet are never all held), and every row arrives in order."""
    import tracemalloc

    def rows(count: int):
        for i in range(count):
            yield [f"客户{i:06d}", Decimal(i) / 4, dt.date(2026, 1, 1) + dt.timedelta(i % 300),
                   "北京市海淀区中关村大街" + str(i)]

    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            write_xlsx(tmp_path / f"{count}.xlsx", [Sheet(
                title="客户", headers=["名称", "金额", "日期", "地址"], rows=rows(count),
                kinds=["text", "money", "date", "text"])])
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(4_000), peak(40_000)
    # Ten times the rows: about the same memory (the normal mode held every cell: 10x).
    assert large < small * 2
    ws = openpyxl.load_workbook(tmp_path / "40000.xlsx", read_only=True)["客户"]
    names = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert names == [f"客户{i:06d}" for i in range(40_000)]


def test_xlsx_writes_formula_like_text_as_text(tmp_path: Path) -> None:
    out = tmp_path / "f.xlsx"
    write_xlsx(out, [Sheet(title="x", headers=["备注"], rows=[["=HYPERLINK(\"x\")"]])])
    cell = openpyxl.load_workbook(out).active["A2"]
    assert cell.data_type == "s"
    assert cell.value == "=HYPERLINK(\"x\")"


def test_sheet_titles_are_made_valid_and_unique(tmp_path: Path) -> None:
    out = tmp_path / "s.xlsx"
    write_xlsx(out, [Sheet(title="a/b", headers=["x"], rows=[]),
                     Sheet(title="a/b", headers=["x"], rows=[])])
    assert openpyxl.load_workbook(out).sheetnames == ["a_b", "a_b (2)"]


def test_csv_has_bom_and_keeps_chinese_and_neutralises_formulas(tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    written = write_csv(out, ["名称", "电话"], [["北京鑫锐科技", "010-6234"], ["=1+1", None]])
    raw = out.read_bytes()
    assert written == 2
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig").splitlines()
    assert text == ["名称,电话", "北京鑫锐科技,010-6234", "'=1+1,"]


def test_every_row_keeps_its_own_formatted_values(tmp_path: Path) -> None:
    """Dates and amounts of many rows each arrive with their own value and format (the
    writer gives one formatted cell per column each row's value in turn), and a total row's
    bold amount beside them keeps the same format."""
    out = tmp_path / "rows.xlsx"
    days = [dt.date(2026, 1, 1) + dt.timedelta(i * 7) for i in range(30)]
    amounts = [Decimal(i * 13) / 4 for i in range(30)]
    write_xlsx(out, [Sheet(
        title="rows", headers=["day", "amount", "note"],
        rows=[[d, a, None if i % 3 else f"n{i}"]
              for i, (d, a) in enumerate(zip(days, amounts, strict=True))]
        + [[None, sum(amounts), "total"]],
        kinds=["date", "money", "text"], total_rows=frozenset({30}))])
    ws = openpyxl.load_workbook(out)["rows"]
    got = [(r[0].value, r[0].number_format, r[1].value, r[1].number_format)
           for r in ws.iter_rows(min_row=2, max_row=31)]
    assert got == [(dt.datetime(d.year, d.month, d.day), "yyyy-mm-dd", float(a), "#,##0.00")
                   for d, a in zip(days, amounts, strict=True)]
    assert [c.value for c in ws[32]] == [None, float(sum(amounts)), "total"]
    assert ws["B32"].font.bold and ws["B32"].number_format == "#,##0.00"
    assert not ws["B31"].font.bold
