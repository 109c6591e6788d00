"""Small dialogs of the work queue: a comment or report prompt, a new task, a repair correction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app import i18n
from app.models.enums import Priority
from app.saving import new_request_key
from app.services.confirmation import (
    RecordKind,
    RepairCorrection,
    correct_repair_record,
    get_repair_correction,
)
from app.services.tasks import (
    TaskDraft,
    TaskView,
    assignable_departments,
    assignable_users,
    create_task,
    reopen_task,
    report_task_done,
    update_task,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.kit.chooser import CustomerChooser
from app.ui.kit.fields import error_label
from app.ui.kit.record_dialog import RecordDialog, keep_open
from app.ui.record_labels import reference_label
from app.ui.saving import save_keyed
from app.ui.shell.record_openers import record_openers

# (uow, typed text) -> the service's result
TextAction = Callable[[UnitOfWork, str], Any]

# The change-bus kind of the records management confirms (a repair record is its ticket's).
_DECIDED_KINDS = {RecordKind.VISIT: "visit", RecordKind.ORDER: "order",
                  RecordKind.REPAIR: "ticket"}


def changed_kind(kind: RecordKind | str) -> str:
    """What a confirm, a return or a resubmission of a ``kind`` record announces on the
    change bus, so the queue, the to-do lists and the record's own list read again."""
    return _DECIDED_KINDS[RecordKind(kind)]


def can_open_related(kind: str | None) -> bool:
    """Whether a task's related record of ``kind`` has a screen to open it."""
    return kind == "contract" or (kind is not None and kind in record_openers())


def open_related(ctx: AppContext, kind: str, record_id: int,
                 parent: QWidget | None) -> QWidget | None:
    """Open the record a task is about (a contract, or any kind of the record openers)."""
    if kind == "contract":
        from app.ui.contracts.contract_dialog import open_contract

        dialog = open_contract(ctx, record_id, parent=parent)
        dialog.show()
        return dialog
    opener = record_openers().opener_for(kind)
    if opener is None:
        return None
    opened = opener(ctx, record_id, parent)
    return opened if isinstance(opened, QWidget) else None


def _field_row(dialog: RecordDialog, form: QFormLayout, field: str, title: str,
               widget: QWidget) -> None:
    label = error_label(field, dialog)
    box = QVBoxLayout()
    box.setSpacing(2)
    box.addWidget(widget)
    box.addWidget(label)
    form.addRow(title, box)
    dialog.register_field(field, label, widget)


class TextPromptDialog(RecordDialog):
    """Asks for one required text (a return comment, a work report) and runs ``action``.

    Ctrl+Enter or Ctrl+S saves, Esc cancels. Signals: saved(result) once the action succeeded.
    """

    saved = Signal(object)

    def __init__(self, ctx: AppContext, *, title: str, prompt: str, field: str,
                 button: str, action: TextAction, context: str = "",
                 record_kind: str = "", parent: QWidget | None = None) -> None:
        self.record_kind = record_kind  # what the action writes, for the change bus
        super().__init__(ctx, parent)
        self.setObjectName("text_prompt_dialog")
        self.setWindowTitle(title)
        self._action = action
        self._field = field
        self.result_value: Any = None
        self.print_button.hide()
        self.context_label = QLabel(context, self)
        self.context_label.setObjectName("prompt_context")
        self.context_label.setWordWrap(True)
        self.context_label.setVisible(bool(context))
        self.prompt_label = QLabel(prompt, self)
        self.text_edit = QPlainTextEdit(self)
        self.text_edit.setObjectName("prompt_text")
        self.text_edit.setTabChangesFocus(True)
        self.error = error_label(field, self)
        self.register_field(field, self.error, self.text_edit)
        self.ok_button = QPushButton(button, self)
        self.ok_button.setObjectName("prompt_ok")
        self.ok_button.setDefault(True)
        self.ok_button.setToolTip("Ctrl+Enter")
        self.ok_button.clicked.connect(self.submit)
        self.close_button.setText(self.tr("Cancel"))
        for keys in ("Ctrl+Return", "Ctrl+Enter", "Ctrl+S"):
            QShortcut(QKeySequence(keys), self, activated=self.submit)
        actions = QHBoxLayout()
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.ok_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.context_label)
        layout.addWidget(self.prompt_label)
        layout.addWidget(self.text_edit, 1)
        layout.addWidget(self.error)
        layout.addLayout(actions)
        self.resize(480, 280)
        self.text_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def update_actions(self) -> None:
        self.ok_button.setEnabled(not self._busy)

    def submit(self) -> None:
        if self._busy:
            return
        self.clear_errors()
        text = self.text_edit.toPlainText()
        if not text.strip():
            self.place_errors({self._field: self.tr("Please write something here.")})
            return
        action = self._action
        self.set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: action(uow, text), on_done=self._on_saved,
                      on_error=self._failed, owner=self)

    def _on_saved(self, result: Any) -> None:
        self.result_value = result
        self.set_busy(False)
        self.saved.emit(result)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        from app.services.errors import ConflictError, ValidationError

        if isinstance(error, ValidationError):
            self._on_save_failed(error)
            return
        self.set_busy(False, self.tr("Not saved. What you typed is still here."), error=True)
        show_error(self, error)
        if isinstance(error, ConflictError):
            self.reject()


def open_text_prompt(ctx: AppContext, parent: QWidget | None, **kwargs: Any
                     ) -> TextPromptDialog:
    return keep_open(TextPromptDialog(ctx, parent=parent, **kwargs))


def prompt_task_done(ctx: AppContext, parent: QWidget | None, task_id: int, version: int,
                     title: str) -> TextPromptDialog:
    """Ask the assignee what was done, then report the task done (tasks tab, to-do page)."""
    actor = ctx.actor
    return open_text_prompt(
        ctx, parent, title=QCoreApplication.translate("TaskPrompts", "Report done"),
        prompt=QCoreApplication.translate("TaskPrompts", "What was done?"),
        context=title, field="report", record_kind="task",
        button=QCoreApplication.translate("TaskPrompts", "Report done"),
        action=lambda uow, text: report_task_done(
            uow=uow, actor=actor, task_id=task_id, expected_version=version, report=text))


def prompt_task_reopen(ctx: AppContext, parent: QWidget | None, task_id: int, version: int,
                       title: str) -> TextPromptDialog:
    """Ask what is still missing, then send the task back (tasks tab, to-do page)."""
    actor = ctx.actor
    return open_text_prompt(
        ctx, parent, title=QCoreApplication.translate("TaskPrompts", "Reopen task"),
        prompt=QCoreApplication.translate("TaskPrompts", "What is still missing?"),
        context=title, field="comment", record_kind="task",
        button=QCoreApplication.translate("TaskPrompts", "Reopen"),
        action=lambda uow, text: reopen_task(
            uow=uow, actor=actor, task_id=task_id, expected_version=version, comment=text))


class NewTaskDialog(RecordDialog):
    """Management assigns a task (工作任务) to a person or a department.

    Given ``task``, the same form edits that task (its creator, while it is not closed):
    saving sends the version loaded, and a conflict says who saved in between.

    Enter in the title or Ctrl+S saves. Signals: saved(TaskView).
    """

    record_kind = "task"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None,
                 *, today: dt.date | None = None, task: TaskView | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("new_task_dialog" if task is None else "edit_task_dialog")
        self.setWindowTitle(self.tr("New task") if task is None
                            else self.tr("Edit task — {title}").format(title=task.title))
        self.print_button.hide()
        self.task = task
        self.view: TaskView | None = None
        self.loaded = False
        # Taken when the form opens: creating it again after a lost answer saves it once.
        self.request_key = new_request_key()
        self._today = today or dt.date.today()
        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("task_title")
        self.title_edit.setMaxLength(200)
        self.title_edit.returnPressed.connect(self.save)
        self.person_radio = QRadioButton(self.tr("Person"), self)
        self.person_radio.setObjectName("assign_person")
        self.department_radio = QRadioButton(self.tr("Department"), self)
        self.department_radio.setObjectName("assign_department")
        group = QButtonGroup(self)
        group.addButton(self.person_radio)
        group.addButton(self.department_radio)
        self.person_radio.setChecked(True)
        self.person_combo = QComboBox(self)
        self.person_combo.setObjectName("assignee_person")
        self.department_combo = QComboBox(self)
        self.department_combo.setObjectName("assignee_department")
        self.department_combo.setEnabled(False)
        self.person_radio.toggled.connect(self._assign_kind_changed)
        assignee = QWidget(self)
        row = QHBoxLayout(assignee)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.person_radio)
        row.addWidget(self.person_combo, 1)
        row.addWidget(self.department_radio)
        row.addWidget(self.department_combo, 1)
        self.due_edit = QDateEdit(self)
        self.due_edit.setObjectName("task_due")
        self.due_edit.setCalendarPopup(True)
        self.due_edit.setDisplayFormat("yyyy-MM-dd")
        self.due_edit.setDate(QDate(self._today + dt.timedelta(days=3)))
        self.priority_combo = QComboBox(self)
        self.priority_combo.setObjectName("task_priority")
        for priority in Priority:
            self.priority_combo.addItem(reference_label("task", priority.value), priority)
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(Priority.NORMAL))
        self.description_edit = QPlainTextEdit(self)
        self.description_edit.setObjectName("task_description")
        self.description_edit.setTabChangesFocus(True)
        # Optional: the customer the task is about (search by name, pinyin or phone).
        self.customer_chooser = CustomerChooser(
            ctx, name="task_customer", optional=True, parent=self,
            placeholder=self.tr("Find a customer (optional)"))
        self.customer_search = self.customer_chooser.search_edit
        self.customer_combo = self.customer_chooser.combo
        self.customer_combo.setObjectName("task_customer")
        form = QFormLayout()
        _field_row(self, form, "title", self.tr("Title"), self.title_edit)
        _field_row(self, form, "assignee", self.tr("Assign to"), assignee)
        _field_row(self, form, "due_on", self.tr("Due on"), self.due_edit)
        _field_row(self, form, "priority", self.tr("Priority"), self.priority_combo)
        _field_row(self, form, "customer_id", self.tr("Customer"), self.customer_chooser)
        _field_row(self, form, "description", self.tr("Description"), self.description_edit)
        self.save_button = self.make_save_button(
            self.tr("Assign") if task is None else self.tr("Save"), "save_task")
        self.save_button.setDefault(True)
        self.close_button.setText(self.tr("Cancel"))
        actions = QHBoxLayout()
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.save_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addLayout(actions)
        self.resize(620, 420)
        self.set_busy(True, self.tr("Loading…"))
        actor = ctx.actor
        self._ctx.run(lambda uow: (assignable_users(uow=uow, actor=actor),
                                   assignable_departments(uow=uow, actor=actor)),
                      on_done=self._fill, on_error=self._load_failed, owner=self)

    def _assign_kind_changed(self, person: bool) -> None:
        self.person_combo.setEnabled(person)
        self.department_combo.setEnabled(not person)

    def _fill(self, loaded: tuple[Any, Any]) -> None:
        users, departments = loaded
        self.person_combo.clear()
        for user_id, name in users:
            self.person_combo.addItem(name, user_id)
        self.department_combo.clear()
        zh = i18n.current_language().startswith("zh")
        for dep_id, name_zh, name_en in departments:
            self.department_combo.addItem(name_zh if zh else name_en, dep_id)
        if self.task is not None:
            self._fill_task(self.task)
        self.loaded = True
        self.set_busy(False)
        self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def _fill_task(self, task: TaskView) -> None:
        """Edit mode: the task as loaded (an assignee outside today's choices is kept)."""
        self.title_edit.setText(task.title)
        if task.assignee_id is not None:
            if self.person_combo.findData(task.assignee_id) < 0:
                self.person_combo.addItem(task.assignee_name or str(task.assignee_id),
                                          task.assignee_id)
            self.select_person(task.assignee_id)
        elif task.assignee_department_id is not None:
            if self.department_combo.findData(task.assignee_department_id) < 0:
                zh = i18n.current_language().startswith("zh")
                name = task.department_name_zh if zh else task.department_name_en
                self.department_combo.addItem(name or str(task.assignee_department_id),
                                              task.assignee_department_id)
            self.select_department(task.assignee_department_id)
        if task.due_on is not None:
            self.due_edit.setDate(QDate(task.due_on))
        self.priority_combo.setCurrentIndex(self.priority_combo.findData(task.priority))
        self.description_edit.setPlainText(task.description or "")
        if task.customer_id is not None:
            # Chosen, with "No customer" and the search still there to change it.
            self.customer_chooser.offer(task.customer_id,
                                        task.customer_name or str(task.customer_id))

    def _load_failed(self, error: BaseException) -> None:
        self.set_busy(False, self.tr("Could not load the people to assign to."), error=True)
        show_error(self, error)

    def update_actions(self) -> None:
        self.save_button.setEnabled(not self._busy and self.loaded)

    def select_person(self, user_id: int) -> bool:
        index = self.person_combo.findData(user_id)
        if index >= 0:
            self.person_radio.setChecked(True)
            self.person_combo.setCurrentIndex(index)
        return index >= 0

    def select_department(self, department_id: int) -> bool:
        index = self.department_combo.findData(department_id)
        if index >= 0:
            self.department_radio.setChecked(True)
            self.department_combo.setCurrentIndex(index)
        return index >= 0

    def current_draft(self) -> TaskDraft:
        person = self.person_radio.isChecked()
        return TaskDraft(
            title=self.title_edit.text(),
            due_on=self.due_edit.date().toPython(),
            assignee_id=self.person_combo.currentData() if person else None,
            assignee_department_id=None if person else self.department_combo.currentData(),
            priority=self.priority_combo.currentData(),
            description=self.description_edit.toPlainText() or None,
            customer_id=self.customer_chooser.current_id(),
            related_entity=self.task.related_entity if self.task is not None else None,
            related_id=self.task.related_id if self.task is not None else None,
        )

    def search_customers(self) -> None:
        """Look up the typed customer now (the chooser also does after a pause)."""
        self.customer_chooser.search()

    def save(self) -> None:
        if self._busy or not self.loaded:
            return
        self.clear_errors()
        draft, actor, task = self.current_draft(), self._ctx.actor, self.task
        self.set_busy(True, self.tr("Saving…"))
        if task is None:
            save_keyed(self._ctx, lambda uow, key: create_task(
                uow=uow, actor=actor, draft=draft, request_key=key), self.request_key,
                on_done=self._on_saved, on_error=self._on_save_failed, owner=self)
        else:
            self._ctx.run(lambda uow: update_task(uow=uow, actor=actor, task_id=task.id,
                                                  expected_version=task.version, draft=draft),
                          on_done=self._on_saved, on_error=self._on_save_failed, owner=self)

    def _on_action_failed(self, error: BaseException) -> None:
        from app.services.errors import ConflictError

        if not isinstance(error, ConflictError):
            super()._on_action_failed(error)
            return
        # Someone saved the task after it was opened: say who; what was typed stays.
        self.set_busy(False, self.tr("Not saved: {reason} Close and open the task again "
                                     "to see their changes.").format(reason=str(error)),
                      error=True)
        show_error(self, error)

    def _on_saved(self, view: TaskView) -> None:
        self.view = view
        self.set_busy(False)
        self.saved.emit(view)
        self.accept()


class RepairCorrectionDialog(RecordDialog):
    """The technician corrects a returned repair record and submits it again.

    Shows management's return comment; Ctrl+S saves and resubmits. Signals: saved(RepairCorrection).
    """

    record_kind = "ticket"

    def __init__(self, ctx: AppContext, repair_id: int, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setObjectName("repair_correction_dialog")
        self.setWindowTitle(self.tr("Correct repair record"))
        self.print_button.hide()
        self._repair_id = repair_id
        self.view: RepairCorrection | None = None
        self.comment_label = QLabel(self)
        self.comment_label.setObjectName("return_comment")
        self.comment_label.setWordWrap(True)
        self.comment_label.setStyleSheet("color: #b00020;")
        self.work_edit = QPlainTextEdit(self)
        self.work_edit.setObjectName("work_done")
        self.work_edit.setTabChangesFocus(True)
        self.cause_edit = QLineEdit(self)
        self.cause_edit.setObjectName("cause")
        self.cause_edit.setMaxLength(500)
        self.result_edit = QLineEdit(self)
        self.result_edit.setObjectName("result")
        self.result_edit.setMaxLength(200)
        form = QFormLayout()
        form.addRow(self.tr("Returned with"), self.comment_label)
        _field_row(self, form, "work_done", self.tr("Work done"), self.work_edit)
        _field_row(self, form, "cause", self.tr("Cause"), self.cause_edit)
        _field_row(self, form, "result", self.tr("Result"), self.result_edit)
        self.save_button = self.make_save_button(self.tr("Save and resubmit"),
                                                 "save_correction")
        self.save_button.setDefault(True)
        self.close_button.setText(self.tr("Cancel"))
        actions = QHBoxLayout()
        actions.addWidget(self.status_label, 1)
        actions.addWidget(self.save_button)
        actions.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form, 1)
        layout.addLayout(actions)
        self.resize(560, 380)
        self.reload()

    def reload(self) -> None:
        actor, repair_id = self._ctx.actor, self._repair_id
        self.set_busy(True, self.tr("Loading…"))
        self._ctx.run(lambda uow: get_repair_correction(uow=uow, actor=actor,
                                                        record_id=repair_id),
                      on_done=self._fill, on_error=self._on_action_failed, owner=self)

    def _fill(self, view: RepairCorrection) -> None:
        self.view = view
        self._view = view
        self.setWindowTitle(self.tr("Correct repair record {number}").format(
            number=view.ticket_number))
        self.comment_label.setText(view.return_comment or "")
        self.work_edit.setPlainText(view.work_done)
        self.cause_edit.setText(view.cause or "")
        self.result_edit.setText(view.result or "")
        self.set_busy(False)

    def update_actions(self) -> None:
        self.save_button.setEnabled(not self._busy and self.view is not None)

    def save(self) -> None:
        view = self.view
        if self._busy or view is None:
            return
        self.clear_errors()
        actor = self._ctx.actor
        work, cause, result = (self.work_edit.toPlainText(), self.cause_edit.text(),
                               self.result_edit.text())
        self.set_busy(True, self.tr("Saving…"))
        self._ctx.run(lambda uow: correct_repair_record(
            uow=uow, actor=actor, record_id=view.id, expected_version=view.version,
            work_done=work, cause=cause, result=result),
            on_done=self._on_saved, on_error=self._on_save_failed, owner=self)

    def _on_saved(self, view: RepairCorrection) -> None:
        self.view = view
        self.set_busy(False)
        self.saved.emit(view)
        self.accept()


__all__ = ["NewTaskDialog", "RepairCorrectionDialog", "TextPromptDialog", "can_open_related",
           "changed_kind", "open_related", "open_text_prompt"]
