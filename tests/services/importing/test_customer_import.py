"""Importing customers from a sheet: the dry run, the commit, duplicates, undo, permissions."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from app.models import Base, Customer, ImportBatch, ImportItem, Visit
from app.services.customers import CustomerDraft, create_customer, get_customer, update_customer
from app.services.errors import PermissionDenied, ValidationError
from app.services.importing.customers import (
    OVERWRITE,
    SKIP,
    core_name,
    plan_customer_import,
    run_customer_import,
    undo_import,
)
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.services.test_confirmation import make_visit

HEADER = "客户名称,简称,客户类别,联系电话,联系人,职务,手机,地址,首次联系日期,备注"


def _csv(tmp_path: Path, *lines: str, name: str = "customers.csv",
         encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join((HEADER, *lines)) + "\n").encode(encoding))
    return path


def _customers(uow: UnitOfWork) -> list[tuple[str, str | None]]:
    with uow:
        return [tuple(r) for r in uow.session.execute(  # type: ignore[misc]
            select(Customer.name, Customer.phone).order_by(Customer.id)).all()]


def _tables(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every business table's rows, for a before/after comparison (the bookkeeping of the
    import itself, the audit log, the change feed and the number counters left out).

    A restored record keeps moving its version (and who changed it when) forward: a
    station still holding the imported version must meet a conflict, not save over the
    restored values. So those three columns are left out of the comparison."""
    skip = {"audit_log", "change_feed", "import_batches", "import_items",
            "document_sequences", "alembic_version"}
    moving = {"version", "updated_at", "updated_by_id"}
    with engine.connect() as conn:
        return {t.name: sorted(conn.execute(select(*(c for c in t.c if c.name not in moving)))
                               .all(), key=repr)
                for t in Base.metadata.sorted_tables if t.name not in skip}


def test_a_dry_run_writes_nothing_and_says_what_each_row_will_do(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor, sales_user: Actor,
) -> None:
    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-65881234"))
    path = _csv(
        tmp_path,
        "北京华信打印耗材有限公司,华信,A,010 6588-9999,王芳,采购,139 1234 5678,朝阳区建国路1号,"
        "2023/5/8,老客户",
        "北京华信打印耗材有限公司,,,,李强,经理,13812345678,,,",
        "鑫锐科技,,B,,赵敏,,13700000001,,,",                     # like the stored one
        ",,,010-12345678,,,,,,",                                  # no name
        "朝阳区第三中学,,Z,,,,,,,",                               # unknown class
        "海淀图书城,,,,,,12345,,下周三,",                         # bad mobile, bad date
    )
    before = _tables(engine)
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    assert _tables(engine) == before
    said = plan.outcome_of_row()
    assert said[2] == said[3] == "will create"  # rows 2 and 3: one company, two contacts
    hua = plan.customers[0]
    assert hua.rows == (2, 3) and [c.name for c in hua.draft.contacts] == ["王芳", "李强"]
    assert hua.draft.phone == "010 6588-9999" and hua.draft.contacts[0].mobile == \
        "139 1234 5678"
    assert hua.first_contact_on == dt.date(2023, 5, 8)
    assert said[4] == (f"will update {stored.code} 北京鑫锐科技有限公司 (same name without city "
                       "and company type)")
    assert said[5].startswith("error: ") and "customer name is empty" in said[5]
    assert said[6].startswith("error: Class: Z is not one of")
    assert "not a date: 下周三" in said[7]
    assert "Contact mobile: 12345 is not a mobile number" in said[7]
    assert plan.counts() == {"create": 1, "update": 1, "skip": 0, "merge": 0, "error": 3}


def test_two_rows_like_the_same_stored_customer_fill_it_once(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, sales_user: Actor,
) -> None:
    """One row finds the card by its phone, a later one by its name: both fill the same
    card, in one update (apart, the second found the card changed since the dry run)."""
    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-65881234"))
    path = _csv(
        tmp_path,
        "鑫锐数码,,,010-65881234,赵敏,,13700000001,海淀区中关村1号,,",
        "北京鑫锐科技有限公司,鑫锐,,,钱亮,经理,13700000002,,,老客户",
    )
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    said = plan.outcome_of_row()
    assert said[2].startswith(f"will update {stored.code} 北京鑫锐科技有限公司 (same phone)")
    assert said[3] == "same customer as row 2 (same name): added to it"
    result = run_customer_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.updated, result.refused) == (0, 1, ())
    with uow:
        xr = uow.session.get(Customer, stored.id)
        assert xr is not None
        assert (xr.short_name, xr.notes) == ("鑫锐", "老客户")
        assert sorted(c.name for c in xr.contacts) == ["赵敏", "钱亮"]
        items = uow.session.execute(select(ImportItem.entity, ImportItem.action).where(
            ImportItem.batch_id == result.batch_id)).all()
        assert sorted(tuple(i) for i in items) == [
            ("address", "created"), ("contact", "created"), ("contact", "created"),
            ("customer", "updated")]


def test_the_import_creates_fills_and_is_undone_table_by_table(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor, sales_user: Actor,
) -> None:
    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-65881234"))
    path = _csv(
        tmp_path,
        "北京华信打印耗材有限公司,华信,A,010-65889999,王芳,采购,13912345678,朝阳区建国路1号,"
        "2023-05-08,",
        "鑫锐科技,鑫锐,B,010-11112222,赵敏,,13700000001,海淀区中关村1号,,",
    )
    before = _tables(engine)
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    result = run_customer_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.updated, result.refused) == (1, 1, ())
    with uow:
        hua = uow.session.execute(select(Customer).where(
            Customer.name == "北京华信打印耗材有限公司")).scalar_one()
        assert (hua.short_name, hua.customer_class.value, hua.owner_id) == \
            ("华信", "a", manager.user_id)
        assert hua.first_contact_on == dt.date(2023, 5, 8)
        assert [c.mobile for c in hua.contacts] == ["13912345678"]
        xr = uow.session.get(Customer, stored.id)
        assert xr is not None
        # Filled: the empty short name; kept: the stored phone. The new contact added.
        assert (xr.short_name, xr.phone) == ("鑫锐", "010-65881234")
        assert [c.name for c in xr.contacts] == ["赵敏"]
        assert [a.street for a in xr.addresses] == ["海淀区中关村1号"]
        items = uow.session.execute(select(ImportItem.entity, ImportItem.action).where(
            ImportItem.batch_id == result.batch_id).order_by(ImportItem.id)).all()
        assert [tuple(i) for i in items] == [("customer", "created"), ("customer", "updated"),
                                              ("contact", "created"), ("address", "created")]
    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert (undone.undone, undone.kept) == (4, ())
    assert _tables(engine) == before
    with uow:
        batch = uow.session.get(ImportBatch, result.batch_id)
        assert batch is not None and batch.status == "undone"


def test_undo_keeps_what_was_used_or_changed_since(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, sales_user: Actor,
) -> None:
    path = _csv(tmp_path, "北京华信打印耗材有限公司,,A,010-65889999,王芳,,,,,",
                "北京博普装饰有限公司,,B,010-65881111,,,,,,",
                "北京天成文具有限公司,,C,010-65882222,,,,,,")
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    result = run_customer_import(uow=uow, actor=manager, plan=plan)
    assert result.created == 3
    with uow:
        ids = dict(uow.session.execute(select(Customer.name, Customer.id)).all())
    make_visit(uow, manager, ids["北京华信打印耗材有限公司"], "上门拜访")
    card = get_customer(uow=uow, actor=manager, customer_id=ids["北京博普装饰有限公司"])
    update_customer(uow=uow, actor=manager,
                    customer_id=card.id, expected_version=card.version,
                    draft=CustomerDraft(name=card.name, phone="010-99998888",
                                        customer_class="b", status=card.status,
                                        source=card.source, owner_id=card.owner_id))
    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert undone.undone == 1
    reasons = {k.label.split(" ", 1)[1]: k.reason for k in undone.kept}
    assert reasons == {"北京华信打印耗材有限公司": "used since the import (a visit record)",
                       "北京博普装饰有限公司": "changed by 总经理 since the import"}
    assert [n for n, _p in _customers(uow)] == ["北京华信打印耗材有限公司", "北京博普装饰有限公司"]
    with uow:
        batch = uow.session.get(ImportBatch, result.batch_id)
        assert batch is not None and batch.status == "partly_undone"
        assert uow.session.execute(select(Visit.id)).all()


def test_skip_and_overwrite_as_chosen_per_kind_of_match(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, sales_user: Actor,
) -> None:
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司", phone="010-65881234", short_name="老简称"))
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京天成文具有限公司", phone="010-65882222"))
    path = _csv(tmp_path, "北京鑫锐科技有限公司,新简称,,,,,,,,",   # same name
                "天成文具店,,,010-65882222,,,,,,")              # same phone
    plan = plan_customer_import(uow=uow, actor=manager, path=path,
                                on_match={"same_name": OVERWRITE, "same_phone": SKIP})
    assert [c.outcome for c in plan.customers] == ["update", "skip"]
    run_customer_import(uow=uow, actor=manager, plan=plan)
    with uow:
        names = dict(uow.session.execute(select(Customer.name, Customer.short_name)).all())
    assert names == {"北京鑫锐科技有限公司": "新简称", "北京天成文具有限公司": None}


def test_a_customer_changed_after_the_dry_run_is_refused_not_overwritten(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, sales_user: Actor,
) -> None:
    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    path = _csv(tmp_path, "北京鑫锐科技有限公司,鑫锐,,,,,,,,")
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    card = get_customer(uow=uow, actor=sales_user, customer_id=stored.id)
    update_customer(uow=uow, actor=sales_user, customer_id=card.id,
                    expected_version=card.version,
                    draft=CustomerDraft(name=card.name, short_name="张伟填的",
                                        customer_class=card.customer_class,
                                        status=card.status, source=card.source,
                                        owner_id=card.owner_id))
    result = run_customer_import(uow=uow, actor=manager, plan=plan)
    assert result.updated == 0
    assert [i.message for i in result.refused] == [
        f"{stored.code} 北京鑫锐科技有限公司 was changed by 张伟 after the dry run: run the dry "
        "run again."]
    with uow:
        assert uow.session.get(Customer, stored.id).short_name == "张伟填的"  # type: ignore[union-attr]


def test_a_salesperson_may_not_import_and_nothing_is_written(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, sales_user: Actor,
) -> None:
    path = _csv(tmp_path, "北京华信打印耗材有限公司,,,,,,,,,")
    before = _tables(engine)
    with pytest.raises(PermissionDenied, match="see every customer"):
        plan_customer_import(uow=uow, actor=sales_user, path=path)
    assert _tables(engine) == before


def test_a_mapping_that_names_a_missing_column_is_refused(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    path = _csv(tmp_path, "北京华信打印耗材有限公司,,,,,,,,,")
    with pytest.raises(ValidationError) as raised:
        plan_customer_import(uow=uow, actor=manager, path=path,
                             mapping={0: "name", 14: "phone"})
    assert raised.value.errors == {
        "phone": "is mapped to column O, but the sheet has 10 columns"}
    with pytest.raises(ValidationError, match="no column is mapped to the customer name"):
        plan_customer_import(uow=uow, actor=manager, path=path, mapping={3: "phone"})


def test_the_mapping_is_remembered_for_the_next_sheet_of_the_same_layout(
    tmp_path: Path, uow: UnitOfWork, manager: Actor,
) -> None:
    # The sheet's 备注 column holds the tax number: the person maps it so, once.
    first = _csv(tmp_path, "北京华信打印耗材有限公司,,,,,,,,,91110105MA01",
                 name="first.csv")
    mapping = {0: "name", 9: "tax_number"}
    plan = plan_customer_import(uow=uow, actor=manager, path=first, mapping=mapping)
    run_customer_import(uow=uow, actor=manager, plan=plan)
    second = _csv(tmp_path, "北京博普装饰有限公司,,,,,,,,,91110105MB02", name="second.csv")
    again = plan_customer_import(uow=uow, actor=manager, path=second)
    assert again.mapping == mapping
    assert again.customers[0].draft.tax_number == "91110105MB02"


def test_core_names_leave_out_the_city_and_the_kind_of_company() -> None:
    assert core_name("北京鑫锐科技有限公司") == core_name("鑫锐科技") == "鑫锐"
    assert core_name("鑫锐（北京）科技有限公司") == "鑫锐"
    assert core_name("北京科技有限公司") == ""  # nothing distinctive left


def test_every_address_of_a_customer_is_kept_by_kind_and_undone(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor, sales_user: Actor,
) -> None:
    from app.models import Address

    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京华信打印耗材有限公司", phone="010-64001234"))
    path = tmp_path / "addresses.csv"
    path.write_bytes((
        "客户名称,联系电话,地址,送货地址\n"
        "北京鑫锐科技有限公司,010-62223333,海淀区中关村大街1号,海淀区上地十街10号库房\n"
        "北京鑫锐科技有限公司,010-62223333,朝阳区建国路88号,海淀区上地十街10号库房\n"
        "北京华信打印耗材有限公司,010-64001234,,东城区东直门外大街2号\n").encode("gbk"))
    before = _tables(engine)
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    result = run_customer_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.updated, result.refused) == (1, 1, ())
    with uow:
        stored_addresses = [tuple(r) for r in uow.session.execute(
            select(Customer.name, Address.kind, Address.street, Address.is_default)
            .join(Address, Address.customer_id == Customer.id).order_by(Address.id))]
    assert stored_addresses == [
        ("北京鑫锐科技有限公司", "office", "海淀区中关村大街1号", True),
        ("北京鑫锐科技有限公司", "delivery", "海淀区上地十街10号库房", False),
        ("北京鑫锐科技有限公司", "office", "朝阳区建国路88号", False),
        # The stored customer had none: its first address is its default.
        ("北京华信打印耗材有限公司", "delivery", "东城区东直门外大街2号", True),
    ]
    assert stored.id  # filled, not a second card
    undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert _tables(engine) == before


def test_contacts_custom_fields_and_the_fields_defaults_are_stored(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, admin: Actor, sales_user: Actor,
) -> None:
    from app.models import Contact
    from app.models.enums import CustomFieldEntity
    from app.services import custom_fields as cf
    from app.services.custom_fields import FieldDraft

    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity=CustomFieldEntity.CONTACT, code="wechat", label_zh="微信", label_en="WeChat",
        kind="text"))
    cf.define_field(uow=uow, actor=admin, draft=FieldDraft(
        entity=CustomFieldEntity.CUSTOMER, code="region", label_zh="片区", label_en="Region",
        kind="text", default_value="城区"))
    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京华信打印耗材有限公司", phone="010-64001234"))
    path = tmp_path / "wechat.csv"
    path.write_bytes((
        "客户名称,联系电话,联系人,联系人微信\n"
        "北京鑫锐科技有限公司,010-62223333,王伟,wangwei88\n"
        "北京鑫锐科技有限公司,010-62223333,李娜,\n"
        "北京华信打印耗材有限公司,010-64001234,赵强,zhaoq\n").encode("gbk"))
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    assert plan.mapping[3] == "contact.custom.wechat"
    result = run_customer_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.updated) == (1, 1)
    with uow:
        contacts = dict(uow.session.execute(select(Contact.name, Contact.id)).all())
        new = uow.session.execute(select(Customer.id).where(
            Customer.name == "北京鑫锐科技有限公司")).scalar_one()
        wechat = cf.values_for(uow=uow, entity=CustomFieldEntity.CONTACT,
                               record_ids=contacts.values())
        regions = cf.values_for(uow=uow, entity=CustomFieldEntity.CUSTOMER,
                                record_ids=[new, stored.id])
    assert {n: wechat.get(i, {}).get("wechat") for n, i in contacts.items()} == {
        "王伟": "wangwei88", "李娜": None, "赵强": "zhaoq"}
    assert regions[new]["region"] == "城区"  # the default, as the card gives a new customer
    undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    with uow:
        assert cf.values_for(uow=uow, entity=CustomFieldEntity.CONTACT,
                             record_ids=contacts.values()) == {}


def test_the_search_keys_written_are_those_of_the_stored_names(
    tmp_path: Path, uow: UnitOfWork, manager: Actor, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether the chunks are written side by side (a server's database: two writers, a
    chunk of one customer each here) or one after the other (SQLite), the search keys and
    name suffixes stored are those a rebuild makes from the names stored — names the card
    trims, short names, a person's surname reading — and the customers' numbers are
    distinct."""
    from app.db import waits_on_server
    from app.models.catalog import NameSuffix, SearchKey
    from app.services import search_keys

    made_by: list[str] = []
    real = search_keys.customer_keys

    def spy(*args: Any) -> dict[str, int]:
        made_by.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(search_keys, "customer_keys", spy)
    path = _csv(
        tmp_path,
        "  北京华信打印耗材有限公司 ,华信,A,010-65889999,王芳,采购,13912345678,,,",
        "天津博文培训学校, ,B,022-23334444,赵敏,,13700000001,,,",
        "重庆长安汽车销售有限公司,长安,C,023-61112222,钱亮,,13700000002,,,",
        "上海鑫锐科技有限公司,鑫锐,,021-50001111,孙丽,,13700000003,,,",
        "广州单氏贸易商行,,,020-80001111,周强,,13700000004,,,",
    )
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    result = run_customer_import(uow=uow, actor=manager, plan=plan, chunk=1)
    assert result.created == 5
    during = list(made_by)  # (the rebuild below makes them again)
    with uow:
        s = uow.session
        stored = sorted((k.owner_id, k.term, k.pos) for k in s.scalars(select(SearchKey)))
        rebuilt = sorted((r["owner_id"], r["term"], r["pos"])
                         for r in search_keys.all_rows(s))
        suffixes = sorted((k.owner_id, k.suffix, k.pos) for k in s.scalars(select(NameSuffix)))
        rebuilt_suffixes = sorted((r["owner_id"], r["suffix"], r["pos"])
                                  for r in search_keys.all_suffix_rows(s))
        names = set(s.scalars(select(Customer.name)))
        codes = list(s.scalars(select(Customer.code)))
    assert "北京华信打印耗材有限公司" in names and len(names) == 5
    assert len(set(codes)) == 5
    assert len(stored) > 5 * 10 and stored == rebuilt
    assert len(suffixes) > 5 * 5 and suffixes == rebuilt_suffixes
    # Each name's keys made once, by the writer that wrote its chunk.
    assert len(during) == 5
    side_by_side = waits_on_server(uow.engine)
    assert {t.startswith("import-writer") for t in during} == {side_by_side}


def test_the_plan_is_kept_out_of_the_collector_while_written_and_given_back(
    tmp_path: Path, uow: UnitOfWork, manager: Actor,
) -> None:
    """A large plan would be walked by every full garbage collection while it is written:
    it is frozen out of them during the writing, and given back afterwards. Where objects
    were frozen before (the desktop client's start-up, maybe an earlier test), nothing
    changes."""
    import gc

    path = _csv(tmp_path, "北京华信打印耗材有限公司,,,,,,,,,", "天津博文培训学校,,,,,,,,,")
    plan = plan_customer_import(uow=uow, actor=manager, path=path)
    before = gc.get_freeze_count()
    during: list[int] = []
    result = run_customer_import(uow=uow, actor=manager, plan=plan, chunk=1,
                                 progress=lambda _done, _total: during.append(
                                     gc.get_freeze_count()))
    assert result.created == 2
    if before == 0:
        assert during and min(during) > 0
    else:
        assert set(during) == {before}
    assert gc.get_freeze_count() == before
