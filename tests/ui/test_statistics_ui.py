"""The manager's statistics window: filters, table, chart, drill-down, export, keyboard."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCharts import QBarSeries, QLineSeries, QPieSeries, QStackedBarSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app import i18n
from app.models.enums import CustomerSource, Module, Operation
from app.services import statistics as stats
from app.services.errors import PermissionDenied
from app.services.permissions import Actor
from app.services.statistics import (
    ChartKind,
    ChartSpec,
    ColumnKind,
    DrillKey,
    DrillRecord,
    DrillResult,
    StatColumn,
    StatFilters,
    StatRow,
    StatTable,
)
from app.ui.context import AppContext
from app.ui.i18n import install_translator
from app.ui.shell.record_openers import RecordOpeners
from app.ui.statistics.chart import StatChartView
from app.ui.statistics.drill_dialog import DrillDownDialog
from app.ui.statistics.model import DRILL_ROLE, StatTableModel
from app.ui.statistics.page import StatisticsPage, period_range
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
TODAY = dt.date(2026, 11, 26)
SOURCES = [("walk_in", "门市", 12, Decimal("12345.50"), Decimal("3100.25")),
           ("phone", "电话", 5, Decimal("8000.00"), Decimal("900.00")),
           ("referral", "转介绍", 3, Decimal("1999.99"), Decimal("120.00")),
           ("web", "网站", 7, Decimal("45678.00"), Decimal("7000.10"))]
COLUMNS = (  # key, English, Chinese: the service hands over the words of one of them
    ("source", "Customer source", "客户来源", ColumnKind.TEXT),
    ("orders", "Orders", "订单数", ColumnKind.INTEGER),
    ("revenue", "Revenue", "销售额", ColumnKind.MONEY),
    ("margin", "Gross margin", "毛利", ColumnKind.MONEY),
    ("margin_pct", "Margin %", "毛利率", ColumnKind.PERCENT),
)


def _key(name: str, **selector: str) -> DrillKey:
    return DrillKey(name, tuple(sorted(selector.items())))


def fake_table(name: str, filters: StatFilters, chart: ChartKind = ChartKind.BAR,
               language: str = "en") -> StatTable:
    """Figures that depend on the filters: the source filter keeps one row, and every
    amount is multiplied by the number of the starting month (so the period shows). The
    words are in ``language``, as the service gives them."""
    def words(en: str, zh: str) -> str:
        return zh if language == "zh" else en

    factor = filters.date_from.month
    rows = []
    for code, label, count, revenue, margin in SOURCES:
        if filters.customer_source and code != filters.customer_source:
            continue
        drill = _key(name, source=code)
        amount, gain = revenue * factor, margin * factor
        rows.append(StatRow(
            cells=(label, count * factor, amount, gain,
                   (gain * 100 / amount).quantize(Decimal("0.1"))),
            drill=(None, drill, drill, drill, None)))
    total_revenue = sum((r.cells[2] for r in rows), Decimal(0))
    total_margin = sum((r.cells[3] for r in rows), Decimal(0))
    rows.append(StatRow(
        cells=("合计", sum(r.cells[1] for r in rows), total_revenue, total_margin, None),
        drill=(None, None, _key(name, source="*"), None, None), is_total=True))
    aging = StatTable(
        name=name, title=words("Receivables aging", "应收账龄"),
        columns=(StatColumn("bucket", words("Days", "账龄"), ColumnKind.TEXT),
                 StatColumn("amount", words("Owed", "应收金额"), ColumnKind.MONEY)),
        rows=(StatRow(cells=("0–30", Decimal("1500.00")),
                      drill=(None, _key(name, bucket="0-30"))),
              StatRow(cells=("31–60", Decimal("250.00")),
                      drill=(None, _key(name, bucket="31-60")))),
        chart=None, filters=filters, language=language)
    return StatTable(
        name=name, title=words(f"Sales by customer source ({name})", f"按客户来源的销售（{name}）"),
        columns=tuple(StatColumn(key, words(en, zh), kind) for key, en, zh, kind in COLUMNS),
        rows=tuple(rows),
        chart=ChartSpec(chart, "source", ("revenue", "margin"),
                        words("Revenue and margin", "销售额与毛利")),
        filters=filters, sections=(aging,) if name == "sales-collections" else (),
        language=language)


DRILL_RECORDS = (
    DrillRecord("order", 41, "SO-20261102-0007", dt.date(2026, 11, 2), "北京鑫锐科技有限公司",
                "张伟", Decimal("10000.00"), "HP LaserJet M404"),
    DrillRecord("ticket", 7, "FW-20261105-0002", dt.date(2026, 11, 5), "海淀区实验中学",
                "王强", Decimal("2345.50"), "卡纸"),
    DrillRecord("customer", 99, "朝阳区税务所", None, "朝阳区税务所", "李娜", None),
)


class FakeService:
    """Stands in for run_statistic / drill_down / export_statistic, recording the calls."""

    def __init__(self, chart: ChartKind = ChartKind.BAR) -> None:
        self.chart = chart
        self.runs: list[tuple[str, StatFilters]] = []
        self.languages: list[str | None] = []
        self.drills: list[tuple[DrillKey, StatFilters]] = []
        self.exports: list[tuple[str, StatFilters, Path, str]] = []

    def run_statistic(self, name: str, filters: StatFilters, *, uow: Any,
                      actor: Actor, language: str | None = None) -> StatTable:
        self.runs.append((name, filters))
        self.languages.append(language)
        return fake_table(name, filters, self.chart, language or "en")

    def drill_down(self, key: DrillKey, filters: StatFilters, *, uow: Any, actor: Actor,
                   limit: int = 1000, language: str | None = None) -> DrillResult:
        self.drills.append((key, filters))
        return DrillResult("门市客户的订单" if language == "zh" else "Orders of walk-in customers",
                           DRILL_RECORDS, Decimal("12345.50"), truncated=True, count=1200)

    def export_statistic(self, name: str, filters: StatFilters, path: Path, *, uow: Any,
                         actor: Actor, language: str) -> None:
        self.exports.append((name, filters, Path(path), language))
        Path(path).write_bytes(b"fake")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeService:
    service = FakeService()
    monkeypatch.setattr(stats, "run_statistic", service.run_statistic)
    monkeypatch.setattr(stats, "drill_down", service.drill_down)
    monkeypatch.setattr(stats, "export_statistic", service.export_statistic, raising=False)
    return service


class Opened:
    """Record openers that only write down what they were asked to open."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, int, QWidget | None]] = []
        self.openers = RecordOpeners({
            kind: (lambda ctx, record_id, parent, k=kind: self.calls.append(
                (k, record_id, parent)))
            for kind in ("order", "payment", "service_ticket", "opportunity", "quotation")})


def _page(qtbot: QtBot, ctx: AppContext, **kwargs: Any) -> StatisticsPage:
    page = StatisticsPage(ctx, today=lambda: TODAY, **kwargs)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    with qtbot.waitActive(page):   # shortcuts work in the active window only
        page.show()
        page.activateWindow()
    _settle(qtbot, page)
    return page


def _settle(qtbot: QtBot, page: StatisticsPage) -> None:
    page._ctx.tasks.wait_until_idle()
    qtbot.waitUntil(lambda: not page.is_loading, timeout=10_000)


def _column(model: StatTableModel, key: str) -> int:
    return model.column_keys().index(key)


def _shown(page: StatisticsPage, key: str) -> list[str]:
    column = _column(page.model, key)
    return [page.model.index(r, column).data() for r in range(page.model.rowCount())]


# --- periods ---------------------------------------------------------------------------------

def test_quick_periods() -> None:
    assert period_range("this_month", TODAY) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert period_range("this_quarter", TODAY) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert period_range("this_year", TODAY) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert period_range("last_quarter", TODAY) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert period_range("last_quarter", dt.date(2027, 2, 3)) == (dt.date(2026, 10, 1),
                                                                  dt.date(2026, 12, 31))


def test_cells_read_as_people_expect() -> None:
    rows = (StatRow((Decimal("8.000"), Decimal("35.0"), Decimal("136.10")), (None,) * 3),
            StatRow((Decimal("164.000"), Decimal("27.6"), Decimal("1162.05")), (None,) * 3))
    columns = tuple(StatColumn(k, k, ColumnKind.DECIMAL) for k in ("qty", "hours", "points"))
    model = StatTableModel()
    model.set_table(StatTable("x", "x", columns, rows, None, StatFilters(TODAY, TODAY)))
    assert [[model.index(r, c).data() for c in range(3)] for r in range(2)] == [
        ["8", "35.0", "136.10"], ["164", "27.6", "1,162.05"]]


# --- figures and filters ---------------------------------------------------------------------

def test_opens_on_this_quarter_and_filters_change_the_figures(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"))
    name, filters = fake.runs[-1]
    assert name == "customer-classes"
    assert (filters.date_from, filters.date_to) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    # October → factor 10
    assert _shown(page, "revenue")[0] == "¥123,455.00"
    assert _shown(page, "orders")[:4] == ["120", "50", "30", "70"]

    page.source_combo.setCurrentIndex(page.source_combo.findData(CustomerSource.PHONE.value))
    _settle(qtbot, page)
    assert fake.runs[-1][1].customer_source == "phone"
    assert _shown(page, "revenue") == ["¥80,000.00", "¥80,000.00"]

    page.period_combo.setCurrentIndex(page.period_combo.findData("this_month"))
    _settle(qtbot, page)
    filters = fake.runs[-1][1]
    assert (filters.date_from, filters.date_to) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert _shown(page, "revenue")[0] == "¥88,000.00"

    # Editing a date by hand makes the period "custom" and computes again.
    page.from_edit.setDate(page.from_edit.date().addMonths(-10))   # 2026-01-01 → factor 1
    _settle(qtbot, page)
    assert page.period_combo.currentData() == "custom"
    assert fake.runs[-1][1].date_from == dt.date(2026, 1, 1)
    assert _shown(page, "revenue")[0] == "¥8,000.00"
    assert page.message_label.text() == "2026-01-01 to 2026-11-30"


def test_department_person_and_category_reach_the_service(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, sales_user: Actor,
    other_sales_user: Actor, technician: Actor, fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"))
    page.department_combo.setCurrentIndex(page.department_combo.findText("Key accounts"))
    _settle(qtbot, page)
    people = [page.person_combo.itemText(i) for i in range(page.person_combo.count())]
    assert people == ["Everyone", "张伟", "李娜"]   # only the department's people
    page.person_combo.setCurrentIndex(page.person_combo.findData(other_sales_user.user_id))
    page.category_combo.setCurrentIndex(page.category_combo.findData("consumable"))
    _settle(qtbot, page)
    filters = fake.runs[-1][1]
    assert filters.department_id is not None
    assert filters.user_id == other_sales_user.user_id
    assert filters.product_category == "consumable"


def test_only_the_newest_computation_is_shown(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"))
    shown: list[str] = []
    page.table_shown.connect(lambda: shown.append(page.table.filters.customer_source or ""))
    page.source_combo.setCurrentIndex(page.source_combo.findData("web"))   # computes
    page.select_statistic("service")                                      # computes again
    _settle(qtbot, page)
    assert [name for name, _f in fake.runs[-2:]] == ["customer-classes", "service"]
    assert shown == ["web"] and page.table.name == "service"


def test_table_formats_numbers_and_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, make_context: MakeContext, manager: Actor,
    fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"))
    model = page.model
    qtmodeltester.check(model)
    last = model.rowCount() - 1
    revenue = model.index(0, _column(model, "revenue"))
    label = model.index(0, _column(model, "source"))
    right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    assert revenue.data(Qt.ItemDataRole.TextAlignmentRole) == right
    assert label.data(Qt.ItemDataRole.TextAlignmentRole) != right
    assert model.index(0, _column(model, "margin_pct")).data() == "25.1 %"
    assert model.index(last, 0).data(Qt.ItemDataRole.FontRole).bold()
    assert model.index(0, 0).data(Qt.ItemDataRole.FontRole) is None
    assert model.index(last, _column(model, "revenue")).data() == "¥680,234.90"
    assert revenue.data(DRILL_ROLE) == _key("customer-classes", source="walk_in")
    assert label.data(DRILL_ROLE) is None
    assert model.headerData(2, Qt.Orientation.Horizontal) == "Revenue"
    page.source_combo.setCurrentIndex(2)   # the tester follows the reset
    _settle(qtbot, page)


def test_chinese_headers_and_titles_follow_the_ui_language(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office", language="zh"))
    assert fake.languages[-1] == "zh"   # the page asks for its own language
    assert page.model.headerData(2, Qt.Orientation.Horizontal) == "销售额"
    assert page.title_label.text() == "按客户来源的销售（customer-classes）"
    assert page.chart_view.chart().title() == "销售额与毛利"


# --- chart -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, series_type", [
    (ChartKind.BAR, QBarSeries), (ChartKind.STACKED_BAR, QStackedBarSeries),
    (ChartKind.LINE, QLineSeries), (ChartKind.PIE, QPieSeries)])
def test_chart_has_a_bar_or_point_per_row(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
    kind: ChartKind, series_type: type,
) -> None:
    fake.chart = kind
    page = _page(qtbot, make_context(manager, "manager_office"))
    rows = page.model.rowCount() - 1   # not the total
    assert rows == 4
    chart = page.chart_view
    assert chart.isVisible()
    assert all(isinstance(s, series_type) for s in chart.plotted_series())
    assert chart.point_count() == rows
    assert chart.categories() == ["门市", "电话", "转介绍", "网站"]
    if kind is ChartKind.LINE:
        assert len(chart.plotted_series()) == 2   # revenue and margin
    page.source_combo.setCurrentIndex(page.source_combo.findData("web"))
    _settle(qtbot, page)
    assert chart.point_count() == 1 and chart.categories() == ["网站"]


def test_small_counts_get_whole_steps(qtbot: QtBot) -> None:
    from PySide6.QtCharts import QValueAxis

    filters = StatFilters(TODAY, TODAY)
    table = fake_table("service", filters)
    zero = tuple(dataclasses.replace(row, cells=(row.cells[0], 0, Decimal(0), Decimal(0), None))
                 for row in table.rows)
    view = StatChartView()
    qtbot.addWidget(view)
    view.set_table(dataclasses.replace(table, rows=zero))
    axis = next(a for a in view.chart().axes(Qt.Orientation.Vertical)
                if isinstance(a, QValueAxis))
    assert (axis.min(), axis.max(), axis.tickCount()) == (0.0, 5.0, 6)
    assert view.point_count() == 4


def test_chart_view_without_chart_is_empty(qtbot: QtBot) -> None:
    view = StatChartView()
    qtbot.addWidget(view)
    table = dataclasses.replace(fake_table("service", StatFilters(TODAY, TODAY)), chart=None)
    view.set_table(table)
    assert view.point_count() == 0 and view.plotted_series() == []


# --- drill-down ------------------------------------------------------------------------------

def _drill(qtbot: QtBot, page: StatisticsPage, row: int, key: str) -> DrillDownDialog:
    index = page.model.index(row, _column(page.model, key))
    page.table_view.setFocus()
    page.table_view.setCurrentIndex(index)
    qtbot.keyClick(page.table_view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(page.drill_dialog, DrillDownDialog))
    dialog = page.drill_dialog
    assert dialog is not None
    page._ctx.tasks.wait_until_idle()
    qtbot.waitUntil(lambda: dialog.drill_result is not None)
    return dialog


def test_drill_down_lists_the_records_and_opens_them(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
) -> None:
    opened = Opened()
    page = _page(qtbot, make_context(manager, "manager_office"), openers=opened.openers)
    page.source_combo.setCurrentIndex(page.source_combo.findData("walk_in"))
    _settle(qtbot, page)
    # A label cell has nothing behind it.
    page.table_view.setCurrentIndex(page.model.index(0, 0))
    qtbot.keyClick(page.table_view, Qt.Key.Key_Return)
    assert page.drill_dialog is None and fake.drills == []

    dialog = _drill(qtbot, page, 0, "revenue")
    key, filters = fake.drills[-1]
    assert key == _key("customer-classes", source="walk_in")
    assert filters == page.table.filters and filters.customer_source == "walk_in"
    assert dialog.model.rowCount() == 3
    assert [dialog.model.index(r, 0).data() for r in range(3)] == [
        "SO-20261102-0007", "FW-20261105-0002", "朝阳区税务所"]
    assert dialog.model.index(1, 1).data() == "2026-11-05"
    assert dialog.model.index(0, 5).data() == "¥10,000.00"
    # A click on the date header orders the records by date, in memory, and back.
    dialog.table.horizontalHeader().setSortIndicator(1, Qt.SortOrder.DescendingOrder)
    days = [dialog.model.record(r).day for r in range(3)]
    assert days == sorted((d for d in days if d is not None), reverse=True) + [
        d for d in days if d is None]
    dialog.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    assert [dialog.model.index(r, 0).data() for r in range(3)] == [
        "SO-20261102-0007", "FW-20261105-0002", "朝阳区税务所"]
    assert dialog.total_label.text() == "1,200 records, total ¥12,345.50"
    assert dialog.note_label.isVisible() and "More than 3" in dialog.note_label.text()
    assert dialog.title_label.text() == (
        "Sales by customer source (customer-classes) · 门市 · Revenue: ¥123,455.00")
    assert dialog.windowTitle() == "Orders of walk-in customers"

    # Enter on the second record opens the service ticket through the openers.
    dialog.table.setCurrentIndex(dialog.model.index(1, 0))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert [(k, i) for k, i, _p in opened.calls] == [("service_ticket", 7)]
    assert opened.calls[0][2] is dialog
    assert dialog.isVisible()   # Enter opened the record, not the Close button
    # Double-click on the first opens the order.
    rect = dialog.table.visualRect(dialog.model.index(0, 2))
    # A real double-click is a press first: the view opens only the row it was pressed on.
    qtbot.mouseClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(dialog.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [(k, i) for k, i, _p in opened.calls] == [("service_ticket", 7), ("order", 41)]
    # A customer opens in the 360° view of the main window; the dialog closes.
    with qtbot.waitSignal(page.customer_activated) as signal:
        dialog.open_row(2)
    assert signal.args == [99]
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_double_click_on_a_section_number_drills_too(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"))
    page.select_statistic("sales-collections")
    _settle(qtbot, page)
    assert page.sections_area.isVisible() and len(page.section_views) == 1
    view = page.section_views[0]
    rect = view.visualRect(view.model().index(1, 1))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: page.drill_dialog is not None)
    page._ctx.tasks.wait_until_idle()
    assert fake.drills[-1][0] == _key("sales-collections", bucket="31-60")


def test_a_record_without_a_screen_shows_a_summary(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"), openers=RecordOpeners())
    page.open_record(DrillRecord("plan", 3, "2026 Q4", None, "", "张伟", Decimal("50000")))
    box = page.findChild(QMessageBox, "drill_record_summary")
    assert box is not None and "¥50,000.00" in box.text() and "张伟" in box.text()
    box.close()


# --- export ----------------------------------------------------------------------------------

def test_export_needs_the_export_permission(
    qtbot: QtBot, make_context: MakeContext, make_user: Callable[..., Actor],
    fake: FakeService, tmp_path: Path,
) -> None:
    lead = make_user("lead", "repair_lead", "repair", display_name="维修主管")
    ctx = make_context(lead, "repair")
    assert ctx.can(Module.STATISTICS, Operation.VIEW)
    assert not ctx.can(Module.STATISTICS, Operation.EXPORT)
    page = _page(qtbot, ctx)
    assert not page.excel_button.isEnabled() and not page.pdf_button.isEnabled()
    page.table_view.setFocus()
    qtbot.keyClick(page.table_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert page.findChild(QFileDialog) is None
    page.export_to(tmp_path / "x.xlsx")
    page._ctx.tasks.wait_until_idle()
    assert fake.exports == []


def test_export_writes_the_file_off_the_gui_thread(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
    tmp_path: Path,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"))
    page.select_statistic("product-sales")
    _settle(qtbot, page)
    assert page.excel_button.isEnabled() and page.pdf_button.isEnabled()
    page.table_view.setFocus()
    qtbot.keyClick(page.table_view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = page.findChild(QFileDialog, "export_file_dialog")
    assert dialog is not None
    assert dialog.selectedFiles()[0].endswith("Product_sales_2026-10-01_2026-12-31.xlsx")
    target = tmp_path / "季度销售.xlsx"
    with qtbot.waitSignal(page.exported, timeout=10_000) as signal:
        dialog.fileSelected.emit(str(target))
    assert signal.args == [str(target)] and target.read_bytes() == b"fake"
    name, filters, path, language = fake.exports[-1]
    assert (name, path, language) == ("product-sales", target, "en")
    assert filters == page.filters()
    assert str(target) in page.message_label.text()
    box = page.findChild(QMessageBox, "export_done")
    assert box is not None and str(target) in box.text()
    box.close()
    dialog.close()
    assert page.pdf_button.isEnabled()
    assert page.suggested_file_name("pdf") == "Product_sales_2026-10-01_2026-12-31.pdf"
    # The next export starts in the folder of the last one.
    again = page.ask_export("pdf")
    assert again is not None and again.selectedFiles()[0] == str(
        tmp_path / "Product_sales_2026-10-01_2026-12-31.pdf")
    again.close()


def test_a_refused_export_shows_the_reason(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    def refuse(*_a: Any, **_k: Any) -> None:
        raise PermissionDenied("You may not export in statistics.")

    monkeypatch.setattr(stats, "export_statistic", refuse, raising=False)
    page = _page(qtbot, make_context(manager, "manager_office"))
    page.export_to(tmp_path / "x.pdf")
    page._ctx.tasks.wait_until_idle()
    qtbot.waitUntil(page.excel_button.isEnabled)
    assert page.message_label.text() == "You may not export in statistics."
    for box in page.findChildren(QMessageBox):
        box.close()


# --- keyboard --------------------------------------------------------------------------------

def test_ctrl_number_switches_the_statistic_and_f5_computes_again(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"))
    for widget in (page.table_view, page.period_combo, page.from_edit):
        widget.setFocus()
        for number, name in enumerate(stats.STATISTICS, start=1):
            qtbot.keyClick(widget, getattr(Qt.Key, f"Key_{number}"),
                           Qt.KeyboardModifier.ControlModifier)
            assert page.statistic == name
            _settle(qtbot, page)
            assert page.table.name == name
    assert page.period_combo.currentData() == "this_quarter"
    assert page.from_edit.date().toString("yyyy-MM-dd") == "2026-10-01"
    runs = len(fake.runs)
    page.table_view.setFocus()
    qtbot.keyClick(page.table_view, Qt.Key.Key_F5)
    _settle(qtbot, page)
    assert len(fake.runs) == runs + 1


def test_a_failed_statistic_shows_the_reason(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*_a: Any, **_k: Any) -> StatTable:
        raise PermissionDenied("You may not view in statistics.")

    monkeypatch.setattr(stats, "run_statistic", refuse)
    page = _page(qtbot, make_context(manager, "manager_office"))
    assert page.message_label.text() == "You may not view in statistics."
    assert page.model.rowCount() == 0


# --- screenshots -----------------------------------------------------------------------------

@pytest.fixture(params=["en", "zh"])
def shot_language(request: pytest.FixtureRequest, qapp: QApplication, uow: Any
                  ) -> Iterator[str]:
    qm_dir = os.environ.get("STATIONCRM_QM_DIR")
    resolved = install_translator(qapp, request.param,
                                  directory=Path(qm_dir) if qm_dir else None)
    i18n.set_language(resolved)
    yield resolved
    install_translator(qapp, "en")
    i18n.set_language("en")


def _save(widget: QWidget, name: str) -> Path:
    folder = SHOTS_DIR / "statsui"
    folder.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 300
    path = folder / name
    assert image.save(str(path))
    return path


def test_screenshots_with_the_fake(
    qtbot: QtBot, shot_language: str, make_context: MakeContext, manager: Actor,
    fake: FakeService,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office", language=shot_language))
    for name, kind in (("product-sales", ChartKind.BAR), ("sales-collections", ChartKind.LINE),
                       ("customer-classes", ChartKind.PIE)):
        fake.chart = kind
        page.select_statistic(name)
        _settle(qtbot, page)
        qtbot.wait(30)
        assert clipped_texts(page) == []
        _save(page, f"fake_{name}_{shot_language}.png")
    metrics = QFontMetrics(QFont("WenQuanYi Micro Hei"))
    shown = "".join(page.chart_view.categories())
    assert [c for c in shown if ord(c) > 0x2E80 and not metrics.inFontUcs4(ord(c))] == []
    dialog = _drill(qtbot, page, 0, "revenue")
    qtbot.wait(30)
    assert clipped_texts(dialog) == []
    _save(dialog, f"fake_drill_{shot_language}.png")
    dialog.close()



# --- against the real services, on demo data ----------------------------------------------

@pytest.fixture
def demo_data(uow: Any, engine: Any) -> Any:
    """A small demo company (fixed seed and day) on the test database, emptied afterwards."""
    from app import demo

    demo.generate_demo_data(engine, customers=120, seed=11, today=TODAY)
    return engine


def _demo_actor(engine: Any, username: str) -> Actor:
    from sqlalchemy import select

    from app.models import Role, User
    from app.services.auth import actor_for

    with engine.connect() as conn:
        row = conn.execute(select(User.id, User.username, User.display_name,
                                  User.department_id, Role.code)
                           .join(Role, Role.id == User.role_id)
                           .where(User.username == username)).one()
    return actor_for(User(id=row[0], username=row[1], display_name=row[2],
                          department_id=row[3]), row[4], None)


def _expected(uow: Any, actor: Actor, name: str, filters: StatFilters) -> list[str]:
    """The revenue column as the window must show it, from the service called directly."""
    table = stats.run_statistic(name, filters, uow=uow, actor=actor)
    model = StatTableModel()
    model.set_table(table)
    column = _column(model, "revenue")
    return [model.index(r, column).data() for r in range(model.rowCount())]


def test_real_statistics_follow_the_filters(
    qtbot: QtBot, make_context: MakeContext, demo_data: Any, uow: Any,
) -> None:
    manager = _demo_actor(demo_data, "manager")
    page = _page(qtbot, make_context(manager, "manager_office"))
    page.select_statistic("product-sales")
    _settle(qtbot, page)
    assert page.error is None and page.table is not None and page.table.name == "product-sales"
    before = _shown(page, "revenue")
    assert before == _expected(uow, manager, "product-sales", page.filters())
    assert any(text not in ("", "¥0.00") for text in before)
    rows = sum(1 for row in page.table.rows if not row.is_total)
    assert page.chart_view.point_count() == rows

    page.period_combo.setCurrentIndex(page.period_combo.findData("this_year"))
    _settle(qtbot, page)
    year = _shown(page, "revenue")
    assert year == _expected(uow, manager, "product-sales", page.filters())
    assert year != before   # a whole year sells more than its last quarter

    page.source_combo.setCurrentIndex(page.source_combo.findData("walk_in"))
    _settle(qtbot, page)
    walk_in = _shown(page, "revenue")
    assert page.filters().customer_source == "walk_in"
    assert walk_in == _expected(uow, manager, "product-sales", page.filters())
    assert walk_in != year


def test_real_drill_down_adds_up_and_opens_the_order(
    qtbot: QtBot, make_context: MakeContext, demo_data: Any, uow: Any,
) -> None:
    manager = _demo_actor(demo_data, "manager")
    opened = Opened()
    page = _page(qtbot, make_context(manager, "manager_office"), openers=opened.openers)
    page.select_statistic("product-sales")
    page.period_combo.setCurrentIndex(page.period_combo.findData("this_year"))
    _settle(qtbot, page)
    column = _column(page.model, "revenue")
    row = next(r for r in range(page.model.rowCount())
               if page.model.index(r, column).data(DRILL_ROLE) is not None
               and page.model.index(r, column).data() != "¥0.00")
    cell = page.model.index(row, column).data()
    dialog = _drill(qtbot, page, row, "revenue")
    assert dialog.drill_result is not None and dialog.drill_result.records
    assert format_yuan_total(dialog) == cell   # the records add up to the number
    first = dialog.drill_result.records[0]
    assert first.entity == "order"
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Return)
    assert [(k, i) for k, i, _p in opened.calls] == [("order", first.record_id)]
    dialog.close()


def format_yuan_total(dialog: DrillDownDialog) -> str:
    from app.ui.formatting import format_yuan

    assert dialog.drill_result is not None
    return format_yuan(dialog.drill_result.total)


def test_real_export_writes_an_excel_file(
    qtbot: QtBot, make_context: MakeContext, demo_data: Any, uow: Any, tmp_path: Path,
) -> None:
    from sqlalchemy import func, select

    from app.models import AuditEntry

    manager = _demo_actor(demo_data, "manager")
    page = _page(qtbot, make_context(manager, "manager_office"))
    page.select_statistic("sales-collections")
    _settle(qtbot, page)
    target = tmp_path / "回款.xlsx"
    with uow:
        audits = uow.session.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
    with qtbot.waitSignal(page.exported, timeout=20_000):
        page.export_to(target)
    assert target.read_bytes()[:2] == b"PK"   # a zip: an .xlsx workbook
    with uow:
        assert uow.session.execute(select(func.count()).select_from(AuditEntry)
                                   ).scalar_one() == audits + 1
    for box in page.findChildren(QMessageBox):
        box.close()


def test_real_screenshots(
    qtbot: QtBot, shot_language: str, make_context: MakeContext, demo_data: Any,
) -> None:
    manager = _demo_actor(demo_data, "manager")
    page = _page(qtbot, make_context(manager, "manager_office", language=shot_language))
    page.period_combo.setCurrentIndex(page.period_combo.findData("this_year"))
    for name in stats.STATISTICS:
        page.select_statistic(name)
        _settle(qtbot, page)
        assert page.error is None, page.message_label.text()
        qtbot.wait(30)
        assert clipped_texts(page) == []
        _save(page, f"real_{name}_{shot_language}.png")
    metrics = QFontMetrics(QFont("WenQuanYi Micro Hei"))
    page.select_statistic("product-sales")
    _settle(qtbot, page)
    shown = "".join(page.chart_view.categories()) + page.title_label.text()
    assert [c for c in shown if ord(c) > 0x2E80 and not metrics.inFontUcs4(ord(c))] == []
    column = _column(page.model, "revenue")
    row = next(r for r in range(page.model.rowCount())
               if page.model.index(r, column).data() != "¥0.00")
    dialog = _drill(qtbot, page, row, "revenue")
    qtbot.wait(30)
    assert clipped_texts(dialog) == []
    _save(dialog, f"real_drill_{shot_language}.png")
    dialog.close()


# --- in the main window ----------------------------------------------------------------------

def test_the_managers_office_opens_on_statistics_and_keys_stay_in_the_page(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, fake: FakeService,
    add_customer: Callable[..., Any],
) -> None:
    from app.ui.customers.overview import CustomerOverviewPage
    from app.ui.shell.main_window import MainWindow

    customer = add_customer(manager, "朝阳区税务所")
    window = MainWindow(make_context(manager, "manager_office"))
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    page = window.stack.currentWidget()
    assert isinstance(page, StatisticsPage) and window.current_module() is Module.STATISTICS
    _settle(qtbot, page)
    # Ctrl+3 in the page picks the third statistic; the Go menu's Ctrl+3 does not fire.
    page.table_view.setFocus()
    qtbot.keyClick(page.table_view, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert page.statistic == "sales-collections"
    assert window.stack.currentWidget() is page
    _settle(qtbot, page)
    # F5 through the main window's View → Refresh.
    runs = len(fake.runs)
    qtbot.keyClick(page.table_view, Qt.Key.Key_F5)
    _settle(qtbot, page)
    assert len(fake.runs) == runs + 1 and fake.runs[-1][0] == "sales-collections"
    # From the navigator, Ctrl+1 is the Go menu's again.
    window.navigator.setFocus()
    qtbot.keyClick(window.navigator, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_module() is window.visible_modules[0]
    # A customer behind a number opens in the 360° view.
    window.open_module(Module.STATISTICS)
    page.open_record(DrillRecord("customer", customer.id, customer.name, None,
                                 customer.name, "", None))
    overview = window.stack.currentWidget()
    assert isinstance(overview, CustomerOverviewPage) and overview.customer_id == customer.id
    window.ctx.tasks.wait_until_idle()


def test_main_window_screenshot(
    qtbot: QtBot, shot_language: str, make_context: MakeContext, demo_data: Any,
) -> None:
    from app.ui.shell.main_window import MainWindow

    manager = _demo_actor(demo_data, "manager")
    window = MainWindow(make_context(manager, "manager_office", language=shot_language))
    qtbot.addWidget(window)
    window.show()   # at its default size, 1100 × 700
    qtbot.waitExposed(window)
    page = window.stack.currentWidget()
    assert isinstance(page, StatisticsPage)
    page.select_statistic("product-sales")
    page.period_combo.setCurrentIndex(page.period_combo.findData("this_year"))
    page.source_combo.setCurrentIndex(page.source_combo.findData("walk_in"))
    _settle(qtbot, page)
    qtbot.wait(30)
    assert page.error is None and clipped_texts(window) == []
    _save(window, f"main_window_{shot_language}.png")
