"""Pinyin as people type it (issue 15, item 6): initials and full pinyin anywhere in a name,
every reading of a character (places and surnames in their own), codes and SKUs, best
match first; the search keys always equal a rebuild from the names."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, inspect, select

from app.models import Customer, Product
from app.models.catalog import NameSuffix, SearchKey
from app.models.customers import CustomerAlias, PhoneSuffix
from app.models.enums import CustomerKind, ProductCategory
from app.services import search_keys
from app.services.catalog import ProductDraft, create_product, list_products, update_product
from app.services.customers import (
    ContactDraft,
    CustomerDraft,
    create_customer,
    search_customers,
    update_customer,
)
from app.services.errors import ValidationError
from app.textkeys import digit_suffixes, name_keys, person_sort_key


def _names(uow, actor, text, **kw):
    return [r.name for r in search_customers(uow=uow, actor=actor, text=text, **kw).rows]


def _products(uow, actor, text, **kw):
    return [r.name for r in list_products(uow=uow, actor=actor, text=text, **kw).rows]


def _product(sku: str, name: str, category=ProductCategory.CONSUMABLE, **kw) -> ProductDraft:
    return ProductDraft(sku=sku, name=name, category=category, list_price=Decimal("10.00"), **kw)


def _stored(uow) -> set[tuple[object, ...]]:
    """Every pinyin key, name suffix and phone suffix stored, each with its table and the
    sort key it carries."""
    with uow:
        keys = uow.session.execute(select(
            SearchKey.owner_kind, SearchKey.owner_id, SearchKey.term, SearchKey.pos,
            SearchKey.sort_key)).all()
        suffixes = uow.session.execute(select(
            NameSuffix.owner_kind, NameSuffix.owner_id, NameSuffix.suffix,
            NameSuffix.pos, NameSuffix.sort_key)).all()
        phones = uow.session.execute(select(
            PhoneSuffix.customer_id, PhoneSuffix.contact_id, PhoneSuffix.suffix,
            PhoneSuffix.sort_key)).all()
        return ({("k", *r) for r in keys} | {("s", *r) for r in suffixes}
                | {("p", *r) for r in phones})


def _rebuilt(uow) -> set[tuple[object, ...]]:
    """What :func:`_stored` should be, computed afresh from the names and numbers."""
    with uow:
        return ({("k", r["owner_kind"], r["owner_id"], r["term"], r["pos"], r["sort_key"])
                 for r in search_keys.all_rows(uow.session)}
                | {("s", r["owner_kind"], r["owner_id"], r["suffix"], r["pos"], r["sort_key"])
                   for r in search_keys.all_suffix_rows(uow.session)}
                | {("p", r["customer_id"], r["contact_id"], r["suffix"], r["sort_key"])
                   for r in search_keys.all_phone_rows(uow.session)})


# --- the keys ----------------------------------------------------------------------------------


def _finds(keys: dict[str, int], text: str) -> bool:
    return any(k.startswith(text) for k in keys)


def test_keys_start_at_every_syllable_in_every_reading():
    keys = name_keys("得力复印纸A4")
    assert keys["dlfyza"] == 0 and keys["delifuyinzhia4"] == 0  # from the start
    assert keys["fyza"] == 1 and keys["fuyinzhia4"] == 1  # 复印纸 inside the name
    assert keys["a4"] == 1
    gu = name_keys("银河西谷科技有限公司")
    assert _finds(gu, "xigu") and _finds(gu, "xgkj")
    assert not _finds(gu, "yxgs") and _finds(gu, "yhxgkjyxgs")  # none starts in 有限公司
    # 单县 is a place read shan xian; 单 alone keeps every reading.
    assert _finds(name_keys("单县鑫佳商贸"), "sx")
    assert not _finds(name_keys("单县鑫佳商贸"), "dx")
    assert {"dan", "shan", "chan"} <= set(name_keys("单"))
    # A surname in its surname reading, only for a person.
    assert _finds(name_keys("曾国藩", person=True), "zgf")
    assert not _finds(name_keys("曾国藩", person=True), "cgf")
    assert person_sort_key("曾小明").startswith("zeng ")
    # Leading place: the name after it counts as a start.
    assert name_keys("北京博普装饰有限公司")["bpzsyxgs"] == 0


def test_keys_equal_a_rebuild_after_random_creates_renames_and_deletes(uow, manager):
    rng = random.Random(15)
    words = ["单县", "曾", "西谷", "鑫佳", "复印纸", "得力", "北京", "长城", "银行", "重庆",
             "科技", "Canon", "A4", "商贸有限公司", "打印", "行长", "乐器", "HP"]

    def name() -> str:
        return "".join(rng.choice(words) for _ in range(rng.randint(1, 4)))

    def number() -> str | None:
        return rng.choice([None, f"010-{rng.randint(6000_0000, 6999_9999)}",
                           f"1{rng.randint(30, 89)} {rng.randint(1000, 9999)} 5678",
                           "+86 (10) 6500 1234"])

    def contacts(kept: tuple[ContactDraft, ...]) -> tuple[ContactDraft, ...]:
        out = [replace(c, phone=number()) if rng.random() < 0.4 else c
               for c in kept if rng.random() < 0.7]
        out += [ContactDraft(name=rng.choice(["王芳", "李强", "曾小明"]), phone=number(),
                             mobile=number()) for _ in range(rng.randint(0, 2))]
        return tuple(out)

    customers: dict[int, int] = {}  # id -> version
    products: dict[int, int] = {}
    for step in range(60):
        roll = rng.random()
        if roll < 0.3 or not customers:
            made = create_customer(uow=uow, actor=manager, draft=CustomerDraft(
                name=f"{name()}{step}", short_name=rng.choice([None, name()]),
                kind=rng.choice(list(CustomerKind)), phone=number(), contacts=contacts(())))
            customers[made.id] = made.version
        elif roll < 0.55:
            cid = rng.choice(sorted(customers))
            from app.services.customers import get_customer
            card = get_customer(uow=uow, actor=manager, customer_id=cid)
            kept = card.to_draft()
            draft = replace(kept, name=rng.choice([kept.name, f"{name()}{step}"]),
                            short_name=rng.choice([None, card.short_name, name()]),
                            kind=rng.choice(list(CustomerKind)),
                            phone=rng.choice([kept.phone, number()]),
                            contacts=contacts(kept.contacts))
            customers[cid] = update_customer(uow=uow, actor=manager, customer_id=cid,
                                             expected_version=card.version,
                                             draft=draft).version
        elif roll < 0.7 or not products:
            made_p = create_product(uow=uow, actor=manager,
                                    draft=_product(f"P-{step}", name()))
            products[made_p.id] = made_p.version
        elif roll < 0.9:
            pid = rng.choice(sorted(products))
            from app.services.catalog import get_product
            view = get_product(uow=uow, actor=manager, product_id=pid)
            products[pid] = update_product(
                uow=uow, actor=manager, product_id=pid, expected_version=view.version,
                draft=replace(view.to_draft(), name=f"{name()}{step}")).version
        elif roll < 0.95 and len(customers) >= 2:
            # A merge: the absorbed card's contacts (and their numbers' suffixes) move to
            # the kept card, which may take the absorbed card's name.
            keep_id, absorb_id = rng.sample(sorted(customers), 2)
            from app.services.merging import merge_customers
            merge_customers(uow=uow, actor=manager, keep_id=keep_id, absorb_id=absorb_id,
                            keep_version=customers[keep_id],
                            absorb_version=customers[absorb_id],
                            take={"name": rng.choice(["keep", "absorbed"])})
            with uow:
                customers[keep_id] = uow.session.get(Customer, keep_id).version
            del customers[absorb_id]
        else:
            # A card deleted (no use case does it alone) drops its keys with it.
            cid = rng.choice(sorted(customers))
            with uow:
                search_keys.drop_keys(uow.session, search_keys.CUSTOMER, [cid])
                # The numbers of cards merged into it (a merge kept it) go first.
                uow.session.execute(delete(CustomerAlias).where(
                    CustomerAlias.customer_id == cid))
                uow.session.execute(delete(Customer).where(Customer.id == cid))
                uow.commit()
            del customers[cid]
    assert _stored(uow) == _rebuilt(uow)
    with uow:
        assert search_keys.rebuild(uow.session) == len(_rebuilt(uow))
        uow.commit()
    assert _stored(uow) == _rebuilt(uow)


# --- customers ---------------------------------------------------------------------------------


def test_customers_by_pinyin_anywhere_full_pinyin_code_and_readings(uow, sales_user):
    xinjia = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫佳商贸有限公司"))
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="单县鑫达电子"))
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="曾小明", kind=CustomerKind.PERSON))
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="银河西谷科技有限公司"))
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="博雅书店"))

    assert _names(uow, sales_user, "xinjia") == ["北京鑫佳商贸有限公司"]
    assert _names(uow, sales_user, "XinJia") == ["北京鑫佳商贸有限公司"]
    assert _names(uow, sales_user, "xjsm") == ["北京鑫佳商贸有限公司"]
    assert _names(uow, sales_user, "sx") == ["单县鑫达电子"]
    assert _names(uow, sales_user, "dx") == []  # 单县 is not read dan xian
    assert _names(uow, sales_user, "zeng") == ["曾小明"]
    assert _names(uow, sales_user, "zxm") == ["曾小明"]
    assert _names(uow, sales_user, "xigu") == ["银河西谷科技有限公司"]
    assert _names(uow, sales_user, "xgkj") == ["银河西谷科技有限公司"]
    assert _names(uow, sales_user, xinjia.code) == ["北京鑫佳商贸有限公司"]
    assert _names(uow, sales_user, xinjia.code.lower()) == ["北京鑫佳商贸有限公司"]
    assert _names(uow, sales_user, xinjia.code[:-2]) != []  # the start of a code
    assert _names(uow, sales_user, "鑫佳") == ["北京鑫佳商贸有限公司"]
    # "x" alone: names starting with it, also after the place (any syllable would be
    # most customers).
    assert _names(uow, sales_user, "x") == ["北京鑫佳商贸有限公司"]
    assert _names(uow, sales_user, "b") == ["北京鑫佳商贸有限公司", "博雅书店"]


def test_customers_rank_by_how_well_they_match_then_by_pinyin(uow, sales_user):
    for name in ("安信鑫达", "鑫达商贸", "新大陆科技", "北京鑫达电子"):
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name=name))
    # From the start of the name (also after its place) first, inside it after.
    assert _names(uow, sales_user, "xd") == ["北京鑫达电子", "新大陆科技", "鑫达商贸",
                                              "安信鑫达"]
    # Homophones too (新大 and 鑫达 are both xin da).
    assert _names(uow, sales_user, "xinda") == ["北京鑫达电子", "新大陆科技", "鑫达商贸",
                                                 "安信鑫达"]
    # Chinese: the names starting with the text (also after their city, as pinyin does)
    # before the text inside a name.
    assert _names(uow, sales_user, "鑫达") == ["北京鑫达电子", "鑫达商贸", "安信鑫达"]


def test_a_ranked_search_pages_through_every_match_once(uow, sales_user):
    for i in range(7):
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name=f"鑫达{i}号店"))
        create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name=f"安信鑫达{i}"))
    seen, after = [], None
    while True:
        page = search_customers(uow=uow, actor=sales_user, text="xd", after=after, limit=3,
                                with_total=True)
        assert page.total == 14
        seen += [r.name for r in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == _names(uow, sales_user, "xd", limit=50)
    assert len(seen) == len(set(seen)) == 14
    assert seen[:7] == [f"鑫达{i}号店" for i in range(7)]
    with pytest.raises(ValidationError):
        search_customers(uow=uow, actor=sales_user, text="xd", after=("xin", 1))


def test_colleagues_customers_are_found_by_pinyin_but_stay_restricted(
        uow, sales_user, other_sales_user):
    create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(name="单县鑫达电子"))
    rows = search_customers(uow=uow, actor=sales_user, text="sx").rows
    assert [(r.name, r.restricted, r.phone) for r in rows] == [("单县鑫达电子", True, None)]


# --- products ----------------------------------------------------------------------------------


@pytest.fixture
def catalog(uow, manager):
    for draft in (
        _product("DL-A4-70", "得力复印纸A4 70g"),
        _product("SSD-KA4-512", "金士顿固态硬盘 512G", ProductCategory.PART),
        _product("HP-CF226A", "惠普硒鼓 CF226A", brand="HP", model="CF226A"),
        _product("CN-CRG337", "佳能硒鼓 337"),
        _product("SV-ONSITE", "上门服务", ProductCategory.SERVICE),
    ):
        create_product(uow=uow, actor=manager, draft=draft)


def test_products_by_pinyin_inside_the_name_and_by_sku(uow, clerk, catalog):
    assert _products(uow, clerk, "fyz") == ["得力复印纸A4 70g"]
    assert _products(uow, clerk, "fuyinzhi") == ["得力复印纸A4 70g"]
    assert _products(uow, clerk, "xigu") == ["惠普硒鼓 CF226A", "佳能硒鼓 337"]
    assert _products(uow, clerk, "xg") == ["惠普硒鼓 CF226A", "佳能硒鼓 337"]
    assert _products(uow, clerk, "hp-cf226a") == ["惠普硒鼓 CF226A"]
    assert _products(uow, clerk, "CRG") == ["佳能硒鼓 337"]  # inside the SKU
    assert _products(uow, clerk, "硒鼓") == ["惠普硒鼓 CF226A", "佳能硒鼓 337"]


def test_products_list_by_name_pinyin_and_name_matches_before_sku_matches(
        uow, clerk, catalog):
    # No text: the names in pinyin order (de, hui, jia, jin, shang), not by SKU.
    assert _products(uow, clerk, "") == ["得力复印纸A4 70g", "惠普硒鼓 CF226A", "佳能硒鼓 337",
                                        "金士顿固态硬盘 512G", "上门服务"]
    # A4 paper (A4 in its name) before the SSD whose SKU merely holds A4.
    assert _products(uow, clerk, "A4") == ["得力复印纸A4 70g", "金士顿固态硬盘 512G"]
    # The exact SKU first, whatever its name.
    assert _products(uow, clerk, "SV-ONSITE")[0] == "上门服务"


def test_a_renamed_product_is_found_by_its_new_name_only(uow, manager, clerk, catalog):
    with uow:
        product = uow.session.execute(select(Product).where(Product.sku == "SV-ONSITE")
                                      ).scalar_one()
        pid, version = product.id, product.version
    from app.services.catalog import get_product
    view = get_product(uow=uow, actor=manager, product_id=pid)
    update_product(uow=uow, actor=manager, product_id=pid, expected_version=version,
                   draft=replace(view.to_draft(), name="打印机维修"))
    assert _products(uow, clerk, "dyj") == ["打印机维修"]
    assert _products(uow, clerk, "smfw") == []
    assert _stored(uow) == _rebuilt(uow)


def _revision(filename: str) -> Any:
    """A migration module by its file name (revisions are not importable by name)."""
    import importlib.util
    from pathlib import Path

    import app

    path = Path(app.__file__).parent / "migrations" / "versions" / filename
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)
    return revision


def test_the_migration_builds_the_same_keys_as_the_program():
    from app.textkeys import sort_key

    revision = _revision("20261211_c8a1d5e3f702_search_keys.py")
    names = ["北京石景山智品文化传媒有限公司", "单县鑫佳商贸", "曾国藩", "得力复印纸A4 70g",
             "HP LaserJet 1020 打印机", "北京市海淀区远航电子有限公司", "重庆银行", "公司",
             "Canon佳能（北京）有限公司", "长孙无忌", "乐亭乐器行"]
    for name in names:
        for person in (False, True):
            assert revision.customer_keys(name, "航信", "person" if person else "company") \
                == search_keys.customer_keys(name, "航信", "person" if person else "company")
        assert revision.name_keys(name, core_start=False) == search_keys.product_keys(name)
        assert revision.sort_key(name) == sort_key(name)
        assert (revision.person_sort_key(name) or sort_key(name)) == person_sort_key(name)


def test_the_suffix_migration_builds_the_same_suffixes_as_the_program():
    revision = _revision("20261212_d3e9b7c4a1f5_search_suffixes.py")
    names = ["北京石景山智品文化传媒有限公司", "单县鑫佳商贸", "曾国藩", "ＨＰ 打印机（北京）",
             "北京市海淀区远航电子有限公司", "北京", "Canon佳能（北京）有限公司", "", "——"]
    for name in names:
        for short in (None, "航信", "智品"):
            assert revision.customer_suffixes(name, short) \
                == search_keys.customer_suffixes(name, short)
    for numbers in (("010-8888 1234", "１３８ ０００ ０００００"), ("12",), (None, "+86 (10) 5"),
                    ("400-810-1234 转 8",)):
        assert revision.digit_suffixes(*numbers) == digit_suffixes(*numbers)


def test_the_sort_key_migration_fills_every_search_row_from_its_record(tmp_path):
    """A database from before the search rows carried the sort key (revision b5d8e2f4a613)
    gets every key, name suffix and phone suffix's from its customer or product."""
    import datetime as dt

    from app import demo, schema
    from app.db import make_engine
    from app.services.uow import UnitOfWork

    engine = make_engine(f"sqlite:///{tmp_path / 'before.db'}")
    try:
        schema.upgrade(engine)
        demo.generate_demo_data(engine, customers=40, seed=5, today=dt.date(2026, 12, 7))
        schema.downgrade(engine, "b5d8e2f4a613")
        with engine.connect() as conn:
            assert "sort_key" not in {c["name"] for c in inspect(conn).get_columns(
                "phone_suffixes")}
        schema.upgrade(engine)
        uow = UnitOfWork.for_engine(engine)
        stored = _stored(uow)
        assert stored == _rebuilt(uow)
        assert {row[0] for row in stored} == {"k", "s", "p"}
        assert all(row[-1] for row in stored)  # no row left with the empty default
    finally:
        engine.dispose()


def test_chinese_text_finds_exactly_the_names_that_contain_it(uow, manager):
    """The name suffixes answer "contains" exactly as reading every name would: the same
    customers for random pieces of random names, punctuation, width and case folded."""
    rng = random.Random(16)
    words = ["北京", "鑫佳", "科技", "复印", "有限公司", "长城", "（天津）", "ＨＰ", "hp",
             "打印机", "商贸", "智品文化传媒", "鑫", "单县"]
    made: dict[str, str | None] = {}
    for step in range(40):
        name = "".join(rng.choice(words) for _ in range(rng.randint(1, 5))) + f"{step}号"
        short = rng.choice([None, rng.choice(words) + rng.choice(words)])
        create_customer(uow=uow, actor=manager, draft=CustomerDraft(name=name,
                                                                    short_name=short))
        made[name] = short
    # A long name: a text longer than a suffix is looked for in the names themselves.
    long_name = "北京石景山智品文化传媒广告设计制作有限公司"
    create_customer(uow=uow, actor=manager, draft=CustomerDraft(name=long_name))
    made[long_name] = None

    def fold(text: str | None) -> str:
        from app.textkeys import fold_text
        return fold_text(text)

    texts = ["鑫", "科技", "打印机", "(天津)", "天 津", "HP打印", "智品文化传媒有", "号",
             "石景山智品文化传媒广告设计制作", "景山智品文化传媒广告设计制作有限公司"]
    for name in rng.sample(sorted(made), 12):
        start = rng.randrange(len(name))
        texts.append(name[start:start + rng.randint(1, 6)])
    for text in texts:
        expected = {n for n, short in made.items()
                    if fold(text) in fold(n) or (short and fold(text) in fold(short))}
        if not fold(text).isascii():
            found = search_customers(uow=uow, actor=manager, text=text, limit=200).rows
            assert {r.name for r in found} == expected, text


# --- a page of many matches --------------------------------------------------------------------


def _customer_reads(plan: dict[str, Any]) -> int:
    """The rows a PostgreSQL plan (EXPLAIN ANALYZE, FORMAT JSON) read from the customers."""
    own = (plan["Actual Rows"] * plan["Actual Loops"]
           if plan.get("Relation Name") == "customers" else 0)
    return own + sum(_customer_reads(child) for child in plan.get("Plans", ()))


def _first_limit(plan: dict[str, Any]) -> dict[str, Any] | None:
    """The first LIMIT node of a plan, depth first."""
    if plan["Node Type"] == "Limit":
        return plan
    return next((found for child in plan.get("Plans", ())
                 if (found := _first_limit(child)) is not None), None)


@pytest.mark.parametrize("text", ["京信", "bjxd", "1512"], ids=["words", "initials", "digits"])
def test_a_page_of_many_matches_reads_the_customers_of_that_page_only(uow, manager, text):
    """The search rows carry their customer's sort key, so the first page of a text found in
    many customers is chosen from the index range alone: the customers' rows are read for
    that page only, not each match's to learn its place in pinyin order (15 of 21 ms at a
    million customers on PostgreSQL, when every match was looked up)."""
    from sqlalchemy import event

    from app.services.customers import CustomerDraft, add_customers

    count, limit = 150, 20
    with uow:
        made = add_customers(uow, manager, [
            (CustomerDraft(name=f"北京信达{i:03d}号", phone=f"1512{i:07d}"), None)
            for i in range(count)])
        uow.commit()
    assert all(not isinstance(m, ValidationError) for m in made)
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        statements.append((statement, parameters))

    event.listen(uow.engine, "before_cursor_execute", seen)
    try:
        page = search_customers(uow=uow, actor=manager, text=text, limit=limit)
    finally:
        event.remove(uow.engine, "before_cursor_execute", seen)
    # In pinyin order: the names' numbers ascending.
    assert [r.name for r in page.rows] == [f"北京信达{i:03d}号" for i in range(limit)]
    assert page.next_after is not None
    if uow.engine.dialect.name != "postgresql":
        return
    table = "phone_suffixes" if text.isdigit() else (
        "search_keys" if text.isascii() else "name_suffixes")
    sql, parameters = next((s, p) for s, p in statements if table in s)
    with uow.engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + sql,
                                    parameters).scalar_one()
    # The page's rows (limit + 1), once from the directory and once as the customers' own.
    # The page is chosen (its LIMIT) before any customer's row is read: on a table this
    # small the planner may then read the page's customers by a scan, at a million by id.
    chooser = _first_limit(plan[0]["Plan"])
    assert chooser is not None, plan
    assert _customer_reads(chooser) == 0, plan
