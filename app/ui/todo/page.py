"""今日待办: each user's one to-do list — tasks, follow-ups, returned records, contracts, care.

The list comes from :func:`app.services.todo.todo_list`, overdue first, then by due date,
with a kind column; the buttons offer what the current line allows:

* task (工作任务): Acknowledge, Report done…, Open record (the record the task is about) or
  Open customer; for management, a task someone reported done (待确认): Confirm, Reopen…;
* follow-up (跟进): Done (Space), Open customer;
* returned record (退回): Open record to correct it (a repair record opens a correction
  dialog that resubmits), Resubmit;
* contract ending within 30 days: Open contract;
* customer care item (客户关怀): Record outcome… (done, postponed or skipped);
* service ticket assigned to a technician (服务单), overdue past its SLA due time: Open
  ticket (Enter or a double click);
* for the customer guard (客户资源安全, the general manager by default): a person's day
  flagged in the read trail — Show reads (the statistics module's customer base protection
  tab, with what the person read that day), Mark handled (Ctrl+H, with edit rights).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import labels
from app.models.enums import Module, Operation, TicketStatus
from app.services import guard_watch
from app.services.confirmation import submit_record
from app.services.errors import ConflictError
from app.services.tasks import acknowledge_task, confirm_task
from app.services.todo import TodoItem, TodoKind, todo_list
from app.services.visits import mark_follow_up_done
from app.ui.context import AppContext
from app.ui.contracts.contract_dialog import open_contract as open_contract_dialog
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_date
from app.ui.kit.list_page import prepare_table
from app.ui.kit.record_dialog import keep_open
from app.ui.kit.rows import CurrentRowKeeper, held_rows, row_of
from app.ui.kit.table import Col, PagedTableModel, PageRequest
from app.ui.management.dialogs import (
    RepairCorrectionDialog,
    can_open_related,
    changed_kind,
    open_related,
    prompt_task_done,
    prompt_task_reopen,
)
from app.ui.record_labels import kind_icon, kind_label, reference_label
from app.ui.shell.record_openers import record_openers
from app.ui.statistics.guard_open import open_guard_reads

OVERDUE_COLOUR = "#b00020"
EXPIRING_WITHIN_DAYS = 30
# The timeline kind whose coloured icon marks each line.
_ICON_KINDS = {TodoKind.TASK: "task", TodoKind.FOLLOW_UP: "visit",
               TodoKind.RETURNED: "change", TodoKind.CONTRACT: "service_ticket",
               TodoKind.CARE: "care", TodoKind.TICKET: "service_ticket",
               # A flagged day of the read trail: the audit entries' grey.
               TodoKind.GUARD: "change"}
# What a line on the list may be: a write of any of these kinds (heard on the change bus)
# may add a line, take one away or change it; "feed" is what the live poller publishes
# when another station changed something for this person.
FOLLOWED_KINDS = ("opportunity", "task", "ticket", "quotation", "order", "care", "contract",
                  "visit", "feed")
# Followed as well by the customer guard only (the module's VIEW): a flagged day kept by
# this station's check (app.ui.shell.guard) or marked handled.
GUARD_KINDS = (guard_watch.KIND,)


def _overdue_colour(item: TodoItem, role: int) -> Any:
    if role == Qt.ItemDataRole.ForegroundRole and item.overdue:
        return QBrush(QColor(OVERDUE_COLOUR))
    return None


class TodoPage(QWidget):
    """The to-do list of the logged-in user (see the module docstring); any column sorts
    it (in memory: the list comes whole). A write of any record that may be on it, in any
    window, is heard on the change bus and the list reads again.

    Keys: Enter opens the line (customer, record or contract), Space marks a follow-up
    done, Ctrl+K acknowledges a task, Ctrl+H marks a customer base protection alert
    handled.

    Signals:
        customer_activated(int): "Open customer".
    """

    customer_activated = Signal(int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("todo_page")
        self._ctx = ctx
        self._today = today
        self.loaded = False
        self.dialog: QWidget | None = None
        title = QLabel(self.tr("To-do today"), self)
        title.setObjectName("todo_title")
        font = title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        title.setFont(font)
        self.date_label = QLabel(self)
        self.date_label.setObjectName("todo_date")
        self.model = PagedTableModel(self.columns(), self._load, local=True,
                                     row_id=lambda item: (item.kind, item.id), parent=self)
        self.table = QTableView(self)
        self.table.setObjectName("todo_table")
        prepare_table(self.table, self.model)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.activated.connect(lambda _index: self.open_current())
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._update_buttons())
        self.table.installEventFilter(self)
        self.keeper = CurrentRowKeeper(self.table, self.model)
        self.keeper.current_changed.connect(self._update_buttons)
        self.model.page_loaded.connect(self._loaded)
        self.model.load_failed.connect(self._on_failed)

        self.open_button = QPushButton(self.tr("Open customer"), self)
        self.open_button.setObjectName("todo_open")
        self.open_button.clicked.connect(self.open_current)
        self.done_button = QPushButton(self.tr("Done"), self)
        self.done_button.setObjectName("todo_done")
        self.done_button.setToolTip(self.tr("Mark the follow-up done (Space)"))
        self.done_button.clicked.connect(self.mark_done)
        self.acknowledge_button = QPushButton(self.tr("Acknowledge"), self)
        self.acknowledge_button.setObjectName("todo_acknowledge")
        self.acknowledge_button.setToolTip("Ctrl+K")
        self.acknowledge_button.clicked.connect(self.acknowledge)
        QShortcut(QKeySequence("Ctrl+K"), self, activated=self.acknowledge)
        self.report_button = QPushButton(self.tr("Report done…"), self)
        self.report_button.setObjectName("todo_report")
        self.report_button.clicked.connect(self.report_done)
        self.resubmit_button = QPushButton(self.tr("Resubmit"), self)
        self.resubmit_button.setObjectName("todo_resubmit")
        self.resubmit_button.setToolTip(self.tr("Submit the corrected record to management"))
        self.resubmit_button.clicked.connect(self.resubmit)
        # Management: work reported done waits for its confirmation (待确认).
        may_confirm = ctx.can(Module.TASKS, Operation.CONFIRM)
        self.confirm_button = QPushButton(self.tr("Confirm"), self)
        self.confirm_button.setObjectName("todo_confirm")
        self.confirm_button.setToolTip(self.tr("Accept the work reported done"))
        self.confirm_button.clicked.connect(self.confirm)
        self.confirm_button.setVisible(may_confirm)
        self.reopen_button = QPushButton(self.tr("Reopen…"), self)
        self.reopen_button.setObjectName("todo_reopen")
        self.reopen_button.setToolTip(self.tr("Send the task back with what is still missing"))
        self.reopen_button.clicked.connect(self.reopen)
        self.reopen_button.setVisible(may_confirm)
        # The customer guard: a flagged day leaves everyone's list once someone dealt with it.
        self.may_handle = ctx.can(Module.CUSTOMER_GUARD, Operation.EDIT)
        self.handled_button = QPushButton(self.tr("Mark handled"), self)
        self.handled_button.setObjectName("todo_handled")
        self.handled_button.setToolTip(
            self.tr("The alert was dealt with: it leaves everyone's to-do list (Ctrl+H)")
            if self.may_handle else
            self.tr("Your role may not mark customer base protection alerts handled."))
        self.handled_button.clicked.connect(self.mark_handled)
        self.handled_button.setVisible(ctx.can(Module.CUSTOMER_GUARD, Operation.VIEW))
        QShortcut(QKeySequence("Ctrl+H"), self, activated=self.mark_handled)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("todo_status")
        self.status_label.setWordWrap(True)
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("todo_detail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        header = QHBoxLayout()
        header.addWidget(title)
        header.addWidget(self.date_label, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status_label, 1)
        for button in self._action_buttons():
            buttons.addWidget(button)
        self._layout = QVBoxLayout(self)
        self._layout.addLayout(header)
        self._layout.addWidget(self.table, 3)
        self._layout.addWidget(self.detail_label)
        self._layout.addLayout(buttons)
        self.setFocusProxy(self.table)
        followed = FOLLOWED_KINDS + (GUARD_KINDS if ctx.can(Module.CUSTOMER_GUARD,
                                                            Operation.VIEW) else ())
        ctx.changes.follow(self, followed, lambda _kind, _id: self.refresh())
        self._update_buttons()
        self.refresh()

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def columns(self) -> list[Col[TodoItem]]:
        def col(key: str, title: str, value: Callable[[TodoItem], object], width: int | None,
                **more: Any) -> Col[TodoItem]:
            return Col(key, title, value, width=width, role=more.pop("role", _overdue_colour),
                       **more)

        # The kind's icon and its longest name ("Customer base protection") whole.
        kind_width = max(160, self.fontMetrics().horizontalAdvance(
            self.tr("Customer base protection")) + 52)
        return [
            col("due", self.tr("Due"), self.due_text, 150, sort_value=lambda i: i.due),
            col("kind", self.tr("Kind"), self.kind_text, kind_width, role=self._kind_role),
            col("title", self.tr("To do"), lambda i: i.title, 240),
            col("customer", self.tr("Customer"), lambda i: i.customer_name or "", 200),
            col("detail", self.tr("Detail"), self.detail_text, None),
        ]

    def _kind_role(self, item: TodoItem, role: int) -> Any:
        if role == Qt.ItemDataRole.DecorationRole:
            return kind_icon(_ICON_KINDS[item.kind])
        return _overdue_colour(item, role)

    def refresh(self) -> None:
        """Read the list again (the day may have changed since it was opened)."""
        today = self.today
        self.date_label.setText(format_date(today))
        if not self.loaded:
            self._set_status(self.tr("Loading…"))
        self.model.set_query(today, force=True)

    def _load(self, today: dt.date, request: PageRequest,
              on_done: Callable[[Any], None],
              on_error: Callable[[BaseException], None]) -> None:
        actor = self._ctx.actor
        self._ctx.run(lambda uow: todo_list(uow=uow, actor=actor, today=today),
                      on_done=on_done, on_error=on_error, owner=self)

    def on_connection_restored(self) -> None:
        self.refresh()

    @property
    def items(self) -> tuple[TodoItem, ...]:
        """The lines, in the order shown."""
        return held_rows(self.model)

    def current_item(self) -> TodoItem | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def select(self, kind: TodoKind, item_id: int) -> bool:
        row = row_of(self.model, (TodoKind(kind), item_id))
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    # --- actions ---------------------------------------------------------------------------

    def open_current(self) -> object:
        item = self.current_item()
        if item is None:
            return None
        if item.kind is TodoKind.CONTRACT:
            dialog = open_contract_dialog(self._ctx, item.id, parent=self)
            dialog.show()
            self.dialog = dialog
            return dialog
        if item.kind is TodoKind.RETURNED:
            return self._open_returned(item)
        if item.kind is TodoKind.TICKET:
            opener = record_openers().opener_for("service_ticket")
            opened = opener(self._ctx, item.id, self) if opener is not None else None
            self.dialog = opened  # type: ignore[assignment]
            return opened
        if item.kind is TodoKind.GUARD:
            return self._open_guard(item)
        if item.kind is TodoKind.CARE:
            from app.ui.care.outcome_dialog import open_care_item
            care = open_care_item(self._ctx, item.id, self, today=self.today)
            care.show()
            self.dialog = care
            return care
        if item.kind is TodoKind.TASK and item.related_kind and item.related_id is not None:
            opened = open_related(self._ctx, item.related_kind, item.related_id, self)
            if opened is not None:
                self.dialog = opened  # type: ignore[assignment]
                return opened
        if item.customer_id is not None:
            self.customer_activated.emit(item.customer_id)
        return None

    def _open_guard(self, item: TodoItem) -> object:
        """The statistics module's customer base protection tab, with what the person
        read on the flagged day over it."""
        if item.related_id is None or item.due is None:
            return None
        dialog = open_guard_reads(self._ctx, self.window(), item.related_id, item.due,
                                  name=item.title, why=item.detail or "")
        self.dialog = dialog
        return dialog

    def _open_returned(self, item: TodoItem) -> object:
        if item.record_kind == "repair":
            dialog = RepairCorrectionDialog(self._ctx, item.id, self)
            keep_open(dialog)
            self.dialog = dialog
            return dialog
        opener = record_openers().opener_for(item.record_kind or "")
        if opener is None:
            return None
        opened = opener(self._ctx, item.id, self)
        self.dialog = opened  # type: ignore[assignment]
        return opened

    def mark_done(self) -> None:
        item = self.current_item()
        if item is None or item.kind is not TodoKind.FOLLOW_UP:
            return
        actor = self._ctx.actor
        self.done_button.setEnabled(False)
        self._ctx.run(
            lambda uow: mark_follow_up_done(uow=uow, actor=actor, visit_id=item.id),
            on_done=lambda _v: self._ctx.changes.publish("visit", item.id),
            on_error=self._on_action_failed, owner=self)

    def acknowledge(self) -> None:
        item = self.current_item()
        if item is None or not self.acknowledge_button.isEnabled():
            return
        actor = self._ctx.actor
        self.acknowledge_button.setEnabled(False)
        self._ctx.run(lambda uow: acknowledge_task(uow=uow, actor=actor, task_id=item.id,
                                                   expected_version=item.version),
                      on_done=lambda _v: self._ctx.changes.publish("task", item.id),
                      on_error=self._on_action_failed, owner=self)

    def mark_handled(self) -> None:
        """The customer base protection alert on the current line was dealt with."""
        item = self.current_item()
        if (item is None or item.kind is not TodoKind.GUARD
                or not self.handled_button.isEnabled()):
            return
        actor = self._ctx.actor
        self.handled_button.setEnabled(False)
        self._ctx.run(lambda uow: guard_watch.mark_handled(uow=uow, actor=actor,
                                                           alert_id=item.id,
                                                           expected_version=item.version),
                      on_done=lambda _v: self._ctx.changes.publish(guard_watch.KIND, item.id),
                      on_error=self._on_action_failed, owner=self)

    def report_done(self) -> QWidget | None:
        item = self.current_item()
        if item is None or item.kind is not TodoKind.TASK or item.awaits_confirmation:
            return None
        self.dialog = prompt_task_done(self._ctx, self, item.id, item.version, item.title)
        return self.dialog

    def confirm(self) -> None:
        """Confirm the task reported done on the current line."""
        item = self.current_item()
        if item is None or not item.awaits_confirmation or not self.confirm_button.isVisible():
            return
        actor = self._ctx.actor
        self.confirm_button.setEnabled(False)
        self.reopen_button.setEnabled(False)
        self._ctx.run(lambda uow: confirm_task(uow=uow, actor=actor, task_id=item.id,
                                               expected_version=item.version),
                      on_done=lambda _v: self._ctx.changes.publish("task", item.id),
                      on_error=self._on_action_failed, owner=self)

    def reopen(self) -> QWidget | None:
        item = self.current_item()
        if item is None or not item.awaits_confirmation or not self.reopen_button.isVisible():
            return None
        self.dialog = prompt_task_reopen(self._ctx, self, item.id, item.version, item.title)
        return self.dialog

    def resubmit(self) -> None:
        item = self.current_item()
        if item is None or item.kind is not TodoKind.RETURNED:
            return
        if item.record_kind == "repair":
            self._open_returned(item)  # the correction dialog resubmits
            return
        actor, kind = self._ctx.actor, item.record_kind or ""
        self.resubmit_button.setEnabled(False)
        self._ctx.run(lambda uow: submit_record(uow=uow, actor=actor, kind=kind,
                                                record_id=item.id,
                                                expected_version=item.version),
                      on_done=lambda _v: self._ctx.changes.publish(changed_kind(kind), item.id),
                      on_error=self._on_action_failed, owner=self)

    # --- results --------------------------------------------------------------------------

    def kind_text(self, item: TodoItem) -> str:
        if item.kind is TodoKind.TASK:
            return kind_label("task")
        if item.kind is TodoKind.FOLLOW_UP:
            return self.tr("Follow-up")
        if item.kind is TodoKind.RETURNED:
            return self.tr("Returned {record}").format(record=kind_label(item.record_kind or ""))
        if item.kind is TodoKind.CONTRACT:
            return self.tr("Contract expiring")
        if item.kind is TodoKind.TICKET:
            return kind_label("service_ticket")
        if item.kind is TodoKind.GUARD:
            return self.tr("Customer base protection")
        return kind_label("care")

    def detail_text(self, item: TodoItem) -> str:
        if item.kind is TodoKind.CARE:
            from app.ui.care.common import care_kind_label
            return care_kind_label(item.record_kind or "")
        if item.kind is TodoKind.CONTRACT and item.due is not None:
            return self.tr("Ends in {days} days").format(days=(item.due - self.today).days)
        if item.kind is TodoKind.RETURNED:
            return self.tr("Returned: {comment}").format(comment=item.detail or "")
        if item.kind is TodoKind.TICKET and item.status:
            status = labels.label(TicketStatus(item.status))
            return " · ".join(p for p in (status, item.detail) if p)
        if item.kind is TodoKind.TASK and item.awaits_confirmation:
            report = self.tr("{person} reported: {report}").format(
                person=item.assignee_name or "?",
                report=(item.report or "").replace("\n", " "))
            return " · ".join(p for p in (item.detail, report) if p)
        if item.kind is TodoKind.TASK:
            priority = reference_label("task", item.priority or "")
            return " · ".join(p for p in (priority, (item.detail or "").replace("\n", " "))
                              if p)
        return (item.detail or "").replace("\n", " ")

    def due_text(self, item: TodoItem) -> str:
        due = format_date(item.due)
        return self.tr("{date} (overdue)").format(date=due) if item.overdue else due

    def _loaded(self) -> None:
        items = self.items
        overdue = sum(1 for i in items if i.overdue)
        if not items:
            self._set_status(self.tr("Nothing to do today."))
        elif overdue:
            self._set_status(self.tr("{count} to do, {overdue} of them overdue.").format(
                count=len(items), overdue=overdue))
        else:
            self._set_status(self.tr("{count} to do.").format(count=len(items)))
        self.loaded = True
        self._update_buttons()

    def _on_failed(self, error: BaseException) -> None:
        self.loaded = True
        self._set_status(describe_error(error).text, error=True)
        self._update_buttons()

    def _on_action_failed(self, error: BaseException) -> None:
        self._set_status(describe_error(error).text, error=True)
        if isinstance(error, ConflictError):
            show_error(self, error)
        self.refresh()

    def _action_buttons(self) -> tuple[QPushButton, ...]:
        return (self.open_button, self.acknowledge_button, self.report_button,
                self.done_button, self.resubmit_button, self.confirm_button,
                self.reopen_button, self.handled_button)

    def _update_buttons(self) -> None:
        item = self.current_item()
        kind = item.kind if item is not None else None
        self.done_button.setEnabled(kind is TodoKind.FOLLOW_UP)
        self.acknowledge_button.setEnabled(kind is TodoKind.TASK and item is not None
                                           and item.status in ("open", "returned"))
        waiting = item is not None and item.awaits_confirmation
        self.report_button.setEnabled(kind is TodoKind.TASK and not waiting)
        self.confirm_button.setEnabled(waiting)
        self.reopen_button.setEnabled(waiting)
        self.resubmit_button.setEnabled(kind is TodoKind.RETURNED)
        self.handled_button.setEnabled(kind is TodoKind.GUARD and self.may_handle)
        if kind is TodoKind.CONTRACT:
            self.open_button.setText(self.tr("Open contract"))
        elif kind is TodoKind.CARE:
            self.open_button.setText(self.tr("Record outcome…"))
        elif kind is TodoKind.TICKET:
            self.open_button.setText(self.tr("Open ticket"))
        elif kind is TodoKind.GUARD:
            self.open_button.setText(self.tr("Show reads"))
        elif kind is TodoKind.RETURNED or (
                kind is TodoKind.TASK and item is not None and item.related_id is not None
                and can_open_related(item.related_kind)):
            self.open_button.setText(self.tr("Open record"))
        else:
            self.open_button.setText(self.tr("Open customer"))
        self.open_button.setEnabled(item is not None and (
            kind in (TodoKind.CONTRACT, TodoKind.RETURNED, TodoKind.CARE, TodoKind.TICKET,
                     TodoKind.GUARD)
            or item.customer_id is not None
            or (item.related_id is not None and can_open_related(item.related_kind))))
        self.detail_label.setText(self.detail_text(item) if item is not None else "")
        self.detail_label.setVisible(bool(self.detail_label.text()))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {OVERDUE_COLOUR};" if error else "")

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (watched is self.table and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent) and event.key() == Qt.Key.Key_Space):
            self.mark_done()
            return True
        return super().eventFilter(watched, event)
