"""The customer list page: one search box, filters, and the lazily loaded table."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.db import DatabaseUnavailable
from app.models.enums import (
    CustomerClass,
    CustomerSource,
    CustomerStatus,
    CustomFieldEntity,
    CustomFieldKind,
    DataScope,
    Module,
    Operation,
)
from app.services.custom_fields import FieldDefinition, MatchOp
from app.services.custom_fields import definitions as custom_field_definitions
from app.services.customers import (
    CustomerFilters,
    CustomerPage,
    CustomFilter,
    search_customers,
)
from app.services.exports import ExportResult
from app.services.users import UserChoice
from app.ui import labels
from app.ui.context import AppContext
from app.ui.customers.import_access import may_import as import_allowed
from app.ui.customers.list_model import (
    DEFAULT_PAGE_SIZE,
    Column,
    CustomerListModel,
    CustomerQuery,
)
from app.ui.customers.owners import load_owner_choices, owner_texts
from app.ui.errors import describe_error
from app.ui.formatting import group_digits
from app.ui.kit.list_page import open_export_dialog, sort_by_header
from app.ui.kit.table import PageRequest

E = TypeVar("E", CustomerClass, CustomerSource, CustomerStatus)

SEARCH_DEBOUNCE_MS = 250
HIDDEN_COLUMNS_KEY = "customer_list/hidden_columns"
CUSTOM_COLUMNS_KEY = "customer_list/custom_columns"  # codes of the custom fields shown
OWNER_FILTER_KEY = "customer_list/owner_filter"
MINE = "mine"  # the owner filter's "Only mine"; a user id (int) is one person's customers
DEFAULT_HIDDEN = (Column.SHORT_NAME,)
COLUMN_WIDTHS = {
    Column.CODE: 140,
    Column.NAME: 240,
    Column.SHORT_NAME: 110,
    Column.CUSTOMER_CLASS: 80,
    Column.SOURCE: 100,
    Column.STATUS: 70,
    Column.OWNER: 90,
    Column.PHONE: 120,
}


class CustomerListPage(QWidget):
    """Find customers by name, pinyin, phone, contact or serial number.

    Signals:
        customer_activated(int): Enter or double-click on a row; the id of the customer.
        new_customer_requested(): the "New customer" button or its shortcut.
    """

    customer_activated = Signal(int)
    new_customer_requested = Signal()

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None = None,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        debounce_ms: int = SEARCH_DEBOUNCE_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("customer_list_page")
        self._ctx = ctx
        self.model = CustomerListModel(self._load_page, page_size=page_size, parent=self)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("customer_search")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setPlaceholderText(
            self.tr("Name, pinyin (bjxr or beijing), phone, contact, code, serial no.")
        )
        self.search_edit.setToolTip(self.tr(
            "Finds customers by name or short name, full pinyin or pinyin initials, any part "
            "of a phone number, a contact's name or phone, or a device serial number."))
        self.search_edit.setMinimumWidth(
            self.search_edit.fontMetrics().horizontalAdvance(
                self.search_edit.placeholderText()) + 40)
        self.search_edit.installEventFilter(self)

        self.class_filter = self._filter_combo(
            "class_filter", self.tr("All classes"), labels.customer_classes())
        self.source_filter = self._filter_combo(
            "source_filter", self.tr("All sources"), labels.customer_sources())
        self.status_filter = self._filter_combo(
            "status_filter", self.tr("All statuses"), labels.customer_statuses())
        self.owner_filter = QComboBox(self)
        self.owner_filter.setObjectName("owner_filter")
        self.owner_filter.setToolTip(self.tr("Show the customers of one owner"))
        self.owner_filter.addItem(self.tr("All owners"), None)
        self.owner_filter.addItem(self.tr("Only mine"), MINE)
        self.owner_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self._owner_choice: int | str | None = None
        self.restricted_notice: QMessageBox | None = None
        self._owners_loaded = False
        self._filling_owners = False

        # A filter on one custom field: the field, then a choice or a text it contains.
        self._custom_fields: tuple[FieldDefinition, ...] = ()
        self._custom_shown: set[str] = set()
        self.custom_filter_field = QComboBox(self)
        self.custom_filter_field.setObjectName("custom_filter_field")
        self.custom_filter_field.setToolTip(self.tr("Filter on a custom field"))
        self.custom_filter_field.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.custom_filter_field.addItem(self.tr("All custom fields"), None)
        self.custom_filter_choice = QComboBox(self)
        self.custom_filter_choice.setObjectName("custom_filter_choice")
        self.custom_filter_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.custom_filter_text = QLineEdit(self)
        self.custom_filter_text.setObjectName("custom_filter_text")
        self.custom_filter_text.setPlaceholderText(self.tr("contains…"))
        self.custom_filter_text.setClearButtonEnabled(True)
        for custom_widget in (self.custom_filter_field, self.custom_filter_choice,
                              self.custom_filter_text):
            custom_widget.setVisible(False)

        self.new_button = QPushButton(self.tr("New customer…"), self)
        self.new_button.setObjectName("new_customer_button")
        self.new_button.setVisible(ctx.can(Module.CUSTOMERS, Operation.CREATE))
        self.new_button.clicked.connect(self.new_customer_requested)
        # Export (导出) is its own permission: by default management and the manager only.
        self.export_button = QPushButton(self.tr("Export…"), self)
        self.export_button.setObjectName("export_customers_button")
        self.export_button.setToolTip(self.tr("Write the listed customers (the search and "
                                              "filters apply) to an Excel or CSV file"))
        self.export_button.setVisible(self.can_export())
        self.export_button.clicked.connect(self.choose_export_file)
        self.export_dialog: QFileDialog | None = None
        # Import (导入): whoever may create, change and delete (undo) customers, over the
        # whole customer base (management); the service checks the same.
        self.import_button = QPushButton(self.tr("Import…"), self)
        self.import_button.setObjectName("import_customers_button")
        self.import_button.setToolTip(self.tr(
            "Bring customers, their devices, products or opening receivables in from an "
            "Excel or CSV sheet"))
        may_import = import_allowed(ctx)
        self.import_button.setVisible(may_import)
        self.import_button.clicked.connect(self.open_import)
        self.import_wizard: QWidget | None = None
        # 导入记录: the imports made, to undo one or close one a station left running.
        self.import_history_button = QPushButton(self.tr("Past imports…"), self)
        self.import_history_button.setObjectName("import_history_button")
        self.import_history_button.setVisible(may_import)
        self.import_history_button.clicked.connect(self.open_import_history)
        self.import_history: QWidget | None = None

        self.table = QTableView(self)
        self.table.setObjectName("customer_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._show_column_menu)
        header.setToolTip(self.tr("Click to sort by this column; right-click to choose "
                                  "the columns"))
        sort_by_header(self.table, self.model)
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._on_activated)
        self.table.installEventFilter(self)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._show_row_menu)
        self.merge_dialog: QWidget | None = None

        self.status_label = QLabel(self)
        self.status_label.setObjectName("customer_list_status")
        self.status_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        filters = QHBoxLayout()
        filters.addWidget(self.search_edit, 1)
        for widget in (self.class_filter, self.source_filter, self.status_filter,
                       self.owner_filter, self.custom_filter_field, self.custom_filter_choice,
                       self.custom_filter_text, self.import_button,
                       self.import_history_button, self.export_button,
                       self.new_button):
            filters.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(debounce_ms)
        self._search_timer.timeout.connect(self.apply_search)
        self.search_edit.textChanged.connect(self._search_timer.start)
        self.search_edit.returnPressed.connect(self.apply_search)
        for combo in (self.class_filter, self.source_filter, self.status_filter):
            combo.currentIndexChanged.connect(self.apply_search)
        self.owner_filter.currentIndexChanged.connect(self._on_owner_chosen)
        self.custom_filter_field.currentIndexChanged.connect(self._on_custom_filter_field)
        self.custom_filter_choice.currentIndexChanged.connect(self.apply_search)
        self.custom_filter_text.textChanged.connect(self._search_timer.start)
        self.custom_filter_text.returnPressed.connect(self.apply_search)

        self.model.loading_changed.connect(self._update_status)
        self.model.page_loaded.connect(self._update_status)
        self.model.modelReset.connect(self._update_status)
        self.model.load_failed.connect(self._on_load_failed)

        self._restore_columns()
        self._restore_owner_choice()
        self.setFocusProxy(self.search_edit)
        self.apply_search()
        self._load_owners()
        self._load_custom_fields()

    # --- public ---------------------------------------------------------------------------

    def can_export(self) -> bool:
        """Whether the user may bulk-export customers (导出; by default management and the
        general manager): the button, and the main window's Export, only then. The service
        checks it again."""
        return self._ctx.can(Module.CUSTOMERS, Operation.EXPORT)

    def open_import(self) -> None:
        """The import wizard; the list shows what it wrote once it ends."""
        from app.ui.customers.import_wizard import open_import_wizard

        self.import_wizard = open_import_wizard(self._ctx, self, then=self.apply_search)

    def open_import_history(self) -> QWidget:
        """The past imports; the list shows what an undo there changed."""
        from app.ui.customers.import_history import open_import_history

        dialog = open_import_history(self._ctx, self)
        dialog.undone.connect(lambda _result: self.apply_search())
        self.import_history = dialog
        return dialog

    def can_merge(self) -> bool:
        """Whether the user may merge two customers (客户合并: editing and deleting every
        customer, i.e. management); the service checks it again."""
        return (self._ctx.can(Module.CUSTOMERS, Operation.EDIT)
                and self._ctx.can(Module.CUSTOMERS, Operation.DELETE)
                and self._ctx.permissions.scope(Module.CUSTOMERS) is DataScope.ALL)

    def row_menu(self, row: int) -> QMenu | None:
        """The context menu of a row; None when it would be empty."""
        customer = self.model.customer_row(row)
        if customer is None or customer.restricted or not self.can_merge():
            return None
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        merge = menu.addAction(self.tr("Merge with another customer…"))
        merge.setObjectName("merge_customer_action")
        merge.triggered.connect(lambda _checked=False, i=customer.id: self.open_merge(i))
        return menu

    def _show_row_menu(self, position: QPoint) -> None:
        index = self.table.indexAt(position)
        menu = self.row_menu(index.row()) if index.isValid() else None
        if menu is not None:
            menu.popup(self.table.viewport().mapToGlobal(position))

    def open_merge(self, customer_id: int) -> QWidget:
        """The merge dialog for the customer; the list shows the outcome once it merged."""
        from app.ui.customers.merge_dialog import open_merge_dialog

        dialog = open_merge_dialog(self._ctx, customer_id, self)
        dialog.merged.connect(lambda _result: self.apply_search())
        self.merge_dialog = dialog
        return dialog

    def choose_export_file(self) -> None:
        """Ask where to write the customers now listed (the search and filters apply)."""
        if not self.can_export():
            return
        self.export_dialog = open_export_dialog(
            self, self.tr("Export customers"),
            self.tr("Excel workbook (*.xlsx);;CSV, UTF-8 (*.csv)"), "customers", self.export_to)

    def export_to(self, path: str) -> None:
        from pathlib import Path

        from app.services.exports import export_customers

        query, actor = self.current_query(), self._ctx.actor
        fmt = "csv" if path.lower().endswith(".csv") else "xlsx"
        self.export_button.setEnabled(False)
        self._set_status(self.tr("Exporting…"))

        def done(result: ExportResult) -> None:
            self.export_button.setEnabled(True)
            self._set_status(self.tr("{count} customers exported to {file}.").format(
                count=result.row_count, file=Path(path).name))

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(True)
            self._set_status(describe_error(error).text, error=True)

        self._ctx.run(
            lambda uow: export_customers(uow=uow, actor=actor, path=path, fmt=fmt,
                                         filters=query.filters, text=query.text),
            on_done=done, on_error=failed, owner=self)

    def current_query(self) -> CustomerQuery:
        return CustomerQuery(
            text=self.search_edit.text().strip(),
            filters=CustomerFilters(
                customer_class=_chosen(self.class_filter, CustomerClass),
                source=_chosen(self.source_filter, CustomerSource),
                status=_chosen(self.status_filter, CustomerStatus),
                owner_id=self.owner_filter_id(),
                custom=self._custom_filters(),
            ),
            custom_columns=tuple(f.code for f in self._custom_fields
                                 if f.code in self._custom_shown),
        )

    def owner_filter_id(self) -> int | None:
        """The owner whose customers are listed; None for everybody's."""
        choice = self._owner_choice
        if choice == MINE:
            return self._ctx.actor.user_id
        return choice if isinstance(choice, int) else None

    def choose_owner(self, choice: int | str | None) -> bool:
        """Pick an owner filter entry: None (all), :data:`MINE` or a user id."""
        index = self.owner_filter.findData(choice) if choice is not None else 0
        if index >= 0:
            self.owner_filter.setCurrentIndex(index)
        return index >= 0

    def apply_search(self) -> None:
        """Run the search now (the debounce timer calls this after a pause in typing)."""
        self._search_timer.stop()
        self.model.set_query(self.current_query())

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def refresh(self) -> None:
        self._search_timer.stop()
        query = self.current_query()
        if query == self.model.query:
            self.model.refresh()
        else:
            self.model.set_query(query)

    def on_connection_restored(self) -> None:
        self.model.retry()
        if not self._owners_loaded:
            self._load_owners()
        self._update_status()

    def hidden_columns(self) -> set[Column]:
        return {c for c in Column if self.table.isColumnHidden(c)}

    def set_custom_column_visible(self, code: str, visible: bool) -> None:
        """Show or hide the custom field ``code`` as a column (its values are then read)."""
        column = self.model.custom_column(code)
        if column is None:
            return
        if visible:
            self._custom_shown.add(code)
        else:
            self._custom_shown.discard(code)
        self.table.setColumnHidden(column, not visible)
        settings = self._ctx.ui_settings()
        settings.setValue(self._ctx.user_settings_key(CUSTOM_COLUMNS_KEY),
                          sorted(self._custom_shown) or "")
        settings.sync()
        self.apply_search()

    def set_column_visible(self, column: Column, visible: bool) -> None:
        if column == Column.NAME:
            return  # the name is what identifies a row
        self.table.setColumnHidden(column, not visible)
        self._save_columns()

    # --- loading --------------------------------------------------------------------------

    def _load_page(
        self, query: CustomerQuery, request: PageRequest,
        on_done: Callable[[CustomerPage], None], on_error: Callable[[BaseException], None],
    ) -> None:
        actor = self._ctx.actor
        self._ctx.run(
            lambda uow: search_customers(uow=uow, actor=actor, text=query.text,
                                         filters=query.filters, after=request.after,
                                         limit=request.limit, sort=request.sort,
                                         with_total=request.with_total,
                                         custom_columns=query.custom_columns),
            on_done=on_done, on_error=on_error, owner=self,
        )

    def _on_load_failed(self, error: BaseException) -> None:
        self._update_status()

    def _update_status(self, *_args: object) -> None:
        model = self.model
        count = model.rowCount()
        query = model.query
        if model.error is not None:
            error = model.error
            text = describe_error(error).text
            if isinstance(error, DatabaseUnavailable):
                text = self.tr("Could not load customers: {reason} The list continues when "
                               "the connection is back.").format(reason=text)
            self._set_status(text, error=True)
        elif model.is_loading and count == 0:
            self._set_status(self.tr("Searching…") if query and query.text
                             else self.tr("Loading customers…"))
        elif count == 0:
            if query is not None and (query.text or query.filters != CustomerFilters()):
                self._set_status(self.tr("No customer matches this search."))
            else:
                self._set_status(self.tr("No customers yet."))
        elif model.at_end or model.total == count:
            self._set_status(self.tr("Customers: {count}").format(count=count))
        elif model.total is not None:
            self._set_status(self.tr("Customers shown: {count} of {total} (scroll down for "
                                     "more)").format(count=count, total=group_digits(model.total)))
        else:
            self._set_status(self.tr("Customers shown: {count} (scroll down for more)").format(
                count=count))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setProperty("error", error)
        self.status_label.setStyleSheet("color: #b00020;" if error else "")

    # --- custom fields --------------------------------------------------------------------

    def _load_custom_fields(self) -> None:
        actor = self._ctx.actor
        self._ctx.run(lambda uow: custom_field_definitions(
            uow=uow, actor=actor, entity=CustomFieldEntity.CUSTOMER),
            on_done=self._on_custom_fields, on_error=lambda _error: None, owner=self)

    def _on_custom_fields(self, fields: tuple[FieldDefinition, ...]) -> None:
        self._custom_fields = tuple(fields)
        stored = self._ctx.ui_settings().value(self._ctx.user_settings_key(CUSTOM_COLUMNS_KEY))
        names = [stored] if isinstance(stored, str) else list(stored or [])
        codes = {f.code for f in fields}
        self._custom_shown = {n for n in names if n in codes}
        self.model.set_custom_fields(fields, self._ctx.language)
        self._restore_columns()
        for column, width in COLUMN_WIDTHS.items():
            self.table.setColumnWidth(column, width)
        for f in fields:
            custom = self.model.custom_column(f.code)
            if custom is not None:
                self.table.setColumnHidden(custom, f.code not in self._custom_shown)
                self.table.setColumnWidth(custom, 130)
        filterable = [f for f in fields if f.kind in _FILTER_KINDS]
        combo = self.custom_filter_field
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for f in filterable:
            combo.addItem(f.label(self._ctx.language), f.code)
        combo.blockSignals(False)
        combo.setVisible(bool(filterable))
        self._on_custom_filter_field()

    def _on_custom_filter_field(self, *_args: object) -> None:
        definition = self._custom_filter_definition()
        choice = self.custom_filter_choice
        choice.blockSignals(True)
        choice.clear()
        choice.addItem(self.tr("Any value"), None)
        if definition is not None and definition.kind is CustomFieldKind.BOOLEAN:
            choice.addItem(self.tr("Yes"), True)
            choice.addItem(self.tr("No"), False)
        elif definition is not None:
            for option in definition.options:
                choice.addItem(option.label(self._ctx.language), option.code)
        choice.blockSignals(False)
        is_text = definition is not None and definition.kind in (
            CustomFieldKind.TEXT, CustomFieldKind.MULTILINE)
        choice.setVisible(definition is not None and not is_text)
        self.custom_filter_text.setVisible(is_text)
        self.apply_search()

    def _custom_filter_definition(self) -> FieldDefinition | None:
        code = self.custom_filter_field.currentData()
        return next((f for f in self._custom_fields if f.code == code), None)

    def _custom_filters(self) -> tuple[CustomFilter, ...]:
        definition = self._custom_filter_definition()
        if definition is None:
            return ()
        if definition.kind in (CustomFieldKind.TEXT, CustomFieldKind.MULTILINE):
            text = self.custom_filter_text.text().strip()
            return (CustomFilter(definition.code, MatchOp.CONTAINS, text),) if text else ()
        value = self.custom_filter_choice.currentData()
        if value is None:
            return ()
        if definition.kind is CustomFieldKind.MULTI_CHOICE:
            return (CustomFilter(definition.code, MatchOp.CONTAINS, f"|{value}|"),)
        return (CustomFilter(definition.code, MatchOp.EQUALS, value),)

    # --- owner filter ---------------------------------------------------------------------

    def _owner_settings_key(self) -> str:
        return self._ctx.user_settings_key(OWNER_FILTER_KEY)

    def _restore_owner_choice(self) -> None:
        stored = self._ctx.ui_settings().value(self._owner_settings_key())
        if stored is None and self._ctx.permissions.scope(Module.CUSTOMERS) is DataScope.OWN:
            # Never chosen: a salesperson sees his own customers first (the others would
            # be mostly restricted rows); "All owners" stays one click away.
            stored = MINE
        stored = stored if isinstance(stored, str) else ""
        self._filling_owners = True
        try:
            if stored == MINE:
                self._owner_choice = MINE
                self.owner_filter.setCurrentIndex(1)
            elif stored.isdigit():
                # The names arrive from the worker; until then the entry says so.
                self._owner_choice = int(stored)
                self.owner_filter.addItem(self.tr("Loading owners…"), self._owner_choice)
                self.owner_filter.setCurrentIndex(2)
        finally:
            self._filling_owners = False

    def _on_owner_chosen(self, _index: int) -> None:
        if self._filling_owners:
            return
        choice = self.owner_filter.currentData()
        self._owner_choice = choice if choice == MINE or isinstance(choice, int) else None
        settings = self._ctx.ui_settings()
        settings.setValue(self._owner_settings_key(),
                          "" if self._owner_choice is None else str(self._owner_choice))
        settings.sync()
        self.apply_search()

    def _load_owners(self) -> None:
        load_owner_choices(self._ctx, on_done=self._on_owners_loaded,
                           on_error=self._on_owners_failed, owner=self)

    def _on_owners_loaded(self, users: tuple[UserChoice, ...]) -> None:
        self._owners_loaded = True
        me = self._ctx.actor.user_id
        self._fill_owner_filter([(i, text) for i, text in owner_texts(users) if i != me])

    def _on_owners_failed(self, _error: BaseException) -> None:
        # The list reports a lost connection itself; the names are read again when it is back.
        self._fill_owner_filter([])

    def _fill_owner_filter(self, entries: list[tuple[int, str]]) -> None:
        combo = self.owner_filter
        self._filling_owners = True
        try:
            while combo.count() > 2:
                combo.removeItem(2)
            for user_id, text in entries:
                combo.addItem(text, user_id)
            if self._owner_choice is None:
                index = 0
            elif self._owner_choice == MINE:
                index = 1
            else:
                index = combo.findData(self._owner_choice)
            combo.setCurrentIndex(max(index, 0))
        finally:
            self._filling_owners = False
        if index < 0:
            # That person left (or the names could not be read): show everybody's.
            self._owner_choice = None
            self.apply_search()

    # --- columns --------------------------------------------------------------------------

    def _settings_key(self) -> str:
        return self._ctx.user_settings_key(HIDDEN_COLUMNS_KEY)

    def _restore_columns(self) -> None:
        stored = self._ctx.ui_settings().value(self._settings_key())
        if stored is None:
            hidden = set(DEFAULT_HIDDEN)
        else:
            names = [stored] if isinstance(stored, str) else list(stored or [])
            by_key = {c.key: c for c in Column}
            hidden = {by_key[n] for n in names if n in by_key}
        for column in Column:
            self.table.setColumnHidden(column, column in hidden and column != Column.NAME)
        for f in self.model.custom_fields:
            custom = self.model.custom_column(f.code)
            if custom is not None:
                self.table.setColumnHidden(custom, f.code not in self._custom_shown)

    def _save_columns(self) -> None:
        settings = self._ctx.ui_settings()
        # An empty list is stored as "" so that "show every column" is remembered too.
        keys = sorted(c.key for c in self.hidden_columns())
        settings.setValue(self._settings_key(), keys or "")
        settings.sync()

    def _show_column_menu(self, position: QPoint) -> None:
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for column in Column:
            action = QAction(self.model.column_title(column), menu)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.setEnabled(column != Column.NAME)
            action.toggled.connect(
                lambda visible, c=column: self.set_column_visible(c, visible))
            menu.addAction(action)
        if self.model.custom_fields:
            menu.addSection(self.tr("Custom fields"))
        for f in self.model.custom_fields:
            action = QAction(f.label(self._ctx.language), menu)
            action.setCheckable(True)
            action.setChecked(f.code in self._custom_shown)
            action.toggled.connect(
                lambda visible, code=f.code: self.set_custom_column_visible(code, visible))
            menu.addAction(action)
        menu.popup(self.table.horizontalHeader().mapToGlobal(position))

    # --- keyboard -------------------------------------------------------------------------

    def _on_activated(self, index: QModelIndex) -> None:
        customer = self.model.customer_row(index.row())
        if customer is None:
            return
        if customer.restricted:
            # Outside the user's data scope: only name and owner are known here, and the
            # 360 view would refuse. Say whom to ask instead of opening an empty window.
            self.show_restricted_notice(customer.name, customer.owner_name)
            return
        self.customer_activated.emit(customer.id)

    def show_restricted_notice(self, name: str, owner: str | None) -> QMessageBox:
        """The message shown instead of opening a customer the user may not view."""
        if owner:
            text = self.tr("“{name}” is {owner}'s customer; you may not view it. "
                           "Please contact {owner}.").format(name=name, owner=owner)
        else:
            text = self.tr("“{name}” is outside your customers; you may not view it. "
                           "Please ask your manager.").format(name=name)
        if self.restricted_notice is not None:
            self.restricted_notice.close()
        box = QMessageBox(QMessageBox.Icon.Information, self.tr("Not your customer"),
                          text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("restricted_notice")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result, shown=box: self._forget_notice(shown))
        self.restricted_notice = box
        box.open()
        return box

    def _forget_notice(self, box: QMessageBox) -> None:
        if self.restricted_notice is box:
            self.restricted_notice = None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Down arrow in the search box moves into the list; Esc clears the search."""
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if watched is self.search_edit and event.key() == Qt.Key.Key_Down:
                if self.model.rowCount() > 0:
                    self.table.setFocus()
                    if not self.table.currentIndex().isValid():
                        self.table.setCurrentIndex(self.model.index(0, Column.NAME))
                    return True
            if watched is self.search_edit and event.key() == Qt.Key.Key_Escape:
                if self.search_edit.text():
                    self.search_edit.clear()
                    return True
        return super().eventFilter(watched, event)

    def _filter_combo(self, name: str, everything: str,
                      choices: list[tuple[CustomerClass, str]] | list[tuple[CustomerSource, str]]
                      | list[tuple[CustomerStatus, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem(everything, None)
        for value, label in choices:
            combo.addItem(label, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        return combo


_FILTER_KINDS = frozenset({CustomFieldKind.TEXT, CustomFieldKind.MULTILINE,
                           CustomFieldKind.CHOICE, CustomFieldKind.MULTI_CHOICE,
                           CustomFieldKind.BOOLEAN})


def _chosen(combo: QComboBox, kind: type[E]) -> E | None:
    value = combo.currentData()
    return kind(value) if value else None
