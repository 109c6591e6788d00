"""Score and SLA rules (评分与时限规则): the ``service_rules`` setting, one table per group.

Opened from the service tickets page by whoever may save the rules
(``SERVICE_TICKETS/CONFIRM``: the repair lead and management). The rules load and save on
the worker; a save checks the version that was loaded (someone else's save in between is
reported, then the rules reload).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Priority
from app.services.errors import ConflictError, ValidationError
from app.services.tickets import (
    DEFAULT_SCORE_RULES,
    DEFAULT_SLA_HOURS,
    JOB_TYPES,
    ServiceRules,
    load_rules,
    save_service_rules,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.kit.record_dialog import RecordDialog, keep_open
from app.ui.service.repair_dialog import job_type_label
from app.ui.service.tickets_page import priority_label

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
ERROR_BACKGROUND = QColor("#ffebee")

_ADJUSTMENTS = {
    "rating_step": QT_TRANSLATE_NOOP("ServiceRules", "Per star of customer rating above / "
                                                     "below 3"),
    "on_time_bonus": QT_TRANSLATE_NOOP("ServiceRules", "Bonus when done on time"),
    "late_penalty": QT_TRANSLATE_NOOP("ServiceRules", "Penalty when done late"),
    "minimum": QT_TRANSLATE_NOOP("ServiceRules", "Lowest score of a job"),
}
_PRIORITY_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)


def _number(value: Any) -> str:
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    return str(value)


class RulesDialog(RecordDialog):
    """Edit the SLA hours per priority and the service score rules.

    Signals:
        saved(ServiceRules): the rules were saved.
    """

    record_kind = "service_rules"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("service_rules_dialog")
        self.setWindowTitle(self.tr("Score and SLA rules"))
        self.print_button.hide()
        self.rules: ServiceRules | None = None

        intro = QLabel(self.tr(
            "Score of a job = points of its type × difficulty + (rating − 3) × points per "
            "star + on-time bonus (or − late penalty), never below the lowest score. The SLA "
            "due time is the intake time plus the hours of its priority. Changes apply to "
            "tickets taken in and repairs recorded from now on."), self)
        intro.setObjectName("rules_intro")
        intro.setWordWrap(True)

        self.sla_table = self._table("sla_table", self.tr("Priority"), self.tr("Hours"),
                                     [(p.value, priority_label(p)) for p in _PRIORITY_ORDER])
        self.base_table = self._table("base_table", self.tr("Job type"), self.tr("Points"),
                                      [(j, job_type_label(j)) for j in JOB_TYPES])
        self.adjust_table = self._table(
            "adjust_table", self.tr("Rule"), self.tr("Points"),
            [(k, QCoreApplication.translate("ServiceRules", v))
             for k, v in _ADJUSTMENTS.items()])
        groups = QHBoxLayout()
        for title, table in ((self.tr("SLA due time per priority"), self.sla_table),
                             (self.tr("Points per job type"), self.base_table)):
            box = QGroupBox(title, self)
            QVBoxLayout(box).addWidget(table)
            groups.addWidget(box)
        adjust_box = QGroupBox(self.tr("Adjustments"), self)
        QVBoxLayout(adjust_box).addWidget(self.adjust_table)

        self.save_button = self.make_save_button()
        self.defaults_button = QPushButton(self.tr("Fill in the defaults"), self)
        self.defaults_button.setObjectName("defaults_button")
        self.defaults_button.clicked.connect(self.fill_defaults)
        for button in (self.save_button, self.defaults_button, self.close_button):
            button.setAutoDefault(False)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Refresh), self, activated=self.reload)
        buttons = QHBoxLayout()
        buttons.addWidget(self.defaults_button)
        buttons.addWidget(self.status_label, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(groups)
        layout.addWidget(adjust_box)
        layout.addLayout(buttons)
        self.resize(760, 560)
        self.reload()

    def _table(self, name: str, first: str, second: str,
               rows: list[tuple[str, str]]) -> QTableWidget:
        table = QTableWidget(len(rows), 2, self)
        table.setObjectName(name)
        table.setHorizontalHeaderLabels([first, second])
        table.verticalHeader().hide()
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.AllEditTriggers)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        table.setColumnWidth(1, 90)
        for i, (key, label) in enumerate(rows):
            item = QTableWidgetItem(label)
            item.setData(KEY_ROLE, key)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            table.setItem(i, 0, item)
            value = QTableWidgetItem("")
            value.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(i, 1, value)
        table.setMinimumHeight(table.horizontalHeader().height()
                               + sum(table.rowHeight(i) for i in range(len(rows))) + 6)
        return table

    # --- values ----------------------------------------------------------------------------

    def _cells(self) -> dict[str, QTableWidgetItem]:
        """The value cell of every rule by its service field name."""
        cells: dict[str, QTableWidgetItem] = {}
        for prefix, table in (("sla_hours.", self.sla_table), ("score.base.", self.base_table),
                              ("score.", self.adjust_table)):
            for row in range(table.rowCount()):
                label, value = table.item(row, 0), table.item(row, 1)
                if label is not None and value is not None:
                    cells[prefix + str(label.data(KEY_ROLE))] = value
        return cells

    def cell(self, field: str) -> QTableWidgetItem:
        return self._cells()[field]

    def set_value(self, field: str, value: Any) -> None:
        self.cell(field).setText(_number(value))

    def _fill(self, sla: Mapping[str, Any], score: Mapping[str, Any]) -> None:
        for key, hours in sla.items():
            self.set_value(f"sla_hours.{key}", hours)
        for key, points in score["base"].items():
            if key in JOB_TYPES:
                self.set_value(f"score.base.{key}", points)
        for key in _ADJUSTMENTS:
            self.set_value(f"score.{key}", score[key])

    def fill_defaults(self) -> None:
        self._fill(DEFAULT_SLA_HOURS, DEFAULT_SCORE_RULES)
        self.set_status(self.tr("The defaults are filled in; save to use them."))

    def typed_rules(self) -> ServiceRules:
        cells = {f: c.text().strip() for f, c in self._cells().items()}
        # As typed: the service checks and converts them (a bad value is named by field).
        sla: dict[str, Any] = {p.value: cells[f"sla_hours.{p.value}"] for p in _PRIORITY_ORDER}
        score: dict[str, Any] = {
            "base": {j: cells[f"score.base.{j}"] for j in JOB_TYPES},
            **{k: cells[f"score.{k}"] for k in _ADJUSTMENTS}}
        base = self.rules or ServiceRules(sla_hours=DEFAULT_SLA_HOURS)
        return dataclasses.replace(base, sla_hours=sla, score=score)

    # --- loading and saving ----------------------------------------------------------------

    def reload(self) -> None:
        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(load_rules, on_done=self._loaded, on_error=self._load_failed, owner=self)

    def _loaded(self, rules: ServiceRules) -> None:
        self.rules = rules
        self._clear_marks()
        self._fill(rules.sla_hours, rules.score)
        self.set_busy(False, "" if rules.version else self.tr(
            "The defaults apply; nothing was saved yet."))

    def _load_failed(self, error: BaseException) -> None:
        self.set_busy(False, describe_error(error).text, error=True)

    def update_actions(self) -> None:
        ready = not self._busy and self.rules is not None
        self.save_button.setEnabled(ready)
        self.defaults_button.setEnabled(ready)

    def save(self) -> None:
        if self._busy or self.rules is None:
            return
        rules, version, actor = self.typed_rules(), self.rules.version, self._ctx.actor
        self._clear_marks()
        self.set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: save_service_rules(uow=uow, actor=actor, rules=rules,
                                                     expected_version=version),
                      on_done=self._saved, on_error=self._failed, owner=self)

    def _saved(self, rules: ServiceRules) -> None:
        self.rules = rules
        self._fill(rules.sla_hours, rules.score)
        self.set_busy(False, self.tr("Saved. New tickets and repairs use these rules."))
        self.saved.emit(rules)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ValidationError):
            self.set_busy(False)
            cells = self._cells()
            messages = []
            for field, message in error.errors.items():
                cell = cells.get(field)
                if cell is not None:
                    cell.setBackground(QBrush(ERROR_BACKGROUND))
                    cell.setToolTip(message)
                    table = cell.tableWidget()
                    label = table.item(cell.row(), 0) if table is not None else None
                    name = label.text() if label is not None else field
                    messages.append(f"{name}: {message}")
                else:
                    messages.append(f"{field}: {message}")
            self.set_status(self.tr("Not saved: {errors}").format(errors="; ".join(messages)),
                            error=True)
            return
        self.set_busy(False, self.tr("Not saved."), error=True)
        show_error(self, error)
        if isinstance(error, ConflictError):
            self.reload()

    def _clear_marks(self) -> None:
        for cell in self._cells().values():
            cell.setBackground(QBrush())
            cell.setToolTip("")

    def marked_fields(self) -> list[str]:
        """The fields shown as wrong (for tests and screen readers' summaries)."""
        return [f for f, c in self._cells().items() if c.toolTip()]


def open_rules(ctx: AppContext, parent: QWidget | None = None) -> RulesDialog:
    return keep_open(RulesDialog(ctx, parent))


__all__ = ["RulesDialog", "open_rules"]
