"""The work lists on the kit — tasks, the confirmation queue, routing, the to-do list, care,
knowledge, the recent visits — and the screens that only follow the change bus (the
customer 360 view, the plan grid): a click on a header puts the rows in that column's
order, the status line gives the count (and the total when not all rows are read), every
model passes Qt's model tester, and a write in a form opened on its own, wired to nothing,
reaches the open list through the change bus."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QTableView, QWidget
from pytestqt.qtbot import QtBot

from app.models.enums import CareStatus
from app.services.care import generate_care_items, list_care_items
from app.services.customers import ContactDraft, CustomerDraft, create_customer
from app.services.knowledge import KnowledgeDraft, approve_knowledge, create_knowledge
from app.services.opportunities import OpportunityDraft, create_opportunity
from app.services.paging import Sort
from app.services.permissions import Actor
from app.services.tasks import TaskDraft, create_task, report_task_done
from app.services.uow import UnitOfWork
from app.services.visits import VisitDraft, VisitKind, record_visit
from app.ui.care.outcome_dialog import open_care_item
from app.ui.care.page import CarePage
from app.ui.context import AppContext
from app.ui.customers.overview import CustomerOverviewPage
from app.ui.kit.table import PagedTableModel
from app.ui.knowledge.page import KnowledgePage
from app.ui.management.confirmation_tab import ConfirmationQueueTab
from app.ui.management.dialogs import NewTaskDialog, open_text_prompt
from app.ui.management.routing_page import RoutingPage
from app.ui.management.tasks_tab import TaskListTab
from app.ui.plans.page import PLANNED_COL, SalesPlanPage
from app.ui.service.repair_dialog import KnowledgeFormDialog
from app.ui.todo.page import TodoPage
from app.ui.visits import walk_in_page
from app.ui.visits.record_visit_dialog import open_record_visit
from app.ui.visits.visit_dialog import open_visit
from app.ui.visits.walk_in_page import WalkInPage
from tests.services.test_confirmation import make_order, make_visit

MakeContext = Callable[..., AppContext]
TODAY = dt.date.today()
CARE_DAY = dt.date(2027, 3, 10)  # no default holiday falls within 10 days of it


@pytest.fixture
def office(make_user: Callable[..., Actor]) -> Actor:
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管老赵")


def _show(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.addWidget(widget)
    widget.resize(1200, 520)
    widget.show()


def _one_row_high(table: QTableView) -> None:
    """Room for one row only: the view reads no further page by itself (it asks for more
    while the last row read is in sight), so the status line shows a part of the total."""
    table.setFixedHeight(table.horizontalHeader().sizeHint().height()
                         + table.verticalHeader().defaultSectionSize()
                         + 2 * table.frameWidth())


def _settled(qtbot: QtBot, model: PagedTableModel, rows: int | None = None) -> None:
    """Wait until the model has read (``rows`` rows, if given) and reads nothing more."""
    qtbot.waitUntil(lambda: not model.is_loading and model.total is not None
                    and (rows is None or model.rowCount() == rows))


def _read_all(qtbot: QtBot, model: PagedTableModel) -> None:
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        model.fetchMore(QModelIndex())
        qtbot.waitUntil(lambda b=before: model.rowCount() > b or model.at_end)
    qtbot.waitUntil(lambda: not model.is_loading)


def _column(model: PagedTableModel, key: str) -> list[Any]:
    column = model.column_index(key)
    assert column is not None
    return [model.index(row, column).data() for row in range(model.rowCount())]


def _click_header(qtbot: QtBot, table: QTableView, model: PagedTableModel, key: str) -> None:
    """A real mouse click on the column's header (the table must be shown)."""
    column = model.column_index(key)
    assert column is not None
    header = table.horizontalHeader()
    qtbot.waitExposed(table)
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    # The click must sort: fail here, saying so, rather than in a later wait for rows.
    with qtbot.waitSignal(model.sort_changed, timeout=2000, raising=True):
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(x, header.height() // 2))


def _care_list_shows(qtbot: QtBot, page: CarePage, names: list[str]) -> None:
    """Wait until the care list has read and shows ``names`` first; on a timeout the
    message says what it showed and what it was doing.

    First, not only: the view may ask for the next page by itself once the rows are in
    (a CI run showed all three rows after the sort), which is the list working."""
    model = page.model

    def shows() -> None:
        shown = [i.customer_name for i in page.items]
        assert not model.is_loading and shown[:len(names)] == names, (
            f"shows {shown}, loading={model.is_loading}, sort={model.current_sort}, "
            f"total={model.total}, error={model.error!r}")

    qtbot.waitUntil(shows)


def _closed(dialog: QWidget) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


# --- tasks -----------------------------------------------------------------------------------


def test_the_task_list_sorts_on_the_server_gives_its_total_and_hears_a_new_task(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    office: Actor, sales_user: Actor, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(TaskListTab, "page_size", 2)
    for title, days in (("B 回访", 5), ("A 催款", 3), ("C 送货", 1)):
        create_task(uow=uow, actor=office, draft=TaskDraft(
            title=title, assignee_id=sales_user.user_id,
            due_on=TODAY + dt.timedelta(days=days)))
    ctx = make_context(office, "management")
    tab = TaskListTab(ctx)
    _one_row_high(tab.table)
    _show(qtbot, tab)
    model = tab.model
    _settled(qtbot, model, 2)
    qtmodeltester.check(model)
    assert _column(model, "task") == ["C 送货", "A 催款"]  # soonest due first
    assert tab.message_label.text() == "2 of 3 tasks shown."

    _click_header(qtbot, tab.table, model, "task")
    qtbot.waitUntil(lambda: not model.is_loading and _column(model, "task") == ["A 催款",
                                                                                 "B 回访"])
    _read_all(qtbot, model)  # keyset paging goes on in the clicked order
    assert _column(model, "task") == ["A 催款", "B 回访", "C 送货"]
    assert tab.message_label.text() == "3 tasks."
    _click_header(qtbot, tab.table, model, "task")  # again: the other way
    qtbot.waitUntil(lambda: not model.is_loading and _column(model, "task") == ["C 送货",
                                                                                 "B 回访"])

    # A task assigned in a form the list knows nothing about: the change bus brings it in,
    # and it becomes the current row.
    dialog = NewTaskDialog(ctx, today=TODAY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.loaded)
    dialog.title_edit.setText("D 新任务")
    assert dialog.select_person(sales_user.user_id)
    dialog.save_button.click()
    qtbot.waitUntil(lambda: _closed(dialog))
    qtbot.waitUntil(lambda: not model.is_loading and "D 新任务" in _column(model, "task"))
    assert _column(model, "task") == ["D 新任务", "C 送货"]  # still sorted the other way
    assert tab.message_label.text() == "2 of 4 tasks shown."
    current = tab.current_task()
    assert current is not None and current.title == "D 新任务"


# --- the confirmation queue and the to-do list ---------------------------------------------------


def test_the_confirmation_queue_sorts_on_the_server_and_hears_a_decision_taken_elsewhere(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    office: Actor, sales_user: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user,
                               draft=CustomerDraft(name="北京鑫锐科技有限公司")).id
    visit = make_visit(uow, sales_user, customer, "询问复印机租赁")
    make_order(uow, sales_user, customer, price="450.00")  # ¥900.00
    make_order(uow, sales_user, customer, price="600.00")  # ¥1,200.00
    ctx = make_context(office, "management")
    queue = ConfirmationQueueTab(ctx)
    _show(qtbot, queue)
    model = queue.model
    _settled(qtbot, model, 3)
    qtmodeltester.check(model)
    assert queue.message_label.text() == "3 records wait for confirmation."

    # Amounts sort as amounts (as text ¥1,200.00 would come before ¥900.00); a visit has
    # none and comes last either way.
    _click_header(qtbot, queue.table, model, "amount")
    qtbot.waitUntil(lambda: _column(model, "amount") == ["¥900.00", "¥1,200.00", ""])
    _click_header(qtbot, queue.table, model, "amount")
    qtbot.waitUntil(lambda: _column(model, "amount") == ["¥1,200.00", "¥900.00", ""])

    # The visit confirmed in its own window, opened without the queue.
    dialog = open_visit(ctx, visit.id, None, confirming=True)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.visit is not None and dialog.confirm_bar.active)
    dialog.confirm_bar.confirm_button.click()
    qtbot.waitUntil(lambda: model.rowCount() == 2 and not model.is_loading)
    assert queue.message_label.text() == "2 records wait for confirmation."
    assert _column(model, "amount") == ["¥1,200.00", "¥900.00"]  # the order is kept


def test_the_todo_list_sorts_in_memory_and_hears_a_report_from_another_window(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    office: Actor, sales_user: Actor,
) -> None:
    for title, days in (("B 回访", 2), ("A 催款", 1), ("C 送货", 0)):
        create_task(uow=uow, actor=office, draft=TaskDraft(
            title=title, assignee_id=sales_user.user_id,
            due_on=TODAY + dt.timedelta(days=days)))
    ctx = make_context(sales_user, "key_accounts")
    todo = TodoPage(ctx)
    _show(qtbot, todo)
    model = todo.model
    qtbot.waitUntil(lambda: todo.loaded and not model.is_loading)
    qtmodeltester.check(model)
    assert [i.title for i in todo.items] == ["C 送货", "A 催款", "B 回访"]  # by due date
    assert todo.status_label.text() == "3 to do."
    _click_header(qtbot, todo.table, model, "title")
    assert _column(model, "title") == ["A 催款", "B 回访", "C 送货"]

    # Reported done in a prompt of its own: the task leaves the assignee's list.
    task = next(i for i in todo.items if i.title == "B 回访")
    prompt = open_text_prompt(
        ctx, None, title="Report done", prompt="What was done?", field="report",
        button="Report done", record_kind="task",
        action=lambda u, text: report_task_done(uow=u, actor=sales_user, task_id=task.id,
                                                expected_version=task.version, report=text))
    qtbot.addWidget(prompt)
    prompt.text_edit.setPlainText("已回访")
    prompt.ok_button.click()
    qtbot.waitUntil(lambda: not model.is_loading and len(todo.items) == 2)
    assert _column(model, "title") == ["A 催款", "C 送货"]  # still by title
    assert todo.status_label.text() == "2 to do."


# --- routing -----------------------------------------------------------------------------------


def test_the_routing_queue_sorts_amounts_as_amounts_and_hears_an_assignment_elsewhere(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    manager: Actor, clerk: Actor, sales_user: Actor, add_customer: Callable[..., Any],
) -> None:
    customer = add_customer(clerk, "朝阳快印店", phone="010-65881234").id
    ids = {amount: create_opportunity(uow=uow, actor=clerk, owner_id=None, draft=OpportunityDraft(
        customer_id=customer, title=f"需求 {amount}", expected_amount=amount)).id
        for amount in ("900", "1200", "50")}
    ctx = make_context(manager, "management")
    mine = RoutingPage(ctx)
    _show(qtbot, mine)
    qtbot.waitUntil(lambda: mine.loaded and not mine.is_busy)
    model = mine.model
    qtmodeltester.check(model)
    assert mine.count_label.text() == "3 waiting"
    _click_header(qtbot, mine.table, model, "expected_amount")
    assert _column(model, "expected_amount") == ["¥50.00", "¥900.00", "¥1,200.00"]

    # A second routing window routes one: this queue reads again by itself.
    other = RoutingPage(ctx)
    _show(qtbot, other)
    qtbot.waitUntil(lambda: other.loaded and not other.is_busy)
    other.select_ids([ids["900"]])
    assert other.choose_salesperson(sales_user.user_id)
    other.assign_button.click()
    qtbot.waitUntil(lambda: other.last_outcome is not None and not other.is_busy)
    qtbot.waitUntil(lambda: not mine.is_busy and model.rowCount() == 2)
    assert _column(model, "expected_amount") == ["¥50.00", "¥1,200.00"]
    assert mine.count_label.text() == "2 waiting"


# --- care --------------------------------------------------------------------------------------


def test_the_care_list_sorts_on_the_server_gives_its_total_and_hears_an_outcome(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    manager: Actor, sales_user: Actor, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three contacts' birthdays in the next days: three greetings to make.
    for name, day in (("Beta 印务", 11), ("Alpha 科技", 12), ("Gamma 数码", 10)):
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name=name, contacts=(
            ContactDraft(name=f"{name} 联系人", birthday=dt.date(1985, 3, day),
                         is_primary=True),)))
    generate_care_items(uow=uow, actor=manager, on=CARE_DAY)
    monkeypatch.setattr(CarePage, "page_size", 2)
    ctx = make_context(manager, "management")
    page = CarePage(ctx, today=CARE_DAY, auto_generate=False)
    _one_row_high(page.table)
    _show(qtbot, page)
    model = page.model
    _settled(qtbot, model, 2)
    qtmodeltester.check(model)
    assert page.message_label.text() == "2 of 3 care items shown."

    _click_header(qtbot, page.table, model, "customer")
    _care_list_shows(qtbot, page, ["Alpha 科技", "Beta 印务"])
    _click_header(qtbot, page.table, model, "customer")
    _care_list_shows(qtbot, page, ["Gamma 数码", "Beta 印务"])

    # The greeting made, recorded in a dialog opened on its own: the open list drops it.
    beta = next(i for i in list_care_items(uow=uow, actor=manager, on=CARE_DAY)
                if i.customer_name == "Beta 印务")
    dialog = open_care_item(ctx, beta.id, None, today=CARE_DAY)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    dialog.outcome_edit.setPlainText("已电话问候")
    dialog.save_button.click()
    _care_list_shows(qtbot, page, ["Gamma 数码", "Alpha 科技"])
    assert page.message_label.text() == "2 care items."
    assert [i.id for i in list_care_items(uow=uow, actor=manager, on=CARE_DAY,
                                          statuses=(CareStatus.DONE,))] == [beta.id]


# --- knowledge ---------------------------------------------------------------------------------


def test_the_knowledge_lists_sort_on_the_server_count_and_hear_an_entry_written_elsewhere(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    lead: Actor, technician: Actor, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(KnowledgePage, "page_size", 2)
    for model_name in ("Ricoh MP 2014", "Canon iR 2520", "HP M404dn"):
        entry = create_knowledge(uow=uow, actor=technician, draft=KnowledgeDraft(
            device_model=model_name, symptom="卡纸", cause="搓纸轮磨损",
            solution="更换搓纸轮"))
        approve_knowledge(uow=uow, actor=lead, entry_id=entry.id)
    ctx = make_context(lead, "repair")
    page = KnowledgePage(ctx)
    _show(qtbot, page)
    page.tabs.setCurrentWidget(page.browse_panel)
    _one_row_high(page.browse_table)
    model = page.browse_model
    _settled(qtbot, model, 2)
    qtbot.waitUntil(lambda: page.browse_loaded)
    for each in page.findChildren(PagedTableModel):
        qtmodeltester.check(each)
    assert model.total == 3
    assert page.browse_message.text() == "2 shown of 3 found"
    _click_header(qtbot, page.browse_table, model, "model")
    assert model.current_sort == Sort("model")
    _settled(qtbot, model)
    _read_all(qtbot, model)
    assert _column(model, "model") == ["Canon iR 2520", "HP M404dn", "Ricoh MP 2014"]
    assert page.browse_message.text() == "3 found"
    assert page.entries == () and page.message_label.text() == "Nothing waiting for approval."

    # An entry written in the form a repair opens, another window: it waits in the open
    # list at once.
    form = KnowledgeFormDialog(ctx, "Kyocera M2040", "黑屏")
    qtbot.addWidget(form)
    form.show()
    form.edits["cause"].setText("主板故障")  # type: ignore[union-attr]
    form.edits["solution"].setPlainText("更换主板")  # type: ignore[union-attr]
    form.save_button.click()
    qtbot.waitUntil(lambda: not page.model.is_loading and len(page.entries) == 1)
    assert page.entries[0].device_model == "Kyocera M2040"
    assert page.message_label.text() == "1 waiting"


# --- the recent visits, the 360 view, the plan grid ----------------------------------------------


def test_the_recent_visits_sort_on_the_server_give_their_total_and_hear_a_saved_visit(
    qtbot: QtBot, qtmodeltester: Any, uow: UnitOfWork, make_context: MakeContext,
    clerk: Actor, add_customer: Callable[..., Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(walk_in_page, "RECENT_LIMIT", 2)
    customer = add_customer(clerk, "北京鑫锐科技有限公司").id
    visits = {purpose: record_visit(uow=uow, actor=clerk, draft=VisitDraft(
        purpose=purpose, customer_id=customer, kind=VisitKind.WALK_IN,
        occurred_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=hours))).id
        for purpose, hours in (("B 买纸", 3), ("A 修机", 2), ("C 问价", 1))}
    ctx = make_context(clerk, "storefront")
    page = WalkInPage(ctx)
    _one_row_high(page.recent_table)
    _show(qtbot, page)
    model = page.recent_model
    _settled(qtbot, model, 2)
    qtmodeltester.check(model)
    assert _column(model, "purpose") == ["C 问价", "A 修机"]  # newest first
    assert page.recent_status.text() == "2 of 3 shown; Enter opens one."

    _click_header(qtbot, page.recent_table, model, "purpose")
    qtbot.waitUntil(lambda: not model.is_loading and _column(model, "purpose")
                    == ["A 修机", "B 买纸"])
    _read_all(qtbot, model)
    assert _column(model, "purpose") == ["A 修机", "B 买纸", "C 问价"]
    assert page.recent_status.text() == "3 visits; Enter opens one."
    _click_header(qtbot, page.recent_table, model, "purpose")  # again: the other way
    qtbot.waitUntil(lambda: not model.is_loading and _column(model, "purpose")
                    == ["C 问价", "B 买纸"])

    # The visit changed in its own window, opened from nowhere: the list reads again, in
    # the order the user chose.
    dialog = open_visit(ctx, visits["B 买纸"], None)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.visit is not None and not dialog.is_busy)
    dialog.purpose_edit.setText("D 买纸和硒鼓")
    dialog.save()
    qtbot.waitUntil(lambda: not model.is_loading and _column(model, "purpose")
                    == ["D 买纸和硒鼓", "C 问价"])


def test_the_360_view_hears_a_visit_recorded_in_a_form_of_its_own(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor,
    add_customer: Callable[..., Any],
) -> None:
    customer = add_customer(sales_user, "北京鑫锐科技有限公司").id
    ctx = make_context(sales_user, "key_accounts")
    page = CustomerOverviewPage(ctx, customer)
    _show(qtbot, page)
    qtbot.waitUntil(lambda: page.overview is not None and not page.is_loading)
    before = page.model.rowCount()

    dialog = open_record_visit(ctx, customer, "北京鑫锐科技有限公司", None)
    qtbot.addWidget(dialog)
    dialog.purpose_edit.setText("送样品")
    dialog.save()
    qtbot.waitUntil(lambda: not page.is_loading and page.model.rowCount() == before + 1)
    texts = [str(page.model.index(r, c).data() or "") for r in range(page.model.rowCount())
             for c in range(page.model.columnCount())]
    assert any("送样品" in t for t in texts)

    # Another customer's card is not this view's business: no read for it; its own is.
    reads: list[None] = []
    page.loaded.connect(lambda: reads.append(None))
    ctx.changes.publish("customer", customer + 1000)
    qtbot.wait(200)
    assert reads == [] and not page.is_loading
    ctx.changes.publish("customer", customer)
    qtbot.waitUntil(lambda: reads == [None])


def test_a_plan_set_in_one_grid_reaches_another_open_on_it(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor,
) -> None:
    ctx = make_context(sales_user, "key_accounts")
    first, second = SalesPlanPage(ctx), SalesPlanPage(ctx)
    for page in (first, second):
        _show(qtbot, page)
        qtbot.waitUntil(lambda p=page: p.figures is not None)
    first.set_planned(1, "30000")
    qtbot.waitUntil(lambda: second.figures is not None
                    and second.figures.periods[1].planned_amount == D("30000.00"))
    item = second.table.item(1, PLANNED_COL)
    assert item is not None and item.text() == "¥30,000.00"
