"""Custom fields (自定义字段) as optional columns of a list page (orders, service tickets).

Right-click the list's header for a menu of the record kind's custom fields; a ticked one
becomes a column after the fixed ones. The choice is kept per user and PC (ui settings).
The page asks its list service for the shown codes (``custom_columns=...``); the values of
each page arrive in one query (``page.custom``, from custom_fields.values_for) and the
kit's table model keeps them with the page's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QTableView

from app.models.enums import CustomFieldEntity
from app.services.custom_fields import FieldDefinition, display_value
from app.services.custom_fields import definitions as custom_field_definitions
from app.ui.context import AppContext
from app.ui.kit.table import Col

CUSTOM_COLUMN_WIDTH = 130


class CustomColumns(QObject):
    """The custom field columns of one list.

    ``base_columns`` gives the list's fixed columns; ``apply_columns(columns)`` puts the
    whole set into the list's model; ``values(row_id, code)`` reads a held value.
    Signals: changed() — a column was added: the page reloads so the new column's values
    come with the rows.
    """

    changed = Signal()

    def __init__(self, ctx: AppContext, entity: CustomFieldEntity, settings_key: str,
                 table: QTableView, base_columns: Callable[[], list[Col[Any]]],
                 apply_columns: Callable[[list[Col[Any]]], None],
                 values: Callable[[Any, str], object]) -> None:
        super().__init__(table)
        self._ctx = ctx
        self._entity = entity
        self._settings_key = settings_key
        self._table = table
        self._base_columns = base_columns
        self._apply_columns = apply_columns
        self.fields: tuple[FieldDefinition, ...] = ()
        # The shown codes in field order; read by the page's query on the worker.
        self.shown: tuple[str, ...] = ()
        self._values = values
        self.menu: QMenu | None = None
        header = table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_menu)
        header.setToolTip(self.tr("Right-click to choose custom field columns"))

    def load(self) -> None:
        """Fetch the record kind's custom fields (on the worker) and show the chosen ones."""
        actor, entity = self._ctx.actor, self._entity
        self._ctx.run(lambda uow: custom_field_definitions(uow=uow, actor=actor, entity=entity),
                      on_done=self.set_fields, on_error=lambda _error: None, owner=self)

    def set_fields(self, fields: Sequence[FieldDefinition]) -> None:
        self.fields = tuple(fields)
        stored = self._ctx.ui_settings().value(self._ctx.user_settings_key(self._settings_key))
        names = [stored] if isinstance(stored, str) else list(stored or [])
        wanted = set(names)
        before = self.shown
        self.shown = tuple(f.code for f in self.fields if f.code in wanted)
        self._rebuild()
        if self.shown and self.shown != before:
            self.changed.emit()

    def value_text(self, record_id: int, code: str) -> str:
        field = next((f for f in self.fields if f.code == code), None)
        if field is None:
            return ""
        return display_value(field, self._values(record_id, code), self._ctx.language)

    def column_of(self, code: str) -> int | None:
        """The model column showing ``code``, or None when it is not shown."""
        if code not in self.shown:
            return None
        return len(self._base_columns()) + self.shown.index(code)

    def set_visible(self, code: str, visible: bool) -> None:
        wanted = set(self.shown)
        if visible:
            wanted.add(code)
        else:
            wanted.discard(code)
        self.shown = tuple(f.code for f in self.fields if f.code in wanted)
        settings = self._ctx.ui_settings()
        settings.setValue(self._ctx.user_settings_key(self._settings_key),
                          list(self.shown) or "")
        settings.sync()
        self._rebuild()
        if visible:
            self.changed.emit()

    def show_menu(self, position: QPoint) -> QMenu:
        """Right-click on the header: the menu of custom field columns, at the mouse."""
        menu = self.build_menu()
        menu.popup(self._table.horizontalHeader().mapToGlobal(position))
        return menu

    def build_menu(self) -> QMenu:
        """The header's menu: one tickable entry per custom field."""
        menu = QMenu(self._table)
        menu.setObjectName("custom_columns_menu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if not self.fields:
            empty = QAction(self.tr("No custom fields"), menu)
            empty.setEnabled(False)
            menu.addAction(empty)
        else:
            menu.addSection(self.tr("Custom fields"))
        for f in self.fields:
            action = QAction(f.label(self._ctx.language), menu)
            action.setObjectName(f"custom_column_{f.code}")
            action.setCheckable(True)
            action.setChecked(f.code in self.shown)
            action.toggled.connect(lambda visible, c=f.code: self.set_visible(c, visible))
            menu.addAction(action)
        self.menu = menu
        return menu

    def _rebuild(self) -> None:
        base = self._base_columns()
        header = self._table.horizontalHeader()
        count = header.count()
        widths = [self._table.columnWidth(i) if i < count else 0 for i in range(len(base))]
        hidden = [i < count and self._table.isColumnHidden(i) for i in range(len(base))]
        visible = [i for i in range(min(count, len(base))) if not hidden[i]]
        # The last visible column fills the rest of the row: its width is no choice of the
        # user's, and kept it would push the custom columns out of sight.
        stretched = visible[-1] if visible and header.stretchLastSection() else None
        extra: list[Col[Any]] = []
        for code in self.shown:
            field = next(f for f in self.fields if f.code == code)
            extra.append(Col(f"custom:{code}", field.label(self._ctx.language),
                             lambda r, c=code: self.value_text(r.id, c),
                             tooltip=self.tr("Custom field")))
        self._apply_columns(base + extra)
        for i, width in enumerate(widths):
            self._table.setColumnHidden(i, hidden[i])
            wanted = (max(header.sectionSizeHint(i), CUSTOM_COLUMN_WIDTH) if i == stretched
                      else width)
            if wanted > 0:
                self._table.setColumnWidth(i, wanted)
        for i in range(len(extra)):
            self._table.setColumnWidth(len(base) + i, CUSTOM_COLUMN_WIDTH)


__all__ = ["CustomColumns"]
