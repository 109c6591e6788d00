"""A statistic written to Excel and PDF: read back, and one page rendered to PNG."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.reports.statistics_export import export_statistic_pdf, export_statistic_xlsx
from app.services.statistics import (
    ChartKind,
    ChartSpec,
    ColumnKind,
    DrillKey,
    StatColumn,
    StatFilters,
    StatRow,
    StatTable,
)

SHOTS = Path("/tmp/shots/stats")
FILTERS = StatFilters(dt.date(2026, 10, 1), dt.date(2026, 12, 31), group_by="source")


def _table(language: str = "zh") -> StatTable:
    """A statistic as the service returns it in ``language`` (built by hand: no database
    needed here)."""
    zh = language == "zh"

    def words(en: str, chinese: str) -> str:
        return chinese if zh else en

    columns = (StatColumn("group", words("Group", "分组"), ColumnKind.TEXT),
               StatColumn("orders", words("Orders", "订单数"), ColumnKind.INTEGER),
               StatColumn("revenue", words("Revenue", "销售额"), ColumnKind.MONEY),
               StatColumn("margin", words("Gross margin", "毛利"), ColumnKind.MONEY),
               StatColumn("margin_pct", words("Margin %", "毛利率"), ColumnKind.PERCENT))
    key = DrillKey("product-sales", (("measure", "revenue"),))
    data = [("到店", 17, Decimal("49707.00"), Decimal("11084.00"), Decimal("22.3")),
            ("转介绍", 15, Decimal("425324.05"), Decimal("34656.05"), Decimal("8.1")),
            ("服务商机", 12, Decimal("45552.69"), Decimal("8699.69"), Decimal("19.1"))]
    rows = [StatRow(cells=r, drill=(None, key, key, key, None), key=str(i))
            for i, r in enumerate(data)]
    rows.append(StatRow(cells=(words("Total", "合计"), 44, Decimal("520583.74"),
                               Decimal("54439.74"), Decimal("10.5")),
                        drill=(None,) * 5, is_total=True, key="*"))
    aging = StatTable(
        name="product-sales", title=words("Receivables aging", "应收账龄"),
        columns=(StatColumn("age", words("Age", "账龄"), ColumnKind.TEXT),
                 StatColumn("open", words("Receivable", "应收款"), ColumnKind.MONEY)),
        rows=(StatRow((words("0–30 days", "0–30天"), Decimal("18890.60")), (None, None)),),
        chart=None, filters=FILTERS, language=language)
    return StatTable(
        name="product-sales", title=words("Product sales by category", "产品销售分类统计"),
        columns=columns, rows=tuple(rows),
        chart=ChartSpec(ChartKind.BAR, "group", ("revenue", "margin"),
                        words("Revenue", "销售额")),
        filters=FILTERS, sections=(aging,),
        filter_lines=(words("Period: 2026-10-01 – 2026-12-31", "期间：2026-10-01 至 2026-12-31"),
                      words("View: By customer source", "视图：按客户来源")),
        language=language)


def test_xlsx_has_filters_on_top_numbers_as_numbers_and_chinese_headers(
        tmp_path: Path) -> None:
    out = tmp_path / "stat.xlsx"
    written = export_statistic_xlsx(_table("zh"), out)
    assert written == 5
    book = load_workbook(out)
    assert book.sheetnames == ["产品销售分类统计", "应收账龄"]
    ws = book["产品销售分类统计"]
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert values[0][0] == "产品销售分类统计"
    assert values[1][0] == "期间：2026-10-01 至 2026-12-31"
    assert values[2][0] == "视图：按客户来源"
    header = values.index(["分组", "订单数", "销售额", "毛利", "毛利率"])
    first = values[header + 1]
    assert first[0] == "到店" and first[1] == 17
    assert isinstance(first[2], int | float) and Decimal(str(first[2])) == Decimal("49707")
    total = ws.cell(row=header + 5, column=3)
    assert total.font.bold and Decimal(str(total.value)) == Decimal("520583.74")
    assert ws.cell(row=header + 2, column=3).number_format == "#,##0.00"
    aging = book["应收账龄"]
    assert aging.cell(row=1, column=1).value == "产品销售分类统计"


def test_xlsx_in_english(tmp_path: Path) -> None:
    out = tmp_path / "stat-en.xlsx"
    export_statistic_xlsx(_table("en"), out)
    ws = load_workbook(out)["Product sales by category"]
    assert ws.cell(row=2, column=1).value == "Period: 2026-10-01 – 2026-12-31"
    values = [[c.value for c in r] for r in ws.iter_rows()]
    assert ["Group", "Orders", "Revenue", "Gross margin", "Margin %"] in values


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_shows_title_and_figures_and_renders(tmp_path: Path) -> None:
    out = tmp_path / "stat.pdf"
    assert export_statistic_pdf(_table("zh"), out) == 5
    words = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True,
                           capture_output=True, text=True).stdout
    assert "产品销售分类统计" in words
    assert "¥425,324.05" in words
    assert "期间：2026-10-01 至 2026-12-31" in words
    assert "应收账龄" in words
    fonts = subprocess.run(["pdffonts", str(out)], check=True, capture_output=True,
                           text=True).stdout
    assert "WenQuanYi" in fonts and "Helvetica" not in fonts
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out),
                    str(SHOTS / "product-sales-zh")], check=True)
    assert (SHOTS / "product-sales-zh-1.png").stat().st_size > 5000


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_in_english_prints_the_english_it_is_handed(tmp_path: Path) -> None:
    out = tmp_path / "stat-en.pdf"
    assert export_statistic_pdf(_table("en"), out) == 5
    words = subprocess.run(["pdftotext", "-layout", str(out), "-"], check=True,
                           capture_output=True, text=True).stdout
    for expected in ("Product sales by category", "Gross margin", "Receivables aging",
                     "Period: 2026-10-01 – 2026-12-31", "StationCRM · printed"):
        assert expected in words, expected
    assert "产品销售分类统计" not in words and "打印于" not in words
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out),
                    str(SHOTS / "product-sales-en")], check=True)
