"""Issue 15's rough edges, each as a person meets it: what the screen shows, where Tab and
the cursor go, which words a message uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import update

from app.models import AppSetting
from app.services.care import RUN_KEY, generate_care_items
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.care.page import CarePage
from app.ui.context import AppContext
from tests.services.test_care import ON, _contract, _customer

MakeContext = Callable[..., AppContext]


# --- the care page: "not generated yet" only above an empty list ----------------------------

def test_care_page_says_not_generated_only_when_no_item_is_listed(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor,
) -> None:
    for n in range(3):
        customer = _customer(uow, sales_user, f"测试客户{n}有限公司")
        _contract(uow, customer, f"HT-20260410-000{n}", ON + dt.timedelta(days=20))
    generate_care_items(uow=uow, actor=manager, on=ON)
    with uow:  # items there (the demo writes them itself), but no generation recorded
        uow.session.execute(update(AppSetting).where(AppSetting.key == RUN_KEY)
                            .values(value="{}"))
        uow.commit()
    page = CarePage(make_context(manager, "management"), today=ON, auto_generate=False)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: len(page.items) == 3)
    qtbot.wait(50)
    assert "not been generated" not in page.generation_label.text()


def test_care_page_says_not_generated_above_an_empty_list(
    qtbot: QtBot, make_context: MakeContext, manager: Actor,
) -> None:
    page = CarePage(make_context(manager, "management"), today=ON, auto_generate=False)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitUntil(lambda: page.generation_label.text()
                    == "Care items have not been generated yet.")
    assert page.model.rowCount() == 0


# --- a new quotation: the cursor in the customer box ---------------------------------------

def test_new_quotation_puts_the_cursor_in_the_customer_search(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor,
) -> None:
    from app.ui.sales.quotation_dialog import new_quotation

    dialog = new_quotation(make_context(sales_user, "key_accounts"))
    qtbot.addWidget(dialog)
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.focusWidget() is dialog.customer.search_edit)
    qtbot.keyClicks(dialog.focusWidget(), "xinrui")
    assert dialog.customer.search_edit.text() == "xinrui"


# --- the drill-down heads its columns for the kind of record it lists ----------------------

def _headings(dialog: Any) -> list[str]:
    model, table = dialog.model, dialog.table
    return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())
            if not table.isColumnHidden(c)]


def test_customer_drill_down_heads_the_name_as_customer_not_number(
    qtbot: QtBot, make_context: MakeContext, manager: Actor, sales_user: Actor,
    add_customer: Callable[..., Any],
) -> None:
    from app.services.statistics import DrillKey, StatFilters
    from app.ui.statistics.drill_dialog import DrillDownDialog

    add_customer(sales_user, "北京鑫锐科技有限公司")
    key = DrillKey("customer-classes", (("measure", "customers"), ("value", "*"),
                                        ("view", "class")))
    filters = StatFilters(ON - dt.timedelta(days=90), ON + dt.timedelta(days=1))
    dialog = DrillDownDialog(make_context(manager, "manager_office"), key, filters,
                             caption="", open_record=lambda _r, _d: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.drill_result is not None and dialog.model.rowCount() == 1)
    assert _headings(dialog) == ["Customer", "First contact", "Owner", "Customer code"]
    assert dialog.model.index(0, 0).data() == "北京鑫锐科技有限公司"
