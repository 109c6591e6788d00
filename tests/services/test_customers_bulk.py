"""An import's chunk of new customers (``add_customers``: batched INSERTs, no objects in
the session) writes exactly the rows one customer saved from the card
(``add_customer``) writes: the customer, its contacts and addresses, search keys, name
and phone suffixes, custom values (given and defaults) and the audit entry."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError

from app.models import Address, AuditEntry, Contact, Customer
from app.models.catalog import NameSuffix, SearchKey
from app.models.customers import PhoneSuffix
from app.models.enums import CustomerKind, CustomFieldEntity, CustomFieldKind
from app.models.system import CustomFieldDefinition, CustomFieldValue
from app.services import custom_fields as cf
from app.services.custom_fields import FieldDraft
from app.services.customers import (
    AddressDraft,
    ContactDraft,
    CustomerDraft,
    add_customer,
    add_customers,
)
from app.services.errors import ValidationError
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

SKIP = {"id", "code", "customer_id", "created_at", "updated_at", "record_id", "owner_id",
        "contact_id"}


def _drafts(owner: int) -> list[CustomerDraft]:
    return [
        CustomerDraft(
            name="北京鑫锐科技有限公司", short_name="鑫锐", phone="010-6222 3333",
            email="info@xinrui.cn", notes="老客户", owner_id=owner,
            contacts=(ContactDraft(name="王芳", title="采购", mobile="138 0013 8000",
                                   phone="010-62223334", is_primary=True,
                                   custom={"wechat": "wf-2024"}),
                      ContactDraft(name="李静", mobile="13900139000")),
            addresses=(AddressDraft(street="海淀区中关村大街1号", city="北京",
                                    is_default=True),
                       AddressDraft(street="朝阳区建国路8号", city="北京")),
            custom={"pages_month": "1500"}),
        CustomerDraft(name="曾小乐", kind=CustomerKind.PERSON, phone="13700137000",
                      owner_id=owner),
    ]


def _fields(uow: UnitOfWork, admin: Actor) -> None:
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="pages_month", label_zh="月印量", label_en="Pages a month",
        kind=CustomFieldKind.NUMBER, default_value="0"))
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity="customer", code="vip", label_zh="重点客户", label_en="Key customer",
        kind=CustomFieldKind.BOOLEAN, default_value="no"))
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity=CustomFieldEntity.CONTACT, code="wechat", label_zh="微信", label_en="WeChat",
        kind=CustomFieldKind.TEXT))


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in obj.__table__.columns if c.key not in SKIP}


def _written(uow: UnitOfWork, ids: list[int]) -> list[dict[str, Any]]:
    """Everything stored for the customers ``ids``, without ids and clock readings."""
    out = []
    with uow:
        s = uow.session
        codes: dict[int, str] = {d.id: d.code for d in s.scalars(
            select(CustomFieldDefinition))}
        for cid in ids:
            contacts = s.scalars(select(Contact).where(Contact.customer_id == cid)
                                 .order_by(Contact.id)).all()
            contact_ids = [c.id for c in contacts]
            audit = s.scalars(select(AuditEntry).where(
                AuditEntry.entity == "customer", AuditEntry.entity_id == cid)).one()
            after = json.loads(audit.changes)["after"]
            # A contact's custom value is keyed by its id: by its place instead.
            after = {_by_place(k, contact_ids): v for k, v in after.items()
                     if k not in ("id", "code")}
            out.append({
                "customer": _row(s.get(Customer, cid)),
                "contacts": [_row(c) for c in contacts],
                "addresses": [_row(a) for a in s.scalars(select(Address).where(
                    Address.customer_id == cid).order_by(Address.id))],
                "keys": sorted((k.term, k.pos) for k in s.scalars(select(SearchKey).where(
                    SearchKey.owner_kind == "c", SearchKey.owner_id == cid))),
                "suffixes": sorted((k.suffix, k.pos) for k in s.scalars(select(NameSuffix)
                                   .where(NameSuffix.owner_kind == "c",
                                          NameSuffix.owner_id == cid))),
                "phones": sorted((p.suffix, contact_ids.index(p.contact_id)
                                  if p.contact_id else None)
                                 for p in s.scalars(select(PhoneSuffix).where(
                                     PhoneSuffix.customer_id == cid))),
                "custom": sorted((v.entity.value, codes[v.definition_id], v.value_text,
                                  str(v.value_number)) for v in s.scalars(
                    select(CustomFieldValue).where(or_(
                        and_(CustomFieldValue.entity == CustomFieldEntity.CUSTOMER,
                             CustomFieldValue.record_id == cid),
                        and_(CustomFieldValue.entity == CustomFieldEntity.CONTACT,
                             CustomFieldValue.record_id.in_(contact_ids)))))),
                "audit": (audit.action, audit.summary.split(" ", 1)[1], after),
            })
    return out


def _by_place(key: str, contact_ids: list[int]) -> str:
    if key.startswith("contacts["):
        number, rest = key[len("contacts["):].split("]", 1)
        return f"contacts[#{contact_ids.index(int(number))}]{rest}"
    return key


def test_a_chunk_writes_what_the_card_writes(
    uow: UnitOfWork, admin: Actor, manager: Actor,
    make_user: Callable[..., Actor],
) -> None:
    _fields(uow, admin)
    sales = make_user("sales9", "sales", "key_accounts", display_name="销售九")
    one_by_one = []
    for draft in _drafts(sales.user_id):
        with uow:
            customer, *_ = add_customer(uow, manager, draft, owner=None,
                                        first_contact_on=dt.date(2024, 3, 1))
            one_by_one.append(customer.id)
            uow.commit()
    expected = _written(uow, one_by_one)
    with uow:
        # The customers the card wrote are renamed away first: names are free to reuse.
        for cid in one_by_one:
            uow.session.get(Customer, cid).name += "（旧）"
        uow.commit()
    with uow:
        results = add_customers(uow, manager, [(d, dt.date(2024, 3, 1))
                                               for d in _drafts(sales.user_id)])
        uow.commit()
    assert all(not isinstance(r, ValidationError) for r in results)
    together = _written(uow, [r.id for r in results])  # type: ignore[union-attr]
    assert together == expected
    # Not a comparison of two empty lists: the first customer has all of it.
    first = together[0]
    assert len(first["contacts"]) == 2 and len(first["addresses"]) == 2
    assert first["keys"] and first["suffixes"] and len(first["phones"]) > 20
    assert ("contact", "wechat", "wf-2024", "None") in first["custom"]
    assert ("customer", "pages_month", None, "1500.0000") in first["custom"]
    assert first["audit"][2]["custom.pages_month"] == "1500"
    assert first["audit"][0].value == "create"
    assert first["audit"][2]["name"] == "北京鑫锐科技有限公司"


def test_a_refused_draft_is_reported_in_its_place_and_not_written(
    uow: UnitOfWork, manager: Actor,
) -> None:
    drafts = [CustomerDraft(name="北京博普装饰有限公司", phone="010-62220000"),
              CustomerDraft(name="", phone="010-62220001"),
              CustomerDraft(name="天津华信电子", phone="022-23334444")]
    with uow:
        results = add_customers(uow, manager, [(d, None) for d in drafts])
        uow.commit()
    assert isinstance(results[1], ValidationError)
    assert [getattr(r, "code", None) is not None for r in results] == [True, False, True]
    with uow:
        names = uow.session.execute(select(Customer.name).order_by(Customer.id)).scalars()
        assert list(names) == ["北京博普装饰有限公司", "天津华信电子"]
        phones = uow.session.execute(select(PhoneSuffix.suffix)).scalars().all()
    assert "62220001" not in phones and "62220000" in phones and "23334444" in phones


def test_bulk_rows_the_database_refuses_raise_its_integrity_error(
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Search keys go in as one stream (COPY on PostgreSQL, for a table without row
    security) or one batch: a row the database refuses comes back as the IntegrityError
    an INSERT would give (an import's chunk is then written row by row), and nothing of
    the batch stays."""
    from app import db

    streamed: list[str] = []
    real = db._copy_rows

    def spy(connection: Any, table: Any, *args: Any) -> None:
        streamed.append(table.name)
        real(connection, table, *args)

    monkeypatch.setattr(db, "_copy_rows", spy)
    good = {"owner_kind": "c", "owner_id": 1, "term": "bjxr", "pos": 0}
    many = [{**good, "term": f"k{i}"} for i in range(db.COPY_FROM_ROWS - 1)]
    with uow:
        uow.session.execute(select(1))  # the transaction is open on the server
        with pytest.raises(IntegrityError):
            with uow.session.begin_nested():
                # Taken in the savepoint, as an import's chunk takes it (SAVEPOINT is
                # sent when the session's connection is next asked for).
                db.insert_many(uow.session.connection(), SearchKey.__table__,
                               [*many, {**good, "term": None}])
        # A few rows (a card's save) go in one INSERT, streamed or not.
        db.insert_many(uow.session.connection(), SearchKey.__table__, [good])
        uow.commit()
    with uow:
        stored = uow.session.execute(select(SearchKey.term)).scalars().all()
    assert stored == ["bjxr"]
    assert streamed == (["search_keys"] if uow.engine.dialect.name == "postgresql" else [])
