"""A save retried with its form's request key returns the record saved once, never a second."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from app.models import (
    AuditEntry,
    Customer,
    Order,
    Payment,
    PaymentAllocation,
    Quotation,
    RequestKey,
    ServiceTicket,
    TicketEvent,
)
from app.models.enums import OrderStatus, PaymentMethod
from app.services import requests
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import ValidationError
from app.services.requests import AlreadySaved, was_saved
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    QuotationDraft,
    QuotationLineDraft,
    create_order,
    create_quotation,
    customer_receivable,
    record_payment,
    transition_order,
)
from app.services.tickets import IntakeDraft, NewDevice, intake_ticket
from app.services.uow import UnitOfWork

D = Decimal
TODAY = dt.date.today()
KEY = "form-7f3a9c2e41b8"


def _counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {m.__name__: conn.execute(select(func.count()).select_from(m)).scalar_one()
                for m in (Customer, Order, Quotation, Payment, PaymentAllocation,
                          ServiceTicket, TicketEvent, AuditEntry, RequestKey)}


def _paid(engine, order_id: int) -> Decimal:
    with engine.connect() as conn:
        return conn.execute(select(Order.paid_amount).where(Order.id == order_id)).scalar_one()


@pytest.fixture
def customer(uow, sales_user) -> int:
    return create_customer(uow=uow, actor=sales_user,
                           draft=CustomerDraft(name="北京鑫锐科技有限公司")).id


def _order(uow, actor, customer_id, amount="400.00", *, key=None, confirm=True):
    made = create_order(uow=uow, actor=actor, request_key=key, draft=OrderDraft(
        customer_id=customer_id, ordered_on=TODAY,
        lines=(OrderLineDraft(description="打印机维修", unit_price=D(amount)),)))
    if confirm:
        transition_order(uow=uow, actor=actor, order_id=made.id,
                         expected_version=made.version, to=OrderStatus.CONFIRMED)
    return made


def _pay(uow, actor, customer_id, order_id, amount="400.00", *, key=None):
    return record_payment(uow=uow, actor=actor, customer_id=customer_id, received_on=TODAY,
                          amount=amount, method=PaymentMethod.BANK_TRANSFER,
                          allocations=((order_id, amount),), request_key=key)


def _lose_next_commit_reply(monkeypatch) -> None:
    """The next commit reaches the server, but its reply is lost as with a dropped line."""
    real = UnitOfWork.commit
    armed = {"yes": True}

    def commit(self: UnitOfWork) -> None:
        real(self)
        if armed["yes"] and self._depth == 1:
            armed["yes"] = False
            raise OperationalError("COMMIT", {}, Exception(
                "server closed the connection unexpectedly"))

    monkeypatch.setattr(UnitOfWork, "commit", commit)


# --- one save per key ---------------------------------------------------------------------


def test_a_payment_sent_twice_with_one_key_moves_the_money_once(
        uow, engine, sales_user, customer):
    order = _order(uow, sales_user, customer).id
    first = _pay(uow, sales_user, customer, order, key=KEY)
    before = _counts(engine)
    again = _pay(uow, sales_user, customer, order, key=KEY)
    assert again == first
    assert _counts(engine) == before  # no second payment, allocation or audit row
    assert before["Payment"] == 1 and before["RequestKey"] == 1
    assert _paid(engine, order) == D("400.00")
    assert customer_receivable(uow=uow, actor=sales_user,
                               customer_id=customer).open_amount == D("0.00")


def test_an_order_a_customer_a_quotation_and_an_intake_are_saved_once_per_key(
        uow, engine, sales_user, clerk, customer):
    order = _order(uow, sales_user, customer, key="order-key-1", confirm=False)
    before = _counts(engine)
    assert _order(uow, sales_user, customer, key="order-key-1", confirm=False) == order
    assert _counts(engine) == before

    draft = CustomerDraft(name="天津海河电子")
    made = create_customer(uow=uow, actor=sales_user, draft=draft, request_key="cust-key-1")
    before = _counts(engine)
    assert create_customer(uow=uow, actor=sales_user, draft=draft,
                           request_key="cust-key-1") == made
    assert _counts(engine) == before

    quote = QuotationDraft(customer_id=customer, quoted_on=TODAY, lines=(
        QuotationLineDraft(description="上门安装调试", unit_price=D("150.00")),))
    q = create_quotation(uow=uow, actor=sales_user, draft=quote, request_key="quote-key-1")
    before = _counts(engine)
    assert create_quotation(uow=uow, actor=sales_user, draft=quote,
                            request_key="quote-key-1") == q
    assert _counts(engine) == before

    intake = IntakeDraft(customer_id=customer, symptoms="卡纸，打印有黑线",
                         new_device=NewDevice("HP", "LaserJet M404dn", "cnb1234567"))
    ticket = intake_ticket(uow=uow, actor=clerk, draft=intake, request_key="ticket-key-1")
    before = _counts(engine)
    assert intake_ticket(uow=uow, actor=clerk, draft=intake,
                         request_key="ticket-key-1") == ticket
    assert _counts(engine) == before
    assert before["ServiceTicket"] == 1 and before["RequestKey"] == 4


def test_without_a_key_each_call_saves_as_before(uow, engine, sales_user, customer):
    order = _order(uow, sales_user, customer, "800.00").id
    a = _pay(uow, sales_user, customer, order)
    b = _pay(uow, sales_user, customer, order)
    assert a.id != b.id and _paid(engine, order) == D("800.00")
    assert _counts(engine)["RequestKey"] == 0


# --- refused keys -------------------------------------------------------------------------


def test_a_key_of_another_person_or_another_kind_is_refused_and_nothing_written(
        uow, engine, sales_user, other_sales_user, customer):
    order = _order(uow, sales_user, customer).id
    _pay(uow, sales_user, customer, order, "100.00", key=KEY)
    before = _counts(engine)
    paid = _paid(engine, order)
    with pytest.raises(ValidationError) as caught:  # another kind, same person
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="天津海河电子"),
                        request_key=KEY)
    assert "request_key" in caught.value.errors
    theirs = create_customer(uow=uow, actor=other_sales_user,
                             draft=CustomerDraft(name="上海浦东打印"), request_key="theirs-01").id
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:  # another person, same kind
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="天津海河电子"),
                        request_key="theirs-01")
    assert "request_key" in caught.value.errors
    assert _counts(engine) == before and _paid(engine, order) == paid
    assert was_saved(uow=uow, actor=sales_user, key="theirs-01") is None
    assert was_saved(uow=uow, actor=other_sales_user, key="theirs-01") == ("customer", theirs)


@pytest.mark.parametrize("bad", ["short", "x" * 65, "has space1", "拾遗补缺拾遗补缺", "a;b'c--d",
                                 "", 12345678])
def test_malformed_keys_are_refused_and_nothing_written(uow, engine, sales_user, customer,
                                                        bad):
    order = _order(uow, sales_user, customer).id
    before = _counts(engine)
    with pytest.raises(ValidationError) as caught:
        _pay(uow, sales_user, customer, order, key=bad)
    assert set(caught.value.errors) == {"request_key"}
    with pytest.raises(ValidationError):
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="天津海河电子"),
                        request_key=bad)
    assert _counts(engine) == before and _paid(engine, order) == D("0.00")


# --- a lost reply to COMMIT ---------------------------------------------------------------


def test_a_payment_whose_commit_reply_was_lost_is_found_by_its_key(
        uow, engine, monkeypatch, sales_user, customer):
    order = _order(uow, sales_user, customer).id
    assert was_saved(uow=uow, actor=sales_user, key=KEY) is None  # "未保存，请重试"
    _lose_next_commit_reply(monkeypatch)
    with pytest.raises(OperationalError):
        _pay(uow, sales_user, customer, order, key=KEY)
    saved = was_saved(uow=uow, actor=sales_user, key=KEY)  # "已保存"
    assert saved is not None and saved[0] == "payment"
    retry = _pay(uow, sales_user, customer, order, key=KEY)
    assert retry.id == saved[1] and retry.amount == D("400.00")
    assert _counts(engine)["Payment"] == 1 and _paid(engine, order) == D("400.00")


def test_the_check_waits_for_a_save_still_running_under_the_key(
        uow, engine, sales_user, customer):
    """The person stopped waiting, but the save goes on: asked while it has not committed
    yet, the check answers once it has, and with the record (not "not saved")."""
    order = _order(uow, sales_user, customer).id
    running = UnitOfWork.for_engine(engine)
    answer: dict[str, object] = {}
    with running:
        payment = _pay(running, sales_user, customer, order, key=KEY)  # not committed yet

        def check() -> None:
            answer["found"] = was_saved(uow=UnitOfWork.for_engine(engine), actor=sales_user,
                                        key=KEY)

        asking = threading.Thread(target=check)
        asking.start()
        asking.join(0.5)
        waited = asking.is_alive()
        running.commit()  # the save ends
    asking.join(30)
    assert waited and not asking.is_alive()
    assert answer["found"] == ("payment", payment.id)
    assert _counts(engine)["RequestKey"] == 1  # the check's own claim is not kept


def test_a_check_of_a_key_nothing_saved_keeps_nothing(uow, engine, sales_user, customer):
    before = _counts(engine)
    assert was_saved(uow=uow, actor=sales_user, key="never-saved-1") is None
    assert _counts(engine) == before


def test_an_intake_whose_commit_reply_was_lost_is_found_by_its_key(
        uow, engine, monkeypatch, clerk, customer):
    intake = IntakeDraft(customer_id=customer, symptoms="不开机")
    _lose_next_commit_reply(monkeypatch)
    with pytest.raises(OperationalError):
        intake_ticket(uow=uow, actor=clerk, draft=intake, request_key="ticket-key-2")
    kind, ticket_id = was_saved(uow=uow, actor=clerk, key="ticket-key-2") or ("", 0)
    assert kind == "service_ticket"
    assert intake_ticket(uow=uow, actor=clerk, draft=intake,
                         request_key="ticket-key-2").id == ticket_id
    assert _counts(engine)["ServiceTicket"] == 1


# --- two attempts racing with one key -----------------------------------------------------


def test_an_attempt_that_loses_the_race_for_its_key_keeps_nothing_and_its_retry_returns_the_first(
        uow, engine, monkeypatch, sales_user, customer):
    order = _order(uow, sales_user, customer).id
    first = _pay(uow, sales_user, customer, order, "100.00", key=KEY)
    before = _counts(engine)
    # The second attempt checked the key before the first one committed.
    real = requests.replayed
    monkeypatch.setattr(requests, "replayed", lambda *a, **k: None)
    with pytest.raises(AlreadySaved) as caught:
        _pay(uow, sales_user, customer, order, "100.00", key=KEY)
    assert caught.value.entity_id == first.id
    assert _counts(engine) == before and _paid(engine, order) == D("100.00")
    monkeypatch.setattr(requests, "replayed", real)
    assert _pay(uow, sales_user, customer, order, "100.00", key=KEY) == first
