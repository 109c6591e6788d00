"""Issue 4's 'done when', end to end through the services a counter clerk and a manager use."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.models.enums import OrderStatus, QuotationStatus
from app.services.catalog import ProductDraft, create_product
from app.services.customers import CustomerDraft
from app.services.sales import (
    QuotationDraft,
    QuotationLineDraft,
    convert_quotation_to_order,
    create_quotation,
    customer_receivable,
    get_order,
    record_payment,
    transition_order,
    transition_quotation,
)
from app.services.slips import order_slip_data
from app.services.visits import VisitDraft, record_walk_in


def test_walk_in_quote_order_partial_payment_slip_and_the_managers_view(
        uow, clerk, manager):
    toner = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-CF226A", name="惠普 26A 黑色硒鼓", category="consumable", unit="支",
        cost_price=Decimal("380.00"), list_price=Decimal("520.00"),
        sales_points=Decimal("1.5")))
    printer = create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="HP-M404DN", name="惠普 LaserJet Pro M404dn", category="printer",
        cost_price=Decimal("1650.00"), list_price=Decimal("2199.00"),
        sales_points=Decimal("5")))

    walk_in = record_walk_in(uow=uow, actor=clerk, customer=CustomerDraft(
        name="北京海淀文印社", phone="010-6255 1234"),
        visit=VisitDraft(purpose="买硒鼓和打印机", products_of_interest="26A 硒鼓, M404dn"))
    assert walk_in.customer_created

    quote = create_quotation(uow=uow, actor=clerk, draft=QuotationDraft(
        customer_id=walk_in.customer_id, lines=(
            QuotationLineDraft(product_id=toner.id, quantity=2),
            QuotationLineDraft(product_id=printer.id, quantity=1,
                               discount_percent=Decimal("5")))))
    # 2 × 520.00 + 2199.00 × 0.95 = 1040.00 + 2089.05
    assert quote.total_amount == Decimal("3129.05")
    quote = transition_quotation(uow=uow, actor=clerk, quotation_id=quote.id,
                                 expected_version=quote.version, to=QuotationStatus.SENT)
    quote = transition_quotation(uow=uow, actor=clerk, quotation_id=quote.id,
                                 expected_version=quote.version, to=QuotationStatus.ACCEPTED)
    order = convert_quotation_to_order(uow=uow, actor=clerk, quotation_id=quote.id,
                                       expected_version=quote.version)
    order = transition_order(uow=uow, actor=clerk, order_id=order.id,
                             expected_version=order.version, to=OrderStatus.CONFIRMED)
    assert order.gross_margin is None  # the counter clerk never sees cost

    record_payment(uow=uow, actor=clerk, customer_id=walk_in.customer_id,
                   received_on=dt.date.today(), amount=Decimal("1000.00"), method="cash",
                   allocations=((order.id, Decimal("1000.00")),))

    slip = order_slip_data(uow=uow, actor=clerk, order_id=order.id)
    assert slip.total_in_words == "叁仟壹佰贰拾玖元零伍分"

    seen = get_order(uow=uow, actor=manager, order_id=order.id)
    # cost: 2 × 380.00 + 1650.00 = 2410.00
    assert seen.gross_margin == Decimal("719.05")
    assert seen.open_amount == Decimal("2129.05")
    assert customer_receivable(uow=uow, actor=manager,
                               customer_id=walk_in.customer_id).open_amount == Decimal("2129.05")
