"""Pickup prints its documents: after the hand-over the details show the money taken, and
the dialog previews the pickup receipt (取机单) and the payment receipt (收款收据)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from app.models.enums import TicketStatus
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    RepairDraft,
    TicketView,
    dispatch_ticket,
    intake_ticket,
    move_ticket,
    record_repair,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.print_preview import PrintPreviewDialog
from app.ui.service.desk import PickupDialog
from app.ui.service.ticket_dialog import TicketDialog
from tests.ui.conftest import SHOTS_DIR

MakeContext = Callable[..., AppContext]


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def done(uow: UnitOfWork, clerk: Actor, lead: Actor, technician: Actor) -> TicketView:
    customer = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234")).id
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer, symptoms="卡纸", accessories="电源线",
        new_device=NewDevice("HP", "LaserJet M404dn", "CNB7001")))
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    return record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                         draft=RepairDraft(work_done="更换搓纸轮", job_type="bench_repair",
                                           labour_amount="330.00"))


def _preview(qtbot: QtBot, preview: object, paper: str) -> PrintPreviewDialog:
    assert isinstance(preview, PrintPreviewDialog)
    qtbot.waitUntil(lambda: not preview.is_busy and bool(preview.files), timeout=20_000)
    assert preview.page_size() == paper
    return preview


def test_hand_over_shows_the_payment_and_prints_both_documents(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, done: TicketView, language: str,
) -> None:
    ctx = make_context(clerk, "storefront", language)
    dialog = PickupDialog(ctx, number=done.number)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.ticket is not None)
    assert dialog.print_pickup_button.isVisible() and dialog.print_pickup_button.isEnabled()
    assert not dialog.print_receipt_button.isEnabled()  # no money taken yet
    dialog.amount_edit.setText("330")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result_ticket is not None and not dialog.is_busy)
    details = dialog.details_label.text()
    if language == "zh":
        assert "已付：¥330.00" in details and "未付：¥0.00" in details, details
        assert dialog.print_pickup_button.text() == "打印取机单…"
    else:
        assert "Paid: ¥330.00" in details and "Open: ¥0.00" in details, details
    assert dialog.print_receipt_button.isEnabled()
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    assert dialog.grab().toImage().save(str(SHOTS_DIR / f"pickup_after_{language}.png"))

    dialog.print_pickup()
    _preview(qtbot, dialog.preview, "A5").close()
    dialog.print_receipt()
    _preview(qtbot, dialog.preview, "A5").close()


def test_ticket_details_show_paid_and_open(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, done: TicketView,
) -> None:
    dialog = PickupDialog(make_context(clerk, "storefront"), number=done.number)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.ticket is not None)
    dialog.amount_edit.setText("100")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result_ticket is not None)
    card = TicketDialog(make_context(clerk, "storefront"), done.id)
    qtbot.addWidget(card)
    qtbot.waitUntil(lambda: card.view is not None)
    assert card.values["charge"].text().endswith("Paid ¥100.00  Open ¥230.00")


def test_a_technician_sees_no_receipt_button(
    qtbot: QtBot, make_context: MakeContext, technician: Actor, done: TicketView,
) -> None:
    dialog = PickupDialog(make_context(technician, "repair"), number=done.number)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.ticket is not None)
    assert dialog.print_pickup_button.isVisible()
    assert not dialog.print_receipt_button.isVisible()
