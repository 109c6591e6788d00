"""工作任务: the task list — mine / my department / all — with the task's next step as buttons."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QWidget,
)

from app import i18n
from app.models.enums import Module, Operation, TaskStatus
from app.services.tasks import (
    TaskListView,
    TaskView,
    acknowledge_task,
    cancel_task,
    confirm_task,
    page_tasks,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import describe_error, show_error
from app.ui.formatting import format_date, group_digits
from app.ui.kit.list_page import ListPage
from app.ui.kit.record_dialog import keep_open
from app.ui.kit.rows import CurrentRowKeeper, held_rows, row_of
from app.ui.kit.table import Col, PageRequest
from app.ui.management.dialogs import (
    NewTaskDialog,
    TextPromptDialog,
    can_open_related,
    open_related,
    prompt_task_done,
    prompt_task_reopen,
)
from app.ui.record_labels import reference_label, state_label

OVERDUE_COLOUR = "#c62828"


def task_assignee(task: TaskView) -> str:
    """The person, or the department in the interface's language."""
    if task.assignee_name:
        return task.assignee_name
    zh = i18n.current_language().startswith("zh")
    return (task.department_name_zh if zh else task.department_name_en) or ""


def task_due_text(task: TaskView, overdue_word: str) -> str:
    due = format_date(task.due_on)
    return f"{due} · {overdue_word}" if task.overdue else due


def _overdue_colour(task: TaskView, role: int) -> Any:
    """Overdue tasks in red, as the service tickets list draws them."""
    if role == Qt.ItemDataRole.ForegroundRole and task.overdue:
        return QBrush(QColor(OVERDUE_COLOUR))
    return None


@dataclass(frozen=True)
class TaskQuery:
    """What the filters ask for; ``today`` decides what is overdue."""

    view: TaskListView
    include_closed: bool
    overdue_only: bool
    today: dt.date


class TaskListTab(ListPage):
    """Tasks with filters, soonest due first (any column sorts them, on the server); the
    buttons offer what the current task allows the user.

    Keys: Ctrl+N new task, Enter opens the record (or customer) the task is about,
    F5 refresh (through the page). Any task written anywhere in the program is heard on
    the change bus: the list reads again and that task becomes the current one.

    Signals:
        customer_activated(int): "Open customer".
    """

    customer_activated = Signal(int)

    module = Module.TASKS
    kind = "task"
    table_name = "task_table"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 *, today: dt.date | None = None) -> None:
        super().__init__(ctx, parent)
        self._today = today
        self.setObjectName("task_list_tab")
        self.loaded = False
        self.dialog: QWidget | None = None
        self.message_label.setObjectName("task_message")
        self.view_combo = QComboBox(self)
        self.view_combo.setObjectName("task_view_filter")
        self.view_combo.addItem(self.tr("Mine"), TaskListView.MINE)
        self.view_combo.addItem(self.tr("My department"), TaskListView.DEPARTMENT)
        self.view_combo.addItem(self.tr("All I may see"), TaskListView.ALL)
        if ctx.can(Module.TASKS, Operation.CONFIRM):
            self.view_combo.setCurrentIndex(2)
        self.view_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.overdue_check = QCheckBox(self.tr("Overdue only"), self)
        self.overdue_check.setObjectName("task_overdue_filter")
        self.overdue_check.toggled.connect(lambda _c: self.refresh())
        self.closed_check = QCheckBox(self.tr("Show closed"), self)
        self.closed_check.setObjectName("task_closed_filter")
        self.closed_check.toggled.connect(lambda _c: self.refresh())
        self.new_button = self.add_button(self.tr("New task…"), "new_task_button",
                                          self.new_task,
                                          visible=ctx.can(Module.TASKS, Operation.CREATE))
        self.new_button.setToolTip("Ctrl+N")
        self.add_filter(self.view_combo, self.tr("Show:"))
        self.add_filter(self.overdue_check)
        self.add_filter(self.closed_check)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.setObjectName("task_open")
        self.open_button.clicked.connect(self.open_current)
        self.detail_label = QLabel(self)
        self.detail_label.setObjectName("task_detail")
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.acknowledge_button = QPushButton(self.tr("Acknowledge"), self)
        self.acknowledge_button.setObjectName("task_acknowledge")
        self.acknowledge_button.clicked.connect(self.acknowledge_current)
        self.report_button = QPushButton(self.tr("Report done…"), self)
        self.report_button.setObjectName("task_report")
        self.report_button.clicked.connect(self.report_current)
        self.confirm_button = QPushButton(self.tr("Confirm"), self)
        self.confirm_button.setObjectName("task_confirm")
        self.confirm_button.clicked.connect(self.confirm_current)
        self.reopen_button = QPushButton(self.tr("Reopen…"), self)
        self.reopen_button.setObjectName("task_reopen")
        self.reopen_button.clicked.connect(self.reopen_current)
        self.edit_button = QPushButton(self.tr("Edit…"), self)
        self.edit_button.setObjectName("task_edit")
        self.edit_button.setToolTip(self.tr("Change the task you assigned (Ctrl+E)"))
        self.edit_button.clicked.connect(self.edit_current)
        QShortcut(QKeySequence("Ctrl+E"), self, activated=self.edit_current)
        self.cancel_button = QPushButton(self.tr("Cancel task"), self)
        self.cancel_button.setObjectName("task_cancel")
        self.cancel_button.clicked.connect(self.cancel_current)
        buttons = QHBoxLayout()
        buttons.addWidget(self.detail_label, 1)
        for button in (self.open_button, self.acknowledge_button, self.report_button,
                       self.confirm_button, self.reopen_button, self.edit_button,
                       self.cancel_button):
            buttons.addWidget(button)
        self.add_footer(buttons)
        self.keeper = CurrentRowKeeper(self.table, self.model)
        self.keeper.current_changed.connect(self._current_changed)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _c, _p: self._current_changed())
        self.model.page_loaded.connect(self._loaded)
        self.model.load_failed.connect(lambda _e: self._loaded())
        # The task just written (here, in a form, on the to-do list) becomes current.
        ctx.changes.follow(self, ("task",), lambda _kind, task_id: self.keeper.prefer(task_id))
        self.setFocusProxy(self.table)
        self._update_buttons()
        self.start()

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    def overdue_word(self) -> str:
        return self.tr("Overdue")

    def columns(self) -> list[Col[Any]]:
        # The keys are the service's sort keys (TASK_SORT_KEYS).
        return [Col(key, title, value, sort=key, width=width, role=_overdue_colour)
                for key, title, value, width in (
            ("task", self.tr("Task"), lambda t: t.title, 220),
            ("assignee", self.tr("Assignee"), task_assignee, 110),
            ("customer", self.tr("Customer"), lambda t: t.customer_name or "", 190),
            ("priority", self.tr("Priority"),
             lambda t: reference_label("task", t.priority.value), 120),
            ("status", self.tr("Status"), lambda t: state_label("task", t.status.value), 100),
            ("due_on", self.tr("Due on"), lambda t: task_due_text(t, self.overdue_word()),
             160),
            ("assigned_by", self.tr("Assigned by"), lambda t: t.assigned_by_name, None),
        )]

    # --- loading ---------------------------------------------------------------------------

    def current_query(self) -> TaskQuery:
        return TaskQuery(view=self.view_combo.currentData(),
                         include_closed=self.closed_check.isChecked(),
                         overdue_only=self.overdue_check.isChecked(), today=self.today)

    def fetch(self, uow: UnitOfWork, query: TaskQuery, request: PageRequest) -> Any:
        return page_tasks(uow=uow, actor=self._ctx.actor, view=query.view,
                          include_closed=query.include_closed,
                          overdue_only=query.overdue_only, today=query.today,
                          after=request.after, limit=request.limit, sort=request.sort,
                          with_total=request.with_total)

    def _loaded(self) -> None:
        self.loaded = True
        self._current_changed()

    def show_count(self) -> None:
        """How many tasks, and how many of those shown are overdue."""
        shown, total = self.model.rowCount(), self.model.total
        overdue = sum(1 for t in held_rows(self.model) if t.overdue)
        partial = total is not None and total > shown
        if not shown:
            text = self.tr("No tasks.")
        elif partial and overdue:
            text = self.tr("{shown} of {total} tasks shown, {overdue} of them overdue.").format(
                shown=shown, total=group_digits(total or 0), overdue=overdue)
        elif partial:
            text = self.tr("{shown} of {total} tasks shown.").format(
                shown=shown, total=group_digits(total or 0))
        elif overdue:
            text = self.tr("{count} tasks, {overdue} of them overdue.").format(
                count=shown, overdue=overdue)
        else:
            text = self.tr("{count} tasks.").format(count=shown)
        self.message_label.setText(text)

    def open_record(self, record_id: int) -> object:
        row = row_of(self.model, record_id)
        return self.open_task(self.model.row_at(row)) if row >= 0 else None

    # --- actions ---------------------------------------------------------------------------

    def current_row(self) -> int:
        index = self.table.currentIndex()
        return index.row() if index.isValid() else -1

    def current_task(self) -> TaskView | None:
        return self.model.row_at(self.current_row())

    def select_task(self, task_id: int) -> bool:
        row = row_of(self.model, task_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    def new_task(self) -> NewTaskDialog | None:
        if not self.new_button.isVisible():
            return None
        dialog = NewTaskDialog(self._ctx, self, today=self.today)
        self.dialog = dialog
        keep_open(dialog)
        return dialog

    # The main window's New (Ctrl+N) on this page.
    new_record = new_task

    def edit_current(self) -> NewTaskDialog | None:
        """The creator changes the current task (title, assignee, due date, ...)."""
        task = self.current_task()
        if task is None or not self.edit_button.isEnabled():
            return None
        dialog = NewTaskDialog(self._ctx, self, today=self.today, task=task)
        self.dialog = dialog
        keep_open(dialog)
        return dialog

    def open_current(self) -> object:
        """Open the record the task is about, else its customer."""
        return self.open_task(self.current_task())

    def open_task(self, task: TaskView | None) -> object:
        if task is None:
            return None
        if task.related_entity and task.related_id is not None:
            opened = open_related(self._ctx, task.related_entity, task.related_id, self)
            if opened is not None:
                self.dialog = opened
                return opened
        if task.customer_id is not None:
            self.customer_activated.emit(task.customer_id)
        return None

    def acknowledge_current(self) -> None:
        self._run_on_current(lambda uow, actor, t: acknowledge_task(
            uow=uow, actor=actor, task_id=t.id, expected_version=t.version))

    def confirm_current(self) -> None:
        self._run_on_current(lambda uow, actor, t: confirm_task(
            uow=uow, actor=actor, task_id=t.id, expected_version=t.version))

    def cancel_current(self) -> None:
        self._run_on_current(lambda uow, actor, t: cancel_task(
            uow=uow, actor=actor, task_id=t.id, expected_version=t.version))

    def report_current(self) -> TextPromptDialog | None:
        task = self.current_task()
        if task is None:
            return None
        self.dialog = prompt_task_done(self._ctx, self, task.id, task.version, task.title)
        return self.dialog

    def reopen_current(self) -> TextPromptDialog | None:
        task = self.current_task()
        if task is None:
            return None
        self.dialog = prompt_task_reopen(self._ctx, self, task.id, task.version, task.title)
        return self.dialog

    def _run_on_current(self, call: Callable[[Any, Any, TaskView], TaskView]) -> None:
        task = self.current_task()
        if task is None:
            return
        actor = self._ctx.actor
        for button in self._action_buttons():
            button.setEnabled(False)
        self.message_label.setText(self.tr("Saving…"))
        self._ctx.run(lambda uow: call(uow, actor, task),
                      on_done=lambda view: self._ctx.changes.publish("task", view.id),
                      on_error=self._action_failed, owner=self)

    def _action_failed(self, error: BaseException) -> None:
        self.message_label.setText(describe_error(error).text)
        show_error(self, error)
        self.refresh()

    # --- state -----------------------------------------------------------------------------

    def _action_buttons(self) -> tuple[QPushButton, ...]:
        return (self.acknowledge_button, self.report_button, self.confirm_button,
                self.reopen_button, self.edit_button, self.cancel_button)

    def _current_changed(self) -> None:
        task = self.current_task()
        if task is None:
            self.detail_label.setText("")
        else:
            parts = [task.description or ""]
            if task.report:
                parts.append(self.tr("Report: {report}").format(report=task.report))
            self.detail_label.setText("\n".join(p for p in parts if p))
        self._update_buttons()

    def _update_buttons(self) -> None:
        task = self.current_task()
        me = self._ctx.actor
        status = task.status if task is not None else None
        mine = task is not None and (
            task.assignee_id == me.user_id
            or (task.assignee_id is None and task.assignee_department_id is not None
                and task.assignee_department_id == me.department_id))
        may_edit = self._ctx.can(Module.TASKS, Operation.EDIT)
        may_confirm = self._ctx.can(Module.TASKS, Operation.CONFIRM)
        self.acknowledge_button.setEnabled(
            mine and may_edit and status in (TaskStatus.OPEN, TaskStatus.RETURNED))
        self.report_button.setEnabled(
            mine and may_edit and status in (TaskStatus.OPEN, TaskStatus.ACKNOWLEDGED,
                                             TaskStatus.RETURNED))
        decide = (task is not None and may_confirm and status is TaskStatus.REPORTED_DONE
                  and task.assignee_id != me.user_id)
        self.confirm_button.setEnabled(decide)
        self.reopen_button.setEnabled(decide)
        self.open_button.setEnabled(task is not None and (
            task.customer_id is not None
            or (task.related_id is not None and can_open_related(task.related_entity))))
        changeable = (task is not None and task.assigned_by_id == me.user_id
                      and status not in (TaskStatus.CONFIRMED, TaskStatus.CANCELLED))
        self.cancel_button.setEnabled(changeable)
        self.edit_button.setEnabled(changeable and self._ctx.can(Module.TASKS,
                                                                 Operation.CREATE))
        self.edit_button.setVisible(self._ctx.can(Module.TASKS, Operation.CREATE))
        self.confirm_button.setVisible(may_confirm)
        self.reopen_button.setVisible(may_confirm)
        self.cancel_button.setVisible(self._ctx.can(Module.TASKS, Operation.CREATE))


__all__ = ["TaskListTab", "task_assignee", "task_due_text"]
