"""The to-do page lists the service contracts expiring within 30 days (到期服务合同)
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
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.contracts.contract_dialog import ContractDialog
from app.ui.todo_page import TodoPage

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
    qtbot.waitUntil(lambda: page.contracts_loaded)
    return page


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
        assert [c.number for c in page.contracts] == [soon]
        assert page.contracts_table.isVisibleTo(page)
        assert page.contracts_table.item(0, 0).text() == soon
        assert page.contracts_table.item(0, 1).text() == "北京鑫锐科技有限公司"
        assert page.contracts_table.item(0, 3).text() == "20 days"
        assert "1 contracts" in page.contracts_status.text()

    other = _todo(qtbot, make_context(other_sales_user, "key_accounts"))
    assert other.contracts == ()
    assert "No contract" in other.contracts_status.text()

    # Enter opens the contract.
    page.contracts_table.setFocus()
    page.contracts_table.setCurrentCell(0, 0)
    qtbot.keyClick(page.contracts_table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: isinstance(page.contract_dialog, ContractDialog)
                    and page.contract_dialog.view is not None)
    assert isinstance(page.contract_dialog, ContractDialog)
    assert page.contract_dialog.view is not None
    assert page.contract_dialog.view.number == soon
    page.contract_dialog.close()

    # A counter clerk, who may not view contracts, sees only the follow-ups.
    clerk_page = TodoPage(make_context(clerk, "storefront"))
    qtbot.addWidget(clerk_page)
    clerk_page.show()
    assert not clerk_page.contracts_table.isVisibleTo(clerk_page)
    assert not clerk_page.contracts_loaded
    QApplication.processEvents()
