"""The management page (确认队列, 工作任务) and the to-do list, driven as people use them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.models import Order, Task, Visit
from app.models.enums import Priority, TaskStatus
from app.services.confirmation import RecordKind, return_record
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.tasks import TaskDraft, create_task
from app.services.todo import TodoKind
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.kit.rows import held_rows
from app.ui.management.dialogs import NewTaskDialog, TextPromptDialog
from app.ui.management.page import ManagementPage
from app.ui.sales.order_dialog import OrderDialog
from app.ui.shell.main_window import MainWindow
from app.ui.todo.page import TodoPage
from app.ui.visits.visit_dialog import VisitDialog
from tests.services.test_confirmation import make_order, make_visit
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
TODAY = dt.date.today()


@pytest.fixture
def office(make_user: Callable[..., Actor]) -> Actor:
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


def _management(qtbot: QtBot, ctx: AppContext) -> ManagementPage:
    page = ManagementPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 520)
    page.show()
    assert page.queue_tab is not None
    qtbot.waitUntil(lambda: page.queue_tab is not None and page.queue_tab.loaded
                    and page.task_tab.loaded)
    return page


def _todo(qtbot: QtBot, ctx: AppContext) -> TodoPage:
    page = TodoPage(ctx)
    qtbot.addWidget(page)
    page.resize(1000, 420)
    page.show()
    qtbot.waitUntil(lambda: page.loaded)
    return page


def _closed(dialog: QWidget) -> bool:
    """Closed dialogs delete themselves (WA_DeleteOnClose)."""
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_management_returns_a_visit_and_the_author_corrects_it(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    visit = make_visit(uow, sales_user, customer.id, "询问复印机租赁")
    order = make_order(uow, sales_user, customer.id)

    page = _management(qtbot, make_context(office, "management"))
    queue = page.queue_tab
    assert queue is not None
    qtmodeltester.check(queue.model)
    assert {(i.kind, i.id) for i in held_rows(queue.model)} == {
        (RecordKind.VISIT, visit.id), (RecordKind.ORDER, order.id)}
    assert queue.select(RecordKind.VISIT, visit.id)
    row = queue.current_row()
    assert queue.model.index(row, 1).data() == "询问复印机租赁"
    assert queue.model.index(row, 3).data() == "张伟"

    dialog = queue.return_current()
    assert isinstance(dialog, TextPromptDialog)
    dialog.ok_button.click()  # no comment: refused at the field, nothing sent
    assert dialog.isVisible() and dialog.field_error("comment")
    dialog.text_edit.setPlainText("请补充客户的具体需求")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: _closed(dialog))
    qtbot.waitUntil(lambda: [i.id for i in held_rows(queue.model)] == [order.id])
    # The order is confirmed with the button.
    queue.table.selectRow(0)
    queue.confirm_button.click()
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0 and not queue.model.is_loading)
    assert "Nothing waits" in queue.message_label.text()
    with uow:
        returned = uow.session.get(Visit, visit.id)
        assert returned.confirm_status == "returned"
        assert returned.return_comment == "请补充客户的具体需求"
        assert returned.confirmed_by_id == office.user_id
        assert uow.session.get(Order, order.id).confirm_status == "confirmed"

    # The author finds it on the to-do list with the comment, and resubmits it.
    todo = _todo(qtbot, make_context(sales_user, "key_accounts"))
    assert [(i.kind, i.id) for i in todo.items] == [(TodoKind.RETURNED, visit.id)]
    assert todo.model.index(0, 1).data() == "Returned Visit"
    assert "请补充客户的具体需求" in todo.model.index(0, 4).data()
    todo.table.selectRow(0)
    assert todo.open_button.text() == "Open record" and todo.resubmit_button.isEnabled()
    todo.resubmit_button.click()
    qtbot.waitUntil(lambda: todo.items == () and not todo.model.is_loading)
    with uow:
        assert uow.session.get(Visit, visit.id).confirm_status == "submitted"
    queue.refresh()
    qtbot.waitUntil(lambda: [i.id for i in held_rows(queue.model)] == [visit.id])


def test_the_author_opens_a_returned_visit_from_the_todo_list_and_submits_it(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    draft = make_visit(uow, sales_user, customer.id, "询问复印机租赁", submit=False)
    # A draft is submitted from its dialog.
    dialog = VisitDialog(make_context(sales_user, "key_accounts"), draft.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.visit is not None and dialog.submit_button.isVisible())
    dialog.submit_button.click()
    qtbot.waitUntil(lambda: dialog.visit is not None
                    and dialog.visit.confirm_status.value == "submitted")
    assert not dialog.submit_button.isVisible()
    dialog.close()
    with uow:
        version = uow.session.get(Visit, draft.id).version
    return_record(uow=uow, actor=office, kind="visit", record_id=draft.id,
                  expected_version=version, comment="请补充结果")

    todo = _todo(qtbot, make_context(sales_user, "key_accounts"))
    todo.table.selectRow(0)
    opened = todo.open_current()
    assert isinstance(opened, VisitDialog)
    qtbot.waitUntil(lambda: opened.visit is not None and opened.submit_button.isVisible())
    opened.outcome_edit.setText("客户要两台")
    opened.submit_button.click()
    # The dialog's save refreshes the list (the change bus).
    qtbot.waitUntil(lambda: todo.items == () and not todo.model.is_loading)
    with uow:
        row = uow.session.get(Visit, draft.id)
        assert (row.confirm_status, row.outcome, row.return_comment) == (
            "submitted", "客户要两台", None)
    opened.close()


def test_a_task_goes_from_management_to_the_assignee_and_back(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    page = _management(qtbot, make_context(office, "management"))
    tasks = page.task_tab
    page.show_tab(tasks)
    dialog = tasks.new_task()
    assert isinstance(dialog, NewTaskDialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    dialog.save_button.click()  # no title
    qtbot.waitUntil(lambda: bool(dialog.field_error("title")))
    with uow:
        assert uow.session.query(Task).count() == 0
    dialog.title_edit.setText("回访鑫锐科技续约")
    assert dialog.select_person(sales_user.user_id)
    dialog.customer_search.setText("鑫锐")
    dialog.search_customers()
    qtbot.waitUntil(lambda: dialog.customer_combo.currentData() == customer.id)
    dialog.priority_combo.setCurrentIndex(dialog.priority_combo.findData(Priority.HIGH))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: _closed(dialog))
    qtbot.waitUntil(lambda: [t.title for t in held_rows(tasks.model)] == ["回访鑫锐科技续约"])
    task_id = held_rows(tasks.model)[0].id

    todo = _todo(qtbot, make_context(sales_user, "key_accounts"))
    assert [(i.kind, i.id) for i in todo.items] == [(TodoKind.TASK, task_id)]
    assert todo.model.index(0, 1).data() == "Task"
    assert todo.model.index(0, 3).data() == "北京鑫锐科技有限公司"
    assert "High priority" in todo.model.index(0, 4).data()
    todo.table.selectRow(0)
    assert not todo.done_button.isEnabled()
    todo.acknowledge_button.click()
    qtbot.waitUntil(lambda: bool(todo.items) and todo.items[0].status == "acknowledged")
    todo.table.selectRow(0)
    report = todo.report_done()
    assert isinstance(report, TextPromptDialog)
    report.text_edit.setPlainText("客户同意续约一年")
    report.ok_button.click()
    qtbot.waitUntil(lambda: todo.items == () and not todo.model.is_loading)

    tasks.refresh()
    qtbot.waitUntil(lambda: bool(held_rows(tasks.model))
                    and held_rows(tasks.model)[0].status is TaskStatus.REPORTED_DONE)
    assert tasks.select_task(task_id)
    assert "客户同意续约一年" in tasks.detail_label.text()
    assert tasks.confirm_button.isEnabled() and not tasks.acknowledge_button.isEnabled()
    tasks.confirm_button.click()
    qtbot.waitUntil(lambda: tasks.model.rowCount() == 0  # closed tasks are hidden
                    and not tasks.model.is_loading)
    with uow:
        row = uow.session.get(Task, task_id)
        assert row.status is TaskStatus.CONFIRMED and row.confirmed_by_id == office.user_id
        assert row.report == "客户同意续约一年"


def test_overdue_tasks_stand_out_and_a_salesperson_sees_no_queue(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    office: Actor, sales_user: Actor,
) -> None:
    create_task(uow=uow, actor=office, today=TODAY - dt.timedelta(days=7), draft=TaskDraft(
        title="催收货款", assignee_id=sales_user.user_id, due_on=TODAY - dt.timedelta(days=2)))
    page = ManagementPage(make_context(sales_user, "key_accounts"))
    qtbot.addWidget(page)
    page.show()
    assert page.queue_tab is None and page.tabs.count() == 1
    tasks = page.task_tab
    qtbot.waitUntil(lambda: tasks.loaded)
    assert tasks.model.rowCount() == 1
    assert "Overdue" in tasks.model.index(0, 5).data()
    brush = tasks.model.index(0, 0).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == "#c62828"
    assert "1 of them overdue" in tasks.message_label.text()
    qtmodeltester.check(tasks.model)
    assert not tasks.new_button.isVisible() and not tasks.confirm_button.isVisible()
    extra = QWidget()
    assert page.add_tab(extra, "商机分派") == 1 and page.tabs.tabText(1) == "商机分派"


# --- screenshots ---------------------------------------------------------------------------


def _save(widget: QWidget, name: str) -> None:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "workqueue"
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / name))


def test_management_and_todo_screenshots(
    qtbot: QtBot, language: str, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    make_visit(uow, sales_user, customer.id, "询问复印机租赁")
    returned = make_visit(uow, sales_user, customer.id, "报价跟进")
    make_order(uow, sales_user, customer.id)
    with uow:
        version = uow.session.get(Visit, returned.id).version
    return_record(uow=uow, actor=office, kind="visit", record_id=returned.id,
                  expected_version=version, comment="请补充客户的具体需求")
    create_task(uow=uow, actor=office, today=TODAY - dt.timedelta(days=7), draft=TaskDraft(
        title="催收北京鑫锐科技货款", assignee_id=sales_user.user_id, customer_id=customer.id,
        due_on=TODAY - dt.timedelta(days=1), priority=Priority.URGENT))
    create_task(uow=uow, actor=office, draft=TaskDraft(
        title="整理大客户名单", assignee_department_id=sales_user.department_id,
        due_on=TODAY + dt.timedelta(days=4)))
    make_visit(uow, sales_user, customer.id, "送样品", submit=False, follow_up_on=TODAY)

    page = _management(qtbot, make_context(office, "management", language=language))
    qtbot.wait(50)
    assert clipped_texts(page) == []
    _save(page, f"management_queue_{language}.png")
    page.show_tab(page.task_tab)
    qtbot.wait(50)
    assert clipped_texts(page) == []
    _save(page, f"management_tasks_{language}.png")
    dialog = page.task_tab.new_task()
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.loaded)
    _save(dialog, f"new_task_{language}.png")
    dialog.reject()
    assert page.queue_tab is not None
    page.queue_tab.table.selectRow(0)
    prompt = page.queue_tab.return_current()
    assert prompt is not None
    qtbot.wait(20)
    _save(prompt, f"return_dialog_{language}.png")
    prompt.reject()

    todo = _todo(qtbot, make_context(sales_user, "key_accounts", language=language))
    assert len(todo.items) == 4
    qtbot.wait(50)
    assert clipped_texts(todo) == []
    _save(todo, f"todo_{language}.png")


def test_a_technician_opens_the_todo_list_and_management_lands_on_its_page(
    qtbot: QtBot, make_context: MakeContext, technician: Actor, office: Actor,
) -> None:
    window = MainWindow(make_context(technician, "repair"))
    qtbot.addWidget(window)
    window.show()
    assert window.todo_action.isEnabled()  # no visits module, but tasks and repairs
    window.todo_action.trigger()
    assert isinstance(window.stack.currentWidget(), TodoPage)

    office_window = MainWindow(make_context(office, "management"))
    qtbot.addWidget(office_window)
    office_window.show()
    assert isinstance(office_window.stack.currentWidget(), ManagementPage)


def test_a_task_about_a_record_opens_that_record(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    order = make_order(uow, sales_user, customer.id)
    task = create_task(uow=uow, actor=office, draft=TaskDraft(
        title="核对订单单价", assignee_id=sales_user.user_id, due_on=TODAY,
        customer_id=customer.id, related_entity="order", related_id=order.id))
    todo = _todo(qtbot, make_context(sales_user, "key_accounts"))
    assert todo.select(TodoKind.TASK, task.id)
    assert todo.open_button.text() == "Open record"
    opened = todo.open_current()
    assert isinstance(opened, OrderDialog)
    qtbot.waitUntil(lambda: opened.view is not None)
    assert opened.view.number == order.number
    opened.close()

    page = _management(qtbot, make_context(office, "management"))
    page.show_tab(page.task_tab)
    assert page.task_tab.select_task(task.id)
    opened = page.task_tab.open_current()
    assert isinstance(opened, OrderDialog)
    opened.close()
