"""Editing a task one assigned (工作任务 → Edit…) and confirming reported work from the
to-do list (待确认), driven through the screens; PNGs in zh and en."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QApplication

from app import i18n
from app.models import Task
from app.models.enums import Priority, TaskStatus
from app.services.customers import CustomerDraft, create_customer
from app.services.tasks import (
    TaskDraft,
    confirm_task,
    create_task,
    report_task_done,
    update_task,
)
from app.ui.i18n import install_translator
from app.ui.kit.rows import held_rows
from app.ui.management.dialogs import NewTaskDialog
from app.ui.management.tasks_tab import TaskListTab
from app.ui.todo.page import TodoPage
from tests.ui.conftest import SHOTS_DIR, clipped_texts

SHOTS = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "polish"
TODAY = dt.date.today()


@pytest.fixture
def office(make_user):
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def office2(make_user):
    return make_user("office2", "management_clerk", "management", display_name="管理部小刘")


def _tab(qtbot, ctx):
    tab = TaskListTab(ctx)
    qtbot.addWidget(tab)
    tab.resize(1200, 480)
    tab.show()
    qtbot.waitUntil(lambda: tab.loaded)
    return tab


def _todo(qtbot, ctx):
    page = TodoPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 420)
    page.show()
    qtbot.waitUntil(lambda: page.loaded)
    return page


def _closed(dialog):
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def _task(uow, task_id):
    with uow:
        row = uow.session.get(Task, task_id)
        return (row.title, row.assignee_id, row.due_on, row.priority, row.description,
                row.customer_id, row.version, row.status)


def test_the_creator_edits_a_task_and_others_may_not(qtbot, uow, make_context, office,
                                                     office2, sales_user, other_sales_user):
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    mine = create_task(uow=uow, actor=office, draft=TaskDraft(
        title="回访鑫锐科技", assignee_id=sales_user.user_id,
        due_on=TODAY + dt.timedelta(days=3), customer_id=customer.id,
        description="问续约意向"))
    theirs = create_task(uow=uow, actor=office2, draft=TaskDraft(
        title="别人派的", assignee_id=sales_user.user_id, due_on=TODAY + dt.timedelta(days=9)))

    tab = _tab(qtbot, make_context(office, "management"))
    assert tab.edit_button.isVisible()
    assert tab.select_task(theirs.id)
    assert not tab.edit_button.isEnabled()  # only the one who assigned it changes it
    assert tab.edit_current() is None
    assert tab.select_task(mine.id)
    assert tab.edit_button.isEnabled()
    dialog = tab.edit_current()
    assert isinstance(dialog, NewTaskDialog)
    qtbot.waitUntil(lambda: dialog.loaded)
    # The form shows the task as saved.
    assert dialog.objectName() == "edit_task_dialog"
    assert dialog.title_edit.text() == "回访鑫锐科技"
    assert dialog.person_combo.currentData() == sales_user.user_id
    assert dialog.due_edit.date().toPython() == TODAY + dt.timedelta(days=3)
    assert dialog.customer_combo.currentData() == customer.id
    assert dialog.description_edit.toPlainText() == "问续约意向"
    assert dialog.save_button.text() == "Save"

    dialog.title_edit.setText("")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(dialog.field_error("title")))
    assert _task(uow, mine.id)[0] == "回访鑫锐科技"  # nothing written

    dialog.title_edit.setText("回访鑫锐科技：续约")
    assert dialog.select_person(other_sales_user.user_id)
    dialog.due_edit.setDate(QDate(TODAY + dt.timedelta(days=5)))
    dialog.priority_combo.setCurrentIndex(dialog.priority_combo.findData(Priority.URGENT))
    dialog.save_button.click()
    qtbot.waitUntil(lambda: _closed(dialog))
    title, assignee, due, priority, description, customer_id, version, _s = _task(uow, mine.id)
    assert (title, assignee, due, priority) == (
        "回访鑫锐科技：续约", other_sales_user.user_id, TODAY + dt.timedelta(days=5),
        Priority.URGENT)
    assert description == "问续约意向" and customer_id == customer.id
    assert version > mine.version
    qtbot.waitUntil(lambda: any(t.title == "回访鑫锐科技：续约" for t in held_rows(tab.model)))

    # A confirmed task is closed: no more editing.
    view = next(t for t in held_rows(tab.model) if t.id == mine.id)
    view = report_task_done(uow=uow, actor=other_sales_user, task_id=mine.id,
                            expected_version=view.version, report="已续约")
    confirm_task(uow=uow, actor=office2, task_id=mine.id, expected_version=view.version)
    tab.closed_check.setChecked(True)
    qtbot.waitUntil(lambda: any(t.id == mine.id and t.status is TaskStatus.CONFIRMED
                                for t in held_rows(tab.model)))
    assert tab.select_task(mine.id)
    assert not tab.edit_button.isEnabled()

    # A salesperson cannot assign tasks, so there is nothing to edit.
    sales_tab = _tab(qtbot, make_context(sales_user, "key_accounts"))
    assert not sales_tab.edit_button.isVisible()


def test_an_edit_after_someone_else_saved_says_who_and_keeps_the_typing(
        qtbot, uow, make_context, office, sales_user, monkeypatch):
    shown = []
    monkeypatch.setattr("app.ui.management.dialogs.show_error",
                        lambda parent, error: shown.append(error))
    task = create_task(uow=uow, actor=office, draft=TaskDraft(
        title="整理大客户名单", assignee_id=sales_user.user_id,
        due_on=TODAY + dt.timedelta(days=3)))
    tab = _tab(qtbot, make_context(office, "management"))
    assert tab.select_task(task.id)
    dialog = tab.edit_current()
    qtbot.waitUntil(lambda: dialog.loaded)
    # Meanwhile the same task is changed at another station.
    update_task(uow=uow, actor=office, task_id=task.id, expected_version=task.version,
                draft=TaskDraft(title="整理大客户名单（含联系人）", assignee_id=sales_user.user_id,
                                due_on=TODAY + dt.timedelta(days=4)))
    dialog.title_edit.setText("整理名单")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: bool(shown))
    assert "管理部小陈" in dialog.status_label.text()
    assert "changed by" in dialog.status_label.text()
    assert dialog.isVisible() and dialog.title_edit.text() == "整理名单"
    assert _task(uow, task.id)[0] == "整理大客户名单（含联系人）"  # not overwritten
    assert dialog.save_button.isEnabled()


def test_management_confirms_reported_work_from_its_todo_list(
        qtbot, uow, make_context, office, manager, sales_user):
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司"))
    task = create_task(uow=uow, actor=manager, draft=TaskDraft(
        title="催收货款", assignee_id=sales_user.user_id, due_on=TODAY,
        customer_id=customer.id))
    reported = report_task_done(uow=uow, actor=sales_user, task_id=task.id,
                                expected_version=task.version, report="已收回 3000 元")

    own = _todo(qtbot, make_context(sales_user, "key_accounts"))
    assert not own.confirm_button.isVisible() and own.items == ()

    page = _todo(qtbot, make_context(office, "management"))
    assert [(i.id, i.status) for i in page.items] == [(task.id, "reported_done")]
    page.table.selectRow(0)
    assert page.model.index(0, 2).data() == "催收货款"
    assert page.model.index(0, 4).data() == "Awaiting confirmation · 张伟 reported: 已收回 3000 元"
    assert page.confirm_button.isVisible() and page.confirm_button.isEnabled()
    assert page.reopen_button.isEnabled()
    assert not page.report_button.isEnabled() and not page.acknowledge_button.isEnabled()
    assert page.report_done() is None
    page.confirm_button.click()
    qtbot.waitUntil(lambda: page.items == () and not page.model.is_loading)
    with uow:
        row = uow.session.get(Task, task.id)
        assert row.status is TaskStatus.CONFIRMED and row.confirmed_by_id == office.user_id
        assert row.version > reported.version
    assert not page.confirm_button.isEnabled()


def test_management_reopens_reported_work_from_its_todo_list(
        qtbot, uow, make_context, office, sales_user):
    task = create_task(uow=uow, actor=office, draft=TaskDraft(
        title="整理大客户名单", assignee_id=sales_user.user_id, due_on=TODAY))
    report_task_done(uow=uow, actor=sales_user, task_id=task.id,
                     expected_version=task.version, report="整理好了")
    page = _todo(qtbot, make_context(office, "management"))
    page.table.selectRow(0)
    prompt = page.reopen()
    assert prompt is not None
    prompt.text_edit.setPlainText("缺少联系人电话")
    prompt.ok_button.click()
    qtbot.waitUntil(lambda: page.items == () and not page.model.is_loading)
    with uow:
        row = uow.session.get(Task, task.id)
        assert row.status is TaskStatus.RETURNED and "缺少联系人电话" in row.description


@pytest.mark.parametrize("language", ["en", "zh"])
def test_task_edit_and_todo_confirm_render(qtbot, qapp: QApplication, uow, make_context,
                                           office, sales_user, language, monkeypatch):
    monkeypatch.setattr("app.ui.management.dialogs.show_error", lambda parent, error: None)
    qm_dir = os.environ.get("STATIONCRM_QM_DIR")
    resolved = install_translator(qapp, language, directory=Path(qm_dir) if qm_dir else None)
    i18n.set_language(resolved)
    try:
        SHOTS.mkdir(parents=True, exist_ok=True)
        customer = create_customer(uow=uow, actor=sales_user,
                                   draft=CustomerDraft(name="北京鑫锐科技有限公司"))
        task = create_task(uow=uow, actor=office, draft=TaskDraft(
            title="催收货款", assignee_id=sales_user.user_id, due_on=TODAY,
            customer_id=customer.id, priority=Priority.HIGH, description="上月订单尾款"))
        report_task_done(uow=uow, actor=sales_user, task_id=task.id,
                         expected_version=task.version, report="已收回 3000 元")
        open_one = create_task(uow=uow, actor=office, draft=TaskDraft(
            title="整理大客户名单", assignee_id=sales_user.user_id,
            due_on=TODAY + dt.timedelta(days=3), description="含联系人电话"))

        page = _todo(qtbot, make_context(office, "management", language=resolved))
        page.table.selectRow(0)
        qtbot.wait(30)
        assert clipped_texts(page) == []
        assert page.grab().save(str(SHOTS / f"todo_confirm_{language}.png"))

        tab = _tab(qtbot, make_context(office, "management", language=resolved))
        assert tab.select_task(open_one.id)
        dialog = tab.edit_current()
        qtbot.waitUntil(lambda: dialog.loaded)
        qtbot.wait(30)
        assert clipped_texts(dialog) == []
        assert dialog.grab().save(str(SHOTS / f"task_edit_{language}.png"))
        update_task(uow=uow, actor=office, task_id=open_one.id,
                    expected_version=open_one.version, draft=TaskDraft(
                        title="整理大客户名单（新）", assignee_id=sales_user.user_id,
                        due_on=TODAY + dt.timedelta(days=3)))
        dialog.save_button.click()
        qtbot.waitUntil(lambda: "管理部小陈" in dialog.status_label.text())
        qtbot.wait(30)
        assert dialog.grab().save(str(SHOTS / f"task_edit_conflict_{language}.png"))
        dialog.close()
        tab.resize(1366, 480)
        qtbot.wait(30)
        assert clipped_texts(tab) == []
        assert tab.grab().save(str(SHOTS / f"task_tab_edit_{language}.png"))
    finally:
        install_translator(qapp, "en")
        i18n.set_language("en")
