"""The audit log viewer (操作日志): filters, newest first, before/after of each changed field.

Read-only: the program offers no way to change or delete an entry.
"""

from __future__ import annotations

import datetime as dt

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
    QVBoxLayout,
    QWidget,
)

from app.models.enums import AuditAction
from app.services import administration as adm
from app.services.audit_view import AuditFilters, AuditPage, AuditRow, audited_entities, list_audit
from app.ui.admin.common import (
    action_label,
    entity_label,
    fill_row,
    local_time,
    make_table,
    selected_id,
)
from app.ui.context import AppContext
from app.ui.errors import describe_error
from app.ui.labels import station_label

PAGE_SIZE = 200


class AuditTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.setObjectName("admin_audit")
        self._rows: list[AuditRow] = []
        self._next: tuple[dt.datetime, int] | None = None
        self._filters = AuditFilters()

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
        today = QDate.currentDate()
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
        self.more_button = QPushButton(self.tr("Older entries"), self)
        self.more_button.setObjectName("audit_more")
        self.more_button.clicked.connect(self.load_more)

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

        self.table = make_table(self, "audit_table", [
            self.tr("Time"), self.tr("User"), self.tr("Station"), self.tr("Action"),
            self.tr("Kind"), self.tr("Record"), self.tr("Summary")], stretch=6)
        self.table.itemSelectionChanged.connect(self._show_detail)
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
        bottom.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        self.more_button.setEnabled(False)
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

    def search(self) -> None:
        self._filters = self.current_filters()
        self._rows = []
        self._fetch(None)

    def load_more(self) -> None:
        if self._next is not None:
            self._fetch(self._next)

    def _fetch(self, before: tuple[dt.datetime, int] | None) -> None:
        ctx, filters = self._ctx, self._filters
        self.more_button.setEnabled(False)
        ctx.run(lambda uow: list_audit(uow=uow, actor=ctx.actor, filters=filters,
                                       before=before, limit=PAGE_SIZE),
                on_done=self._loaded, on_error=self._failed, owner=self)

    def _loaded(self, page: AuditPage) -> None:
        start = len(self._rows)
        self._rows.extend(page.rows)
        self._next = page.next_before
        self.table.setRowCount(len(self._rows))
        for i, r in enumerate(self._rows[start:], start=start):
            fill_row(self.table, i, r.id, [
                local_time(r.at), r.user_name or "", station_label(r.station) if r.station else "",
                action_label(r.action),
                entity_label(r.entity), "" if r.entity_id is None else str(r.entity_id), r.summary])
        if start == 0:
            self.detail.setRowCount(0)
            if self._rows:
                self.table.selectRow(0)
            self._show_detail()
        self.more_button.setEnabled(self._next is not None)
        self.message.setText(self.tr("{count} entries shown").format(count=len(self._rows))
                             + ("" if self._next is None else " " + self.tr("(more below)")))

    def _failed(self, error: BaseException) -> None:
        self.message.setText(describe_error(error).text)

    def selected(self) -> AuditRow | None:
        chosen = selected_id(self.table)
        return next((r for r in self._rows if r.id == chosen), None)

    def _show_detail(self) -> None:
        row = self.selected()
        changes = row.changes if row is not None else ()
        self.detail.setRowCount(len(changes))
        for i, c in enumerate(changes):
            fill_row(self.detail, i, i, [c.field, c.before or "", c.after or ""])
        self.detail.resizeRowsToContents()

    @property
    def rows(self) -> tuple[AuditRow, ...]:
        return tuple(self._rows)
