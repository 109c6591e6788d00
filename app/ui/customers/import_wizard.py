"""导入客户: the wizard that brings customers in from an Excel or CSV sheet.

Steps: choose the file (and the sheet) → map the columns to fields (guessed from the
headers, or remembered from the last sheet of the same columns; the first rows shown as
they are in the sheet) → the dry run: what each row will do, and what to do with customers
that look like stored ones (per kind of match, or per row) → the import, in chunks, with
progress and Cancel → the result, with "Undo this import". All the rules live in
:mod:`app.services.importing.customers`; the file is read and the database written on the
database worker, never on the GUI thread.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QProgressBar,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.services.importing.customers import (
    CREATE,
    FILL,
    MATCH_REASONS,
    OVERWRITE,
    SKIP,
    SheetLayout,
    UndoResult,
    column_name,
    label_reason,
    read_layout,
    undo_import,
)
from app.ui.context import AppContext
from app.ui.customers.import_kinds import CUSTOMERS, KINDS, Kind, error_file_name
from app.ui.errors import describe_error
from app.ui.kit.fields import ERROR_COLOUR, fixed_table, show_as_error, status_label

PAGE_FILE, PAGE_MAP, PAGE_CHECK, PAGE_RUN = range(4)
NOT_IMPORTED = ""


def _shown(value: object) -> str:
    """A cell as a person reads it: a date without the midnight Excel gives it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        return value.date().isoformat()
    return str(value)


def _cell(value: object) -> QTableWidgetItem:
    return QTableWidgetItem(_shown(value))


class _Progress(QObject):
    """Carries progress from the database worker to the GUI thread (a queued signal)."""

    moved = Signal(int, int)


class ImportWizard(QWizard):
    """Import customers, their devices, products or opening receivables from a sheet.

    Signals:
        imported(object): the import's result (batch, counts), once the import ended.
        undone(object): the :class:`UndoResult` of "Undo this import".
    """

    imported = Signal(object)
    undone = Signal(object)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("import_wizard")
        self.setWindowTitle(self.tr("Import"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.ctx = ctx
        self.kind: Kind = CUSTOMERS
        self.layout_read: SheetLayout | None = None
        self.plan: Any = None
        self.result: Any = None
        self.file_page = FilePage(self)
        self.map_page = MapPage(self)
        self.check_page = CheckPage(self)
        self.run_page = RunPage(self)
        for number, page in enumerate((self.file_page, self.map_page, self.check_page,
                                       self.run_page)):
            self.setPage(number, page)
        self.resize(900, 600)

    def mapping(self) -> dict[int, str]:
        return self.map_page.mapping()

    def choose_kind(self, kind: Kind) -> None:
        """What the sheet holds: another kind reads its header again."""
        if kind is self.kind:
            return
        self.kind = kind
        self.layout_read = None
        self.file_page.kind_changed()


class _Page(QWizardPage):
    def wiz(self) -> ImportWizard:
        wizard = self.wizard()
        assert isinstance(wizard, ImportWizard)
        return wizard

    def _status_label(self, name: str) -> QLabel:
        return status_label(name, self)


class FilePage(_Page):
    """Step 1: which file, which sheet."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Choose the sheet"))
        self.setSubTitle(self.tr("An Excel workbook (.xlsx, .xls) or a CSV file (UTF-8 or "
                                 "GBK, as Chinese Excel saves it)."))
        self.kind_combo = QComboBox(self)
        self.kind_combo.setObjectName("import_kind")
        for kind in KINDS:
            self.kind_combo.addItem(kind.title(), kind.key)
        self.kind_combo.currentIndexChanged.connect(
            lambda index: self.wiz().choose_kind(KINDS[index]))
        self.kind_note = QLabel(self)
        self.kind_note.setObjectName("import_kind_note")
        self.kind_note.setWordWrap(True)
        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("import_path")
        self.path_edit.setPlaceholderText(self.tr("The file to import"))
        self.path_edit.textChanged.connect(self._path_changed)
        self.browse_button = QPushButton(self.tr("Browse…"), self)
        self.browse_button.setObjectName("import_browse")
        self.browse_button.clicked.connect(self._browse)
        self.sheet_combo = QComboBox(self)
        self.sheet_combo.setObjectName("import_sheet")
        self.sheet_combo.setEnabled(False)
        self.sheet_combo.currentIndexChanged.connect(self._sheet_chosen)
        self.status = self._status_label("import_file_status")
        self.dialog: QFileDialog | None = None
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow(self.tr("The sheet holds:"), self.kind_combo)
        form.addRow("", self.kind_note)
        form.addRow(self.tr("File:"), row)
        form.addRow(self.tr("Sheet:"), self.sheet_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self.ready = False
        self._notes = {
            "customers": self.tr("One customer per row, or one row per contact under the "
                                 "same company name."),
            "devices": self.tr("One machine per row: the customer (number or name), brand, "
                               "model and serial number; import the customers first."),
            "products": self.tr("One product per row: SKU, name and category; a SKU the "
                                "catalog holds already updates that product."),
            "receivables": self.tr("One open debt per row: the customer and the amount owed, "
                                   "with its date and old number if the sheet has them. They "
                                   "count as owed, not as sales."),
        }
        self.kind_note.setText(self._notes[CUSTOMERS.key])

    def kind_changed(self) -> None:
        kind = self.wiz().kind
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.key))
        self.kind_note.setText(self._notes[kind.key])
        self.ready = False
        self.completeChanged.emit()
        path = self.path_edit.text().strip()
        if path and Path(path).is_file():
            self.load(path, self.sheet_combo.currentData())

    def _browse(self) -> None:
        dialog = QFileDialog(self, self.tr("Choose the sheet to import"))
        dialog.setObjectName("import_file_dialog")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilter(self.tr("Sheets (*.xlsx *.xls *.csv *.txt)"))
        dialog.fileSelected.connect(self.path_edit.setText)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def _path_changed(self, _text: str) -> None:
        self.ready = False
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        self.sheet_combo.blockSignals(False)
        self.sheet_combo.setEnabled(False)
        self.status.setText("")
        path = self.path_edit.text().strip()
        if path and Path(path).is_file():
            self.load(path)
        self.completeChanged.emit()

    def load(self, path: str, sheet: str | None = None) -> None:
        """Read the file's sheets and header (on the database worker: it also reads the
        mapping remembered for its layout)."""
        wizard = self.wiz()
        actor, kind = wizard.ctx.actor, wizard.kind
        self.status.setText(self.tr("Reading {file}…").format(file=Path(path).name))
        show_as_error(self.status, False)
        wizard.ctx.run(lambda uow: read_layout(uow=uow, actor=actor, path=path, sheet=sheet,
                                               kind=kind.key, fields=kind.fields),
                       on_done=lambda layout: self._read(layout, kind),
                       on_error=self._failed, owner=self)

    def _read(self, layout: SheetLayout, kind: Kind) -> None:
        if layout.path != self.path_edit.text().strip() or kind is not self.wiz().kind:
            return  # another file or kind was chosen meanwhile
        wizard = self.wiz()
        wizard.layout_read = layout
        self.sheet_combo.blockSignals(True)
        self.sheet_combo.clear()
        for name in layout.sheets:
            self.sheet_combo.addItem(name or self.tr("(the file)"), name)
        self.sheet_combo.setCurrentIndex(max(0, self.sheet_combo.findData(
            layout.sheet if layout.sheet is not None else layout.sheets[0])))
        self.sheet_combo.setEnabled(len(layout.sheets) > 1)
        self.sheet_combo.blockSignals(False)
        columns = sum(1 for n in layout.header.names if n)
        self.status.setText(self.tr("Header found in row {row}: {count} columns.").format(
            row=layout.header.row, count=columns))
        self.ready = True
        self.completeChanged.emit()

    def _sheet_chosen(self, _index: int) -> None:
        self.ready = False
        self.completeChanged.emit()
        self.load(self.path_edit.text().strip(), self.sheet_combo.currentData())

    def _failed(self, error: BaseException) -> None:
        self.ready = False
        self.status.setText(describe_error(error).text)
        show_as_error(self.status, True)
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return self.ready


class MapPage(_Page):
    """Step 2: each column of the sheet to a field (or not imported), with the first rows."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Which column is which field?"))
        self.note = self._status_label("import_map_note")
        self.table = fixed_table(self, [self.tr("Column"), self.tr("Field"),
                                        self.tr("First rows")], "import_mapping")
        self.status = self._status_label("import_map_status")
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.combos: list[QComboBox] = []

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        layout = self.wiz().layout_read
        assert layout is not None
        self.note.setText(
            self.tr("The mapping of the last sheet with these columns is used; change what "
                    "is wrong.") if layout.remembered else
            self.tr("Guessed from the headers; change what is wrong. Columns left on "
                    "\u201cnot imported\u201d are ignored."))
        names = layout.header.names
        self.table.setRowCount(len(names))
        self.combos = []
        for column, name in enumerate(names):
            group = layout.header.groups[column] if column < len(layout.header.groups) else ""
            title = f"{column_name(column)}  {group + ' / ' if group else ''}{name}"
            self.table.setItem(column, 0, _cell(title))
            combo = QComboBox(self.table)
            combo.setObjectName(f"import_field_{column}")
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.addItem(self.tr("not imported"), NOT_IMPORTED)
            for f in layout.fields:
                combo.addItem(f.shown(), f.code)
            combo.setCurrentIndex(max(0, combo.findData(layout.mapping.get(column,
                                                                            NOT_IMPORTED))))
            combo.currentIndexChanged.connect(self._changed)
            self.table.setCellWidget(column, 1, combo)
            self.combos.append(combo)
            shown = "；".join(_shown(r[column]) for r in layout.samples
                             if column < len(r) and r[column] is not None)
            self.table.setItem(column, 2, _cell(shown))
        self.table.resizeColumnsToContents()
        # Wide enough for the longest field name in the list, not only the chosen one.
        widest = max((c.minimumSizeHint().width() for c in self.combos), default=0)
        self.table.setColumnWidth(1, max(self.table.columnWidth(1), widest + 8))
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._changed()

    def mapping(self) -> dict[int, str]:
        return {column: combo.currentData() for column, combo in enumerate(self.combos)
                if combo.currentData() != NOT_IMPORTED}

    def choose(self, column: int, code: str) -> None:
        combo = self.combos[column]
        combo.setCurrentIndex(combo.findData(code))

    def _changed(self, _index: int = 0) -> None:
        codes = list(self.mapping().values())
        twice = sorted({c for c in codes if codes.count(c) > 1})
        layout = self.wiz().layout_read
        labels = {f.code: f.shown() for f in layout.fields} if layout else {}
        missing = [c for c in self.wiz().kind.required if c not in codes]
        if missing:
            self.status.setText(self.tr("Choose the column of: {fields}.").format(
                fields="、".join(labels.get(c, c) for c in missing)))
        elif twice:
            self.status.setText(self.tr("Each field takes one column: {fields}.").format(
                fields="、".join(labels.get(c, c) for c in twice)))
        else:
            self.status.setText("")
        show_as_error(self.status, bool(self.status.text()))
        self.completeChanged.emit()

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        codes = list(self.mapping().values())
        return (all(c in codes for c in self.wiz().kind.required)
                and len(codes) == len(set(codes)))


class CheckPage(_Page):
    """Step 3: the dry run — what each row will do; what to do with look-alike customers."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Check before importing"))
        self.setSubTitle(self.tr("Nothing is written yet. Rows with errors are left out; "
                                 "save them with their errors, fix them and import that "
                                 "file again."))
        self.summary = self._status_label("import_check_summary")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("import_check_progress")
        self.progress.setRange(0, 0)
        self.match_box = QWidget(self)
        self.match_form = QFormLayout(self.match_box)
        self.match_form.setContentsMargins(0, 0, 0, 0)
        self.match_combos: dict[str, QComboBox] = {}
        words = {FILL: self.tr("fill its empty fields"), OVERWRITE: self.tr("overwrite its fields"),
                 SKIP: self.tr("skip the row"), CREATE: self.tr("create a second card")}
        for reason in MATCH_REASONS:
            combo = QComboBox(self.match_box)
            combo.setObjectName(f"import_on_{reason}")
            for choice in (FILL, SKIP, OVERWRITE, CREATE):
                combo.addItem(words[choice], choice)
            combo.currentIndexChanged.connect(self._rerun)
            self.match_combos[reason] = combo
            self.match_form.addRow(self.tr("Like a stored customer ({why}):").format(
                why=label_reason(reason)), combo)
        # Devices, products and opening balances: one choice for every row like a stored
        # record (the same serial number, SKU, old number).
        self.match_combo = QComboBox(self.match_box)
        self.match_combo.setObjectName("import_on_match")
        self.match_combo.currentIndexChanged.connect(self._rerun)
        self.match_form.addRow(self.tr("A row already stored:"), self.match_combo)
        self.table = fixed_table(self, [self.tr("Rows"), "", "", "", self.tr("What happens")],
                                 "import_check_table", selectable=True)
        self.save_errors_button = QPushButton(self.tr("Save the rows with errors…"), self)
        self.save_errors_button.setObjectName("import_save_errors")
        self.save_errors_button.clicked.connect(self._choose_error_file)
        self.dialog: QFileDialog | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.match_box)
        layout.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_errors_button)
        layout.addLayout(buttons)
        self.checked = False
        self._generation = 0
        # What to do with one look-alike rather than all of its kind: by the customer's
        # place in the plan (the same while the mapping is).
        self.decisions: dict[int, str] = {}
        self.words = words
        self.other_words = {FILL: self.tr("fill its empty fields"),
                            OVERWRITE: self.tr("overwrite its fields"),
                            SKIP: self.tr("skip the row"),
                            CREATE: self.tr("add it a second time")}
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._row_menu)
        self.table.setToolTip(self.tr("Right-click a row like a stored customer to choose "
                                      "for that row alone"))
        # Past this page the import is written: no way back to run it twice.
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("Import"))

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        self.decisions.clear()  # a new mapping makes other customers of the rows
        kind = self.wiz().kind
        for column, title in enumerate(kind.columns(), start=1):
            self.table.setHorizontalHeaderItem(column, QTableWidgetItem(title))
        self.match_combo.blockSignals(True)
        self.match_combo.clear()
        for choice in kind.choices:
            self.match_combo.addItem(self.words[choice] if kind is CUSTOMERS
                                     else self.other_words[choice], choice)
        self.match_combo.blockSignals(False)
        self._show_choices(set())
        self._rerun()

    def on_match(self) -> dict[str, str] | str:
        if self.wiz().kind is not CUSTOMERS:
            return str(self.match_combo.currentData())
        return {reason: combo.currentData() for reason, combo in self.match_combos.items()}

    def _show_choices(self, reasons: set[str]) -> None:
        """Only the choices the plan asks for: the kinds of customer match it found, or the
        one choice of the other kinds when a row is stored already."""
        customers = self.wiz().kind is CUSTOMERS
        for reason, combo in self.match_combos.items():
            self._show_row(combo, customers and reason in reasons)
        self._show_row(self.match_combo, not customers and bool(reasons))
        self.match_box.setVisible(bool(reasons))

    def _show_row(self, combo: QComboBox, visible: bool) -> None:
        combo.setVisible(visible)
        label = self.match_form.labelForField(combo)
        if label is not None:
            label.setVisible(visible)

    def _rerun(self, _index: int = 0) -> None:
        wizard = self.wiz()
        layout = wizard.layout_read
        if layout is None:
            return
        self._generation += 1
        generation = self._generation
        self.checked = False
        wizard.plan = None
        self.progress.setVisible(True)
        self.summary.setText(self.tr("Checking every row…"))
        show_as_error(self.summary, False)
        self.completeChanged.emit()
        actor, mapping, on_match = wizard.ctx.actor, wizard.mapping(), self.on_match()
        path, sheet, decisions = layout.path, layout.sheet, dict(self.decisions)
        kind = wizard.kind
        wizard.ctx.run(
            lambda uow: kind.plan(uow=uow, actor=actor, path=path, sheet=sheet,
                                  mapping=mapping, on_match=on_match, decisions=decisions),
            on_done=lambda plan: self._show(generation, plan),
            on_error=lambda error: self._failed(generation, error), owner=self)

    def _show(self, generation: int, plan: Any) -> None:
        if generation != self._generation:
            return
        wizard = self.wiz()
        kind = wizard.kind
        wizard.plan = plan
        self.progress.setVisible(False)
        self.summary.setText(kind.summary(plan))
        if kind is CUSTOMERS:
            reasons = {c.match.reason for c in plan.customers if c.match is not None}
        else:
            # Stored already: the rows the choice decides (update or skip, or the error of
            # an overwrite refused).
            stored = ("device_id", "product_id", "order_id")
            reasons = {"stored"} if any(
                getattr(r, name, None) is not None for r in kind.records(plan)
                for name in stored) else set()
        self._show_choices(reasons)
        lines = kind.lines(plan)
        lines.sort(key=lambda line: int(line.rows.split(",")[0]))
        self.table.setRowCount(len(lines))
        red = QColor(ERROR_COLOUR)
        for row, line in enumerate(lines):
            error, index = line.error, line.index
            for column, text in enumerate((line.rows, *line.texts, line.said)):
                item = _cell(text)
                item.setToolTip(text)  # an error may be longer than the column
                item.setData(Qt.ItemDataRole.UserRole, index)
                if error:
                    item.setForeground(red)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.save_errors_button.setEnabled(bool(plan.issues()))
        self.checked = True
        self.completeChanged.emit()

    def planned_index(self, row: int) -> int:
        """The plan's index of the customer on table row ``row`` (-1: a row with no name)."""
        item = self.table.item(row, 0)
        return -1 if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def decide(self, index: int, choice: str) -> None:
        """For that customer alone: fill, skip, overwrite or create; the dry run again."""
        self.decisions[index] = choice
        self._rerun()

    def _row_menu(self, position: QPoint) -> None:
        plan = self.wiz().plan
        row = self.table.rowAt(position.y())
        index = self.planned_index(row) if row >= 0 else -1
        if (plan is None or index < 0 or self.wiz().kind is not CUSTOMERS
                or plan.customers[index].match is None):
            return
        planned = plan.customers[index]
        menu = QMenu(self)
        for choice in (FILL, SKIP, OVERWRITE, CREATE):
            action = menu.addAction(self.tr("This row: {choice}").format(
                choice=self.words[choice]))
            action.setCheckable(True)
            action.setChecked(planned.choice == choice)
            action.triggered.connect(lambda _on=False, c=choice: self.decide(index, c))
        menu.popup(self.table.viewport().mapToGlobal(position))

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self.progress.setVisible(False)
        self.summary.setText(describe_error(error).text)
        show_as_error(self.summary, True)

    def _choose_error_file(self) -> None:
        plan = self.wiz().plan
        if plan is None:
            return
        dialog = QFileDialog(self, self.tr("Save the rows with errors"))
        dialog.setObjectName("import_errors_dialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("Excel workbook (*.xlsx)"))
        dialog.setDefaultSuffix("xlsx")
        dialog.selectFile(error_file_name(plan))
        dialog.fileSelected.connect(self.save_errors)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dialog
        dialog.open()

    def save_errors(self, out: str) -> None:
        plan = self.wiz().plan
        if plan is None:
            return
        write = self.wiz().kind.write_errors
        self.wiz().ctx.run(lambda _uow: write(plan, out),
                           on_done=lambda count: self.summary.setText(
                               self.tr("{count} rows with their errors saved to {file}.")
                               .format(count=count, file=Path(out).name)),
                           on_error=lambda error: self.summary.setText(
                               describe_error(error).text), owner=self)

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        plan = self.wiz().plan
        return self.checked and plan is not None and self.wiz().kind.writes_something(plan)


class RunPage(_Page):
    """Step 4: the import, chunk by chunk, with Cancel; then the result and Undo."""

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__(wizard)
        self.setTitle(self.tr("Importing"))
        self.setFinalPage(True)
        self.status = self._status_label("import_run_status")
        self.progress = QProgressBar(self)
        self.progress.setObjectName("import_run_progress")
        self.stop_button = QPushButton(self.tr("Stop after this chunk"), self)
        self.stop_button.setObjectName("import_stop")
        self.stop_button.clicked.connect(self.stop)
        self.undo_button = QPushButton(self.tr("Undo this import"), self)
        self.undo_button.setObjectName("import_undo")
        self.undo_button.setVisible(False)
        self.undo_button.clicked.connect(self.undo)
        self.kept_label = self._status_label("import_kept")
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.kept_label)
        layout.addStretch(1)
        self.done = False
        self._cancel = threading.Event()
        self._moves = _Progress(self)
        self._moves.moved.connect(self._moved)

    def initializePage(self) -> None:  # noqa: N802 (Qt override)
        wizard = self.wiz()
        plan = wizard.plan
        assert plan is not None
        self.done = False
        self._cancel.clear()
        kind = wizard.kind
        todo = kind.to_write(plan)
        self.progress.setRange(0, max(1, todo))
        self.progress.setValue(0)
        self.stop_button.setEnabled(True)
        self.stop_button.setVisible(True)
        self.undo_button.setVisible(False)
        self.kept_label.setText("")
        self.status.setText(self.tr("Writing {count} rows…").format(count=todo))
        show_as_error(self.status, False)
        actor, moves, cancel = wizard.ctx.actor, self._moves, self._cancel
        wizard.ctx.run(
            lambda uow: kind.run(
                uow=uow, actor=actor, plan=plan,
                progress=moves.moved.emit,
                cancelled=cancel.is_set),
            on_done=self._finished, on_error=self._failed, owner=self)
        self.completeChanged.emit()

    def stop(self) -> None:
        self._cancel.set()
        self.stop_button.setEnabled(False)
        self.status.setText(self.tr("Stopping after the chunk being written…"))

    def _moved(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _finished(self, result: Any) -> None:
        wizard = self.wiz()
        wizard.result = result
        self.progress.setValue(self.progress.maximum() if not result.cancelled
                               else self.progress.value())
        text = self.tr("{created} created, {updated} updated, {skipped} skipped, "
                       "{refused} rows not imported.").format(
            created=result.created, updated=result.updated, skipped=result.skipped,
            refused=len({i.row for i in result.refused}))
        if result.cancelled:
            text = self.tr("Stopped. What was written so far stays (undo removes it).") + \
                " " + text
        self.status.setText(text)
        self.stop_button.setVisible(False)
        self.undo_button.setVisible(bool(result.created or result.updated))
        self.undo_button.setEnabled(True)
        self.done = True
        self.completeChanged.emit()
        wizard.imported.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.stop_button.setVisible(False)
        self.status.setText(describe_error(error).text + " " + self.tr(
            "The chunks written before stay; the import can be undone from its batch."))
        show_as_error(self.status, True)
        self.done = True
        self.completeChanged.emit()

    def undo(self) -> None:
        wizard = self.wiz()
        result = wizard.result
        if result is None:
            return
        self.undo_button.setEnabled(False)
        self.status.setText(self.tr("Undoing the import…"))
        actor, batch_id = wizard.ctx.actor, result.batch_id
        wizard.ctx.run(lambda uow: undo_import(uow=uow, actor=actor, batch_id=batch_id),
                       on_done=self._undone, on_error=self._undo_failed, owner=self)

    def _undone(self, undone: UndoResult) -> None:
        self.status.setText(self.tr("Import undone: {count} records removed or restored.")
                            .format(count=undone.undone))
        if undone.kept:
            self.kept_label.setText(self.tr("Kept, because they were used or changed since:")
                                    + "\n" + "\n".join(f"{k.label}: {k.reason}"
                                                       for k in undone.kept))
        self.undo_button.setVisible(False)
        self.wiz().undone.emit(undone)

    def _undo_failed(self, error: BaseException) -> None:
        self.undo_button.setEnabled(True)
        self.status.setText(describe_error(error).text)
        show_as_error(self.status, True)

    def isComplete(self) -> bool:  # noqa: N802 (Qt override)
        return self.done


def open_import_wizard(ctx: AppContext, parent: QWidget | None = None, *,
                       kind: str | None = None,
                       then: Callable[[], object] | None = None) -> ImportWizard:
    """Create and show the wizard (non-modal, as every dialog of the program), with
    ``kind`` (``products``, …) chosen when it is opened from that kind's list; ``then``
    (the list's or report's refresh) is called once an import or its undo has written."""
    wizard = ImportWizard(ctx, parent)
    wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    if kind is not None:
        wizard.choose_kind(next(k for k in KINDS if k.key == kind))
    if then is not None:
        wizard.imported.connect(lambda _result: then())
        wizard.undone.connect(lambda _result: then())
    wizard.show()
    return wizard


__all__ = ["ImportWizard", "open_import_wizard"]
