"""Hostile text in every search box and number lookup: a normal answer or a ValidationError
on the field, in the user's language, and no statement sent for refused text (issue 12, 5).

Also the dates part of item 8: intake and payment dates outside 2000–2100 are refused.
"""

from __future__ import annotations

import datetime as dt
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, event, func, select

from app import cli, i18n
from app.models import AuditEntry, Device, Payment, Product
from app.models.enums import (
    AuditAction,
    CustomFieldEntity,
    CustomFieldKind,
    OrderStatus,
    PaymentMethod,
    ProductCategory,
)
from app.models.service import ServiceTicket, TicketEvent
from app.services import (
    administration,
    catalog,
    custom_fields,
    customers,
    exports,
    knowledge,
    slips,
    tickets,
)
from app.services.custom_fields import FieldDraft, MatchOp
from app.services.customers import CustomerDraft, CustomerFilters, CustomFilter
from app.services.errors import NotFound, ValidationError
from app.services.permissions import Actor
from app.services.sales import (
    OrderDraft,
    OrderLineDraft,
    create_order,
    record_payment,
    transition_order,
)
from app.services.tickets import IntakeDraft, NewDevice
from app.services.uow import UnitOfWork
from app.services.validation import search_text
from tests.conftest import TEST_PASSWORD

FUZZ = settings(max_examples=50, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

NUL = "ab\x00cd"
SURROGATE = "北京\ud800"
LAST_CODE_POINT = "鑫锐\U0010ffff"
HUGE = "鑫" * 50_000
HOSTILE = {"nul": NUL, "surrogate": SURROGATE, "u10ffff": LAST_CODE_POINT, "50000": HUGE}

ZH_CHARS = "包含无法用于搜索的字符"
ZH_TOO_LONG = "太长（最多 {max} 个字符）"


# --- the world every entry point searches ----------------------------------------------------


@dataclass
class World:
    uow: UnitOfWork
    sales: Actor
    clerk: Actor
    technician: Actor
    manager: Actor
    admin: Actor
    out: Path


@pytest.fixture
def world(uow: UnitOfWork, sales_user: Actor, clerk: Actor, technician: Actor,
          manager: Actor, admin: Actor, make_user: Callable[..., Actor],
          tmp_path: Path) -> World:
    """A customer with a device and a ticket, a product, an approved knowledge entry and a
    custom text field: each search has something to match."""
    custom_fields.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity=CustomFieldEntity.CUSTOMER, code="note", label_zh="备注", label_en="Note",
        kind=CustomFieldKind.TEXT))
    made = customers.create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-62345678"), custom={"note": "三楼机房"})
    tickets.intake_ticket(uow=uow, actor=clerk, draft=IntakeDraft(
        customer_id=made.id, symptoms="卡纸，打印有黑线",
        new_device=NewDevice("HP", "LaserJet M404dn", "CNB1234567")))
    with uow:
        uow.session.add(Product(sku="HP-CF226A", name="HP 26A 硒鼓",
                                category=ProductCategory.CONSUMABLE,
                                cost_price=Decimal("300.00"), list_price=Decimal("450.00"),
                                created_by_id=manager.user_id, updated_by_id=manager.user_id))
        uow.commit()
    entry = knowledge.create_knowledge(uow=uow, actor=technician, draft=knowledge.KnowledgeDraft(
        device_model="LaserJet M404dn", symptom="卡纸 打印有黑线", cause="定影膜磨损",
        solution="更换定影膜", keywords="卡纸 黑线"))
    lead = make_user("lead1", "repair_lead", "repair", display_name="维修主管")
    knowledge.approve_knowledge(uow=uow, actor=lead, entry_id=entry.id)
    return World(uow, sales_user, clerk, technician, manager, admin, tmp_path)


@dataclass(frozen=True)
class Entry:
    """A search or lookup entry point, called with one free text."""

    name: str
    field: str
    call: Callable[[World, str], object]
    lookup: bool = False       # NotFound is a normal answer (no such number)
    needs_text: bool = False   # blank means "no number given": not fuzzed
    multiline: bool = False
    max_len: int = 200
    queries_first: bool = False  # permission is read before the filter is built


ENTRIES = (
    Entry("search_customers", "text", lambda w, t: customers.search_customers(
        uow=w.uow, actor=w.sales, text=t)),
    Entry("search_customers custom filter", "custom.note",
          lambda w, t: customers.search_customers(
              uow=w.uow, actor=w.sales, filters=CustomerFilters(
                  custom=(CustomFilter("note", MatchOp.CONTAINS, t),))),
          needs_text=True, queries_first=True),
    Entry("find_duplicates name", "name", lambda w, t: customers.find_duplicates(
        uow=w.uow, actor=w.sales, name=t)),
    Entry("find_duplicates phone", "phone", lambda w, t: customers.find_duplicates(
        uow=w.uow, actor=w.sales, phone=t)),
    Entry("find_duplicates contact phone", "contact_phones[1]",
          lambda w, t: customers.find_duplicates(
              uow=w.uow, actor=w.sales, name="鑫锐", contact_phones=("13800138000", t))),
    Entry("list_products", "text", lambda w, t: catalog.list_products(
        uow=w.uow, actor=w.manager, text=t)),
    Entry("list_users", "text", lambda w, t: administration.list_users(
        uow=w.uow, actor=w.admin, text=t)),
    Entry("list_knowledge", "text", lambda w, t: knowledge.list_knowledge(
        uow=w.uow, actor=w.technician, text=t)),
    Entry("suggest_solutions model", "device_model", lambda w, t: knowledge.suggest_solutions(
        uow=w.uow, actor=w.technician, device_model=t, symptoms="卡纸")),
    Entry("suggest_solutions symptoms", "symptoms", lambda w, t: knowledge.suggest_solutions(
        uow=w.uow, actor=w.technician, device_model="M404", symptoms=t),
          multiline=True, max_len=knowledge.SYMPTOMS_MAX),
    Entry("get_ticket_by_number", "number", lambda w, t: tickets.get_ticket_by_number(
        uow=w.uow, actor=w.clerk, number=t), lookup=True),
    Entry("export_customers", "text", lambda w, t: exports.export_customers(
        uow=w.uow, actor=w.manager, path=w.out / "customers.csv", text=t)),
    Entry("print quotation by number", "number", lambda w, t: slips.quotation_slip_data(
        uow=w.uow, actor=w.sales, number=t), lookup=True, needs_text=True),
    Entry("print order by number", "number", lambda w, t: slips.order_slip_data(
        uow=w.uow, actor=w.sales, number=t), lookup=True, needs_text=True),
    Entry("print intake slip by number", "number", lambda w, t: slips.intake_slip_data(
        uow=w.uow, actor=w.clerk, number=t), lookup=True, needs_text=True),
    Entry("print dispatch order by number", "number",
          lambda w, t: slips.dispatch_order_data(uow=w.uow, actor=w.clerk, number=t),
          lookup=True, needs_text=True),
)
BY_NAME = {e.name: e for e in ENTRIES}


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """Every statement (and its parameters) sent to the database inside the block."""
    sent: list[tuple[str, Any]] = []

    def note(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE")):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _refused(entry: Entry, text: str) -> bool:
    try:
        search_text(entry.field, text, max_len=entry.max_len, multiline=entry.multiline)
    except ValidationError:
        return True
    return False


def _try(entry: Entry, world: World, engine: Engine, text: str) -> None:
    """Call ``entry``; the only outcomes allowed are an answer or a clean refusal."""
    refused = _refused(entry, text)
    with statements(engine) as sent:
        try:
            entry.call(world, text)
        except ValidationError as error:
            assert refused, f"{entry.name} refused {text!r}: {error}"
            assert entry.field in error.errors, error.errors
            if entry.queries_first:
                assert not any(text in repr(params) for _s, params in sent)
            else:
                assert sent == [], f"{entry.name} sent {len(sent)} statement(s)"
            return
        except NotFound:
            assert entry.lookup and not refused, f"{entry.name}: {text!r}"
            return
    assert not refused, f"{entry.name} accepted {text!r}"


# --- property tests: every entry point, arbitrary text ---------------------------------------

# Anything at all, surrogates included; text made mostly of the characters that broke the
# searches; and text around the length limit.
ANY_CHAR = st.characters(exclude_categories=())
TRICKY = st.sampled_from(["\x00", "\x07", "\x1f", "\x7f", "\t", "\n", "\r", "\ud800",
                          "\udfff", "\ud7ff", "\ufdd0", "\ufffe", "\uffff", "\U0001fffe",
                          "\U0010ffff", "%", "_", "/", "\\", "'", '"', " ", "北", "鑫",
                          "😀", "ß", "İ", "ﬀ", "0", "7", "a", "Z", "-"])
TEXTS = st.one_of(
    st.text(ANY_CHAR, max_size=40),
    st.lists(st.one_of(TRICKY, ANY_CHAR), max_size=30).map("".join),
    st.text(st.sampled_from("北京鑫锐ab1 "), min_size=190, max_size=260),
)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
@FUZZ
@given(text=TEXTS)
def test_any_text_gets_an_answer_or_a_clean_refusal(world, engine, entry, text):
    if entry.needs_text and not text.strip():
        text = "x" + text
    _try(entry, world, engine, text)


# --- the four inputs of the issue, on each entry point, in both languages --------------------


@pytest.fixture
def chinese() -> Iterator[None]:
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_hostile_text_is_refused_before_any_query(world, engine, entry, kind):
    text = HOSTILE[kind]
    with statements(engine) as sent, pytest.raises(ValidationError) as refused:
        entry.call(world, text)
    expected = (f"is too long (at most {entry.max_len} characters)"
                if kind == "50000" else "contains characters that cannot be searched for")
    assert refused.value.errors[entry.field] == expected
    # The whole message is a sentence a status line can show, not "field: ..."
    assert str(refused.value).startswith("The search text")
    if not entry.queries_first:
        assert sent == []


@pytest.mark.parametrize("kind", HOSTILE)
@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_refusal_speaks_chinese(world, chinese, entry, kind):
    text = HOSTILE[kind]
    with pytest.raises(ValidationError) as refused:
        entry.call(world, text)
    if kind == "50000":
        assert refused.value.errors[entry.field] == ZH_TOO_LONG.format(max=entry.max_len)
        assert str(refused.value) == f"搜索内容太长（最多 {entry.max_len} 个字符）。"
    else:
        assert refused.value.errors[entry.field] == ZH_CHARS
        assert str(refused.value).startswith("搜索内容包含无法用于搜索的字符")


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_ordinary_text_still_finds(world, entry):
    """Chinese, Latin, digits, punctuation and emoji pass; a trailing scanner newline too."""
    for text in ("北京鑫锐", "M404 卡纸", "HP-CF226A", "010-6234", "50%_off/", "😀 北京",
                 "CNB1234567\n", "x" * 200):
        try:
            entry.call(world, text)
        except NotFound:
            assert entry.lookup


def test_the_searches_still_match(world):
    w = world
    assert [r.name for r in customers.search_customers(
        uow=w.uow, actor=w.sales, text="鑫锐 ").rows] == ["北京鑫锐科技有限公司"]
    assert customers.find_duplicates(uow=w.uow, actor=w.sales, name="北京鑫锐科技有限公司")
    assert [r.sku for r in catalog.list_products(uow=w.uow, actor=w.manager,
                                                 text="硒鼓").rows] == ["HP-CF226A"]
    assert knowledge.list_knowledge(uow=w.uow, actor=w.technician, text="M404 卡纸")
    assert knowledge.suggest_solutions(uow=w.uow, actor=w.technician,
                                       device_model="LaserJet M404dn",
                                       symptoms="卡纸\n打印有黑线\t很淡")


def test_multiline_symptoms_keep_tabs_and_line_breaks_but_a_search_box_does_not():
    assert search_text("symptoms", "卡纸\n\t黑线", multiline=True, max_len=4000)
    with pytest.raises(ValidationError):
        search_text("text", "卡纸\n黑线")
    assert search_text("text", "  CNB1234567\r\n") == "CNB1234567"
    for bad in ("\ufdef", "\U0003ffff", "a\x0bb", "\ud7fc"):
        with pytest.raises(ValidationError):
            search_text("text", bad)
    with pytest.raises(ValidationError) as not_text:
        search_text("text", 12)  # type: ignore[arg-type]
    assert "text" in not_text.value.errors


def test_cli_print_refuses_an_undecodable_number(world, db_url, tmp_path, monkeypatch,
                                                 capsys):
    """A shell hands Python bytes that are not UTF-8 as lone surrogates (surrogateescape)."""
    before = _audit_count(world.uow)
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    out = tmp_path / "o.pdf"
    code = cli.main(["print", "order", "BJ-\udcff\udcfe", "--out", str(out), "--db", db_url,
                     "--user", "sales1", "--password-stdin"])
    assert code != 0
    err = capsys.readouterr().err
    assert "The search text contains characters that cannot be searched for" in err
    assert "Traceback" not in err
    assert not out.exists()
    assert _audit_count(world.uow) == before


def _audit_count(uow: UnitOfWork) -> int:
    """Prints recorded (the log-in itself is audited too)."""
    with uow:
        return uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.PRINT)).scalar_one()


# --- dates on intake and payments: 2000-01-01 .. 2100-12-31 -----------------------------------

OUT_OF_RANGE = (dt.date(1999, 12, 31), dt.date(2101, 1, 1))
RANGE_EN = "must be between 2000-01-01 and 2100-12-31"
RANGE_ZH = "必须在 2000-01-01 到 2100-12-31 之间"


def _service_counts(uow: UnitOfWork) -> tuple[int, ...]:
    with uow:
        return tuple(uow.session.execute(select(func.count()).select_from(m)).scalar_one()
                     for m in (ServiceTicket, TicketEvent, Device, Payment, AuditEntry))


@pytest.mark.parametrize("day", OUT_OF_RANGE, ids=str)
@pytest.mark.parametrize("field", ["expected_on", "received_at"])
def test_intake_dates_outside_2000_to_2100_are_refused(world, field, day):
    customer = customers.search_customers(uow=world.uow, actor=world.clerk, text="鑫锐").rows[0]
    value: Any = day if field == "expected_on" else dt.datetime(
        day.year, day.month, day.day, 12, tzinfo=dt.UTC)
    before = _service_counts(world.uow)
    with pytest.raises(ValidationError) as refused:
        tickets.intake_ticket(uow=world.uow, actor=world.clerk, draft=IntakeDraft(
            customer_id=customer.id, symptoms="不开机",
            new_device=NewDevice("Canon", "iR 2206", "ABC998877"), **{field: value}))
    assert refused.value.errors[field] == RANGE_EN
    assert _service_counts(world.uow) == before


def test_intake_date_message_in_chinese(world, chinese):
    customer = customers.search_customers(uow=world.uow, actor=world.clerk, text="鑫锐").rows[0]
    with pytest.raises(ValidationError) as refused:
        tickets.intake_ticket(uow=world.uow, actor=world.clerk, draft=IntakeDraft(
            customer_id=customer.id, symptoms="不开机", expected_on=dt.date(2101, 1, 1)))
    assert refused.value.errors["expected_on"] == RANGE_ZH


def test_intake_dates_at_the_edges_are_taken(world):
    customer = customers.search_customers(uow=world.uow, actor=world.clerk, text="鑫锐").rows[0]
    made = tickets.intake_ticket(uow=world.uow, actor=world.clerk, draft=IntakeDraft(
        customer_id=customer.id, symptoms="不开机", expected_on=dt.date(2100, 12, 31),
        received_at=dt.datetime(2000, 1, 1, 12, tzinfo=dt.UTC)))
    assert made.expected_on == dt.date(2100, 12, 31)


@pytest.fixture
def open_order(world) -> tuple[int, int]:
    customer = customers.search_customers(uow=world.uow, actor=world.sales, text="鑫锐").rows[0]
    made = create_order(uow=world.uow, actor=world.sales, draft=OrderDraft(
        customer_id=customer.id, lines=(OrderLineDraft(description="打印机维修",
                                                       unit_price=Decimal("400.00")),)))
    transition_order(uow=world.uow, actor=world.sales, order_id=made.id,
                     expected_version=made.version, to=OrderStatus.CONFIRMED)
    return customer.id, made.id


def _pay(world: World, customer_id: int, order_id: int, day: object) -> object:
    return record_payment(uow=world.uow, actor=world.sales, customer_id=customer_id,
                          received_on=day, amount=Decimal("400.00"),  # type: ignore[arg-type]
                          method=PaymentMethod.CASH,
                          allocations=((order_id, Decimal("400.00")),))


@pytest.mark.parametrize("day", [*OUT_OF_RANGE, "1999-12-31", "2101-01-01"], ids=str)
def test_payment_dates_outside_2000_to_2100_are_refused(world, open_order, day):
    before = _service_counts(world.uow)
    with pytest.raises(ValidationError) as refused:
        _pay(world, *open_order, day)
    assert refused.value.errors["received_on"] == RANGE_EN
    assert _service_counts(world.uow) == before


def test_payment_date_message_in_chinese(world, open_order, chinese):
    with pytest.raises(ValidationError) as refused:
        _pay(world, *open_order, dt.date(1999, 12, 31))
    assert refused.value.errors["received_on"] == RANGE_ZH


def test_payment_on_the_first_day_is_taken(world, open_order):
    _pay(world, *open_order, dt.date(2000, 1, 1))
    assert _service_counts(world.uow)[3] == 1
