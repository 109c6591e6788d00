"""Service tickets page, dispatch and repair record dialogs (服务单, 派工, 维修记录)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from app.models import Product, utcnow
from app.models.enums import CustomerSource, Priority, ProductCategory, TicketStatus
from app.models.service import RepairRecord
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.routing import list_routing_queue
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    TicketView,
    dispatch_ticket,
    get_ticket,
    intake_ticket,
    move_ticket,
)
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.service.dispatch_dialog import DispatchDialog
from app.ui.service.repair_dialog import RepairDialog
from app.ui.service.ticket_dialog import TicketDialog
from app.ui.service.tickets_page import OVERDUE_COLOUR, TicketListPage
from app.ui.shell.record_openers import record_openers
from tests.ui.conftest import SHOTS_DIR, clipped_texts

MakeContext = Callable[..., AppContext]


@pytest.fixture
def lead(make_user: Callable[..., Actor]) -> Actor:
    return make_user("lead1", "repair_lead", "repair", display_name="维修主管")


@pytest.fixture
def customer(uow: UnitOfWork, sales_user: Actor) -> int:
    return create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="朝阳快印店", source=CustomerSource.REFERRAL)).id


@pytest.fixture
def toner(uow: UnitOfWork, manager: Actor) -> int:
    with uow:
        p = Product(sku="HP-CF226A", name="HP 26A 硒鼓", category=ProductCategory.CONSUMABLE,
                    cost_price=D("300.00"), list_price=D("450.00"),
                    created_by_id=manager.user_id, updated_by_id=manager.user_id)
        uow.session.add(p)
        uow.commit()
        return p.id


def _intake(uow: UnitOfWork, clerk: Actor, customer: int, serial: str,
            **changes: object) -> TicketView:
    base: dict[str, object] = dict(
        customer_id=customer, symptoms="卡纸，打印有黑线", accessories="电源线",
        new_device=NewDevice("HP", "LaserJet M404dn", serial))
    base.update(changes)
    return intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(**base))  # type: ignore[arg-type]


def _page(qtbot: QtBot, ctx: AppContext) -> TicketListPage:
    page = TicketListPage(ctx)
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    return page


def _ticket_dialog(qtbot: QtBot, ctx: AppContext, ticket_id: int) -> TicketDialog:
    dialog = TicketDialog(ctx, ticket_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.view is not None and not dialog.is_busy)
    return dialog


def test_list_marks_overdue_tickets_and_filters(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    customer: int,
) -> None:
    late = _intake(uow, clerk, customer, "CNB0000001", priority=Priority.URGENT,
                   received_at=utcnow() - dt.timedelta(hours=10))
    fresh = _intake(uow, clerk, customer, "CNB0000002")
    page = _page(qtbot, make_context(lead, "repair"))
    assert page.model.rowCount() == 2
    rows = {page.model.index(r, 0).data(): r for r in range(2)}
    late_row, fresh_row = rows[late.number], rows[fresh.number]
    assert "Overdue" in page.model.index(late_row, 4).data()
    assert "Overdue" not in page.model.index(fresh_row, 4).data()
    brush = page.model.index(late_row, 0).data(Qt.ItemDataRole.ForegroundRole)
    assert brush.color().name() == OVERDUE_COLOUR
    assert page.model.index(fresh_row, 0).data(Qt.ItemDataRole.ForegroundRole) is None
    assert page.model.index(late_row, 2).data() == "HP LaserJet M404dn"

    page.overdue_check.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.index(0, 0).data() == late.number
    page.overdue_check.setChecked(False)
    page.mine_check.setChecked(True)  # the lead has no ticket of its own
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)

    # Enter opens the ticket dialog with its status moves.
    page.mine_check.setChecked(False)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    page.table.setCurrentIndex(page.model.index(late_row, 0))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    def opened() -> list[TicketDialog]:
        # Only a visible dialog: one left over from an earlier test may still exist.
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, TicketDialog) and w.isVisible() and w.view is not None]

    qtbot.waitUntil(lambda: bool(opened()))
    [dialog] = opened()
    assert dialog.view is not None and dialog.view.id == late.id
    assert dialog.overdue_label.text() == "Overdue"
    assert dialog.dispatch_button.isVisibleTo(dialog)
    assert dialog.move_buttons[TicketStatus.CANCELLED].isVisibleTo(dialog)
    assert not dialog.move_buttons[TicketStatus.IN_REPAIR].isVisibleTo(dialog)
    assert dialog.history.count() == 1
    dialog.close()
    assert "service_ticket" in record_openers()


def test_lead_dispatches_through_the_dialog(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor, make_user: Callable[..., Actor], customer: int,
) -> None:
    other = make_user("tech2", "technician", "repair", display_name="李刚")
    ticket = _intake(uow, clerk, customer, "CNB0000003")
    dialog = _ticket_dialog(qtbot, make_context(lead, "repair"), ticket.id)
    dispatch = dialog.open_dispatch()
    assert isinstance(dispatch, DispatchDialog)
    qtbot.waitUntil(lambda: dispatch.loaded)
    assert dispatch.technicians.count() == 2
    assert "0" in dispatch.technicians.item(0).text()
    assert dispatch.select_technician(other.user_id)
    assert not dispatch.scheduled_edit.isEnabled()  # brought in: no visit time
    dispatch.dispatch()
    qtbot.waitUntil(lambda: dialog.view is not None
                    and dialog.view.status is TicketStatus.DISPATCHED)
    stored = get_ticket(uow=uow, actor=lead, ticket_id=ticket.id)
    assert stored.status is TicketStatus.DISPATCHED and stored.technician_id == other.user_id
    assert dialog.values["technician"].text() == "李刚"
    assert not dialog.dispatch_button.isVisibleTo(dialog)
    history = [dialog.history.item(i).text() for i in range(dialog.history.count())]
    assert len(history) == 2
    assert history[0].endswith("Received  by 门市小王")
    assert history[1].endswith("Received → Dispatched  by 维修主管")


def test_technician_records_repair_with_part_and_reneed(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor, manager: Actor, customer: int, toner: int,
) -> None:
    ticket = _intake(uow, clerk, customer, "CNB0000004")
    ticket = dispatch_ticket(uow=uow, actor=lead, ticket_id=ticket.id,
                             expected_version=ticket.version,
                             technician_id=technician.user_id)
    dialog = _ticket_dialog(qtbot, make_context(technician, "repair"), ticket.id)
    assert not dialog.dispatch_button.isVisibleTo(dialog)
    assert not dialog.repair_button.isVisibleTo(dialog)
    dialog.move_buttons[TicketStatus.IN_REPAIR].click()
    qtbot.waitUntil(lambda: dialog.view is not None
                    and dialog.view.status is TicketStatus.IN_REPAIR and not dialog.is_busy)
    assert dialog.repair_button.isVisibleTo(dialog)
    repair = dialog.open_repair()
    assert isinstance(repair, RepairDialog)
    qtbot.waitUntil(lambda: repair.suggestions_loaded)
    repair.work_edit.setPlainText("更换硒鼓，清洁定影")
    repair.cause_edit.setText("硒鼓寿命到期")
    repair.difficulty_spin.setValue(2)
    repair.minutes_spin.setValue(45)
    repair.labour_edit.setText("80")
    repair.rating_combo.setCurrentIndex(repair.rating_combo.findData(5))
    repair.product_search.setText("HP-CF")
    repair.search_products()
    qtbot.waitUntil(lambda: repair.product_results.currentData() is not None)
    repair.add_selected_product()
    assert repair.parts_table.rowCount() == 1
    repair.reneed_title.setText("再买两支硒鼓")
    repair.reneed_amount.setText("900")
    repair.save()
    qtbot.waitUntil(lambda: repair.outcome is not None or not repair.is_busy, timeout=15000)
    assert repair.outcome is not None, repair.status_label.text()
    assert repair.outcome is not None and repair.outcome.reneed_error is None
    assert repair.score_label.text() == "Service score: 6.00"  # 2×2 + (5−3)×0.5 + 1
    qtbot.waitUntil(lambda: dialog.view is not None
                    and dialog.view.status is TicketStatus.DONE)
    stored = get_ticket(uow=uow, actor=lead, ticket_id=ticket.id)
    assert stored.status is TicketStatus.DONE and stored.total_charge == D("530.00")
    with uow:
        record = uow.session.execute(select(RepairRecord)).scalar_one()
        assert record.service_score == D("6.00") and len(record.parts) == 1
        repair_id = record.id
    # The re-need waits in management's routing queue, crediting the technician.
    [opp] = list_routing_queue(uow=uow, actor=manager)
    assert opp.source is CustomerSource.SERVICE_RENEED and opp.title == "再买两支硒鼓"
    assert opp.customer_id == customer and opp.credited_user_id == technician.user_id
    history = [dialog.history.item(i).text() for i in range(dialog.history.count())]
    assert history[-1].endswith("In repair → Repaired  by 王强")
    dialog.close()

    # A "repair" timeline entry opens the repair record, and from it its ticket.
    from app.ui.service.repair_record_dialog import RepairRecordDialog
    opener = record_openers().opener_for("repair")
    assert opener is not None
    record_view = opener(make_context(lead, "repair"), repair_id, None)
    assert isinstance(record_view, RepairRecordDialog)
    qtbot.addWidget(record_view)
    qtbot.waitUntil(lambda: record_view.detail is not None)
    opened = record_view.open_ticket()
    assert isinstance(opened, TicketDialog)
    qtbot.waitUntil(lambda: opened.view is not None)
    assert opened.view is not None and opened.view.id == ticket.id
    opened.close()
    record_view.close()


def test_repair_errors_are_shown_at_the_fields(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor, customer: int,
) -> None:
    ticket = _intake(uow, clerk, customer, "CNB0000005")
    ticket = dispatch_ticket(uow=uow, actor=lead, ticket_id=ticket.id,
                             expected_version=ticket.version,
                             technician_id=technician.user_id)
    ticket = move_ticket(uow=uow, actor=technician, ticket_id=ticket.id,
                         expected_version=ticket.version, to=TicketStatus.IN_REPAIR)
    repair = RepairDialog(make_context(technician, "repair"), ticket)
    qtbot.addWidget(repair)
    repair.show()
    repair.save()  # no work described
    qtbot.waitUntil(lambda: not repair.is_busy and repair.field_error("work_done") != "")
    assert repair.outcome is None


# --- screenshots -----------------------------------------------------------------------------


def _shot(widget: QWidget, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert image.width() > 300 and image.height() > 200
    assert image.save(str(SHOTS_DIR / name))


def test_ticket_screens_render(
    qtbot: QtBot, language: str, uow: UnitOfWork, make_context: MakeContext, clerk: Actor,
    lead: Actor, technician: Actor, customer: int,
) -> None:
    late = _intake(uow, clerk, customer, "CNB0000006", priority=Priority.URGENT,
                   received_at=utcnow() - dt.timedelta(hours=10))
    dispatch_ticket(uow=uow, actor=lead, ticket_id=late.id, expected_version=late.version,
                    technician_id=technician.user_id)
    ticket = _intake(uow, clerk, customer, "CNB0000007")
    ctx = make_context(lead, "repair", language)
    page = _page(qtbot, ctx)
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    qtbot.wait(20)
    assert clipped_texts(page) == []
    _shot(page, f"service_tickets_{language}.png")

    dispatch = DispatchDialog(ctx, ticket)
    qtbot.addWidget(dispatch)
    dispatch.show()
    qtbot.waitUntil(lambda: dispatch.loaded)
    qtbot.wait(20)
    assert clipped_texts(dispatch) == []
    _shot(dispatch, f"service_dispatch_{language}.png")

    # A technician's list: his open tickets.
    tech_page = TicketListPage(make_context(technician, "repair", language))
    qtbot.addWidget(tech_page)
    tech_page.resize(1200, 300)
    tech_page.show()
    qtbot.waitUntil(lambda: tech_page.model.rowCount() == 1)
    qtbot.wait(20)
    assert clipped_texts(tech_page) == []
    (SHOTS_DIR / "custlist").mkdir(parents=True, exist_ok=True)
    assert tech_page.grab().save(str(SHOTS_DIR / "custlist" / f"tickets_tech_{language}.png"))

    repair = RepairDialog(make_context(technician, "repair", language), ticket)
    qtbot.addWidget(repair)
    repair.show()
    qtbot.waitUntil(lambda: repair.suggestions_loaded)
    qtbot.wait(20)
    assert clipped_texts(repair) == []
    _shot(repair, f"service_repair_{language}.png")


def test_list_opens_on_open_tickets_a_technician_on_his_own(
    qtbot: QtBot, uow: UnitOfWork, make_context: MakeContext, clerk: Actor, lead: Actor,
    technician: Actor, customer: int,
) -> None:
    mine = _intake(uow, clerk, customer, "CNB0000011")
    mine = dispatch_ticket(uow=uow, actor=lead, ticket_id=mine.id,
                           expected_version=mine.version, technician_id=technician.user_id)
    waiting = _intake(uow, clerk, customer, "CNB0000012")
    gone = _intake(uow, clerk, customer, "CNB0000013")
    move_ticket(uow=uow, actor=lead, ticket_id=gone.id, expected_version=gone.version,
                to=TicketStatus.CANCELLED)

    def numbers(page: TicketListPage) -> set[str]:
        return {page.model.index(r, 0).data() for r in range(page.model.rowCount())}

    tech_page = _page(qtbot, make_context(technician, "repair"))
    assert tech_page.mine_check.isChecked()
    assert tech_page.status_combo.currentText() == "Still open"
    assert numbers(tech_page) == {mine.number}

    lead_page = _page(qtbot, make_context(lead, "repair"))
    assert not lead_page.mine_check.isChecked()
    assert numbers(lead_page) == {mine.number, waiting.number}  # not the cancelled one
    lead_page.status_combo.setCurrentIndex(0)  # all statuses: still switchable
    qtbot.waitUntil(lambda: lead_page.model.rowCount() == 3)
    assert gone.number in numbers(lead_page)
