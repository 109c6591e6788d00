"""The customer 360 view: header figures, devices, the timeline, its filters and its openers."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QCheckBox, QWidget
from pytestqt.qtbot import QtBot

from app.db import DatabaseUnavailable
from app.models import (
    CareItem,
    ContractDevice,
    Device,
    Opportunity,
    Order,
    Payment,
    PaymentAllocation,
    Quotation,
    RepairRecord,
    ServiceContract,
    ServiceTicket,
    Task,
    Visit,
)
from app.models.enums import (
    CareKind,
    CareStatus,
    ContractKind,
    ContractStatus,
    CustomerClass,
    CustomerSource,
    Module,
    OpportunityStage,
    OrderStatus,
    PaymentMethod,
    Priority,
    QuotationStatus,
    ServiceMode,
    TaskStatus,
    TicketChannel,
    TicketStatus,
    VisitKind,
)
from app.services.customers import CustomerDetail
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from app.ui.context import AppContext
from app.ui.customers import overview as overview_module
from app.ui.customers.list_model import Column as ListColumn
from app.ui.customers.list_page import CustomerListPage
from app.ui.customers.overview import CustomerOverviewPage, TimelineEntryDialog
from app.ui.customers.timeline_model import KIND_ROLE, RECORD_ID_ROLE, Column
from app.ui.formatting import format_yuan
from app.ui.shell.main_window import MainWindow
from app.ui.shell.record_openers import RecordOpeners
from tests.ui.conftest import SHOTS_DIR, clipped_texts

AddCustomer = Callable[..., CustomerDetail]
MakeContext = Callable[..., AppContext]

NAME = "北京鑫锐科技有限公司"
SERIAL = "VNB3K12345"
# What sales1 (no service module) sees, newest first: the creation "now", then back in time.
SALES_KINDS = ["change", "task", "care", "payment", "order", "quotation", "opportunity",
               "visit"]
ALL_KINDS = ["change", "task", "care", "repair", "service_ticket", "payment", "order",
             "quotation", "opportunity", "visit"]


@dataclass(frozen=True)
class History:
    customer_id: int
    ids: dict[str, int]


@pytest.fixture(autouse=True)
def beijing_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The PCs are in Beijing: local time is UTC+8."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _ago(days: int, hour: int = 2, minute: int = 30) -> dt.datetime:
    """``days`` before now, at hour:minute UTC (10:30 in Beijing by default)."""
    day = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=days)
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


@pytest.fixture
def history(uow: UnitOfWork, sales_user: Actor, technician: Actor, manager: Actor,
            add_customer: AddCustomer) -> History:
    """One customer of sales1 with a record of every kind, a device under contract, and
    16 950.00 owed (26 800.00 ordered − 10 000.00 paid + a 150.00 repair charge)."""
    customer = add_customer(sales_user, NAME, phone="010-6253 8888",
                            customer_class=CustomerClass.KEY_ACCOUNT,
                            source=CustomerSource.VISIT)
    cid, owner = customer.id, sales_user.user_id
    with uow:
        s = uow.session
        visit = Visit(customer_id=cid, owner_id=owner, kind=VisitKind.WALK_IN,
                      occurred_at=_ago(60), purpose="来店咨询 A3 彩色复印机")
        opportunity = Opportunity(
            number="SJ-202609-0007", customer_id=cid, owner_id=owner, title="采购 A3 彩色复印机",
            source=CustomerSource.VISIT, stage=OpportunityStage.PROPOSAL,
            expected_amount=Decimal("28000.00"), probability=60, created_at=_ago(55))
        quotation = Quotation(
            number="BJ-202609-0012", customer_id=cid, owner_id=owner,
            status=QuotationStatus.ACCEPTED, quoted_on=_ago(50).date(),
            valid_until=_ago(20).date(), total_amount=Decimal("26800.00"),
            notes="含安装调试及一年保修")
        order = Order(number="XS-202609-0031", customer_id=cid, owner_id=owner,
                      status=OrderStatus.CONFIRMED, ordered_on=_ago(45).date(),
                      customer_source="visit", total_amount=Decimal("26800.00"),
                      total_cost=Decimal("21000.00"), paid_amount=Decimal("10000.00"),
                      notes="佳能 iR-ADV C3830 一台")
        s.add_all([visit, opportunity, quotation, order])
        s.flush()
        payment = Payment(number="HK-202610-0004", customer_id=cid,
                          received_on=_ago(40).date(), amount=Decimal("10000.00"),
                          method=PaymentMethod.BANK_TRANSFER, received_by_id=owner,
                          reference="首付款")
        payment.allocations = [PaymentAllocation(order_id=order.id,
                                                 amount=Decimal("10000.00"))]
        device = Device(customer_id=cid, brand="HP", model="LaserJet Pro M404dn",
                        serial_number=SERIAL)
        s.add_all([payment, device])
        s.flush()
        contract = ServiceContract(
            number="HT-2026-0042", customer_id=cid, kind=ContractKind.FULL_SERVICE,
            status=ContractStatus.ACTIVE, starts_on=_ago(100).date(),
            ends_on=_ago(-265).date(), fee=Decimal("3600.00"))
        contract.devices = [ContractDevice(device_id=device.id)]
        ticket = ServiceTicket(
            number="WX-202611-0102", customer_id=cid, device_id=device.id,
            channel=TicketChannel.WALK_IN, mode=ServiceMode.BRING_IN,
            priority=Priority.NORMAL, status=TicketStatus.DONE,
            symptoms="卡纸，打印有黑线", received_at=_ago(20, 1, 15),
            intake_by_id=owner, technician_id=technician.user_id,
            total_charge=Decimal("150.00"))
        s.add_all([contract, ticket])
        s.flush()
        repair = RepairRecord(
            ticket_id=ticket.id, technician_id=technician.user_id,
            work_done="更换搓纸轮，清洁定影组件", job_type="repair",
            labour_amount=Decimal("100.00"), parts_amount=Decimal("50.00"),
            confirm_status="confirmed", completed_at=_ago(19, 6, 0))
        care = CareItem(customer_id=cid, owner_id=owner, kind=CareKind.FOLLOW_UP,
                        title="回访维修满意度", due_on=_ago(10).date(),
                        status=CareStatus.OPEN)
        task = Task(title="上门检查复印机安装环境", assigned_by_id=manager.user_id,
                    assignee_id=owner, customer_id=cid, priority=Priority.HIGH,
                    status=TaskStatus.OPEN, created_at=_ago(5, 0, 45))
        s.add_all([repair, care, task])
        s.flush()
        ids = {"visit": visit.id, "opportunity": opportunity.id, "quotation": quotation.id,
               "order": order.id, "payment": payment.id, "service_ticket": ticket.id,
               "repair": repair.id, "care": care.id, "task": task.id}
        uow.commit()
    return History(cid, ids)


def _page(qtbot: QtBot, ctx: AppContext, customer_id: int, **kwargs: Any
          ) -> CustomerOverviewPage:
    page = CustomerOverviewPage(ctx, customer_id, **kwargs)
    qtbot.addWidget(page)
    page.resize(1000, 640)
    page.show()
    qtbot.waitUntil(lambda: page.overview is not None or page.error is not None)
    return page


def _kinds(page: CustomerOverviewPage) -> list[str]:
    model = page.model
    return [model.index(r, 0).data(KIND_ROLE) for r in range(model.rowCount())]


def _row_of(page: CustomerOverviewPage, kind: str) -> int:
    return _kinds(page).index(kind)


def _dialogs() -> list[TimelineEntryDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, TimelineEntryDialog) and w.isVisible()]


def test_enter_on_a_customer_in_the_list_opens_its_overview(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, history: History,
) -> None:
    window = MainWindow(make_context(sales_user, "key_accounts"))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitActive(window)
    listing = window.stack.currentWidget()
    assert isinstance(listing, CustomerListPage)
    qtbot.waitUntil(lambda: listing.model.rowCount() == 1)
    listing.table.setFocus()
    listing.table.setCurrentIndex(listing.model.index(0, ListColumn.NAME))
    qtbot.keyClick(listing.table, Qt.Key.Key_Return)

    page = window.overview_page
    assert isinstance(page, CustomerOverviewPage)
    assert window.stack.currentWidget() is page
    qtbot.waitUntil(lambda: page.overview is not None)
    assert page.name_label.text() == NAME
    assert page.fact_labels["class"].text() == "Key account"
    assert page.fact_labels["owner"].text() == "张伟"
    assert page.receivable_label.text() == "¥16,950.00"
    devices = [page.devices_list.item(i).text() for i in range(page.devices_list.count())]
    assert len(devices) == 1 and SERIAL in devices[0] and "HT-2026-0042" in devices[0]
    assert page.contracts_list.item(0).text().startswith("HT-2026-0042 · Full service · Active")

    # Newest first, every kind the salesperson may see, each opening its own record.
    assert _kinds(page) == SALES_KINDS
    model = page.model
    assert model.index(_row_of(page, "order"), Column.AMOUNT).data() == "¥26,800.00"
    assert model.index(_row_of(page, "order"), Column.REFERENCE).data() == "XS-202609-0031"
    assert model.index(_row_of(page, "payment"), Column.STATE).data() == "Bank transfer"
    assert model.index(_row_of(page, "visit"), Column.REFERENCE).data() == "Walk-in"
    # Local (Beijing) time; a payment or order is dated by its day only.
    assert model.index(_row_of(page, "visit"), Column.WHEN).data() == (
        f"{_ago(60).date().isoformat()} 10:30")
    assert model.index(_row_of(page, "order"), Column.WHEN).data() == (
        _ago(45).date().isoformat())
    assert model.index(_row_of(page, "change"), Column.REFERENCE).data() == "Created"
    amount_alignment = model.index(0, Column.AMOUNT).data(Qt.ItemDataRole.TextAlignmentRole)
    assert amount_alignment & Qt.AlignmentFlag.AlignRight
    assert page.status_label.text() == "Entries: 8"

    # Esc goes back to the list, with the focus where it was.
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Escape)
    assert window.stack.currentWidget() is listing
    assert window.overview_page is None
    assert listing.table.hasFocus()

    # Alt+Left does the same, and the navigator's current module also leads back.
    window.open_customer(history.customer_id)
    page = window.overview_page
    assert page is not None
    qtbot.waitUntil(lambda: page.overview is not None)
    page.table.setFocus()
    qtbot.keyClick(page.table, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.stack.currentWidget() is listing
    window.open_customer(history.customer_id)
    assert window.stack.currentWidget() is window.overview_page
    navigator = window.navigator
    navigator.itemClicked.emit(navigator.currentItem())
    assert window.stack.currentWidget() is listing


def test_kind_filter_hides_rows_and_show_all_brings_them_back(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, history: History,
) -> None:
    page = _page(qtbot, make_context(sales_user, "key_accounts"), history.customer_id)
    boxes = page.kind_boxes
    assert list(boxes) == ["visit", "opportunity", "quotation", "order", "payment", "care",
                           "task", "change"]  # no service tickets for a salesperson
    assert boxes["order"].text() == "Order (1)"

    boxes["order"].click()
    boxes["payment"].click()
    assert _kinds(page) == [k for k in SALES_KINDS if k not in ("order", "payment")]
    assert page.status_label.text() == "Entries shown: 6 of 8"
    page.show_all_button.click()
    assert _kinds(page) == SALES_KINDS
    assert all(box.isChecked() for box in boxes.values())


def test_enter_on_an_entry_opens_it_or_its_summary(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, history: History,
) -> None:
    # Without a payment screen registered (the shipped one opens the payment dialog).
    page = _page(qtbot, make_context(sales_user, "key_accounts"), history.customer_id,
                 openers=RecordOpeners())
    table = page.table
    table.setFocus()
    table.setCurrentIndex(page.model.index(_row_of(page, "payment"), Column.TEXT))
    with qtbot.waitSignal(page.open_record) as opened:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened.args == ["payment", history.ids["payment"]]

    # No payment screen yet: the entry is shown read-only, and says where the rest comes.
    qtbot.waitUntil(lambda: len(_dialogs()) == 1)
    [dialog] = _dialogs()
    assert dialog.windowTitle() == "Payment HK-202610-0004"
    assert dialog.value_labels["Amount"].text() == "¥10,000.00"
    assert dialog.note_label is not None
    assert '"Payments received" module' in dialog.note_label.text()
    dialog.reject()
    qtbot.waitUntil(lambda: _dialogs() == [])

    # A change from the audit log shows its summary, with no promise of a screen.
    page.open_entry(page.model.entry(_row_of(page, "change")))
    qtbot.waitUntil(lambda: len(_dialogs()) == 1)
    [dialog] = _dialogs()
    assert dialog.note_label is None
    assert NAME in dialog.value_labels["Details"].text()
    dialog.reject()


def test_a_registered_opener_opens_its_kind(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, history: History,
) -> None:
    calls: list[tuple[AppContext, int, object]] = []
    ctx = make_context(sales_user, "key_accounts")
    openers = RecordOpeners({"order": lambda c, record_id, parent: calls.append(
        (c, record_id, parent))})
    page = _page(qtbot, ctx, history.customer_id, openers=openers)
    index = page.model.index(_row_of(page, "order"), Column.KIND)
    assert index.data(RECORD_ID_ROLE) == history.ids["order"]

    page.table.scrollTo(index)
    centre = page.table.visualRect(index).center()
    # A real double-click is a press first: the view opens only the row it was pressed on.
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    assert calls == [(ctx, history.ids["order"], page)]
    assert _dialogs() == []
    # page → openers → lambda → calls → page: break the cycle, or Python's collector may
    # free the page later on the database worker's thread, where Qt objects must not die.
    calls.clear()
    with pytest.raises(ValueError, match="unknown record kind"):
        openers.register("invoice", lambda *_: None)


def test_ctrl_e_asks_for_the_customer_card_and_f5_reloads(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, history: History,
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[int] = []
    real = overview_module.customer_overview

    def counting(**kwargs: Any) -> Any:
        reads.append(kwargs["customer_id"])
        return real(**kwargs)

    monkeypatch.setattr(overview_module, "customer_overview", counting)
    page = _page(qtbot, make_context(sales_user, "key_accounts"), history.customer_id)
    page.table.setFocus()
    assert page.edit_button.text() == "Edit card…"
    with qtbot.waitSignal(page.edit_requested) as edit:
        qtbot.keyClick(page.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert edit.args == [history.customer_id]

    with uow:
        uow.session.add(Visit(customer_id=history.customer_id, owner_id=sales_user.user_id,
                              kind=VisitKind.PHONE, occurred_at=_ago(0, 0, 5),
                              purpose="来电询问耗材"))
        uow.commit()
    page.table.setCurrentIndex(page.model.index(_row_of(page, "order"), 0))
    qtbot.keyClick(page.table, Qt.Key.Key_F5)
    qtbot.waitUntil(lambda: len(reads) == 2 and not page.is_loading)
    assert page.model.rowCount() == len(SALES_KINDS) + 1
    assert page.model.entry(page.table.currentIndex().row()).kind == "order"  # kept


def test_main_window_passes_edit_requests_on(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, history: History,
) -> None:
    window = MainWindow(make_context(sales_user, "key_accounts"))
    qtbot.addWidget(window)
    asked: list[int] = []
    if not hasattr(window, "edit_customer"):
        pytest.skip("MainWindow.edit_customer (the customer card) is not there yet")
    window.edit_customer = asked.append  # type: ignore[method-assign]
    page = window.open_customer(history.customer_id)
    assert isinstance(page, CustomerOverviewPage)
    page.edit_button.click()
    assert asked == [history.customer_id]


def test_timeline_model_passes_the_model_tester(
    qtbot: QtBot, qtmodeltester: Any, make_context: MakeContext, manager: Actor,
    history: History,
) -> None:
    page = _page(qtbot, make_context(manager, "manager_office"), history.customer_id)
    assert _kinds(page) == ALL_KINDS
    qtmodeltester.check(page.model)  # stays attached for the filtering and reload below
    page.set_kind_shown("visit", False)
    page.set_kind_shown("change", False)
    assert len(_kinds(page)) == len(ALL_KINDS) - 2
    page.reload()
    qtbot.waitUntil(lambda: not page.is_loading)
    page.show_all_kinds()
    assert _kinds(page) == ALL_KINDS
    # A click on a header orders the timeline by that column (the tester checks the
    # layout change); clicking it again turns the order round, and the kinds stay.
    count = page.model.rowCount()
    header = page.table.horizontalHeader()
    header.setSortIndicator(Column.KIND, Qt.SortOrder.AscendingOrder)
    kinds = [page.model.index(r, Column.KIND).data() for r in range(count)]
    assert kinds == sorted(kinds) and page.model.rowCount() == count
    header.setSortIndicator(Column.WHEN, Qt.SortOrder.AscendingOrder)
    moments = [page.model.entry(r).at for r in range(count)]
    assert moments == sorted(moments)
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # newest first again
    moments = [page.model.entry(r).at for r in range(count)]
    assert moments == sorted(moments, reverse=True)


def test_a_technician_sees_no_orders_payments_or_receivable(
    qtbot: QtBot, make_context: MakeContext, technician: Actor, history: History,
) -> None:
    page = _page(qtbot, make_context(technician, "repair"), history.customer_id)
    # The repair the technician did; the salesperson's task is not theirs to see.
    assert _kinds(page) == ["change", "repair", "service_ticket"]
    assert "order" not in page.kind_boxes and "payment" not in page.kind_boxes
    assert not page.receivable_box.isVisible()
    assert page.edit_button.text() == "Open card…"  # a technician may not edit customers
    repair = page.model.index(_row_of(page, "repair"), Column.AMOUNT)
    assert repair.data() == format_yuan(Decimal("150"))


def test_loading_then_a_lost_server_then_the_overview_when_it_is_back(
    qtbot: QtBot, make_context: MakeContext, sales_user: Actor, history: History,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = overview_module.customer_overview
    server_down = True

    def flaky(**kwargs: Any) -> Any:
        if server_down:
            raise DatabaseUnavailable(topic="unreachable", server="db-server:5432",
                                      detail="connection refused")
        return real(**kwargs)

    monkeypatch.setattr(overview_module, "customer_overview", flaky)
    page = CustomerOverviewPage(make_context(sales_user, "key_accounts"), history.customer_id)
    qtbot.addWidget(page)
    page.show()
    assert page.message_label.text() == "Loading…" and page.is_loading
    qtbot.waitUntil(lambda: page.error is not None)
    assert page.message_label.text().startswith("Database unavailable")
    assert page.retry_button.isVisible()

    server_down = False
    page.on_connection_restored()  # the main window calls this when the server answers
    qtbot.waitUntil(lambda: page.overview is not None)
    assert page.content.isVisible() and page.error is None
    assert _kinds(page) == SALES_KINDS


def test_a_customer_out_of_scope_is_refused_in_place(
    qtbot: QtBot, make_context: MakeContext, other_sales_user: Actor, history: History,
) -> None:
    page = _page(qtbot, make_context(other_sales_user, "key_accounts"), history.customer_id)
    assert page.overview is None
    assert page.message_label.text().startswith("Not permitted")
    assert page.message_label.isVisible() and not page.content.isVisible()
    assert not page.retry_button.isVisible()  # asking again will not change the answer
    assert page.findChildren(QCheckBox)  # the page is built; only its content is hidden
    # Nothing to edit and no visit to record for a customer that cannot be shown.
    assert not page.edit_button.isEnabled() and not page.visit_button.isEnabled()
    asked: list[int] = []
    page.edit_requested.connect(asked.append)
    page.request_edit()
    assert asked == [] and page.record_visit() is None


# --- screenshots ----------------------------------------------------------------------------


def _save(widget: QWidget, name: str) -> None:
    SHOTS_DIR.mkdir(parents=True, exist_ok=True)
    image = widget.grab().toImage()
    assert not image.isNull() and image.width() > 300 and image.height() > 150
    assert image.save(str(SHOTS_DIR / name))


def test_overview_screenshots(
    qtbot: QtBot, language: str, make_context: MakeContext, manager: Actor, history: History,
) -> None:
    window = MainWindow(make_context(manager, "manager_office", language=language))
    qtbot.addWidget(window)
    window.resize(1100, 700)
    window.show()
    qtbot.waitExposed(window)
    window.open_module(Module.CUSTOMERS)  # the general manager starts on the statistics
    page = window.open_customer(history.customer_id)
    assert isinstance(page, CustomerOverviewPage)
    qtbot.waitUntil(lambda: page.overview is not None and not page.is_loading)
    page.table.setCurrentIndex(page.model.index(_row_of(page, "repair"), 0))
    qtbot.wait(20)  # let the layouts settle around the texts
    assert clipped_texts(window) == []
    # Every Chinese character on the page is in the shipped font.
    shown = "".join(
        str(page.model.index(r, c).data() or "") for r in range(page.model.rowCount())
        for c in range(page.model.columnCount()))
    shown += "".join(box.text() for box in page.kind_boxes.values()) + page.name_label.text()
    metrics = QFontMetrics(QFont("WenQuanYi Micro Hei"))
    assert [ch for ch in shown if ord(ch) > 0x2E80 and not metrics.inFontUcs4(ord(ch))] == []
    if language == "zh":
        assert page.model.index(0, Column.KIND).data() == "修改记录"
        assert page.kind_boxes["visit"].text() == "接待/拜访记录（1）"
        assert page.receivable_label.text() == "¥16,950.00"
    _save(window, f"customer_overview_{language}.png")

    # A repair opens its ticket now; care still has only the read-only summary.
    page.open_entry(page.model.entry(_row_of(page, "care")))
    qtbot.waitUntil(lambda: len(_dialogs()) == 1)
    [dialog] = _dialogs()
    qtbot.waitExposed(dialog)
    assert clipped_texts(dialog) == []
    _save(dialog, f"customer_overview_entry_{language}.png")
    dialog.reject()

    page.set_kind_shown("change", False)
    page.set_kind_shown("task", False)
    # As small as the window goes (the customer list decides), and a long name: the name
    # ends in "…", nothing else is cut off.
    page.name_label.setText("北京市海淀区中关村科技园区" + NAME + "第二分公司办公设备采购部")
    window.resize(800, 600)
    qtbot.wait(20)
    assert clipped_texts(window) == []
    _save(window, f"customer_overview_small_{language}.png")
