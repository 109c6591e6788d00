"""The chart beside a statistic's table, drawn with QtCharts as its ChartSpec describes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from PySide6.QtCharts import (
    QAbstractSeries,
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QPieSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QStandardPaths, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.services.statistics import ChartKind, ChartSpec, StatRow, StatTable
from app.ui.context import AppContext
from app.ui.statistics.model import format_cell

MAX_LABEL = 10          # category labels longer than this end in "…" on the axis
SMALL_TOP = 5.0         # a value axis up to this shows whole steps
PIE_LABELS_UP_TO = 8    # a pie with more slices shows its labels in the legend only
# Distinct colours for pie slices (the default theme shades one blue, hard to tell apart).
PIE_COLOURS = ("#2e7dd7", "#f29d38", "#4caf50", "#e05263", "#8e6cc7", "#26a6a6", "#c0ca33",
               "#8d6e63", "#ec6fb0", "#7f8c9a")


def _number(value: object) -> float:
    """A cell as a chart coordinate (the chart only draws; the table shows the exact value)."""
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0


def _short(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def _chart_font(scale: float = 1.0, *, bold: bool = False) -> QFont:
    # The application font carries the CJK fallback (app.ui.fonts); QtCharts' themes pick
    # their own fonts, which would draw Chinese as boxes on a bare Windows or Linux machine.
    font = QFont(QApplication.font())
    font.setPointSizeF(max(7.0, font.pointSizeF() * scale))
    font.setBold(bold)
    return font


def new_chart() -> QChart:
    """An empty chart as the statistics window draws them: tight margins, square corners,
    CJK-safe fonts, the legend below."""
    chart = QChart()
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.setBackgroundRoundness(0)
    chart.setTitleFont(_chart_font(1.1, bold=True))
    chart.legend().setFont(_chart_font(0.9))
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    return chart


def chart_rows(table: StatTable) -> tuple[StatRow, ...]:
    """The rows a chart plots: every row but the totals."""
    return tuple(row for row in table.rows if not row.is_total)


class StatChartView(QChartView):
    """Shows the chart of the current table, or nothing when the statistic has none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statistic_chart")
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumSize(320, 260)
        self.spec: ChartSpec | None = None
        self._pie_names: list[str] = []
        # An empty chart says so once, in the middle, instead of drawing every label on
        # one point (a pie of zeros) or bare axes.
        self.empty_label = QLabel(self.tr("No data"), self)
        self.empty_label.setObjectName("chart_no_data")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setFont(_chart_font(1.1))
        self.empty_label.setStyleSheet("color: #808080; background: transparent;")
        self.empty_label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.empty_label.hide()
        self.set_table(None)

    def set_table(self, table: StatTable | None) -> None:
        chart = new_chart()
        self.spec = table.chart if table is not None else None
        self._pie_names = []
        empty = False
        if table is not None and table.chart is not None:
            empty = not self._fill(chart, table, table.chart)
        else:
            chart.legend().hide()
        self.empty_label.setVisible(empty)
        self._place_empty_label()
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place_empty_label()

    def _place_empty_label(self) -> None:
        self.empty_label.setGeometry(self.rect())

    def is_empty(self) -> bool:
        """The chart has nothing to draw and shows "No data" instead."""
        return not self.empty_label.isHidden()

    # --- what tests and people count --------------------------------------------------------

    def plotted_series(self) -> list[QAbstractSeries]:
        return list(self.chart().series())

    def point_count(self) -> int:
        """Bars per set, points per line or slices of the pie (all series agree)."""
        counts: list[int] = []
        for series in self.chart().series():
            if isinstance(series, QBarSeries | QStackedBarSeries):
                counts.extend(bar_set.count() for bar_set in series.barSets())
            elif isinstance(series, QLineSeries):
                counts.append(series.count())
            elif isinstance(series, QPieSeries):
                counts.append(series.count())
        return max(counts, default=0)

    def categories(self) -> list[str]:
        for axis in self.chart().axes(Qt.Orientation.Horizontal):
            if isinstance(axis, QBarCategoryAxis):
                return list(axis.categories())
        if any(isinstance(s, QPieSeries) for s in self.chart().series()):
            return list(self._pie_names)
        return []

    # --- drawing --------------------------------------------------------------------------

    def _fill(self, chart: QChart, table: StatTable, spec: ChartSpec) -> bool:
        """Draw the chart; False when there is nothing to draw."""
        keys = [c.key for c in table.columns]
        if spec.category_column not in keys:
            chart.legend().hide()
            return True
        chart.setTitle(spec.title)
        rows = chart_rows(table)
        category_at = keys.index(spec.category_column)
        category_kind = table.columns[category_at].kind
        names = [_short(format_cell(row.cells[category_at], category_kind) or "—")
                 for row in rows]
        names = _unique(names)
        values = [(table.columns[keys.index(k)], keys.index(k))
                  for k in spec.value_columns if k in keys]
        if not values:
            return True
        # No rows, or a pie of zeros (it would stack every label on one point); bars of
        # zeros still read well against their axis.
        if not rows or spec.kind is ChartKind.PIE and not any(
                _number(row.cells[values[0][1]]) > 0 for row in rows):
            chart.legend().hide()
            return False
        if spec.kind is ChartKind.PIE:
            self._pie(chart, rows, names, values[0][1])
            return True
        if spec.kind is ChartKind.LINE:
            series_list: list[QAbstractSeries] = []
            for column, at in values:
                line = QLineSeries()
                line.setName(column.label)
                line.setPointsVisible(True)
                for n, row in enumerate(rows):
                    line.append(float(n), _number(row.cells[at]))
                chart.addSeries(line)
                series_list.append(line)
        else:
            bars = QStackedBarSeries() if spec.kind is ChartKind.STACKED_BAR else QBarSeries()
            for column, at in values:
                bar_set = QBarSet(column.label)
                bar_set.append([_number(row.cells[at]) for row in rows])
                bars.append(bar_set)
            chart.addSeries(bars)
            series_list = [bars]
        self._axes(chart, series_list, names, rows, [at for _c, at in values],
                   stacked=spec.kind is ChartKind.STACKED_BAR)
        chart.legend().setVisible(len(values) > 1 or spec.kind is not ChartKind.LINE)
        return True

    def _axes(self, chart: QChart, series_list: list[QAbstractSeries], names: list[str],
              rows: tuple[StatRow, ...], columns: list[int], *, stacked: bool) -> None:
        category_axis = QBarCategoryAxis()
        category_axis.append(names)
        category_axis.setLabelsFont(_chart_font(0.85))
        # Qt elides rotated labels to the category's width ("202…"); whole labels read better.
        category_axis.setTruncateLabels(False)
        if len(names) > 6:
            category_axis.setLabelsAngle(-45)
        value_axis = QValueAxis()
        value_axis.setLabelsFont(_chart_font(0.85))
        value_axis.setLabelFormat("%.0f")
        if stacked:
            top = max((sum(max(_number(r.cells[c]), 0.0) for c in columns) for r in rows),
                      default=0.0)
            low = min((sum(min(_number(r.cells[c]), 0.0) for c in columns) for r in rows),
                      default=0.0)
        else:
            numbers = [_number(r.cells[c]) for r in rows for c in columns]
            top, low = max(numbers, default=0.0), min(numbers, default=0.0)
        if top <= SMALL_TOP and low >= 0:
            # Small counts (or nothing at all): whole steps, not 0, 0, 1, 1, 1.
            value_axis.setRange(0.0, SMALL_TOP)
            value_axis.setTickCount(int(SMALL_TOP) + 1)
        else:
            value_axis.setRange(min(low, 0.0), max(top, 0.0))
            value_axis.applyNiceNumbers()
        chart.addAxis(category_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignLeft)
        for series in series_list:
            series.attachAxis(category_axis)
            series.attachAxis(value_axis)
        if len(names) == 1:
            # One point on a category axis: widen it so the point is not on the border.
            category_axis.setRange(names[0], names[0])

    def _pie(self, chart: QChart, rows: tuple[StatRow, ...], names: list[str],
             at: int) -> None:
        pie = QPieSeries()
        self._pie_names = names
        for n, (name, row) in enumerate(zip(names, rows, strict=True)):
            slice_ = pie.append(name, max(_number(row.cells[at]), 0.0))
            slice_.setLabelFont(_chart_font(0.85))
            slice_.setColor(QColor(PIE_COLOURS[n % len(PIE_COLOURS)]))
            slice_.setBorderColor(QColor("white"))
        chart.addSeries(pie)
        if pie.sum() > 0:
            for slice_ in pie.slices():
                slice_.setLabel(f"{slice_.label()} {slice_.percentage() * 100:.1f}%")
        pie.setLabelsVisible(len(rows) <= PIE_LABELS_UP_TO)
        pie.setPieSize(0.62)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)


def _unique(names: list[str]) -> list[str]:
    """A category axis merges equal labels; shortened labels can collide, so number them."""
    seen: dict[str, int] = {}
    result = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        result.append(name if count == 0 else f"{name} ({count + 1})")
    return result


def file_part(text: str) -> str:
    """``text`` as part of an export's file name: letters (Chinese too), digits, - and _."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in text).strip("_")


def export_folder(ctx: AppContext) -> str:
    """Where the statistics window's last export went (per user on this PC), else the
    Documents folder."""
    remembered = ctx.ui_settings().value(ctx.user_settings_key("statistics/export_folder"), "")
    if remembered and Path(str(remembered)).is_dir():
        return str(remembered)
    return QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
