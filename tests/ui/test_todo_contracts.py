"""The to-do list shows the service contracts expiring within 30 days (到期服务合同)
to the contract's owner and to management, within their data scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.models.enums import ContractKind
from app.services.contracts import ContractDraft, activate_contract, create_contract
from app.services.customers import CustomerDraft, DeviceDraft, create_customer
from app.services.permissions import Actor
from app.services.todo import TodoKind
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.contracts.contract_dialog import ContractDialog
from app.ui.todo.page import TodoPage

MakeContext = Callable[..., AppContext]


def _contract(uow: UnitOfWork, manager: Actor, owner: Actor, customer_id: int,
              device_id: int, ends_in: int) -> str:
    today = dt.date.today()
    view = create_contract(uow=uow, actor=manager, draft=ContractDraft(
        customer_id=customer_id, kind=ContractKind.FULL_SERVICE,
        starts_on=today - dt.timedelta(days=300), ends_on=today + dt.timedelta(days=ends_in),
        fee=D("6000.00"), device_ids=(device_id,), owner_id=owner.user_id))
    activate_contract(uow=uow, actor=manager, contract_id=view.id,
                      expected_version=view.version)
    return view.number


def _todo(qtbot: QtBot, ctx: AppContext) -> TodoPage:
    page = TodoPage(ctx)
    qtbot.addWidget(page)
    page.resize(900, 500)
    page.show()
    qtbot.waitUntil(lambda: page.loaded)
    return page


def _contract_rows(page: TodoPage) -> list[int]:
    return [row for row, item in enumerate(page.items) if item.kind is TodoKind.CONTRACT]


def test_expiring_contracts_reach_the_owner_and_management_only(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, sales_user: Actor,
    other_sales_user: Actor, manager: Actor, clerk: Actor,
) -> None:
    detail = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", devices=(
            DeviceDraft(brand="理光", model="MP 2014", serial_number="RC2014-0001"),
            DeviceDraft(brand="理光", model="MP 2555", serial_number="RC2555-0001"))))
    soon = _contract(uow, manager, sales_user, detail.id, detail.devices[0].id, 20)
    _contract(uow, manager, sales_user, detail.id, detail.devices[1].id, 60)

    for actor, station in ((sales_user, "key_accounts"), (manager, "manager_office")):
        page = _todo(qtbot, make_context(actor, station))
        rows = _contract_rows(page)
        assert [page.items[r].title for r in rows] == [soon]
        row = rows[0]
        assert page.model.index(row, 1).data() == "Contract expiring"
        assert page.model.index(row, 2).data() == soon
        assert page.model.index(row, 3).data() == "北京鑫锐科技有限公司"
        assert page.model.index(row, 4).data() == "Ends in 20 days"

    other = _todo(qtbot, make_context(other_sales_user, "key_accounts"))
    assert _contract_rows(other) == []
    assert "Nothing to do" in other.status_label.text()

    # Enter opens the contract.
    row = _contract_rows(page)[0]
    page.table.setFocus()
    page.table.selectRow(row)
    assert page.open_button.text() == "Open contract"
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(page.dialog, ContractDialog)
                    and page.dialog.view is not None)
    assert isinstance(page.dialog, ContractDialog)
    assert page.dialog.view is not None
    assert page.dialog.view.number == soon
    page.dialog.close()

    # A counter clerk, who may not view contracts, has none on the list.
    clerk_page = _todo(qtbot, make_context(clerk, "storefront"))
    assert _contract_rows(clerk_page) == []
    QApplication.processEvents()
