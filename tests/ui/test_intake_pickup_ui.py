"""The service desk: intake (接机) and pickup (取机) dialogs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Payment
from app.models.enums import ContractKind, ContractStatus, KnowledgeStatus, TicketStatus
from app.models.service import ContractDevice, KnowledgeEntry, ServiceContract
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    RepairDraft,
    TicketView,
    dispatch_ticket,
    get_ticket,
    intake_ticket,
    move_ticket,
    record_repair,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.print_preview import PrintPreviewDialog
from app.ui.service.desk import IntakeDialog, PickupDialog
from tests.ui.conftest import SHOTS_DIR

MakeContext = Callable[..., AppContext]


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def customer(uow: UnitOfWork, clerk: Actor) -> int:
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="朝阳快印店", phone="010-65881234")).id


def _intake(uow: UnitOfWork, actor: Actor, customer_id: int, serial: str = "CNB7001") -> TicketView:
    return intake_ticket(uow=uow, actor=actor, draft=IntakeDraft(
        customer_id=customer_id, symptoms="卡纸", accessories="电源线",
        new_device=NewDevice("HP", "LaserJet M404dn", serial)))


def _done_ticket(uow: UnitOfWork, clerk: Actor, lead: Actor, technician: Actor,
                 customer_id: int, labour: str = "150.00") -> TicketView:
    t = _intake(uow, clerk, customer_id)
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to=TicketStatus.IN_REPAIR)
    return record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                         draft=RepairDraft(work_done="更换搓纸轮", job_type="bench_repair",
                                           labour_amount=labour))


def _contract(uow: UnitOfWork, actor: Actor, customer_id: int, device_id: int) -> str:
    today = dt.date.today()
    with uow:
        c = ServiceContract(number="HT-2026-0001", customer_id=customer_id,
                            kind=ContractKind.FULL_SERVICE, status=ContractStatus.ACTIVE,
                            starts_on=today - dt.timedelta(days=30),
                            ends_on=today + dt.timedelta(days=300), fee=D("1200.00"),
                            created_by_id=actor.user_id, updated_by_id=actor.user_id,
                            devices=[ContractDevice(device_id=device_id)])
        uow.session.add(c)
        uow.commit()
        return c.number


def _knowledge(uow: UnitOfWork, actor: Actor) -> None:
    with uow:
        uow.session.add(KnowledgeEntry(
            number="ZS-0001", device_model="LaserJet M404dn", symptom="卡纸，进纸时卡住",
            cause="搓纸轮老化", solution="更换搓纸轮并清洁进纸通道", keywords="卡纸 搓纸轮",
            status=KnowledgeStatus.APPROVED, author_id=actor.user_id,
            approved_by_id=actor.user_id, created_by_id=actor.user_id,
            updated_by_id=actor.user_id))
        uow.commit()


def _dialog(qtbot: QtBot, dialog: QWidget) -> None:
    qtbot.addWidget(dialog)
    dialog.show()


def test_clerk_takes_in_a_new_printer_by_keyboard(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork, customer: int,
) -> None:
    ctx = make_context(clerk, "storefront")
    dialog = IntakeDialog(ctx, search_debounce_ms=10, suggest_debounce_ms=10)
    _dialog(qtbot, dialog)
    qtbot.keyClicks(dialog.search_edit, "65881")  # part of the phone number
    qtbot.waitUntil(lambda: dialog.results.count() > 0
                    and dialog.results.item(0).data(Qt.ItemDataRole.UserRole) == customer)
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.results, Qt.Key.Key_Return)
    assert dialog.customer_id == customer
    qtbot.waitUntil(lambda: dialog.customer is not None)
    assert dialog.chosen_device() is None  # a new customer has no devices yet
    qtbot.keyClicks(dialog.brand_edit, "HP")
    qtbot.keyClicks(dialog.model_edit, "LaserJet M404dn")
    qtbot.keyClicks(dialog.serial_edit, "cnb9988")
    # (QTest cannot type Chinese: the input method's result is inserted instead)
    dialog.symptoms_edit.insertPlainText("卡纸，打印有黑线")
    dialog.accessory_boxes[0].setChecked(True)  # 电源线 / Power cord
    dialog.accessories_edit.insert("U盘")
    dialog.condition_edit.insert("外壳有划痕")
    qtbot.keyClick(dialog, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: dialog.ticket is not None, timeout=5000)
    assert dialog.ticket is not None and dialog.print_button.isEnabled()

    stored = get_ticket(uow=uow, actor=clerk, ticket_id=dialog.ticket.id)
    assert stored.serial_number == "CNB9988"
    assert stored.accessories == "Power cord、U盘"
    assert stored.condition == "外壳有划痕" and stored.chargeable

    qtbot.keyClick(dialog, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    preview = dialog.preview
    assert isinstance(preview, PrintPreviewDialog) and preview.page_size() == "A5"
    qtbot.waitUntil(lambda: not preview.is_busy and bool(preview.files), timeout=20_000)
    preview.close()


def test_intake_refusal_is_shown_at_the_field(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, customer: int,
) -> None:
    dialog = IntakeDialog(make_context(clerk, "storefront"), customer_id=customer)
    _dialog(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.customer is not None)
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert dialog.field_error("symptoms")
    assert dialog.field_error("new_device.serial_number")
    assert dialog.ticket is None


def test_coverage_history_and_suggestions(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, lead: Actor, uow: UnitOfWork,
    customer: int,
) -> None:
    earlier = _intake(uow, clerk, customer)
    assert earlier.device_id is not None
    number = _contract(uow, lead, customer, earlier.device_id)
    _knowledge(uow, lead)
    dialog = IntakeDialog(make_context(clerk, "storefront"), customer_id=customer,
                          suggest_debounce_ms=10)
    _dialog(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.customer is not None)
    assert dialog.chosen_device() is not None
    qtbot.waitUntil(lambda: dialog.coverage is not None)
    assert "Under contract: labour and parts free" in dialog.coverage_label.text()
    assert number in dialog.coverage_label.text()
    assert [t.number for t in dialog.history] == [earlier.number]
    dialog.symptoms_edit.insertPlainText("卡纸")
    qtbot.waitUntil(lambda: dialog.suggestion_list.count() > 0)
    assert "更换搓纸轮" in dialog.suggestion_list.item(0).text()


def test_intake_shows_per_visit_remaining_count(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, lead: Actor, uow: UnitOfWork,
    customer: int,
) -> None:
    earlier = _intake(uow, clerk, customer)  # registers the device, before the contract
    assert earlier.device_id is not None
    today = dt.date.today()
    with uow:
        uow.session.add(ServiceContract(
            number="HT-VISIT-01", customer_id=customer, kind=ContractKind.PER_VISIT,
            status=ContractStatus.ACTIVE, included_visits=2,
            starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=300),
            fee=D("600.00"), created_by_id=lead.user_id, updated_by_id=lead.user_id,
            devices=[ContractDevice(device_id=earlier.device_id)]))
        uow.commit()
    ctx = make_context(clerk, "storefront")
    dialog = IntakeDialog(ctx, customer_id=customer)
    _dialog(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.coverage is not None)
    assert "Per visit: 2 of 2 visits left" in dialog.coverage_label.text()
    assert "HT-VISIT-01" in dialog.coverage_label.text()
    dialog.symptoms_edit.setPlainText("卡纸")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.ticket is not None)
    assert dialog.ticket is not None and not dialog.ticket.chargeable
    assert "under contract" in dialog.status_label.text()

    second = IntakeDialog(ctx, customer_id=customer)
    _dialog(qtbot, second)
    qtbot.waitUntil(lambda: second.coverage is not None)
    assert "Per visit: 1 of 2 visits left" in second.coverage_label.text()
    _intake_again = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=customer, symptoms="黑线", device_id=earlier.device_id))
    assert not _intake_again.chargeable

    used_up = IntakeDialog(ctx, customer_id=customer)
    _dialog(qtbot, used_up)
    qtbot.waitUntil(lambda: used_up.coverage is not None)
    assert "Included visits used up: 2/2" in used_up.coverage_label.text()
    used_up.symptoms_edit.setPlainText("卡纸")
    used_up.submit()
    qtbot.waitUntil(lambda: used_up.ticket is not None)
    assert used_up.ticket is not None and used_up.ticket.chargeable
    assert used_up.ticket.contract_id is None
    assert "chargeable" in used_up.status_label.text()


def test_pickup_records_the_payment(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, lead: Actor, technician: Actor,
    uow: UnitOfWork, customer: int,
) -> None:
    done = _done_ticket(uow, clerk, lead, technician, customer)
    assert done.open_charge == D("150.00")
    dialog = PickupDialog(make_context(clerk, "storefront"))
    _dialog(qtbot, dialog)
    qtbot.keyClicks(dialog.number_edit, done.number.lower())
    qtbot.keyClick(dialog.number_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.ticket is not None)
    assert dialog.amount_edit.text() == "150.00"
    assert "朝阳快印店" in dialog.details_label.text()
    assert "更换搓纸轮" in dialog.details_label.text()  # what was done, from the repair record

    dialog.amount_edit.setText("999")  # more than is open: refused at the field
    dialog.submit()
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert dialog.field_error("payment_amount")

    dialog.amount_edit.setText("150")
    dialog.submit()
    qtbot.waitUntil(lambda: dialog.result_ticket is not None)
    after = get_ticket(uow=uow, actor=clerk, ticket_id=done.id)
    assert after.status is TicketStatus.PICKED_UP and after.paid_amount == D("150.00")
    with uow:
        assert uow.session.execute(select(Payment.amount)).scalar_one() == D("150.00")

    dialog.look_up()  # it is no longer waiting
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert "not ready for pickup" in dialog.field_error("number")
    assert dialog.ticket is None and not dialog.hand_button.isEnabled()


def test_pickup_refuses_unfinished_and_unknown_tickets(
    qtbot: QtBot, make_context: MakeContext, clerk: Actor, uow: UnitOfWork, customer: int,
) -> None:
    received = _intake(uow, clerk, customer)
    dialog = PickupDialog(make_context(clerk, "storefront"), number=received.number)
    _dialog(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.is_busy and bool(dialog.field_error("number")))
    assert dialog.field_error("number") == (
        f"{received.number} is not ready for pickup: Received")
    assert dialog.ticket is None and not dialog.hand_button.isEnabled()
    assert "朝阳快印店" in dialog.details_label.text()

    dialog.number_edit.setText("WX-NOPE")
    dialog.look_up()
    qtbot.waitUntil(lambda: not dialog.is_busy)
    assert "WX-NOPE" in dialog.field_error("number")
    assert dialog.ticket is None and not dialog.hand_button.isEnabled()


# --- screenshots -----------------------------------------------------------------------------


def _shot(widget: QWidget, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert image.width() > 300 and image.height() > 200
    assert image.save(str(SHOTS_DIR / name))


def test_service_desk_renders(
    qtbot: QtBot, language: str, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor, uow: UnitOfWork, customer: int,
) -> None:
    earlier = _intake(uow, clerk, customer, serial="CNB5555")
    assert earlier.device_id is not None
    _contract(uow, lead, customer, earlier.device_id)
    _knowledge(uow, lead)
    ctx = make_context(clerk, "storefront", language)
    dialog = IntakeDialog(ctx, customer_id=customer, suggest_debounce_ms=10)
    _dialog(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.coverage is not None)
    dialog.symptoms_edit.setPlainText("卡纸，进纸时有异响")
    dialog.accessory_boxes[0].setChecked(True)
    qtbot.waitUntil(lambda: dialog.suggestion_list.count() > 0)
    if language == "zh":
        assert "接待" in dialog.windowTitle()
    _shot(dialog, f"service_intake_{language}.png")

    done = _done_ticket(uow, clerk, lead, technician, customer)
    pickup = PickupDialog(ctx, number=done.number)
    _dialog(qtbot, pickup)
    qtbot.waitUntil(lambda: pickup.ticket is not None)
    _shot(pickup, f"service_pickup_{language}.png")
