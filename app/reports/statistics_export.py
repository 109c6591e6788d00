"""A statistic to Excel (.xlsx) or PDF: the same table the statistics window shows.

Excel: one sheet per table (the main table, then each section), the filters written above,
numbers kept as numbers, total rows bold. PDF: title, filters, each table with its bar
chart, the embedded CJK font, A4 landscape when the table is wide. No database here, and no
labels looked up: the service hands the table over with its words in the export's language
(``StatTable.language``), which only decides how headings wrap and what the footer says.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.reports.data import ColumnKind, StatColumn, StatTable
from app.reports.page import (
    GREY,
    LAYOUTS,
    LIGHT,
    PageLayout,
    format_money,
    make_styles,
    register_fonts,
    text,
)
from app.reports.tabular import Sheet, write_xlsx

Cell = Any
WIDE_COLUMNS = 6         # more columns than this: landscape
CHART_COLOURS = (colors.HexColor("#3b6fb6"), colors.HexColor("#e08a2e"),
                 colors.HexColor("#4a9b5f"), colors.HexColor("#b54a4a"))


def _tables(table: StatTable) -> list[StatTable]:
    return [table, *table.sections]


def _above(table: StatTable, main: StatTable) -> list[str]:
    lines = [table.title]
    if table is not main:
        lines.insert(0, main.title)
    lines += main.filter_lines
    return lines


def _excel_cell(value: Cell, column: StatColumn) -> Cell:
    if value is None:
        return None
    if column.kind in (ColumnKind.MONEY, ColumnKind.PERCENT, ColumnKind.DECIMAL):
        return Decimal(value)
    return value


# --- Excel ---------------------------------------------------------------------------------


def export_statistic_xlsx(table: StatTable, path: str | os.PathLike[str]) -> int:
    """Write the statistic with its sections as sheets; returns the data rows written."""
    sheets = []
    for part in _tables(table):
        sheets.append(Sheet(
            title=part.title,
            headers=[c.label for c in part.columns],
            rows=[[_excel_cell(v, c) for v, c in zip(r.cells, part.columns, strict=True)]
                  for r in part.rows],
            kinds=[str(c.kind) for c in part.columns],
            above=_above(part, table),
            total_rows=frozenset(i for i, r in enumerate(part.rows) if r.is_total),
        ))
    return write_xlsx(Path(path), sheets)


# --- PDF -----------------------------------------------------------------------------------


def _format(value: Cell, column: StatColumn) -> str:
    if value is None:
        return ""
    kind = column.kind
    if kind == ColumnKind.MONEY:
        return format_money(Decimal(value))
    if kind == ColumnKind.PERCENT:
        return f"{Decimal(value):.1f}%"
    if kind == ColumnKind.DECIMAL:
        return f"{Decimal(value):,.2f}"
    if kind == ColumnKind.INTEGER:
        return f"{int(value):,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _layout(wide: bool) -> PageLayout:
    base = LAYOUTS["A4"]
    if not wide:
        return base
    return PageLayout(name="A4", size=landscape(A4), margin=base.margin,
                      header_height=base.header_height, footer_height=base.footer_height,
                      font_size=base.font_size, small_size=base.small_size,
                      company_size=base.company_size, title_size=base.title_size,
                      bar_width=base.bar_width, bar_height=base.bar_height,
                      qr_size=base.qr_size)


def _table_flowable(part: StatTable, layout: PageLayout, language: str) -> Table:
    styles = make_styles(layout)
    numeric = [c.kind not in (ColumnKind.TEXT, ColumnKind.DATE) for c in part.columns]
    # English headers wrap between words; the CJK rule would split a word anywhere.
    head_left, head_right = styles.cell, styles.cell_right
    if language != "zh":
        head_left = ParagraphStyle("head_left", parent=styles.cell, wordWrap=None)
        head_right = ParagraphStyle("head_right", parent=styles.cell_right, wordWrap=None)
    header = [Paragraph(text(c.label), head_right if numeric[i] else head_left)
              for i, c in enumerate(part.columns)]
    body = [[Paragraph(text(_format(v, c)), styles.cell_right if numeric[i] else styles.cell)
             for i, (v, c) in enumerate(zip(r.cells, part.columns, strict=True))]
            for r in part.rows]
    weights = [2.2 if c.kind == ColumnKind.TEXT else 1.2 if c.kind == ColumnKind.MONEY else 1.0
               for c in part.columns]
    unit = layout.frame_width / sum(weights)
    result = Table([header, *body], colWidths=[w * unit for w in weights], repeatRows=1)
    style = [
        # Every cell holds a Paragraph, but the table would still name Helvetica.
        ("FONTNAME", (0, 0), (-1, -1), register_fonts()),
        ("GRID", (0, 0), (-1, -1), 0.4, GREY),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for index, r in enumerate(part.rows, start=1):
        if r.is_total:
            style.append(("BACKGROUND", (0, index), (-1, index), LIGHT))
    result.setStyle(TableStyle(style))
    return result


def _chart(part: StatTable, layout: PageLayout) -> Drawing | None:
    """A simple grouped bar chart of the table's chart columns (total rows left out)."""
    spec = part.chart
    if spec is None:
        return None
    keys = [c.key for c in part.columns]
    if spec.category_column not in keys:
        return None
    cat = keys.index(spec.category_column)
    plotted = [(keys.index(k), part.columns[keys.index(k)]) for k in spec.value_columns
               if k in keys]
    rows = [r for r in part.rows if not r.is_total]
    if not rows or not plotted:
        return None
    data = [[_number(r.cells[i]) for r in rows] for i, _c in plotted]
    if not any(any(v for v in series) for series in data):
        return None
    font = register_fonts()
    width, height = layout.frame_width, 62 * mm
    drawing = Drawing(width, height)
    # The renderer starts each drawing in this font; the default would name Helvetica.
    drawing.initialFontName, drawing.initialFontSize = font, 7
    chart = VerticalBarChart()
    chart.x, chart.y = 16 * mm, 14 * mm
    chart.width, chart.height = width - 75 * mm, height - 22 * mm
    chart.data = data
    chart.categoryAxis.categoryNames = [str(r.cells[cat] or "")[:10] for r in rows]
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 6
    chart.categoryAxis.labels.angle = 30 if len(rows) > 6 else 0
    chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 6 else "n"
    chart.valueAxis.labels.fontName = font
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = min(0.0, *(v for series in data for v in series))
    chart.barSpacing = 1
    chart.barLabels.fontName = font
    for i in range(len(data)):
        chart.bars[i].fillColor = CHART_COLOURS[i % len(CHART_COLOURS)]
        chart.bars[i].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = width - 52 * mm, height - 8 * mm
    legend.fontName, legend.fontSize = font, 7
    legend.colorNamePairs = [(CHART_COLOURS[n % len(CHART_COLOURS)], c.label[:26])
                             for n, (_i, c) in enumerate(plotted)]
    drawing.add(legend)
    if spec.title:
        drawing.add(String(16 * mm, height - 6 * mm, spec.title, fontName=font, fontSize=8))
    return drawing


def _number(value: Cell) -> float:
    # A chart only needs the shape, not exact money.
    return float(value) if isinstance(value, int | float | Decimal) else 0.0


class _Footer:
    def __init__(self, font: str, layout: PageLayout, line: str) -> None:
        self.font, self.layout, self.line = font, layout, line

    def __call__(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(self.font, self.layout.small_size)
        canvas.setFillColor(GREY)
        canvas.drawString(self.layout.margin, self.layout.margin * 0.6, self.line)
        canvas.drawRightString(self.layout.width - self.layout.margin, self.layout.margin * 0.6,
                               str(doc.page))
        canvas.restoreState()


def export_statistic_pdf(table: StatTable, path: str | os.PathLike[str]) -> int:
    """Write the statistic as a PDF report; returns the data rows it holds."""
    parts = _tables(table)
    wide = max(len(p.columns) for p in parts) > WIDE_COLUMNS
    layout = _layout(wide)
    styles = make_styles(layout)
    font = register_fonts()
    story: list[Flowable] = [
        Paragraph(text(table.title), styles.title),
        Paragraph(text("  ·  ".join(table.filter_lines)), styles.subtitle),
    ]
    rows = 0
    for index, part in enumerate(parts):
        if index:
            story.append(Spacer(1, 5 * mm))
            story.append(Paragraph(text(part.title), styles.label))
            story.append(Spacer(1, 1.5 * mm))
        story.append(_table_flowable(part, layout, table.language))
        rows += len(part.rows)
        chart = _chart(part, layout)
        if chart is not None:
            story.append(Spacer(1, 3 * mm))
            story.append(KeepTogether([chart]))
    printed = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    footer = _Footer(font, layout, f"StationCRM · 打印于 {printed}" if table.language == "zh"
                     else f"StationCRM · printed {printed}")
    bottom = layout.margin
    doc = BaseDocTemplate(
        os.fspath(path), pagesize=layout.size, leftMargin=layout.margin,
        rightMargin=layout.margin, topMargin=layout.margin, bottomMargin=bottom,
        title=table.title, creator="StationCRM",
        initialFontName=font, initialFontSize=layout.font_size)
    frame = Frame(layout.margin, bottom, layout.frame_width,
                  layout.height - layout.margin - bottom, id="body")
    doc.addPageTemplates([PageTemplate(id="report", frames=[frame], onPage=footer)])
    doc.build(story)
    return rows


def table_rows(table: StatTable) -> int:
    return sum(len(p.rows) for p in _tables(table))


__all__: Sequence[str] = ("export_statistic_pdf", "export_statistic_xlsx", "table_rows")
