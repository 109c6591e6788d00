"""The records behind one number of a statistic (drill-down), each openable with Enter."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.services import statistics as stats
from app.services.statistics import DrillKey, DrillRecord, DrillResult, StatFilters
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import format_date, format_yuan
from app.ui.kit.list_page import prepare_table
from app.ui.kit.table import Col, Loader, PagedTableModel, PageRequest

ERROR_STYLE = "color: #b00020;"
CAPTION_STYLE = "color: #666666;"


def drill_columns() -> list[Col[DrillRecord]]:
    """The drill-down's columns; all of them sort, in memory (a drill-down is one read)."""
    def title(key: str) -> str:
        return QCoreApplication.translate("DrillModel", str(_TITLES[key]))

    def tip(text: str) -> Callable[[DrillRecord, int], Any]:
        return lambda r, role: (getattr(r, text) or None
                                if role == Qt.ItemDataRole.ToolTipRole else None)

    return [
        Col("number", title("number"), lambda r: r.number, width=150),
        Col("date", title("date"), lambda r: format_date(r.day), sort_value=lambda r: r.day,
            width=100),
        Col("customer", title("customer"), lambda r: r.customer_name, width=220,
            role=tip("customer_name")),
        Col("person", title("person"), lambda r: r.person, width=90),
        Col("detail", title("detail"), lambda r: r.detail, width=170, role=tip("detail")),
        # A repair record's figure is its service score, not money.
        Col("amount", title("amount"), lambda r: (
            format_yuan(r.amount) if r.entity != "repair_record" or r.amount is None
            else f"{r.amount:g}"), sort_value=lambda r: r.amount, width=120).money(),
    ]


_TITLES = {
    "number": QT_TRANSLATE_NOOP("DrillModel", "Number"),
    "date": QT_TRANSLATE_NOOP("DrillModel", "Date"),
    "customer": QT_TRANSLATE_NOOP("DrillModel", "Customer"),
    "person": QT_TRANSLATE_NOOP("DrillModel", "Person"),
    "detail": QT_TRANSLATE_NOOP("DrillModel", "Details"),
    "amount": QT_TRANSLATE_NOOP("DrillModel", "Amount"),
}

COLUMN_KEYS = ("number", "date", "customer", "person", "detail", "amount")

# What each column holds for each kind of record (DrillRecord.entity): a customer's
# drill-down has the name where an order has its number, so the headings follow the kind;
# None hides a column that has nothing of its own (a customer's name twice, no amount).
_HEADINGS: dict[str, dict[str, Any]] = {
    "customer": {"number": QT_TRANSLATE_NOOP("DrillModel", "Customer"),
                 "date": QT_TRANSLATE_NOOP("DrillModel", "First contact"),
                 "customer": None,
                 "person": QT_TRANSLATE_NOOP("DrillModel", "Owner"),
                 "detail": QT_TRANSLATE_NOOP("DrillModel", "Customer code"),
                 "amount": None},
    "order": {"number": QT_TRANSLATE_NOOP("DrillModel", "Order number"),
              "date": QT_TRANSLATE_NOOP("DrillModel", "Order date"),
              "person": QT_TRANSLATE_NOOP("DrillModel", "Salesperson")},
    "payment": {"number": QT_TRANSLATE_NOOP("DrillModel", "Payment number"),
                "date": QT_TRANSLATE_NOOP("DrillModel", "Received on"),
                "person": QT_TRANSLATE_NOOP("DrillModel", "Salesperson"),
                "detail": QT_TRANSLATE_NOOP("DrillModel", "Order number")},
    "ticket": {"number": QT_TRANSLATE_NOOP("DrillModel", "Ticket number"),
               "date": QT_TRANSLATE_NOOP("DrillModel", "Received on"),
               "person": QT_TRANSLATE_NOOP("DrillModel", "Technician"),
               "detail": QT_TRANSLATE_NOOP("DrillModel", "Device model"),
               "amount": None},
    "repair_record": {"number": QT_TRANSLATE_NOOP("DrillModel", "Ticket number"),
                      "date": QT_TRANSLATE_NOOP("DrillModel", "Completed on"),
                      "person": QT_TRANSLATE_NOOP("DrillModel", "Technician"),
                      "detail": QT_TRANSLATE_NOOP("DrillModel", "Job type"),
                      "amount": QT_TRANSLATE_NOOP("DrillModel", "Service score")},
    "opportunity": {"number": QT_TRANSLATE_NOOP("DrillModel", "Opportunity number"),
                    "date": QT_TRANSLATE_NOOP("DrillModel", "Expected close"),
                    "person": QT_TRANSLATE_NOOP("DrillModel", "Owner"),
                    "detail": QT_TRANSLATE_NOOP("DrillModel", "Title"),
                    "amount": QT_TRANSLATE_NOOP("DrillModel", "Expected amount")},
    "sales_plan": {"number": QT_TRANSLATE_NOOP("DrillModel", "Customer"),
                   "date": None, "customer": None,
                   "person": QT_TRANSLATE_NOOP("DrillModel", "Owner"),
                   "amount": QT_TRANSLATE_NOOP("DrillModel", "Planned amount")},
}


def drill_heading(entity: str | None, key: str) -> str | None:
    """The heading of column ``key`` for records of ``entity``; None: the column is hidden."""
    headings = _HEADINGS.get(entity or "", {})
    text = headings[key] if key in headings else _TITLES[key]
    return QCoreApplication.translate("DrillModel", str(text)) if text is not None else None


class DrillModel(PagedTableModel):
    """One row per record behind the number, sorted by any column in memory."""

    def __init__(self, load: Loader, parent: Any = None) -> None:
        super().__init__(drill_columns(), load, local=True,
                         row_id=lambda r: (r.entity, r.record_id), parent=parent)
        self.entity: str | None = None

    def set_entity(self, entity: str | None) -> None:
        """Head the columns for this kind of record."""
        if entity != self.entity:
            self.entity = entity
            self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(COLUMN_KEYS)):
            return drill_heading(self.entity, COLUMN_KEYS[section]) or ""
        return super().headerData(section, orientation, role)

    @property
    def records(self) -> tuple[DrillRecord, ...]:
        return tuple(r for i in range(self.rowCount()) if (r := self.row_at(i)) is not None)

    def record(self, row: int) -> DrillRecord | None:
        found = self.row_at(row)
        return found if isinstance(found, DrillRecord) else None


class DrillDownDialog(QDialog):
    """Lists :func:`drill_down`'s records; Enter or double-click opens one.

    ``open_record(record, dialog)`` is called for the chosen record (the statistics page
    opens it through the record openers).
    """

    def __init__(self, ctx: AppContext, key: DrillKey, filters: StatFilters, *,
                 caption: str, open_record: Callable[[DrillRecord, QWidget], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drill_down_dialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._ctx = ctx
        self.key = key
        self.filters = filters
        self._open_record = open_record
        self.drill_result: DrillResult | None = None
        self.setWindowTitle(self.tr("Records behind the number"))

        self.title_label = QLabel(caption, self)
        self.title_label.setObjectName("drill_title")
        self.title_label.setWordWrap(True)
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.period_label = QLabel(self.tr("{start} to {end}").format(
            start=format_date(filters.date_from), end=format_date(filters.date_to)), self)
        self.period_label.setObjectName("drill_period")
        self.period_label.setStyleSheet(CAPTION_STYLE)
        self.busy = QProgressBar(self)
        self.busy.setObjectName("drill_busy")
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.setTextVisible(False)

        self.model = DrillModel(self._load, self)
        self.model.page_loaded.connect(self._shown)
        self.model.load_failed.connect(self._failed)
        self.table = QTableView(self)
        self.table.setObjectName("drill_table")
        prepare_table(self.table, self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.activated.connect(lambda index: self.open_row(index.row()))

        self.total_label = QLabel(self)
        self.total_label.setObjectName("drill_total")
        bold = self.total_label.font()
        bold.setBold(True)
        self.total_label.setFont(bold)
        self.note_label = QLabel(self)
        self.note_label.setObjectName("drill_note")
        self.note_label.setWordWrap(True)
        self.note_label.setStyleSheet(CAPTION_STYLE)
        self.hint_label = QLabel(self.tr("Enter or double-click opens a record."), self)
        self.hint_label.setObjectName("drill_hint")
        self.hint_label.setStyleSheet(CAPTION_STYLE)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        # Enter belongs to the table (open the record), not to the Close button.
        close.setAutoDefault(False)
        close.setDefault(False)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.busy)
        bottom = QHBoxLayout()
        bottom.addWidget(self.hint_label, 1)
        bottom.addWidget(self.total_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.period_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        layout.addWidget(self.note_label)
        layout.addWidget(buttons)
        self.resize(900, 480)
        self.note_label.hide()
        self.load()

    def load(self) -> None:
        self.busy.show()
        self.model.set_query((self.key, self.filters), force=True)

    def _load(self, query: Any, request: PageRequest, on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        key, filters, actor, language = (self.key, self.filters, self._ctx.actor,
                                         self._ctx.language)

        def done(result: DrillResult) -> None:
            self.drill_result = result
            on_done(result.records)

        self._ctx.run(lambda uow: stats.drill_down(key, filters, uow=uow, actor=actor,
                                                   language=language),
                      on_done=done, on_error=on_error, owner=self)

    def _shown(self) -> None:
        result = self.drill_result
        if result is None:
            return
        self.busy.hide()
        if result.title:
            self.setWindowTitle(result.title)
        entity = result.records[0].entity if result.records else None
        self.model.set_entity(entity)
        for column, key in enumerate(COLUMN_KEYS):
            # Most records have no details line, counted ones no amount: no empty column.
            empty = (key == "detail" and not any(r.detail for r in result.records)
                     or key == "amount" and all(r.amount is None for r in result.records))
            self.table.setColumnHidden(column, empty or drill_heading(entity, key) is None)
        shown = len(result.records)
        # ``count`` and ``total`` cover every matching record, also beyond the limit.
        count = max(result.count, shown)
        if result.total is not None:
            self.total_label.setText(self.tr("{count} records, total {amount}").format(
                count=f"{count:,}", amount=format_yuan(result.total)))
        else:
            self.total_label.setText(self.tr("{count} records").format(count=f"{count:,}"))
        if result.truncated:
            self.note_label.setText(self.tr(
                "More than {shown} records match; the first {shown} are shown. "
                "Narrow the filters to see the others.").format(shown=shown))
            self.note_label.show()
        if shown:
            self.table.selectRow(0)
            self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def _failed(self, error: BaseException) -> None:
        self.busy.hide()
        self.note_label.setText(describe_error(error).text)
        self.note_label.setStyleSheet(ERROR_STYLE)
        self.note_label.show()

    def open_row(self, row: int) -> None:
        record = self.model.record(row)
        if record is not None:
            self._open_record(record, self)
