"""Clicking a column header sorts a list, and the list says how many rows it has in all."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from app.services.customers import CustomerDetail
from app.services.permissions import Actor
from app.ui.admin.page import AdminPage
from app.ui.context import AppContext
from app.ui.customers.list_model import Column
from app.ui.customers.list_page import CustomerListPage

AddCustomer = Callable[..., CustomerDetail]
MakeContext = Callable[..., AppContext]


def _click_header(qtbot: QtBot, table: object, section: int) -> None:
    header = table.horizontalHeader()  # type: ignore[attr-defined]
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(x, header.height() // 2))


def test_the_customer_list_sorts_by_a_clicked_column_on_the_server_and_gives_its_total(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, add_customer: AddCustomer,
) -> None:
    for i in range(45):
        # Codes run with the pinyin order; phones against it.
        add_customer(clerk, f"客户{i:03d}号贸易公司", phone=f"139{99 - i:08d}")
    page = CustomerListPage(make_context(clerk, "storefront"), page_size=20)
    qtbot.addWidget(page)
    page.resize(1100, 500)
    page.show()
    model = page.model
    qtbot.waitUntil(lambda: model.rowCount() == 20 and model.total == 45)
    assert page.status_label.text() == "Customers shown: 20 of 45 (scroll down for more)"

    def phones() -> list[str]:
        return [model.index(r, Column.PHONE).data() for r in range(model.rowCount())]

    _click_header(qtbot, page.table, Column.PHONE)
    qtbot.waitUntil(lambda: model.rowCount() == 20 and phones()[0] == "13900000055")
    assert phones() == sorted(phones())
    assert page.table.horizontalHeader().sortIndicatorSection() == Column.PHONE
    _click_header(qtbot, page.table, Column.PHONE)  # again: the other way
    qtbot.waitUntil(lambda: model.rowCount() == 20 and phones()[0] == "13900000099")
    # Keyset paging goes on in that order to the end, each customer once.
    while model.canFetchMore(model.index(-1, -1)) or model.is_loading:
        model.fetchMore(model.index(-1, -1))
        qtbot.wait(5)
    assert len(phones()) == 45 and phones() == sorted(phones(), reverse=True)
    assert page.status_label.text() == "Customers: 45"


def test_admin_tables_sort_by_a_clicked_column(
    qtbot: QtBot, make_context: MakeContext, admin: Actor, clerk: Actor, manager: Actor,
) -> None:
    page = AdminPage(make_context(admin, "management"))
    qtbot.addWidget(page)
    page.resize(1100, 600)
    page.show()
    users = page.users
    qtbot.waitUntil(lambda: users.table.rowCount() == 3)

    def names() -> list[str]:
        return [users.table.item(r, 0).text() for r in range(users.table.rowCount())]

    _click_header(qtbot, users.table, 0)
    assert names() == sorted(names())
    _click_header(qtbot, users.table, 0)
    assert names() == sorted(names(), reverse=True)
    # A refresh keeps the user's order.
    count = users.table.rowCount()
    users.refresh()
    qtbot.waitUntil(lambda: users.table.rowCount() == count)
    assert names() == sorted(names(), reverse=True)
    assert users.message.text() == f"{count} users"
