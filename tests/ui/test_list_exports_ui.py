"""The "Export…" button of the order, quotation and service ticket lists: shown only with
the export permission, filters applied, the file written off the GUI thread."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QApplication, QFileDialog
from sqlalchemy import select

from app import i18n
from app.models import AuditEntry, ServiceTicket
from app.models.enums import AuditAction, OrderStatus, QuotationStatus
from app.services.catalog import ProductDraft, create_product
from app.services.customers import CustomerDraft, create_customer
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    QuotationDraft,
    QuotationLineDraft,
    create_order,
    create_quotation,
)
from app.services.tickets import IntakeDraft, intake_ticket
from app.ui.i18n import install_translator
from app.ui.sales.list_pages import OrderListPage, QuotationListPage
from app.ui.service.tickets_page import TicketListPage
from tests.ui.conftest import SHOTS_DIR, clipped_texts

SHOTS = Path(os.environ.get("STATIONCRM_SHOTS_DIR") or SHOTS_DIR) / "polish"


@pytest.fixture
def sales_data(uow, manager, sales_user):
    toner = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普硒鼓", category="consumable", cost_price=D("87.65"),
        list_price=D("199.00"))).id
    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司")).id
    orders = [create_order(uow=uow, actor=sales_user, draft=OrderDraft(
        customer_id=customer, lines=(OrderLineDraft(product_id=toner, quantity=n),)))
        for n in (1, 2)]
    quote = create_quotation(uow=uow, actor=sales_user, draft=QuotationDraft(
        customer_id=customer, lines=(QuotationLineDraft(product_id=toner, quantity=3),)))
    return {"orders": orders, "quote": quote}


def _show(qtbot, page):
    qtbot.addWidget(page)
    page.resize(1200, 500)
    page.show()
    return page


def _export_audits(uow):
    with uow:
        return uow.session.execute(
            select(AuditEntry.entity, AuditEntry.summary)
            .where(AuditEntry.action == AuditAction.EXPORT).order_by(AuditEntry.id)).all()


def test_order_list_exports_with_the_status_filter_only_for_those_allowed(
        qtbot, uow, make_context, manager, sales_user, sales_data, tmp_path):
    own = _show(qtbot, OrderListPage(make_context(sales_user, "key_accounts")))
    qtbot.waitUntil(lambda: own.model.rowCount() == 2)
    assert not own.export_button.isVisible()  # salespeople have no orders/export
    own.choose_export_file()
    assert own.export_dialog is None

    page = _show(qtbot, OrderListPage(make_context(manager, "manager_office")))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.export_button.isVisible()
    page.choose_export_file()
    dialog = page.export_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.acceptMode() is QFileDialog.AcceptMode.AcceptSave
    assert "*.csv" in ";;".join(dialog.nameFilters())
    dialog.reject()

    out = tmp_path / "orders.xlsx"
    page.export_to(str(out))
    qtbot.waitUntil(lambda: "exported" in page.message_label.text(), timeout=10_000)
    assert page.message_label.text() == f"2 rows exported to {out}"
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {o.number for o in sales_data["orders"]}

    # The status filter applies: no order is confirmed yet.
    page.status_combo.setCurrentIndex(page.status_combo.findData(OrderStatus.CONFIRMED))
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    out = tmp_path / "confirmed.csv"
    page.export_to(str(out))
    qtbot.waitUntil(lambda: "exported" in page.message_label.text(), timeout=10_000)
    assert page.message_label.text().startswith("0 rows exported")
    assert [e.entity for e in _export_audits(uow)] == ["order", "order"]
    assert page.export_button.isEnabled()


def test_order_list_exports_only_the_orders_its_search_finds(
        qtbot, uow, make_context, manager, sales_data, tmp_path):
    toner = sales_data["orders"][0].lines[0].product_id
    other = create_customer(uow=uow, actor=manager, draft=CustomerDraft(
        name="天津海河电子", phone="022-23456789")).id
    tianjin = create_order(uow=uow, actor=manager, draft=OrderDraft(
        customer_id=other, lines=(OrderLineDraft(product_id=toner, quantity=5),)))
    page = _show(qtbot, OrderListPage(make_context(manager, "manager_office")))
    qtbot.waitUntil(lambda: page.model.rowCount() == 3)

    qtbot.keyClicks(page.search_edit, "tjhh")  # pinyin initials of 天津海河
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.model.row_at(0).number == tianjin.number
    out = tmp_path / "found.xlsx"
    page.export_to(str(out))
    qtbot.waitUntil(lambda: "exported" in page.message_label.text(), timeout=10_000)
    assert page.message_label.text() == f"1 rows exported to {out}"
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert [(r[0], r[2]) for r in rows[1:]] == [(tianjin.number, "天津海河电子")]

    # The search and the status filter together: the new order is not confirmed.
    page.status_combo.setCurrentIndex(page.status_combo.findData(OrderStatus.CONFIRMED))
    qtbot.waitUntil(lambda: page.model.rowCount() == 0)
    out = tmp_path / "none.csv"
    page.export_to(str(out))
    qtbot.waitUntil(lambda: "exported" in page.message_label.text(), timeout=10_000)
    assert page.message_label.text().startswith("0 rows exported")


def test_quotation_list_exports_draft_quotations(qtbot, uow, make_context, manager,
                                                 sales_data, tmp_path):
    page = _show(qtbot, QuotationListPage(make_context(manager, "manager_office")))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    assert page.export_button.isVisible()
    page.status_combo.setCurrentIndex(page.status_combo.findData(QuotationStatus.DRAFT))
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    out = tmp_path / "quotes.csv"
    page.export_to(str(out))
    qtbot.waitUntil(lambda: "exported" in page.message_label.text(), timeout=10_000)
    assert page.message_label.text() == f"1 rows exported to {out}"
    assert sales_data["quote"].number in out.read_text(encoding="utf-8-sig")
    assert _export_audits(uow)[-1].entity == "quotation"


def test_ticket_list_exports_with_the_overdue_filter(qtbot, uow, make_context, clerk,
                                                    make_user, tmp_path):
    lead = make_user("lead", "repair_lead", "repair", display_name="维修主管")
    store = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(name="海淀零售客户")).id
    late = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(customer_id=store,
                                                                 symptoms="不通电"))
    fine = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(customer_id=store,
                                                                 symptoms="卡纸"))
    with uow:
        now = dt.datetime.now(dt.UTC)
        uow.session.get(ServiceTicket, late.id).due_at = now - dt.timedelta(hours=3)
        uow.session.get(ServiceTicket, fine.id).due_at = now + dt.timedelta(days=3)
        uow.commit()

    counter = _show(qtbot, TicketListPage(make_context(clerk, "storefront")))
    qtbot.waitUntil(lambda: counter.model.rowCount() == 2)
    assert not counter.export_button.isVisible()

    page = _show(qtbot, TicketListPage(make_context(lead, "repair")))
    qtbot.waitUntil(lambda: page.model.rowCount() == 2)
    assert page.export_button.isVisible()
    page.overdue_check.setChecked(True)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    out = tmp_path / "late.csv"
    page.export_to(str(out))
    qtbot.waitUntil(lambda: "exported" in page.message_label.text(), timeout=10_000)
    assert page.message_label.text() == f"1 rows exported to {out}"
    text = out.read_text(encoding="utf-8-sig")
    assert late.number in text and fine.number not in text
    assert _export_audits(uow)[-1].entity == "service_ticket"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_list_pages_with_export_render(qtbot, qapp: QApplication, uow, make_context, manager,
                                       make_user, clerk, sales_data, language):
    qm_dir = os.environ.get("STATIONCRM_QM_DIR")
    resolved = install_translator(qapp, language, directory=Path(qm_dir) if qm_dir else None)
    i18n.set_language(resolved)
    try:
        lead = make_user("lead", "repair_lead", "repair", display_name="维修主管")
        store = create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
            name="海淀零售客户")).id
        intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(customer_id=store,
                                                              symptoms="不通电"))
        SHOTS.mkdir(parents=True, exist_ok=True)
        orders = _show(qtbot, OrderListPage(make_context(manager, "manager_office",
                                                         language=resolved)))
        qtbot.waitUntil(lambda: orders.model.rowCount() == 2)
        orders.message_label.setText(orders.tr("{count} rows exported to {path}").format(
            count=2, path="/home/gm/orders.xlsx"))
        qtbot.wait(30)
        assert clipped_texts(orders) == []
        assert orders.grab().save(str(SHOTS / f"order_list_export_{language}.png"))
        tickets = _show(qtbot, TicketListPage(make_context(lead, "repair",
                                                           language=resolved)))
        qtbot.waitUntil(lambda: tickets.model.rowCount() == 1)
        tickets.resize(1366, 500)
        qtbot.wait(30)
        assert clipped_texts(tickets) == []
        assert tickets.grab().save(str(SHOTS / f"ticket_list_export_{language}.png"))
    finally:
        install_translator(qapp, "en")
        i18n.set_language("en")
