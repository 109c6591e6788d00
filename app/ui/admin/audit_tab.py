"""The audit log viewer (操作日志): filters, newest first (or by a clicked column), the
before/after of each changed field. Entries are read page by page as the list scrolls.

Read-only: the program offers no way to change or delete an entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import AuditAction
from app.services import administration as adm
from app.services.audit_view import AuditFilters, AuditRow, audited_entities, list_audit
from app.ui.admin.common import action_label, entity_label, fill_table, local_time, make_table
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.formatting import group_digits
from app.ui.kit.list_page import prepare_table
from app.ui.kit.table import Col, PagedTableModel, PageRequest
from app.ui.labels import station_label

PAGE_SIZE = 200


class AuditTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("admin_audit")

        self.user = QComboBox(self)
        self.user.setObjectName("audit_user")
        self.user.addItem(self.tr("Everyone"), None)
        self.entity = QComboBox(self)
        self.entity.setObjectName("audit_entity")
        self.entity.addItem(self.tr("Every kind"), None)
        self.action = QComboBox(self)
        self.action.setObjectName("audit_action")
        self.action.addItem(self.tr("Every action"), None)
        for a in AuditAction:
            self.action.addItem(action_label(a), a.value)
        self.record = QLineEdit(self)
        self.record.setObjectName("audit_record")
        self.record.setPlaceholderText(self.tr("Record id"))
        self.record.setMaximumWidth(110)
        today = QDate(dt.date.today())
        self.use_dates = QCheckBox(self.tr("From"), self)
        self.use_dates.setObjectName("audit_use_dates")
        self.date_from = QDateEdit(today.addDays(-30), self)
        self.date_from.setObjectName("audit_from")
        self.date_from.setCalendarPopup(True)
        self.date_from.setDisplayFormat("yyyy-MM-dd")
        self.date_to = QDateEdit(today, self)
        self.date_to.setObjectName("audit_to")
        self.date_to.setCalendarPopup(True)
        self.date_to.setDisplayFormat("yyyy-MM-dd")
        self.search_button = QPushButton(self.tr("Search"), self)
        self.search_button.setObjectName("audit_search")
        self.search_button.setDefault(True)
        self.search_button.clicked.connect(self.search)
        self.record.returnPressed.connect(self.search)

        filters = QGridLayout()
        filters.addWidget(QLabel(self.tr("User"), self), 0, 0)
        filters.addWidget(self.user, 0, 1)
        filters.addWidget(QLabel(self.tr("Kind"), self), 0, 2)
        filters.addWidget(self.entity, 0, 3)
        filters.addWidget(QLabel(self.tr("Action"), self), 0, 4)
        filters.addWidget(self.action, 0, 5)
        filters.addWidget(self.record, 0, 6)
        dates = QHBoxLayout()
        dates.addWidget(self.use_dates)
        dates.addWidget(self.date_from)
        dates.addWidget(QLabel(self.tr("to"), self))
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        dates.addWidget(self.search_button)
        filters.addLayout(dates, 1, 0, 1, 7)
        filters.setColumnStretch(1, 1)
        filters.setColumnStretch(3, 1)

        self.model = PagedTableModel(self._columns(), self._load, page_size=PAGE_SIZE,
                                     parent=self)
        self.model.page_loaded.connect(self._loaded)
        self.model.load_failed.connect(self._failed)
        self.table = QTableView(self)
        self.table.setObjectName("audit_table")
        prepare_table(self.table, self.model)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_detail())
        self.detail = make_table(self, "audit_detail", [
            self.tr("Field"), self.tr("Before"), self.tr("After")], stretch=2)
        self.detail.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("audit_message")

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setSizes([420, 200])
        bottom = QHBoxLayout()
        bottom.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self._choices_loaded = False

    def refresh(self) -> None:
        if not self._choices_loaded:
            ctx = self._ctx

            def load(uow):  # type: ignore[no-untyped-def]
                return (adm.list_users(uow=uow, actor=ctx.actor),
                        audited_entities(uow=uow, actor=ctx.actor))

            ctx.run(load, on_done=self._choices, on_error=self._failed, owner=self)
        self.search()

    def _choices(self, result: tuple[tuple[adm.UserRow, ...], tuple[str, ...]]) -> None:
        users, entities = result
        self._choices_loaded = True
        keep_user, keep_entity = self.user.currentData(), self.entity.currentData()
        for combo, items in ((self.user, [(f"{u.display_name} ({u.username})", u.id)
                                          for u in users]),
                             (self.entity, [(entity_label(e), e) for e in entities])):
            while combo.count() > 1:
                combo.removeItem(1)
            for text, data in items:
                combo.addItem(text, data)
        self.user.setCurrentIndex(max(0, self.user.findData(keep_user)))
        self.entity.setCurrentIndex(max(0, self.entity.findData(keep_entity)))

    def current_filters(self) -> AuditFilters:
        record = self.record.text().strip()
        use_dates = self.use_dates.isChecked()
        action = self.action.currentData()
        return AuditFilters(
            user_id=self.user.currentData(), entity=self.entity.currentData(),
            entity_id=int(record) if record.isdigit() else None,
            date_from=self.date_from.date().toPython() if use_dates else None,  # type: ignore[arg-type]
            date_to=self.date_to.date().toPython() if use_dates else None,  # type: ignore[arg-type]
            action=AuditAction(action) if action else None,
        )

    def _columns(self) -> list[Col[Any]]:
        return [
            Col("time", self.tr("Time"), lambda r: local_time(r.at), sort="time", width=150),
            Col("user", self.tr("User"), lambda r: r.user_name or "", sort="user"),
            Col("station", self.tr("Station"),
                lambda r: station_label(r.station) if r.station else "", sort="station"),
            Col("action", self.tr("Action"), lambda r: action_label(r.action), sort="action"),
            Col("kind", self.tr("Kind"), lambda r: entity_label(r.entity), sort="kind"),
            Col("record", self.tr("Record"),
                lambda r: "" if r.entity_id is None else str(r.entity_id), sort="record"),
            # Not sortable: it shows in the reader's language, it is stored in the writer's.
            Col("summary", self.tr("Summary"), lambda r: r.summary),
        ]

    def search(self) -> None:
        """Read the log again from the top with the filters as they are now."""
        self.model.set_query(self.current_filters(), force=True)

    def _load(self, filters: AuditFilters, request: PageRequest, on_done: Any,
              on_error: Any) -> None:
        ctx = self._ctx
        ctx.run(lambda uow: list_audit(uow=uow, actor=ctx.actor, filters=filters,
                                       after=request.after, limit=request.limit,
                                       sort=request.sort, with_total=request.with_total),
                on_done=on_done, on_error=on_error, owner=self)

    def _loaded(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        if shown and not self.table.selectionModel().hasSelection():
            self.table.selectRow(0)
        self._show_detail()
        if total is not None and total > shown:
            self.message.setText(self.tr("{count} of {total} entries shown (scroll down for "
                                         "more)").format(count=shown, total=group_digits(total)))
        else:
            self.message.setText(self.tr("{count} entries shown").format(count=shown))

    def _failed(self, error: BaseException) -> None:
        self.message.setText(describe_error(error).text)

    def selected(self) -> AuditRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _show_detail(self) -> None:
        row = self.selected()
        changes = row.changes if row is not None else ()
        fill_table(self.detail, [(i, [c.field, c.before or "", c.after or ""], False)
                                 for i, c in enumerate(changes)])
        self.detail.resizeRowsToContents()

    @property
    def rows(self) -> tuple[AuditRow, ...]:
        """The entries read so far (those still held)."""
        return tuple(r for i in range(self.model.rowCount())
                     if (r := self.model.row_at(i)) is not None)
