"""The database copies the catalogue cost into order lines and repair parts.

Roles that may not see the catalogue's cost (counter clerk, salesperson, technician) still
make orders and repair records whose lines must keep what the goods cost when sold or used.
On a secured server their logins cannot read ``products.cost_price``, so the station writes
the lines
without a cost and the database's triggers fill it in (migration 9841e823c8fe). These
tests act as those people (in people mode, on their own database logins) and then read
the rows the database holds with the owner's connection.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest
from sqlalchemy import Engine, text

from app.models.enums import CustomerSource, QuotationStatus, TicketStatus
from app.services.catalog import ProductDraft, create_product, get_product, update_product
from app.services.customers import CustomerDraft, create_customer
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    QuotationDraft,
    QuotationLineDraft,
    convert_quotation_to_order,
    create_order,
    create_quotation,
    get_order,
    transition_quotation,
    update_order,
)
from app.services.tickets import (
    IntakeDraft,
    NewDevice,
    PartLine,
    RepairDraft,
    dispatch_ticket,
    intake_ticket,
    move_ticket,
    record_repair,
)


@pytest.fixture
def catalog(uow, manager):
    """Products made by the manager, who sees and sets costs. The toner's cost makes
    the rounding visible: 1.5 × 1.45 = 2.175 is 2.18, where floating point says 2.17."""
    def make(sku, name, category, cost, price):
        return create_product(uow=uow, actor=manager, draft=ProductDraft(
            sku=sku, name=name, category=category, unit="台", cost_price=D(cost),
            list_price=D(price), sales_points=D("1.00"))).id
    return {
        "printer": make("HP-M404DN", "惠普 M404dn", "printer", "1000.00", "1299.00"),
        "toner": make("HP-CF226A", "惠普 26A 硒鼓", "consumable", "1.45", "2.00"),
        "drum": make("HP-CF232A", "惠普 32A 硒鼓", "consumable", "80.25", "120.00"),
    }


@pytest.fixture
def walk_in(uow, clerk):
    return create_customer(uow=uow, actor=clerk, draft=CustomerDraft(
        name="海淀零售客户", source=CustomerSource.WALK_IN)).id


def _lines(engine: Engine, order_id: int) -> list[tuple[int | None, D, D, D]]:
    """(product, quantity, unit cost, line cost) of the order's rows, as stored."""
    with engine.connect() as conn:
        return [(r[0], _d(r[1], "0.001"), _d(r[2]), _d(r[3])) for r in conn.execute(text(
            "SELECT product_id, quantity, unit_cost, line_cost FROM order_lines"
            " WHERE order_id = :o ORDER BY position"), {"o": order_id})]


def _total_cost(engine: Engine, order_id: int) -> D:
    with engine.connect() as conn:
        return _d(conn.execute(text("SELECT total_cost FROM orders WHERE id = :o"),
                               {"o": order_id}).scalar_one())


def _d(value: object, places: str = "0.01") -> D:
    # SQLite returns floats for NUMERIC columns read through text(); fen (or 0.001) exact.
    assert value is not None, "the database left a cost empty"
    return D(str(value)).quantize(D(places))


def _set_cost(uow, manager, product_id: int, cost: str) -> None:
    seen = get_product(uow=uow, actor=manager, product_id=product_id)
    update_product(uow=uow, actor=manager, product_id=product_id,
                   expected_version=seen.version,
                   draft=replace(seen.to_draft(), cost_price=D(cost)))


def test_a_counter_clerks_order_carries_the_catalogue_cost(
        uow, engine, clerk, manager, catalog, walk_in):
    made = create_order(uow=uow, actor=clerk, draft=OrderDraft(customer_id=walk_in, lines=(
        OrderLineDraft(product_id=catalog["printer"], quantity=1),
        OrderLineDraft(product_id=catalog["toner"], quantity=D("1.5")),
        OrderLineDraft(product_id=catalog["drum"], quantity=D("2.5")),
        OrderLineDraft(description="旧机回收", unit_price=D("0.00")))))
    # The clerk never gets a cost back ...
    assert made.total_cost is None and made.gross_margin is None
    assert all(ln.unit_cost is None and ln.line_cost is None for ln in made.lines)
    # ... but the rows hold it, rounded half up to the fen like the service's line_cost.
    assert _lines(engine, made.id) == [
        (catalog["printer"], D("1.000"), D("1000.00"), D("1000.00")),
        (catalog["toner"], D("1.500"), D("1.45"), D("2.18")),
        (catalog["drum"], D("2.500"), D("80.25"), D("200.63")),
        (None, D("1.000"), D("0.00"), D("0.00")),
    ]
    assert _total_cost(engine, made.id) == D("1202.81")
    # Management reads the same cost and margin through the service.
    full = get_order(uow=uow, actor=manager, order_id=made.id)
    assert (full.total_cost, full.gross_margin) == (D("1202.81"), full.total_amount - D("1202.81"))
    assert [ln.line_cost for ln in full.lines] == [D("1000.00"), D("2.18"), D("200.63"),
                                                   D("0.00")]


def test_a_converted_quotation_takes_the_cost_of_the_day(
        uow, engine, sales_user, manager, catalog):
    customer = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", source=CustomerSource.REFERRAL)).id
    quote = create_quotation(uow=uow, actor=sales_user, draft=QuotationDraft(
        customer_id=customer, lines=(
            QuotationLineDraft(product_id=catalog["printer"], quantity=3, discount_percent=5),
            QuotationLineDraft(product_id=catalog["toner"], quantity=D("1.5")),
            QuotationLineDraft(description="上门安装", unit_price=D("150.00")))))
    # The catalogue moves between the offer and the order: the order takes today's cost.
    _set_cost(uow, manager, catalog["printer"], "1100.00")
    sent = transition_quotation(uow=uow, actor=sales_user, quotation_id=quote.id,
                                expected_version=quote.version, to=QuotationStatus.SENT)
    accepted = transition_quotation(uow=uow, actor=sales_user, quotation_id=quote.id,
                                    expected_version=sent.version, to=QuotationStatus.ACCEPTED)
    order = convert_quotation_to_order(uow=uow, actor=sales_user, quotation_id=quote.id,
                                       expected_version=accepted.version)
    assert _lines(engine, order.id) == [
        (catalog["printer"], D("3.000"), D("1100.00"), D("3300.00")),
        (catalog["toner"], D("1.500"), D("1.45"), D("2.18")),
        (None, D("1.000"), D("0.00"), D("0.00")),
    ]
    assert _total_cost(engine, order.id) == D("3302.18")
    # The salesperson may not read the catalogue's cost but may read an order's: the view
    # shows what the database copied, read back after the write.
    assert [(ln.unit_cost, ln.line_cost) for ln in order.lines] == [
        (D("1100.00"), D("3300.00")), (D("1.45"), D("2.18")), (D("0.00"), D("0.00"))]
    assert (order.total_cost, order.gross_margin) == (
        D("3302.18"), order.total_amount - D("3302.18"))


def test_editing_lines_keeps_or_renews_the_snapshot_and_the_total_follows(
        uow, engine, clerk, manager, catalog, walk_in):
    made = create_order(uow=uow, actor=clerk, draft=OrderDraft(customer_id=walk_in, lines=(
        OrderLineDraft(product_id=catalog["drum"], quantity=2),
        OrderLineDraft(product_id=catalog["toner"], quantity=4),
        OrderLineDraft(product_id=catalog["printer"], quantity=1))))
    assert _total_cost(engine, made.id) == D("1166.30")  # 160.50 + 5.80 + 1000.00
    _set_cost(uow, manager, catalog["drum"], "90.00")
    _set_cost(uow, manager, catalog["toner"], "2.00")

    # The clerk changes the drum's quantity and swaps the toner line for a printer.
    lines = made.to_draft().lines
    edited = update_order(uow=uow, actor=clerk, order_id=made.id,
                          expected_version=made.version, draft=replace(
                              made.to_draft(), lines=(
                                  replace(lines[0], quantity=3),
                                  replace(lines[1], product_id=catalog["printer"]),
                                  lines[2])))
    assert edited.total_cost is None
    assert _lines(engine, made.id) == [
        # Kept line: the cost it was sold at, the line cost re-priced for three.
        (catalog["drum"], D("3.000"), D("80.25"), D("240.75")),
        # Another product: a new snapshot.
        (catalog["printer"], D("4.000"), D("1000.00"), D("4000.00")),
        (catalog["printer"], D("1.000"), D("1000.00"), D("1000.00")),
    ]
    assert _total_cost(engine, made.id) == D("5240.75")

    # Removing the first line moves the others up; they keep their own costs.
    _set_cost(uow, manager, catalog["printer"], "1200.00")
    edited = get_order(uow=uow, actor=clerk, order_id=made.id)
    lines = edited.to_draft().lines
    shorter = update_order(uow=uow, actor=clerk, order_id=made.id,
                           expected_version=edited.version,
                           draft=replace(edited.to_draft(), lines=(lines[2], lines[1])))
    assert [ln.product_id for ln in shorter.lines] == [catalog["printer"]] * 2
    assert _lines(engine, made.id) == [
        (catalog["printer"], D("1.000"), D("1000.00"), D("1000.00")),
        (catalog["printer"], D("4.000"), D("1000.00"), D("4000.00")),
    ]
    assert _total_cost(engine, made.id) == D("5000.00")
    # A new line after the kept ones: today's cost.
    again = update_order(uow=uow, actor=clerk, order_id=made.id,
                         expected_version=shorter.version, draft=replace(
                             shorter.to_draft(), lines=(
                                 *shorter.to_draft().lines,
                                 OrderLineDraft(product_id=catalog["toner"], quantity=1))))
    assert _lines(engine, made.id)[2] == (catalog["toner"], D("1.000"), D("2.00"), D("2.00"))
    assert _total_cost(engine, made.id) == D("5002.00")
    # Management sees the same figures, and the margin on them.
    full = get_order(uow=uow, actor=manager, order_id=made.id)
    assert full.version == again.version
    assert [(ln.unit_cost, ln.line_cost) for ln in full.lines] == [
        (D("1000.00"), D("1000.00")), (D("1000.00"), D("4000.00")), (D("2.00"), D("2.00"))]
    assert (full.total_cost, full.gross_margin) == (
        D("5002.00"), full.total_amount - D("5002.00"))


def test_management_gets_the_database_cost_back_from_its_own_writes(
        uow, engine, manager, catalog, walk_in):
    made = create_order(uow=uow, actor=manager, draft=OrderDraft(customer_id=walk_in, lines=(
        OrderLineDraft(product_id=catalog["drum"], quantity=D("2.5")),
        OrderLineDraft(description="二手打印机", unit_price=D("500"), unit_cost=D("300")))))
    assert [(ln.unit_cost, ln.line_cost) for ln in made.lines] == [
        (D("80.25"), D("200.63")), (D("300.00"), D("300.00"))]
    assert (made.total_cost, made.gross_margin) == (D("500.63"), made.total_amount - D("500.63"))
    draft = made.to_draft()
    edited = update_order(uow=uow, actor=manager, order_id=made.id,
                          expected_version=made.version, draft=replace(draft, lines=(
                              replace(draft.lines[0], quantity=4), draft.lines[1])))
    assert [(ln.unit_cost, ln.line_cost) for ln in edited.lines] == [
        (D("80.25"), D("321.00")), (D("300.00"), D("300.00"))]
    assert edited.total_cost == D("621.00") == _total_cost(engine, made.id)
    # Deleting a line: the total follows.
    fewer = update_order(uow=uow, actor=manager, order_id=made.id,
                         expected_version=edited.version,
                         draft=replace(edited.to_draft(), lines=edited.to_draft().lines[1:]))
    assert fewer.total_cost == D("300.00") == _total_cost(engine, made.id)
    assert fewer.gross_margin == D("200.00")


def test_a_technicians_repair_parts_carry_the_cost(
        uow, engine, clerk, technician, make_user, catalog, walk_in):
    lead = make_user("lead1", "repair_lead", "repair", display_name="维修主管")
    t = intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=walk_in, symptoms="卡纸", new_device=NewDevice("HP", "M404dn", "CNB1")))
    t = dispatch_ticket(uow=uow, actor=lead, ticket_id=t.id, expected_version=t.version,
                        technician_id=technician.user_id)
    t = move_ticket(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                    to="in_repair")
    t = record_repair(uow=uow, actor=technician, ticket_id=t.id, expected_version=t.version,
                      draft=RepairDraft(work_done="更换硒鼓", job_type="bench_repair",
                                        parts=(PartLine(catalog["drum"], D("2.5")),
                                               PartLine(catalog["toner"], D("1.5")))))
    assert t.status is TicketStatus.DONE and t.repair is not None
    with engine.connect() as conn:
        parts = [(r[0], _d(r[1])) for r in conn.execute(text(
            "SELECT product_id, unit_cost FROM repair_parts WHERE repair_record_id = :r"
            " ORDER BY id"), {"r": t.repair.id})]
        parts_cost = conn.execute(text("SELECT parts_cost FROM repair_records WHERE id = :r"),
                                  {"r": t.repair.id}).scalar_one()
    assert parts == [(catalog["drum"], D("80.25")), (catalog["toner"], D("1.45"))]
    assert _d(parts_cost) == D("202.81")  # 200.63 + 2.18, each part rounded to the fen


def test_the_triggers_hold_for_any_writer(uow, engine, manager, catalog, walk_in):
    """A line changed with a SQL tool (the owner here) is costed the same way."""
    made = create_order(uow=uow, actor=manager, draft=OrderDraft(customer_id=walk_in, lines=(
        OrderLineDraft(product_id=catalog["drum"], quantity=2),
        OrderLineDraft(description="上门安装", unit_price=D("150.00")))))
    first, second = (ln.id for ln in made.lines)
    with engine.begin() as conn:
        # Another product: its cost now. Another quantity: the kept cost re-priced.
        conn.execute(text("UPDATE order_lines SET product_id = :p, quantity = 1.5"
                          " WHERE id = :i"), {"p": catalog["toner"], "i": first})
        conn.execute(text("UPDATE order_lines SET quantity = 2.5 WHERE id = :i"),
                     {"i": second})
    assert [ln[2:] for ln in _lines(engine, made.id)] == [
        (D("1.45"), D("2.18")), (D("0.00"), D("0.00"))]
    with engine.begin() as conn:
        # A product line made free text: no catalogue cost any more.
        conn.execute(text("UPDATE order_lines SET product_id = NULL WHERE id = :i"),
                     {"i": first})
        conn.execute(text("UPDATE order_lines SET unit_cost = 12.34 WHERE id = :i"),
                     {"i": second})
    assert [ln[2:] for ln in _lines(engine, made.id)] == [
        (D("0.00"), D("0.00")), (D("12.34"), D("30.85"))]
    assert _total_cost(engine, made.id) == D("30.85")
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM order_lines WHERE id = :i"), {"i": second})
    assert _total_cost(engine, made.id) == D("0.00")
