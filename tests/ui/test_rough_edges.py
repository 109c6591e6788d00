"""Issue 15's rough edges, each as a person meets it: what the screen shows, where Tab and
the cursor go, which words a message uses."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
