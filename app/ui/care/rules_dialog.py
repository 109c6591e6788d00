"""Edit the care rules (关怀规则): which rules run, their days, holiday classes and dates."""

from __future__ import annotations

import re
from collections.abc import Collection

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import CustomerClass, Module, Operation
from app.services.care import CareRules, Holiday, get_care_rules, save_care_rules
from app.ui import labels
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.kit.fields import error_label
from app.ui.kit.record_dialog import RecordDialog, keep_open

_HOLIDAY_FIELD = re.compile(r"^holidays\[(\d+)\]\.(name|date)$")


class CareRulesDialog(RecordDialog):
    """The care rules as management sets them; saved with the version that was loaded.

    Keys: Ctrl+S saves, Esc closes, Insert adds a holiday, Delete removes the chosen one.

    Signals:
        saved(object): the :class:`CareRules` after saving.
    """

    record_kind = "care_rules"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("care_rules_dialog")
        self.setWindowTitle(self.tr("Care rules"))
        self._rules: CareRules | None = None
        self._may_save = ctx.can(Module.CARE, Operation.CONFIRM)
        self._build()
        self.resize(640, 640)
        self.reload()

    @property
    def rules(self) -> CareRules | None:
        return self._rules

    def _spin(self, name: str, low: int, high: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(name)
        spin.setRange(low, high)
        return spin

    def _build(self) -> None:
        rules_box = QGroupBox(self.tr("Rules"), self)
        grid = QGridLayout(rules_box)
        grid.setColumnStretch(2, 1)
        self.checks: dict[str, QCheckBox] = {}
        self.spins: dict[str, QSpinBox] = {}
        rows = [
            ("follow_up", self.tr("Follow-up call after a pickup"), "follow_up_days", 0, 90,
             self.tr("days after the pickup")),
            ("contract", self.tr("Service contract expiry"), "contract_days", 1, 365,
             self.tr("days before the contract ends")),
            ("reorder", self.tr("Consumables reorder"), "reorder_lead_days", 0, 60,
             self.tr("days before the expected purchase")),
            ("birthday", self.tr("Contact birthdays"), "birthday_days", 0, 30,
             self.tr("days ahead")),
            ("holiday", self.tr("Holiday greetings"), "holiday_days", 0, 30,
             self.tr("days ahead")),
        ]
        row = 0
        for key, title, field, low, high, unit in rows:
            check = QCheckBox(title, self)
            check.setObjectName(f"{key}_enabled")
            spin = self._spin(field, low, high)
            check.toggled.connect(spin.setEnabled)
            error = error_label(field, self)
            self.register_field(field, error, spin)
            self.register_field(f"{key}_enabled", error, check)
            grid.addWidget(check, row, 0)
            grid.addWidget(spin, row, 1)
            grid.addWidget(QLabel(unit, self), row, 2)
            grid.addWidget(error, row + 1, 0, 1, 3)
            self.checks[key] = check
            self.spins[field] = spin
            row += 2
        horizon_title = QLabel(self.tr("Create items due within"), self)
        horizon = self._spin("horizon_days", 1, 60)
        self.spins["horizon_days"] = horizon
        horizon_error = error_label("horizon_days", self)
        self.register_field("horizon_days", horizon_error, horizon)
        grid.addWidget(horizon_title, row, 0)
        grid.addWidget(horizon, row, 1)
        grid.addWidget(QLabel(self.tr("days (each run)"), self), row, 2)
        grid.addWidget(horizon_error, row + 1, 0, 1, 3)

        holiday_box = QGroupBox(self.tr("Holiday greetings"), self)
        holiday_layout = QVBoxLayout(holiday_box)
        classes_row = QHBoxLayout()
        classes_row.addWidget(QLabel(self.tr("For customers of class:"), self))
        self.class_checks: dict[CustomerClass, QCheckBox] = {}
        for value, text in labels.customer_classes():
            check = QCheckBox(text, self)
            check.setObjectName(f"class_{value.value}")
            self.class_checks[value] = check
            classes_row.addWidget(check)
        classes_row.addStretch(1)
        classes_error = error_label("holiday_classes", self)
        self.register_field("holiday_classes", classes_error, None)
        self.holiday_table = QTableWidget(0, 2, self)
        self.holiday_table.setObjectName("holiday_table")
        self.holiday_table.setHorizontalHeaderLabels([self.tr("Holiday"), self.tr("Date")])
        self.holiday_table.verticalHeader().setVisible(False)
        self.holiday_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.holiday_table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.Stretch)
        self.holiday_table.setColumnWidth(1, 160)
        hint = QLabel(self.tr("Date: 2027-02-06 for that year only (春节, 中秋节), "
                              "01-01 for every year."), self)
        hint.setObjectName("holiday_hint")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #616161;")
        holidays_error = error_label("holidays", self)
        self.register_field("holidays", holidays_error, None)
        self.add_button = QPushButton(self.tr("Add holiday"), self)
        self.add_button.setObjectName("add_holiday_button")
        self.add_button.setToolTip("Insert")
        self.add_button.clicked.connect(self.add_holiday)
        self.remove_button = QPushButton(self.tr("Remove"), self)
        self.remove_button.setObjectName("remove_holiday_button")
        self.remove_button.clicked.connect(self.remove_holiday)
        for button in (self.add_button, self.remove_button):
            button.setAutoDefault(False)
        table_buttons = QHBoxLayout()
        table_buttons.addWidget(hint, 1)
        table_buttons.addWidget(self.add_button)
        table_buttons.addWidget(self.remove_button)
        holiday_layout.addLayout(classes_row)
        holiday_layout.addWidget(classes_error)
        holiday_layout.addWidget(self.holiday_table, 1)
        holiday_layout.addWidget(holidays_error)
        holiday_layout.addLayout(table_buttons)
        QShortcut(QKeySequence(Qt.Key.Key_Insert), self, self.add_holiday)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.holiday_table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.remove_holiday)

        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("save_button")
        self.save_button.setToolTip("Ctrl+S")
        self.save_button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.save_button.setVisible(self._may_save)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save)
        self.close_button.setText(self.tr("Cancel") if self._may_save else self.tr("Close"))
        self.close_button.setAutoDefault(False)
        self.print_button.hide()
        self.actions_row.addWidget(self.status_label, 1)
        self.actions_row.addWidget(self.save_button)
        self.actions_row.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.addWidget(rules_box)
        layout.addWidget(holiday_box, 1)
        layout.addLayout(self.actions_row)

    # --- loading -----------------------------------------------------------------------------

    def reload(self) -> None:
        actor = self._ctx.actor
        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_care_rules(uow=uow, actor=actor),
                      on_done=self._fill, on_error=self._on_load_failed, owner=self)

    def _fill(self, rules: CareRules) -> None:
        self._rules = rules
        for key in ("follow_up", "contract", "reorder", "birthday", "holiday"):
            enabled = bool(getattr(rules, f"{key}_enabled"))
            self.checks[key].setChecked(enabled)
        for field, spin in self.spins.items():
            spin.setValue(int(getattr(rules, field)))
        for key, check in self.checks.items():
            field = {"follow_up": "follow_up_days", "contract": "contract_days",
                     "reorder": "reorder_lead_days", "birthday": "birthday_days",
                     "holiday": "holiday_days"}[key]
            self.spins[field].setEnabled(check.isChecked())
        for value, check in self.class_checks.items():
            check.setChecked(value in rules.holiday_classes)
        self.holiday_table.setRowCount(0)
        for holiday in rules.holidays:
            self._append_holiday(holiday.name, holiday.date)
        self.set_busy(False)

    def _on_load_failed(self, error: BaseException) -> None:
        self.set_busy(False, describe_error(error).text, error=True)

    def update_actions(self) -> None:
        self.save_button.setEnabled(self._may_save and self._rules is not None
                                    and not self._busy)

    # --- holidays table ----------------------------------------------------------------------

    def _append_holiday(self, name: str, date: str) -> int:
        row = self.holiday_table.rowCount()
        self.holiday_table.insertRow(row)
        self.holiday_table.setItem(row, 0, QTableWidgetItem(name))
        self.holiday_table.setItem(row, 1, QTableWidgetItem(date))
        return row

    def add_holiday(self) -> None:
        row = self._append_holiday("", "")
        self.holiday_table.setCurrentCell(row, 0)
        item = self.holiday_table.item(row, 0)
        if item is not None:
            self.holiday_table.editItem(item)

    def remove_holiday(self) -> None:
        row = self.holiday_table.currentRow()
        if row >= 0:
            self.holiday_table.removeRow(row)

    def holidays(self) -> tuple[Holiday, ...]:
        table = self.holiday_table
        found = []
        for row in range(table.rowCount()):
            name_item, date_item = table.item(row, 0), table.item(row, 1)
            name = name_item.text() if name_item is not None else ""
            date = date_item.text() if date_item is not None else ""
            if not name.strip() and not date.strip():
                continue  # an empty line left over from "Add"
            found.append(Holiday(name, date))
        return tuple(found)

    # --- saving ------------------------------------------------------------------------------

    def current_rules(self) -> CareRules:
        return CareRules(
            follow_up_enabled=self.checks["follow_up"].isChecked(),
            follow_up_days=self.spins["follow_up_days"].value(),
            contract_enabled=self.checks["contract"].isChecked(),
            contract_days=self.spins["contract_days"].value(),
            reorder_enabled=self.checks["reorder"].isChecked(),
            reorder_lead_days=self.spins["reorder_lead_days"].value(),
            birthday_enabled=self.checks["birthday"].isChecked(),
            birthday_days=self.spins["birthday_days"].value(),
            holiday_enabled=self.checks["holiday"].isChecked(),
            holiday_days=self.spins["holiday_days"].value(),
            holiday_classes=tuple(v for v, c in self.class_checks.items() if c.isChecked()),
            holidays=self.holidays(),
            horizon_days=self.spins["horizon_days"].value(),
        )

    def save(self) -> None:
        if self._rules is None or self._busy or not self._may_save:
            return
        rules, version, actor = self.current_rules(), self._rules.version, self._ctx.actor
        self.clear_errors()
        self._clear_table_errors()
        self.set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: save_care_rules(uow=uow, actor=actor, rules=rules,
                                                  expected_version=version),
                      on_done=self._on_saved, on_error=self._on_save_failed, owner=self)

    def _clear_table_errors(self) -> None:
        for row in range(self.holiday_table.rowCount()):
            for column in range(2):
                item = self.holiday_table.item(row, column)
                if item is not None:
                    item.setBackground(QBrush())
                    item.setToolTip("")

    def _place_line_errors(self, errors: dict[str, str]) -> Collection[str]:
        """Mark the holiday cells the service named (rows counted without empty lines)."""
        rows = [r for r in range(self.holiday_table.rowCount())
                if any((self.holiday_table.item(r, c) or QTableWidgetItem()).text().strip()
                       for c in range(2))]
        placed = []
        for field, message in errors.items():
            match = _HOLIDAY_FIELD.match(field)
            if match is None or int(match.group(1)) >= len(rows):
                continue
            row, column = rows[int(match.group(1))], 0 if match.group(2) == "name" else 1
            item = self.holiday_table.item(row, column)
            if item is None:
                item = QTableWidgetItem("")
                self.holiday_table.setItem(row, column, item)
            item.setBackground(QBrush(QColor("#fde0e0")))
            item.setToolTip(message)
            placed.append(field)
        if placed:
            first = errors[placed[0]]
            self.place_errors({"holidays": self.tr("Holiday line {row}: {message}").format(
                row=int(_HOLIDAY_FIELD.match(placed[0]).group(1)) + 1,  # type: ignore[union-attr]
                message=first)})
        return placed

    def _on_saved(self, rules: CareRules) -> None:
        self._fill(rules)
        self.set_status(self.tr("Saved."))
        self.saved.emit(rules)


def open_care_rules(ctx: AppContext, parent: QWidget | None = None) -> CareRulesDialog:
    return keep_open(CareRulesDialog(ctx, parent))

