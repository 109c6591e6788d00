"""The statistics module page (经理办): pick a statistic, filter it, read table and chart.

Each statistic comes from :func:`app.services.statistics.run_statistic` on the database
worker; its table shows on the left, its chart on the right, further sections (aging,
top debtors…) below. Enter or double-click on a number lists the records behind it.
Roles with the customer-guard module have one more tab, customer base protection
(app.ui.statistics.guard_page).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.labels import STATISTIC, code_label
from app.models.enums import Module, Operation, ProductCategory
from app.services import statistics as stats
from app.services.periods import add_months
from app.services.reference import DepartmentChoice, list_departments
from app.services.statistics import DrillRecord, StatFilters, StatTable
from app.services.users import UserChoice, list_active_users
from app.ui import labels
from app.ui.catalog.common import category_label
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_date, format_yuan
from app.ui.record_labels import KINDS
from app.ui.shell.record_openers import RecordOpeners, record_openers
from app.ui.statistics.chart import StatChartView, export_folder, file_part
from app.ui.statistics.drill_dialog import DrillDownDialog
from app.ui.statistics.guard_page import CustomerGuardPanel
from app.ui.statistics.model import StatTableModel
from app.ui.statistics.period import PeriodPicker

ERROR_STYLE = "color: #b00020;"
CAPTION_STYLE = "color: #666666;"

# Drill records name their entity; the record openers know some under another name.
ENTITY_KINDS: Mapping[str, str] = {"ticket": "service_ticket", "repair_record": "repair"}

PERIODS = ("this_month", "this_quarter", "this_year", "last_quarter", "custom")
PERIOD_LABELS: Mapping[str, str] = {
    "this_month": QT_TRANSLATE_NOOP("StatisticsPage", "This month"),
    "this_quarter": QT_TRANSLATE_NOOP("StatisticsPage", "This quarter"),
    "this_year": QT_TRANSLATE_NOOP("StatisticsPage", "This year"),
    "last_quarter": QT_TRANSLATE_NOOP("StatisticsPage", "Last quarter"),
    "custom": QT_TRANSLATE_NOOP("StatisticsPage", "Custom dates"),
}


def period_range(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The inclusive first and last day of a quick period around ``today``."""
    if period == "this_month":
        first = today.replace(day=1)
        return first, add_months(first, 1) - dt.timedelta(days=1)
    if period == "this_year":
        return dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
    quarter_start = dt.date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    if period == "last_quarter":
        quarter_start = add_months(quarter_start, -3)
    return quarter_start, add_months(quarter_start, 3) - dt.timedelta(days=1)


class StatisticsPage(QWidget):
    """The manager's statistics window.

    Signals:
        customer_activated(int): a customer record chosen in a drill-down; the main window
            opens the customer's 360° view.
        table_shown(): a statistic was loaded and is on screen (tests wait for it).
        exported(str): an export was written to this path.
    """

    customer_activated = Signal(int)
    table_shown = Signal()
    exported = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *,
                 openers: RecordOpeners | None = None,
                 today: Callable[[], dt.date] = dt.date.today) -> None:
        super().__init__(parent)
        self.setObjectName("statistics_page")
        self._ctx = ctx
        self.language = ctx.language
        self.openers = openers if openers is not None else record_openers()
        self._today = today
        self._generation = 0
        self._exporting = False
        self._loading = False
        self.table: StatTable | None = None
        self.error: BaseException | None = None
        self.departments: tuple[DepartmentChoice, ...] = ()
        self.users: tuple[UserChoice, ...] = ()
        self.last_export: Path | None = None
        self.drill_dialog: DrillDownDialog | None = None
        self.may_export = ctx.can(Module.STATISTICS, Operation.EXPORT)

        # --- the six statistics
        self.tabs = QTabBar(self)
        self.tabs.setObjectName("statistic_tabs")
        self.tabs.setExpanding(False)
        self.tabs.setDocumentMode(True)
        for number, name in enumerate(stats.STATISTICS, start=1):
            self.tabs.addTab(self.statistic_title(name))
            self.tabs.setTabToolTip(number - 1, f"Ctrl+{number}")
        self._last_statistic = 0
        # Customer base protection (客户资源安全): a tab of its own after the statistics,
        # for the roles with its module only.
        self.guard_panel: CustomerGuardPanel | None = None
        self.guard_tab = -1
        if ctx.can(Module.CUSTOMER_GUARD, Operation.VIEW):
            self.guard_panel = CustomerGuardPanel(ctx, self, today=today)
            self.guard_panel.customer_activated.connect(self.customer_activated)
            self.guard_tab = self.tabs.addTab(self.tr("Customer base protection"))
            self.tabs.setTabToolTip(self.guard_tab, f"Ctrl+{self.guard_tab + 1}")
        self.tabs.currentChanged.connect(self._statistic_changed)

        # --- filters
        # Default: this quarter.
        self.period = PeriodPicker(
            self, periods=PERIODS, start="this_quarter",
            label=lambda period: QCoreApplication.translate("StatisticsPage",
                                                            PERIOD_LABELS[period]),
            span=lambda period: period_range(period, self._today()),
            names=("period_combo", "date_from_edit", "date_to_edit"), changed=self.refresh)
        self.period_combo = self.period.combo
        self.from_edit, self.to_edit = self.period.from_edit, self.period.to_edit
        self.department_combo = self._combo("department_filter")
        self.department_combo.addItem(self.tr("All departments"), None)
        self.person_combo = self._combo("person_filter")
        self.person_combo.addItem(self.tr("Everyone"), None)
        self.class_combo = self._combo("class_filter")
        self.class_combo.addItem(self.tr("All classes"), None)
        for value, text in labels.customer_classes():
            self.class_combo.addItem(text, value.value)
        self.source_combo = self._combo("source_filter")
        self.source_combo.addItem(self.tr("All sources"), None)
        for source, text in labels.customer_sources():
            self.source_combo.addItem(text, source.value)
        self.category_combo = self._combo("category_filter")
        self.category_combo.addItem(self.tr("All categories"), None)
        for category in ProductCategory:
            self.category_combo.addItem(category_label(category), category.value)
        self.view_combo = self._combo("view_filter")
        self.view_caption = QLabel(self.tr("View:"), self)

        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setObjectName("statistic_refresh")
        self.refresh_button.setToolTip(self.tr("Compute again (F5)"))
        self.refresh_button.clicked.connect(self.refresh)
        self.excel_button = QPushButton(self.tr("Export Excel…"), self)
        self.excel_button.setObjectName("export_excel")
        self.excel_button.setToolTip(self.tr("Save this statistic as an Excel file (Ctrl+E)"))
        self.excel_button.clicked.connect(lambda: self.ask_export("xlsx"))
        self.pdf_button = QPushButton(self.tr("Export PDF…"), self)
        self.pdf_button.setObjectName("export_pdf")
        self.pdf_button.setToolTip(self.tr("Save this statistic as a PDF file (Ctrl+Shift+E)"))
        self.pdf_button.clicked.connect(lambda: self.ask_export("pdf"))
        if not self.may_export:
            for button in (self.excel_button, self.pdf_button):
                button.setEnabled(False)
                button.setToolTip(self.tr("Your role may not export statistics."))
        for keys, fmt in (("Ctrl+E", "xlsx"), ("Ctrl+Shift+E", "pdf")):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda f=fmt: self.ask_export(f))

        self.busy = QProgressBar(self)
        self.busy.setObjectName("statistic_busy")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setFixedWidth(90)
        self.busy.hide()
        self.message_label = QLabel(self)
        self.message_label.setObjectName("statistic_message")

        # Two rows: when, how to break down and which department; then whose figures.
        # (Narrow enough for the page on a 1024-pixel screen beside the module list.)
        row1: list[tuple[str, QWidget]] = [
            (self.tr("Period:"), self.period_combo), (self.tr("From:"), self.from_edit),
            (self.tr("To:"), self.to_edit), (self.tr("Department:"), self.department_combo)]
        row2: list[tuple[str, QWidget]] = [
            (self.tr("Person:"), self.person_combo),
            (self.tr("Customer class:"), self.class_combo),
            (self.tr("Source:"), self.source_combo),
            (self.tr("Product category:"), self.category_combo)]
        for combo in (self.department_combo, self.person_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(9)
        self.filter_labels: dict[QWidget, QLabel] = {}
        rows = []
        for pairs in (row1, row2):
            line = QHBoxLayout()
            line.setSpacing(6)
            for caption, widget in pairs:
                label = QLabel(caption, self)
                label.setBuddy(widget)
                self.filter_labels[widget] = label
                line.addWidget(label)
                line.addWidget(widget)
                line.addSpacing(8)
            rows.append(line)
        rows[0].addWidget(self.view_caption)
        rows[0].addWidget(self.view_combo)
        for line in rows:
            line.addStretch(1)
        filter_box = QVBoxLayout()
        filter_box.setSpacing(4)
        for line in rows:
            filter_box.addLayout(line)

        # --- results
        self.title_label = QLabel(self)
        self.title_label.setObjectName("statistic_title")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title_label.setFont(font)
        self.model = StatTableModel(self)
        self.table_view = self._table_view("statistic_table", self.model)
        self.chart_view = StatChartView(self)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.main_splitter.setObjectName("statistic_splitter")
        self.main_splitter.addWidget(self.table_view)
        self.main_splitter.addWidget(self.chart_view)
        self.main_splitter.setStretchFactor(0, 3)
        self.main_splitter.setStretchFactor(1, 2)
        self.main_splitter.setChildrenCollapsible(False)

        # Further tables (aging, top debtors…) side by side under table and chart.
        self.sections_box = QWidget(self)
        self.sections_layout = QHBoxLayout(self.sections_box)
        self.sections_layout.setContentsMargins(0, 0, 0, 0)
        self.section_views: list[QTableView] = []
        self.section_models: list[StatTableModel] = []
        self.sections_area = QScrollArea(self)
        self.sections_area.setObjectName("statistic_sections")
        self.sections_area.setWidgetResizable(True)
        self.sections_area.setFrameShape(QFrame.Shape.NoFrame)
        self.sections_area.setWidget(self.sections_box)
        self.body_splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.body_splitter.addWidget(self.main_splitter)
        self.body_splitter.addWidget(self.sections_area)
        self.body_splitter.setChildrenCollapsible(False)
        self.sections_area.hide()

        hint = QLabel(self.tr("Blue numbers: Enter or double-click lists the records behind "
                              "them. Ctrl+1…6 switch the statistic, F5 computes again.")
                      if self.guard_panel is None else
                      self.tr("Blue numbers: Enter or double-click lists the records behind "
                              "them. Ctrl+1…6 switch the statistic, Ctrl+7 shows customer "
                              "base protection, F5 computes again."), self)
        hint.setObjectName("statistic_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet(CAPTION_STYLE)

        title_row = QHBoxLayout()
        title_row.addWidget(self.title_label)
        title_row.addSpacing(12)
        title_row.addWidget(self.message_label, 1)
        title_row.addWidget(self.busy)
        title_row.addWidget(self.refresh_button)
        title_row.addWidget(self.excel_button)
        title_row.addWidget(self.pdf_button)
        self.statistics_box = QWidget(self)
        self.statistics_box.setObjectName("statistics_box")
        box = QVBoxLayout(self.statistics_box)
        box.setContentsMargins(0, 0, 0, 0)
        box.addLayout(filter_box)
        box.addLayout(title_row)
        box.addWidget(self.body_splitter, 1)
        box.addWidget(hint)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.statistics_box)
        if self.guard_panel is not None:
            self.stack.addWidget(self.guard_panel)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(self.stack, 1)
        self.setFocusProxy(self.table_view)

        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self)

        # The first statistic.
        self._loading_filters = True
        self._fill_views(self.statistic)
        self._mark_applicable(self.statistic)
        self._loading_filters = False
        for combo in (self.person_combo, self.class_combo, self.source_combo,
                      self.category_combo, self.view_combo):
            combo.currentIndexChanged.connect(self._filter_changed)
        self.department_combo.currentIndexChanged.connect(self._department_changed)
        self._load_choices()
        self.refresh()

    # --- building blocks ------------------------------------------------------------------

    def _combo(self, name: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo

    def _table_view(self, name: str, model: StatTableModel) -> QTableView:
        view = QTableView(self)
        view.setObjectName(name)
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.verticalHeader().hide()
        view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
        view.activated.connect(lambda index, v=view: self.drill(v, index))
        return view

    def statistic_title(self, name: str) -> str:
        """The tab's name of a statistic: the label catalog's (app.labels.STATISTIC_NAMES)."""
        return code_label(STATISTIC, name)

    # --- state ----------------------------------------------------------------------------

    @property
    def statistic(self) -> str:
        """The statistic chosen (the last one while customer base protection is shown)."""
        index = self.tabs.currentIndex()
        if not 0 <= index < len(stats.STATISTICS):
            index = self._last_statistic
        return stats.STATISTICS[index]

    @property
    def guard_shown(self) -> bool:
        """Customer base protection is the tab on screen."""
        return self.guard_panel is not None and self.tabs.currentIndex() == self.guard_tab

    def select_statistic(self, name_or_number: str | int) -> None:
        index = (name_or_number if isinstance(name_or_number, int)
                 else stats.STATISTICS.index(name_or_number))
        if 0 <= index < len(stats.STATISTICS) or (index == self.guard_tab
                                                   and self.guard_panel is not None):
            self.tabs.setCurrentIndex(index)

    def select_guard(self) -> CustomerGuardPanel | None:
        """Show customer base protection (None: the role has no such tab)."""
        if self.guard_panel is not None:
            self.tabs.setCurrentIndex(self.guard_tab)
        return self.guard_panel

    def filters(self) -> StatFilters:
        """What the filter bar says now."""
        date_from, date_to = self.period.dates()
        return StatFilters(
            date_from=date_from, date_to=date_to,
            department_id=self.department_combo.currentData(),
            user_id=self.person_combo.currentData(),
            customer_class=self.class_combo.currentData(),
            customer_source=self.source_combo.currentData(),
            product_category=self.category_combo.currentData(),
            group_by=self.view_combo.currentData() if self.view_combo.count() else None,
        )

    # --- filter changes -------------------------------------------------------------------

    def _filter_changed(self, _index: int) -> None:
        if not self._loading_filters:
            self.refresh()

    def _department_changed(self, _index: int) -> None:
        self._fill_people()
        self._filter_changed(_index)

    def _statistic_changed(self, index: int) -> None:
        if self.guard_panel is not None and index == self.guard_tab:
            self.stack.setCurrentWidget(self.guard_panel)
            self.setFocusProxy(self.guard_panel)
            return
        coming_back = self.stack.currentWidget() is not self.statistics_box
        self.stack.setCurrentWidget(self.statistics_box)
        self.setFocusProxy(self.table_view)
        if 0 <= index < len(stats.STATISTICS):
            self._last_statistic = index
        if coming_back and self.table is not None and self.table.name == self.statistic:
            return   # the same statistic as before customer base protection was shown
        self._loading_filters = True
        self._fill_views(self.statistic)
        self._mark_applicable(self.statistic)
        self._loading_filters = False
        self.refresh()

    def _mark_applicable(self, name: str) -> None:
        """Grey out the filters this statistic ignores (their choice stays for the others)."""
        applies = stats.APPLIES.get(name)
        for field, combo in (("department_id", self.department_combo),
                             ("user_id", self.person_combo),
                             ("customer_class", self.class_combo),
                             ("customer_source", self.source_combo),
                             ("product_category", self.category_combo)):
            used = applies is None or field in applies
            combo.setEnabled(used)
            self.filter_labels[combo].setEnabled(used)
            combo.setToolTip("" if used else self.tr("Does not apply to this statistic."))

    def _fill_views(self, name: str) -> None:
        views = stats.VIEWS.get(name, ())
        self.view_combo.clear()
        for view in views:
            self.view_combo.addItem(stats.view_label(view, language=self.language), view)
        shown = bool(views)
        self.view_combo.setVisible(shown)
        self.view_caption.setVisible(shown)

    def _load_choices(self) -> None:
        actor = self._ctx.actor

        def read(uow: Any) -> tuple[tuple[DepartmentChoice, ...], tuple[UserChoice, ...]]:
            return (list_departments(uow=uow, actor=actor),
                    list_active_users(uow=uow, actor=actor))

        self._ctx.run(read, on_done=self._choices_loaded, on_error=lambda _e: None, owner=self)

    def _choices_loaded(
        self, choices: tuple[tuple[DepartmentChoice, ...], tuple[UserChoice, ...]]
    ) -> None:
        self.departments, self.users = choices
        self._loading_filters = True
        for department in self.departments:
            self.department_combo.addItem(department.name(self.language), department.id)
        self._fill_people()
        self._loading_filters = False

    def _fill_people(self) -> None:
        """The people of the chosen department (everyone when none is chosen)."""
        chosen = self.person_combo.currentData()
        department_id = self.department_combo.currentData()
        code = next((d.code for d in self.departments if d.id == department_id), None)
        blocked = self.person_combo.blockSignals(True)
        self.person_combo.clear()
        self.person_combo.addItem(self.tr("Everyone"), None)
        for user in self.users:
            if department_id is None or user.department_code == code:
                self.person_combo.addItem(user.display_name, user.id)
        found = self.person_combo.findData(chosen) if chosen is not None else 0
        self.person_combo.setCurrentIndex(max(found, 0))
        self.person_combo.blockSignals(blocked)

    # --- loading --------------------------------------------------------------------------

    def refresh(self) -> None:
        """Compute the chosen statistic for the filters (F5); older answers are dropped.
        With customer base protection on screen, compute that again."""
        if self.guard_panel is not None and self.guard_shown:
            self.guard_panel.refresh()
            return
        self._generation += 1
        generation, name, filters, actor, language = (
            self._generation, self.statistic, self.filters(), self._ctx.actor, self.language)
        self._loading = True
        self._update_busy()
        self.message_label.setStyleSheet("")
        self.message_label.setText(self.tr("Computing…"))
        # In the window's language: the table comes with its words in it.
        self._ctx.run(lambda uow: stats.run_statistic(name, filters, uow=uow, actor=actor,
                                                      language=language),
                      on_done=lambda table: self._loaded(generation, table),
                      on_error=lambda error: self._failed(generation, error), owner=self)

    def _update_busy(self) -> None:
        """The busy bar runs while a statistic is computed or an export is written."""
        self.busy.setVisible(self._loading or self._exporting)

    @property
    def is_loading(self) -> bool:
        return self._loading

    def _loaded(self, generation: int, table: StatTable) -> None:
        if generation != self._generation:
            return  # an older computation finishing after a newer one was asked for
        self._loading = False
        self._update_busy()
        self.error = None
        self.table = table
        self.model.set_table(table)
        self._fit_columns(self.table_view)
        self.chart_view.set_table(table)
        self.chart_view.setVisible(table.chart is not None)
        self._share_width()
        self._show_sections(table.sections)
        self.title_label.setText(table.title or self.statistic_title(table.name))
        self.message_label.setText(self.tr("{start} to {end}").format(
            start=format_date(table.filters.date_from), end=format_date(table.filters.date_to)))
        self.table_shown.emit()

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading = False
        self._update_busy()
        self.error = error
        self.message_label.setStyleSheet(ERROR_STYLE)
        if isinstance(error, NotImplementedError):
            self.message_label.setText(self.tr("This statistic is not available yet."))
        else:
            self.message_label.setText(describe_error(error).text)

    def _show_sections(self, sections: tuple[StatTable, ...]) -> None:
        while self.sections_layout.count():
            item = self.sections_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.section_views, self.section_models = [], []
        for section in sections:
            column = QWidget(self.sections_box)
            caption = QLabel(section.title, column)
            caption.setObjectName("section_title")
            font = caption.font()
            font.setBold(True)
            caption.setFont(font)
            model = StatTableModel(self)
            model.set_table(section)
            view = self._table_view("section_table", model)
            view.setParent(column)
            view.setMinimumHeight(view.horizontalHeader().sizeHint().height()
                                  + view.verticalHeader().defaultSectionSize() * 3)
            self._fit_columns(view)
            width = sum(view.columnWidth(c) for c in range(model.columnCount()))
            view.setMinimumWidth(min(width + 4 + view.verticalScrollBar().sizeHint().width(),
                                     560))
            box = QVBoxLayout(column)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(caption)
            box.addWidget(view, 1)
            self.sections_layout.addWidget(column)
            self.section_views.append(view)
            self.section_models.append(model)
        self.sections_layout.addStretch(1)
        shown = bool(sections)
        self.sections_area.setVisible(shown)
        if shown:
            # Table and chart keep about 60 %; the sections show several rows.
            height = max(self.body_splitter.height(), 400)
            self.body_splitter.setSizes([height * 3 // 5, height - height * 3 // 5])

    def _share_width(self) -> None:
        """The table as wide as its columns need, the chart the rest (at least a third)."""
        if not self.chart_view.isVisibleTo(self):
            return
        total = max(self.main_splitter.width(), 900)
        view = self.table_view
        needed = (sum(view.columnWidth(c) for c in range(self.model.columnCount()))
                  + 2 * view.frameWidth() + view.verticalScrollBar().sizeHint().width())
        table_width = max(min(needed, total - max(total // 3, 360)), total // 3)
        self.main_splitter.setSizes([table_width, total - table_width])

    @staticmethod
    def _fit_columns(view: QTableView) -> None:
        view.resizeColumnsToContents()
        header = view.horizontalHeader()
        for column in range(header.count()):
            width = view.columnWidth(column)
            view.setColumnWidth(column, min(max(width + 12, 70), 260))

    # --- drill-down -----------------------------------------------------------------------

    def drill(self, view: QTableView, index: QModelIndex) -> DrillDownDialog | None:
        """The records behind the number at ``index`` of ``view`` (Enter or double-click)."""
        model = view.model()
        if not isinstance(model, StatTableModel) or model.table is None:
            return None
        key = model.drill_key(index)
        if key is None:
            return None
        table = model.table
        row = model.row(index.row())
        row_label = ""
        if row is not None:
            texts = [str(cell) for cell, column in zip(row.cells, table.columns, strict=False)
                     if column.kind == "text" and cell]
            row_label = texts[0] if texts else ""
        column = table.columns[index.column()].label
        value = model.data(index)
        caption = " · ".join(p for p in (table.title, row_label, column) if p)
        caption = f"{caption}: {value}" if value else caption
        dialog = DrillDownDialog(self._ctx, key, table.filters, caption=caption,
                                 open_record=self.open_record, parent=self)
        self.drill_dialog = dialog
        dialog.open()
        return dialog

    def open_record(self, record: DrillRecord, dialog: QWidget | None = None) -> None:
        """Open a record behind a number with its own screen (customers in the 360° view)."""
        if record.entity == "customer":
            if dialog is not None:
                dialog.close()
            self.customer_activated.emit(record.record_id)
            return
        kind = ENTITY_KINDS.get(record.entity, record.entity)
        opener = self.openers.opener_for(kind) if kind in KINDS else None
        parent = dialog or self
        if opener is None:
            self._show_record_summary(record, parent)
            return
        try:
            opener(self._ctx, record.record_id, parent)
        except Exception as error:  # noqa: BLE001 - a screen's failure must not close ours
            show_error(parent, error)

    def _show_record_summary(self, record: DrillRecord, parent: QWidget) -> QMessageBox:
        lines = [f"{caption}: {value}" for caption, value in (
            (self.tr("Number"), record.number), (self.tr("Date"), format_date(record.day)),
            (self.tr("Customer"), record.customer_name), (self.tr("Person"), record.person),
            (self.tr("Amount"), format_yuan(record.amount)), (self.tr("Details"), record.detail),
        ) if value]
        box = QMessageBox(QMessageBox.Icon.Information, record.number, "\n".join(lines),
                          QMessageBox.StandardButton.Ok, parent)
        box.setObjectName("drill_record_summary")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # --- export ---------------------------------------------------------------------------

    def suggested_file_name(self, fmt: str) -> str:
        filters = self.filters()
        title = self.statistic_title(self.statistic)
        return (f"{file_part(title)}_{filters.date_from.isoformat()}_"
                f"{filters.date_to.isoformat()}.{fmt}")

    def ask_export(self, fmt: str) -> QFileDialog | None:
        """Ask where to save the statistic as Excel (``"xlsx"``) or PDF (``"pdf"``)."""
        if self.guard_panel is not None and self.guard_shown:
            return self.guard_panel.ask_export() if fmt == "xlsx" else None
        if not self.may_export or self._exporting:
            return None
        dialog = QFileDialog(self, self.tr("Export Excel") if fmt == "xlsx"
                             else self.tr("Export PDF"))
        dialog.setObjectName("export_file_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("Excel files (*.xlsx)") if fmt == "xlsx"
                             else self.tr("PDF files (*.pdf)"))
        dialog.setDefaultSuffix(fmt)
        folder = Path(self._export_folder())
        dialog.selectFile(str(folder / self.suggested_file_name(fmt)))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self.export_to)
        dialog.open()
        return dialog

    def _export_folder(self) -> str:
        return export_folder(self._ctx)

    def export_to(self, target: str | Path) -> None:
        """Write the statistic, as the filter bar says now, to ``target`` (.xlsx or .pdf)."""
        if not self.may_export or self._exporting:
            return
        path = Path(target)
        name, filters, actor, language = (self.statistic, self.filters(), self._ctx.actor,
                                          self.language)
        self._exporting = True
        for button in (self.excel_button, self.pdf_button):
            button.setEnabled(False)
        self._update_busy()
        self.message_label.setStyleSheet("")
        self.message_label.setText(self.tr("Exporting…"))

        def work(uow: Any) -> Path:
            # Looked up when called (tests stand in for the service).
            stats.export_statistic(name, filters, path, uow=uow, actor=actor,
                                   language=language)
            return path

        self._ctx.run(work, on_done=self._exported, on_error=self._export_failed, owner=self)

    def _export_finished(self) -> None:
        self._exporting = False
        for button in (self.excel_button, self.pdf_button):
            button.setEnabled(self.may_export)
        self._update_busy()

    def _exported(self, path: Path) -> None:
        self._export_finished()
        self.last_export = path
        self._ctx.ui_settings().setValue(
            self._ctx.user_settings_key("statistics/export_folder"), str(path.parent))
        text = self.tr("Saved to {path}").format(path=str(path))
        self.message_label.setText(text)
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Export"), text,
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("export_done")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.exported.emit(str(path))

    def _export_failed(self, error: BaseException) -> None:
        self._export_finished()
        self.message_label.setStyleSheet(ERROR_STYLE)
        self.message_label.setText(describe_error(error).text)
        show_error(self, error)

    # --- page protocol and keyboard -------------------------------------------------------

    def on_connection_restored(self) -> None:
        if self.guard_panel is not None and self.guard_shown:
            self.guard_panel.on_connection_restored()
        elif self.error is not None:
            self.refresh()

    def focus_search(self) -> None:
        if self.guard_panel is not None and self.guard_shown:
            self.guard_panel.period_combo.setFocus()
            return
        self.period_combo.setFocus()

    def _statistic_key(self, event: QEvent) -> int | None:
        """The statistic (0–5) that Ctrl+1 … Ctrl+6 in ``event`` asks for, if any; Ctrl+7
        is customer base protection where the role has it."""
        if not isinstance(event, QKeyEvent):
            return None
        modifiers = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if modifiers != Qt.KeyboardModifier.ControlModifier:
            return None
        number = event.key() - Qt.Key.Key_1
        if 0 <= number < len(stats.STATISTICS) or (self.guard_panel is not None
                                                   and number == self.guard_tab):
            return number
        return None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Ctrl+1 … Ctrl+6 are the main window's Go shortcuts too; while the focus is in this
        # page they pick the statistic instead (a second QShortcut would make both ambiguous).
        kind = event.type()
        if (kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress)
                and isinstance(watched, QWidget) and self.isVisible()
                and (watched is self or self.isAncestorOf(watched))):
            number = self._statistic_key(event)
            if number is not None:
                event.accept()
                if kind == QEvent.Type.KeyPress:
                    self.select_statistic(number)
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # F5 is the main window's View → Refresh when the page sits in it; this is for the
        # page on its own (a second shortcut for F5 would make both ambiguous).
        if event.key() == Qt.Key.Key_F5 and not event.modifiers():
            self.refresh()
            event.accept()
            return
        super().keyPressEvent(event)

