"""The routing queue and the reassignment wizard, driven as management would; PNGs of each."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from app.models import Customer, Task, User
from app.models.enums import CustomerClass, TaskStatus
from app.services import auth
from app.services.customers import CustomerDetail
from app.services.errors import AuthenticationFailed
from app.services.opportunities import OpportunityFilters, list_opportunities, pass_on_reneed
from app.services.permissions import Actor
from app.services.tickets import IntakeDraft, dispatch_ticket, intake_ticket
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.management.reassign_wizard import (
    PAGE_CONFIRM,
    PAGE_PLAN,
    PAGE_PREVIEW,
    PAGE_RESULT,
    ReassignWizard,
)
from app.ui.management.routing_page import RoutingPage
from tests.conftest import TEST_PASSWORD
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]
AddCustomer = Callable[..., CustomerDetail]


@pytest.fixture
def shots() -> Path:
    folder = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "routing"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _save(widget: QWidget, path: Path) -> None:
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 300
    assert image.save(str(path))


@pytest.fixture
def reneed(uow: UnitOfWork, make_user: Callable[..., Actor], clerk: Actor, technician: Actor,
           sales_user: Actor, add_customer: AddCustomer) -> int:
    """A need the technician passed on from a repair: it waits in the routing queue."""
    lead = make_user("lead1", "repair_lead", "repair")
    customer = add_customer(sales_user, "北京鑫锐科技", phone="010-62345678").id
    made = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer, symptoms="卡纸"))
    ticket = dispatch_ticket(uow=uow, actor=lead, ticket_id=made.id,
                             expected_version=made.version, technician_id=technician.user_id)
    return pass_on_reneed(uow=uow, actor=technician, ticket_id=ticket.id,
                          title="客户想换一台彩色复印机", expected_amount="28000").id


def _routing_page(qtbot: QtBot, ctx: AppContext) -> RoutingPage:
    page = RoutingPage(ctx)
    qtbot.addWidget(page)
    page.resize(980, 420)
    page.show()
    qtbot.waitUntil(lambda: page.loaded and not page.is_busy)
    return page


def test_assign_a_queued_reneed_to_a_salesperson(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor,
    sales_user: Actor, other_sales_user: Actor, technician: Actor, reneed: int,
) -> None:
    page = _routing_page(qtbot, make_context(manager, "management"))
    assert page.model.rowCount() == 1
    assert page.model.index(0, 1).data() == "北京鑫锐科技"
    assert page.model.index(0, 3).data() == "客户想换一台彩色复印机"
    assert page.model.index(0, 5).data() == "王强"  # the credited technician
    assert [page.salesperson_combo.itemText(i)
            for i in range(page.salesperson_combo.count())] == ["张伟", "李娜"]
    assert not page.assign_button.isEnabled()  # nothing selected yet
    page.select_ids([reneed])
    assert page.choose_salesperson(other_sales_user.user_id)
    assert page.assign_button.isEnabled()
    page.assign_button.click()
    qtbot.waitUntil(lambda: page.last_outcome is not None and not page.is_busy)
    assert page.model.rowCount() == 0
    assert "李娜" in page.status_label.text()
    mine = list_opportunities(uow=uow, actor=other_sales_user,
                              filters=OpportunityFilters(owner_id=other_sales_user.user_id))
    assert [o.id for o in mine.rows] == [reneed]
    assert mine.rows[0].credited_user_id == technician.user_id
    with uow:
        tasks = uow.session.execute(select(Task.assignee_id, Task.related_id, Task.status)
                                    ).all()
    assert tasks == [(other_sales_user.user_id, reneed, TaskStatus.OPEN)]


def test_round_robin_for_the_selected_rows(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, manager: Actor, clerk: Actor,
    sales_user: Actor, other_sales_user: Actor, add_customer: AddCustomer,
) -> None:
    from app.services.opportunities import OpportunityDraft, create_opportunity

    customer = add_customer(clerk, "朝阳快印店", phone="010-65881234").id
    ids = [create_opportunity(uow=uow, actor=clerk, owner_id=None, draft=OpportunityDraft(
        customer_id=customer, title=t, expected_amount="100")).id for t in ("硒鼓", "纸张")]
    page = _routing_page(qtbot, make_context(manager, "management"))
    page.select_ids(ids)
    assert page.selected_ids() == ids
    page.round_robin_button.click()
    qtbot.waitUntil(lambda: page.last_outcome is not None and not page.is_busy)
    assert page.model.rowCount() == 0
    with uow:
        owners = uow.session.execute(select(Task.assignee_id).order_by(Task.id)).scalars().all()
    assert owners == [sales_user.user_id, other_sales_user.user_id]


def _leaving_salesperson(make_user: Callable[..., Actor], sales_user: Actor,
                         add_customer: AddCustomer) -> tuple[Actor, Actor]:
    third = make_user("sales3", "sales", "key_accounts", display_name="赵敏")
    for i, (name, klass) in enumerate([("北京鑫锐科技", CustomerClass.A),
                                       ("海淀区实验中学", CustomerClass.B),
                                       ("朝阳区税务所", CustomerClass.KEY_ACCOUNT),
                                       ("王先生", CustomerClass.RETAIL)]):
        add_customer(sales_user, name, phone=f"010-6234567{i}", customer_class=klass)
    return sales_user, third


def _wizard(qtbot: QtBot, ctx: AppContext) -> ReassignWizard:
    wizard = ReassignWizard(ctx)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitUntil(lambda: wizard.people_loaded)
    return wizard


def test_the_wizard_hands_all_customers_over_evenly_and_deactivates(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, make_user: Callable[..., Actor],
    manager: Actor, sales_user: Actor, other_sales_user: Actor, add_customer: AddCustomer,
) -> None:
    leaving, third = _leaving_salesperson(make_user, sales_user, add_customer)
    wizard = _wizard(qtbot, make_context(manager, "management"))
    assert not wizard.pick_page.isComplete()
    assert wizard.pick_page.choose(leaving.user_id)
    wizard.next()
    assert wizard.currentId() == PAGE_PREVIEW
    qtbot.waitUntil(lambda: wizard.preview_page.loaded)
    table = wizard.preview_page.table
    counts = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert counts["Customers"] == "4" and counts["Open tasks"] == "0"
    wizard.next()
    assert wizard.currentId() == PAGE_PLAN
    plan_page = wizard.plan_page
    assert not plan_page.isComplete()  # nobody chosen yet
    offered = [plan_page.even_list.item(r).text() for r in range(plan_page.even_list.count())]
    assert not any("张伟" in text for text in offered)  # not to the leaving user
    plan_page.check_users([other_sales_user.user_id, third.user_id])
    assert plan_page.isComplete()
    wizard.next()
    assert wizard.currentId() == PAGE_CONFIRM
    confirm = wizard.confirm_page
    assert confirm.deactivate_check.isChecked()  # on by default
    assert "4" in confirm.summary.text() and "李娜" in confirm.plan_label.text()
    wizard.next()
    assert wizard.currentId() == PAGE_RESULT
    qtbot.waitUntil(lambda: wizard.result_page.done or wizard.result_page.failed,
                    timeout=10_000)
    assert wizard.result_page.done, wizard.result_page.status.text()
    result_table = wizard.result_page.table
    assert {result_table.item(r, 0).text(): result_table.item(r, 1).text()
            for r in range(result_table.rowCount())} == {"李娜": "2", "赵敏": "2"}
    with uow:
        split = dict(uow.session.execute(
            select(Customer.owner_id, func.count()).group_by(Customer.owner_id)).all())
        active = uow.session.get(User, leaving.user_id).active
    assert split == {other_sales_user.user_id: 2, third.user_id: 2}
    assert active is False
    with pytest.raises(AuthenticationFailed):
        auth.login(uow=uow, username=leaving.username, password=TEST_PASSWORD)


def test_a_refused_plan_shows_the_reason_and_nothing_moves(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, make_user: Callable[..., Actor],
    manager: Actor, sales_user: Actor, technician: Actor, add_customer: AddCustomer,
) -> None:
    leaving, _third = _leaving_salesperson(make_user, sales_user, add_customer)
    wizard = _wizard(qtbot, make_context(manager, "management"))
    wizard.pick_page.choose(leaving.user_id)
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.loaded)
    wizard.next()
    plan_page = wizard.plan_page
    plan_page.one_radio.setChecked(True)
    plan_page.one_combo.setCurrentIndex(plan_page.one_combo.findData(technician.user_id))
    wizard.next()
    wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.failed, timeout=10_000)
    assert "王强" in wizard.result_page.status.text()  # a technician may not take customers
    assert not wizard.result_page.isComplete()
    with uow:
        assert uow.session.execute(select(func.count()).select_from(Customer).where(
            Customer.owner_id == leaving.user_id)).scalar_one() == 4
        assert uow.session.get(User, leaving.user_id).active is True
    wizard.back()
    assert wizard.currentId() == PAGE_CONFIRM


def test_screenshots_of_the_routing_page_and_each_wizard_step(
    qtbot: QtBot, uow: UnitOfWork, language: str, shots: Path, make_context: MakeContext,
    make_user: Callable[..., Actor], manager: Actor, sales_user: Actor,
    other_sales_user: Actor, reneed: int, add_customer: AddCustomer,
) -> None:
    ctx = make_context(manager, "management", language=language)
    page = _routing_page(qtbot, ctx)
    page.select_ids([reneed])
    assert clipped_texts(page) == []
    _save(page, shots / f"routing_queue_{language}.png")

    leaving, third = _leaving_salesperson(make_user, sales_user, add_customer)
    wizard = _wizard(qtbot, ctx)
    wizard.pick_page.choose(leaving.user_id)
    _save(wizard, shots / f"reassign_1_pick_{language}.png")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.preview_page.loaded)
    _save(wizard, shots / f"reassign_2_preview_{language}.png")
    wizard.next()
    plan_page = wizard.plan_page
    plan_page.class_radio.setChecked(True)
    for k, combo in plan_page.class_combos.items():
        user = other_sales_user if k in (CustomerClass.A, CustomerClass.RETAIL) else third
        combo.setCurrentIndex(combo.findData(user.user_id))
    assert plan_page.isComplete()
    _save(wizard, shots / f"reassign_3_plan_class_{language}.png")
    plan_page.check_users([other_sales_user.user_id, third.user_id])
    _save(wizard, shots / f"reassign_3_plan_even_{language}.png")
    wizard.next()
    assert clipped_texts(wizard) == []
    _save(wizard, shots / f"reassign_4_confirm_{language}.png")
    wizard.next()
    qtbot.waitUntil(lambda: wizard.result_page.done, timeout=10_000)
    assert clipped_texts(wizard) == []
    _save(wizard, shots / f"reassign_5_result_{language}.png")
