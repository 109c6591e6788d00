"""Reading a record before confirming it: the queue opens repair records and visits read-only
with Confirm / Return…, and a returned visit shows the return comment to its author."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from app.models import RepairRecord, Visit
from app.services.confirmation import RecordKind, return_record
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.management.dialogs import TextPromptDialog
from app.ui.management.page import ManagementPage
from app.ui.service.repair_record_dialog import RepairRecordDialog
from app.ui.service.ticket_dialog import TicketDialog
from app.ui.shell.record_openers import record_openers
from app.ui.todo.page import TodoPage
from app.ui.visits.visit_dialog import VisitDialog
from tests.services.test_confirmation import _repair_with_parts, make_visit
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]


@pytest.fixture
def office(make_user: Callable[..., Actor]) -> Actor:
    return make_user("office1", "management_clerk", "management", display_name="管理部小陈")


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def customer_id(uow: UnitOfWork, sales_user: Actor) -> int:
    return create_customer(uow=uow, actor=sales_user,
                           draft=CustomerDraft(name="北京鑫锐科技有限公司")).id


def _queue(qtbot: QtBot, ctx: AppContext) -> ManagementPage:
    page = ManagementPage(ctx)
    qtbot.addWidget(page)
    page.resize(1100, 520)
    page.show()
    qtbot.waitUntil(lambda: page.queue_tab is not None and page.queue_tab.loaded)
    return page


def _closed(dialog: QWidget) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_the_queue_opens_the_repair_record_and_it_is_confirmed_there(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor, lead: Actor,
    clerk: Actor, technician: Actor, manager: Actor, customer_id: int,
) -> None:
    ticket = _repair_with_parts(uow, clerk, lead, technician, manager, customer_id)
    assert ticket.repair is not None
    page = _queue(qtbot, make_context(office, "management"))
    queue = page.queue_tab
    assert queue is not None and queue.select(RecordKind.REPAIR, ticket.repair.id)
    dialog = queue.open_row(queue.current_row())
    assert isinstance(dialog, RepairRecordDialog)
    qtbot.waitUntil(lambda: dialog.detail is not None)
    # Everything the confirmer must read is on the screen.
    assert dialog.work_edit.toPlainText() == "更换硒鼓，清洁定影"
    assert dialog.work_edit.isReadOnly()
    v = dialog.values
    assert v["cause"].text() == "硒鼓老化" and v["result"].text() == "打印正常"
    assert v["technician"].text() == "王强"
    assert v["time"].text() == "1 h 35 min"
    assert v["labour"].text().endswith("80.00") and v["parts_amount"].text().endswith("900.00")
    assert v["charge"].text().endswith("980.00") and v["parts_cost"].text().endswith("600.00")
    assert v["rating"].text().startswith("5 / 5")
    assert dialog.parts_table.rowCount() == 1
    assert dialog.parts_table.item(0, 0).text() == "HP 26A 硒鼓"
    assert dialog.parts_table.item(0, 1).text() == "2"
    assert not dialog.parts_table.isColumnHidden(4)
    assert ticket.number in dialog.header_label.text()
    # Confirm is right there.
    bar = dialog.confirm_bar
    assert bar.isVisible() and bar.confirm_button.isEnabled()
    bar.confirm_button.click()
    qtbot.waitUntil(lambda: dialog.detail is not None
                    and dialog.detail.status.value == "confirmed")
    assert not bar.isVisible()
    with uow:
        row = uow.session.get(RepairRecord, ticket.repair.id)
        assert (row.confirm_status, row.confirmed_by_id) == ("confirmed", office.user_id)
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0 and not queue.model.is_loading)
    # The ticket is one click away.
    opened = dialog.open_ticket()
    assert isinstance(opened, TicketDialog)
    qtbot.waitUntil(lambda: opened.view is not None)
    assert opened.view is not None and opened.view.id == ticket.id
    opened.close()
    dialog.close()


def test_the_technician_sees_no_parts_cost_and_no_confirm_buttons(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, lead: Actor, clerk: Actor,
    technician: Actor, manager: Actor, customer_id: int,
) -> None:
    ticket = _repair_with_parts(uow, clerk, lead, technician, manager, customer_id)
    assert ticket.repair is not None
    # The timeline's opener for a repair record opens the record view.
    opener = record_openers().opener_for("repair")
    assert opener is not None
    dialog = opener(make_context(technician, "repair"), ticket.repair.id, None)
    assert isinstance(dialog, RepairRecordDialog)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.detail is not None)
    assert dialog.parts_table.isColumnHidden(4) and not dialog.values["parts_cost"].isVisible()
    assert dialog.values["parts_amount"].text().endswith("900.00")
    assert not dialog.confirm_bar.isVisible()
    dialog.close()


def test_a_visit_from_the_queue_is_read_only_and_returned_there(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor, customer_id: int,
) -> None:
    visit = make_visit(uow, sales_user, customer_id, "询问复印机租赁")
    page = _queue(qtbot, make_context(office, "management"))
    queue = page.queue_tab
    assert queue is not None and queue.select(RecordKind.VISIT, visit.id)
    dialog = queue.open_row(queue.current_row())
    assert isinstance(dialog, VisitDialog)
    qtbot.waitUntil(lambda: dialog.visit is not None and not dialog.is_busy)
    assert dialog.purpose_edit.text() == "询问复印机租赁"
    assert not dialog.editable and not dialog.save_button.isVisible()
    assert not dialog.submit_button.isVisible()
    bar = dialog.confirm_bar
    assert bar.isVisible() and bar.return_button.isEnabled()
    prompt = bar.return_record()
    assert isinstance(prompt, TextPromptDialog)
    prompt.text_edit.setPlainText("请补充客户的具体需求")
    prompt.ok_button.click()
    qtbot.waitUntil(lambda: _closed(prompt))
    qtbot.waitUntil(lambda: dialog.visit is not None
                    and dialog.visit.confirm_status.value == "returned")
    assert not bar.isVisible() and dialog.banner.isVisible()
    assert "请补充客户的具体需求" in dialog.banner.text()
    with uow:
        row = uow.session.get(Visit, visit.id)
        assert (row.confirm_status, row.return_comment) == ("returned", "请补充客户的具体需求")
    qtbot.waitUntil(lambda: queue.model.rowCount() == 0 and not queue.model.is_loading)
    dialog.close()


def test_the_author_sees_the_return_comment_on_the_visit(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor, customer_id: int,
) -> None:
    visit = make_visit(uow, sales_user, customer_id, "报价跟进")
    with uow:
        version = uow.session.get(Visit, visit.id).version
    return_record(uow=uow, actor=office, kind="visit", record_id=visit.id,
                  expected_version=version, comment="请写明客户要的型号")
    todo = TodoPage(make_context(sales_user, "key_accounts"))
    qtbot.addWidget(todo)
    todo.show()
    qtbot.waitUntil(lambda: todo.loaded)
    todo.table.selectRow(0)
    opened = todo.open_current()
    assert isinstance(opened, VisitDialog)
    qtbot.waitUntil(lambda: opened.visit is not None and not opened.is_busy)
    assert opened.banner.isVisible()
    text = opened.banner.text()
    assert "请写明客户要的型号" in text and "管理部小陈" in text and "Returned by" in text
    # The author may still correct and resubmit it; no confirm buttons for the author.
    assert opened.editable and opened.submit_button.isVisible()
    assert not opened.confirm_bar.isVisible()
    opened.close()


# --- screenshots ---------------------------------------------------------------------------


def _save(widget: QWidget, name: str) -> None:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "confirmfix"
    folder.mkdir(parents=True, exist_ok=True)
    assert widget.grab().save(str(folder / name))


def test_confirmation_dialog_screenshots(
    qtbot: QtBot, language: str, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    lead: Actor, clerk: Actor, technician: Actor, manager: Actor, sales_user: Actor,
    customer_id: int,
) -> None:
    ticket = _repair_with_parts(uow, clerk, lead, technician, manager, customer_id)
    assert ticket.repair is not None
    visit = make_visit(uow, sales_user, customer_id, "询问复印机租赁")
    returned = make_visit(uow, sales_user, customer_id, "报价跟进")
    with uow:
        version = uow.session.get(Visit, returned.id).version
    return_record(uow=uow, actor=office, kind="visit", record_id=returned.id,
                  expected_version=version, comment="请写明客户要的型号和数量")
    ctx = make_context(office, "management", language=language)
    page = _queue(qtbot, ctx)
    queue = page.queue_tab
    assert queue is not None and queue.select(RecordKind.REPAIR, ticket.repair.id)
    repair = queue.open_row(queue.current_row())
    assert isinstance(repair, RepairRecordDialog)
    qtbot.waitUntil(lambda: repair.detail is not None)
    qtbot.wait(50)
    assert clipped_texts(repair) == []
    _save(repair, f"repair_record_queue_{language}.png")
    repair.close()
    assert queue.select(RecordKind.VISIT, visit.id)
    confirming = queue.open_row(queue.current_row())
    assert isinstance(confirming, VisitDialog)
    qtbot.waitUntil(lambda: confirming.visit is not None and not confirming.is_busy)
    qtbot.wait(50)
    assert clipped_texts(confirming) == []
    _save(confirming, f"visit_queue_{language}.png")
    confirming.close()
    author = VisitDialog(make_context(sales_user, "key_accounts", language=language),
                         returned.id)
    qtbot.addWidget(author)
    author.show()
    qtbot.waitUntil(lambda: author.visit is not None and not author.is_busy)
    qtbot.wait(50)
    assert clipped_texts(author) == []
    _save(author, f"visit_returned_{language}.png")
    author.close()
    tech = RepairRecordDialog(make_context(technician, "repair", language=language),
                              ticket.repair.id)
    qtbot.addWidget(tech)
    tech.show()
    qtbot.waitUntil(lambda: tech.detail is not None)
    qtbot.wait(50)
    assert clipped_texts(tech) == []
    _save(tech, f"repair_record_technician_{language}.png")
    tech.close()


def test_a_returned_order_shows_the_return_comment(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, office: Actor,
    sales_user: Actor, customer_id: int,
) -> None:
    from app.models import Order
    from app.ui.sales.order_dialog import OrderDialog
    from tests.services.test_confirmation import make_order
    order = make_order(uow, sales_user, customer_id)
    dialog = OrderDialog(make_context(sales_user, "key_accounts"), order.id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog._view is not None)
    assert not dialog.return_banner.isVisible()
    dialog.close()
    with uow:
        version = uow.session.get(Order, order.id).version
    return_record(uow=uow, actor=office, kind="order", record_id=order.id,
                  expected_version=version, comment="交货日期请与客户确认")
    again = OrderDialog(make_context(sales_user, "key_accounts"), order.id)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitUntil(lambda: again._view is not None)
    assert again.return_banner.isVisible()
    assert "交货日期请与客户确认" in again.return_banner.text()
    assert "管理部小陈" in again.return_banner.text()
    again.close()
