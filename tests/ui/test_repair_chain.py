"""The whole repair chain through its screens: intake (接机) at the counter, dispatch (派工)
by the repair lead, the technician's repair record following a knowledge-base solution with
a re-need for sales, pickup (取机) with payment — and the salesperson's new opportunity."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Payment
from app.models.enums import CustomerSource, TicketStatus
from app.models.service import KnowledgeEntry, RepairRecord
from app.services.customers import CustomerDraft, create_customer
from app.services.opportunities import OpportunityFilters, list_opportunities
from app.services.permissions import Actor
from app.services.routing import assign_opportunity, list_routing_queue
from app.services.tickets import get_ticket
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.service.desk import IntakeDialog, PickupDialog, open_intake, open_pickup
from app.ui.service.dispatch_dialog import DispatchDialog
from app.ui.service.repair_dialog import RepairDialog
from app.ui.service.ticket_dialog import TicketDialog
from tests.ui.test_intake_pickup_ui import _dialog, _knowledge

MakeContext = Callable[..., AppContext]
NEEDS_PRINTER = "客户还需要一台新打印机"


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


def _ticket_dialog(qtbot: QtBot, ctx: AppContext, ticket_id: int) -> TicketDialog:
    dialog = TicketDialog(ctx, ticket_id)
    _dialog(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    return dialog


def test_intake_dispatch_repair_pickup_and_the_reneed_reaches_sales(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor, sales_user: Actor, manager: Actor,
) -> None:
    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234", source=CustomerSource.REFERRAL)).id
    _knowledge(uow, lead)  # an approved solution for LaserJet M404dn paper jams
    with uow:
        entry_id = uow.session.execute(select(KnowledgeEntry.id)).scalar_one()

    # 1. The counter clerk takes the printer in, a device new to the system.
    clerk_ctx = make_context(clerk, "storefront")
    intake = open_intake(clerk_ctx, customer_id=customer)
    assert isinstance(intake, IntakeDialog)
    _dialog(qtbot, intake)
    assert clerk_ctx.tasks.wait_until_idle()
    qtbot.wait(20)  # deliver the card load (the sales customer's card is outside her scope)
    assert intake.customer_id == customer and intake.chosen_device() is None
    qtbot.keyClicks(intake.brand_edit, "HP")
    qtbot.keyClicks(intake.model_edit, "LaserJet M404dn")
    qtbot.keyClicks(intake.serial_edit, "CNB4040")
    intake.symptoms_edit.insertPlainText("卡纸")
    qtbot.keyClick(intake, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: intake.ticket is not None, timeout=5000)
    assert intake.ticket is not None
    ticket_id, number = intake.ticket.id, intake.ticket.number
    assert intake.ticket.status is TicketStatus.RECEIVED
    intake.close()

    # 2. The repair lead dispatches it to the technician.
    lead_view = _ticket_dialog(qtbot, make_context(lead, "repair"), ticket_id)
    dispatch = lead_view.open_dispatch()
    assert isinstance(dispatch, DispatchDialog)
    qtbot.waitUntil(lambda: dispatch.loaded)
    assert dispatch.select_technician(technician.user_id)
    dispatch.dispatch()
    qtbot.waitUntil(lambda: lead_view.view is not None
                    and lead_view.view.status is TicketStatus.DISPATCHED)
    lead_view.close()

    # 3. The technician repairs it, following the suggested knowledge entry, and notes
    #    that the customer also needs a new printer.
    tech_view = _ticket_dialog(qtbot, make_context(technician, "repair"), ticket_id)
    tech_view.move_buttons[TicketStatus.IN_REPAIR].click()
    qtbot.waitUntil(lambda: tech_view.view is not None and not tech_view.is_busy
                    and tech_view.view.status is TicketStatus.IN_REPAIR)
    repair = tech_view.open_repair()
    assert isinstance(repair, RepairDialog)
    qtbot.waitUntil(lambda: repair.suggestions_loaded)
    assert repair.suggestion_list.count() == 2  # "(no entry linked)" and the suggestion
    assert "更换搓纸轮" in repair.suggestion_list.item(1).text()
    repair.suggestion_list.setCurrentRow(1)
    assert repair.linked_entry_id() == entry_id
    repair.work_edit.setPlainText("按知识库更换搓纸轮，清洁进纸通道")
    repair.labour_edit.setText("150")
    repair.reneed_title.setText(NEEDS_PRINTER)
    repair.reneed_amount.setText("3500")
    repair.save()
    qtbot.waitUntil(lambda: repair.outcome is not None or not repair.is_busy, timeout=15000)
    assert repair.outcome is not None, repair.status_label.text()
    assert repair.outcome.reneed_error is None
    qtbot.waitUntil(lambda: tech_view.view is not None
                    and tech_view.view.status is TicketStatus.DONE)
    tech_view.close()
    with uow:
        record = uow.session.execute(select(RepairRecord)).scalar_one()
        assert record.knowledge_entry_id == entry_id

    # 4. The customer picks it up and pays at the counter.
    pickup = open_pickup(clerk_ctx, number=number)
    assert isinstance(pickup, PickupDialog)
    _dialog(qtbot, pickup)
    qtbot.waitUntil(lambda: pickup.ticket is not None)
    assert pickup.amount_edit.text() == "150.00"
    pickup.submit()
    qtbot.waitUntil(lambda: pickup.result_ticket is not None)
    pickup.close()
    after = get_ticket(uow=uow, actor=clerk, ticket_id=ticket_id)
    assert after.status is TicketStatus.PICKED_UP and after.paid_amount == D("150.00")
    with uow:
        assert uow.session.execute(select(Payment.amount)).scalar_one() == D("150.00")

    # 5. The re-need waits in management's routing queue, crediting the technician;
    #    management routes it to the customer's salesperson, who then finds it.
    [queued] = list_routing_queue(uow=uow, actor=manager)
    assert queued.title == NEEDS_PRINTER and queued.credited_user_id == technician.user_id
    assign_opportunity(uow=uow, actor=manager, opportunity_id=queued.id,
                       expected_version=queued.version, user_id=sales_user.user_id)
    page = list_opportunities(uow=uow, actor=sales_user,
                              filters=OpportunityFilters(customer_id=customer))
    [opp] = page.rows
    assert opp.source is CustomerSource.SERVICE_RENEED and opp.title == NEEDS_PRINTER


def test_the_counter_picks_a_key_accounts_registered_printer(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, sales_user: Actor,
) -> None:
    """The clerk may not open the salesperson's card, but the machine is listed to pick."""
    from app.services.customers import DeviceDraft

    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="朝阳快印店", devices=(DeviceDraft(brand="HP", model="LaserJet M404dn",
                                              serial_number="CNB4040"),))).id
    ctx = make_context(clerk, "storefront")
    intake = open_intake(ctx, customer_id=customer)
    _dialog(qtbot, intake)
    qtbot.waitUntil(lambda: intake.chosen_device() is not None, timeout=5000)
    device = intake.chosen_device()
    assert (device.model, device.serial_number) == ("LaserJet M404dn", "CNB4040")
    intake.symptoms_edit.insertPlainText("卡纸")
    qtbot.keyClick(intake, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: intake.ticket is not None, timeout=5000)
    assert get_ticket(uow=uow, actor=clerk, ticket_id=intake.ticket.id).device_id == device.id
    intake.close()
