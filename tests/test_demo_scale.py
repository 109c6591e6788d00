"""The demo generator at scale: enough distinct names, name keys put together from parts that
equal textkeys', and the SQLite bulk load that leaves the database as a normal load would."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from app import db, demo, schema
from app import demo_names as W
from app.db import make_engine
from app.models import Customer
from app.models.catalog import SearchKey
from app.services.search_keys import CUSTOMER, customer_keys
from app.textkeys import PLACE_READINGS, SURNAME_READINGS, normalise_name

TODAY = dt.date(2026, 11, 26)


def _builder(seed: int) -> demo._Builder:
    """A builder that makes names only (no database)."""
    builder = demo._Builder.__new__(demo._Builder)
    builder.rng = random.Random(seed)
    builder.names = set()
    builder.name_text = demo._NameKeys()
    builder.names_made = 0
    builder.lane, builder.stride = 0, 1
    builder._make_picks()
    return builder


def _names(builder: demo._Builder, count: int
           ) -> list[tuple[tuple[str, ...], tuple[str, ...] | None, str]]:
    """``count`` names as the generator makes them: a fifth people, some dealers."""
    out: list[tuple[tuple[str, ...], tuple[str, ...] | None, str]] = []
    for i in range(count):
        if i % 5 == 0:
            out.append((builder.person_name_parts(), None, "person"))
        else:
            parts, short, _key, _industry = builder._company_name(
                "dealer" if i % 11 == 0 else "key")
            out.append((parts, short, "company"))
    return out


def test_names_put_together_from_parts_equal_textkeys() -> None:
    builder = _builder(7)
    names = _names(builder, 4000)
    # Names whose parts textkeys does not read one by one (a place or surname with its own
    # reading, a word across two parts) must come out right too.
    names += [(("曾", "国藩"), None, "person"), (("单", "于飞"), None, "person"),
              (("北京", "天台", "科技"), ("天台", "科技"), "company"),
              (("北京", "龙隆", "联信", "教育咨询", "有限公司"), ("龙隆", "联信", "教育"),
               "company"),
              (("北京市", "海淀", "区第", "12", "中学"), ("海淀", "区第", "12", "中学"),
               "company")]
    for parts, short, kind in names:
        value = builder.name_text.customer(parts, short, kind)
        name, short_name = "".join(parts), "".join(short) if short else None
        assert value == demo._NameKeys.direct(name, short_name, kind), name
        assert value.keys == customer_keys(name, short_name, kind)
    # The quick way is the usual one, and the exceptions went the other way.
    assert builder.name_text.composed > 0.9 * len(names)
    assert builder.name_text.computed >= 3
    assert all(p[0] in SURNAME_READINGS for p, _s, _k in names[-5:-3])
    assert any(place in "".join(names[-3][0]) for place in PLACE_READINGS)


def test_a_difference_from_textkeys_stops_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    builder = _builder(3)
    parts, short, kind = _names(builder, 2)[1]
    good = builder.name_text.customer(parts, short, kind)
    wrong = demo._NameText(good.pinyin_full + "x", good.pinyin_initials, good.core_initials,
                           good.short_initials, good.sort_key, good.keys)
    with pytest.raises(RuntimeError, match="differ from app.textkeys"):
        builder._check_name(wrong, "".join(parts), "".join(short or ()), kind)


def test_enough_distinct_company_names_for_a_million_customers() -> None:
    # About 80 % of a million customers are companies. The first 200 000 names use up most
    # of the two-character trade names (字号) of the common kinds; four-character ones (two
    # pairs: 鑫锐恒达) take over, of which there are millions.
    brands = {a + b for a in W.BRAND_CHARS for b in W.BRAND_CHARS if a != b}
    endings = tuple(kind[0] for kind in W.COMPANY_KINDS) + (
        "中学", "小学", "医院", "社区卫生服务中心", "口腔诊所", "街道办事处", "职业技能培训学校",
        "幼儿园")
    builder = _builder(1)
    keys = set()
    long_names = 0
    for i in range(200_000):
        parts, short, key, industry = builder._company_name("dealer" if i % 25 == 0 else "key")
        name = "".join(parts)
        assert key == normalise_name(name) and key not in keys
        keys.add(key)
        assert name.startswith("北京") or "（北京）" in name, name
        assert name.replace("（北京）", "").endswith(endings) and industry and short, name
        long_names += sum(part in brands for part in parts) == 2
    assert 0.2 < long_names / len(keys) < 0.9
    # A small demo's names mostly have two-character trade names.
    small = _builder(2)
    first = [small._company_name("key")[0] for _ in range(2000)]
    assert sum(sum(p in brands for p in parts) == 1 for parts in first) > 0.7 * len(first)


def _fresh(path: Path) -> Engine:
    eng = make_engine(f"sqlite:///{path}")
    schema.upgrade(eng)
    return eng


def _indexes(path: Path) -> set[tuple[str, str, str]]:
    """The file's indexes, and its triggers (dropped for a load as well)."""
    with sqlite3.connect(path) as conn:
        return set(conn.execute("SELECT name, tbl_name, sql FROM sqlite_master "
                                "WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"))


def _journal_mode(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return str(conn.execute("PRAGMA journal_mode").fetchone()[0])


def test_bulk_load_leaves_the_indexes_the_journal_and_the_keys_as_they_were(
    tmp_path: Path,
) -> None:
    path = tmp_path / "demo.sqlite3"
    eng = _fresh(path)
    try:
        before = _indexes(path)
        assert {n for n, _t, sql in before if sql.startswith("CREATE TRIGGER")} >= {
            "crm_order_lines_total_insert", "crm_repair_parts_cost_insert"}
        summary = demo.generate_demo_data(eng, customers=120, seed=4, today=TODAY)
        assert summary.customers == 120
        with eng.connect() as conn:
            stored = set(conn.execute(select(SearchKey.owner_id, SearchKey.term, SearchKey.pos)
                                      .where(SearchKey.owner_kind == CUSTOMER)).all())
            expected = {(r.id, term, pos) for r in conn.execute(
                select(Customer.id, Customer.name, Customer.short_name, Customer.kind))
                for term, pos in customer_keys(r.name, r.short_name, r.kind).items()}
            driver = conn.connection.driver_connection
            cache = driver.execute("PRAGMA cache_size").fetchone()
            foreign_keys = driver.execute("PRAGMA foreign_keys").fetchone()
            threads = driver.execute("PRAGMA threads").fetchone()
            # The load did not look up its references: every one of them must be there.
            dangling = driver.execute("PRAGMA foreign_key_check").fetchall()
        assert stored == expected
        # The connection's own cache (app.db) and reference checks again for whoever uses
        # the connection next.
        assert cache[0] == -db.SQLITE_CACHE_KIB and foreign_keys[0] == 1
        assert threads[0] == 0  # the index builds' helper threads are SQLite's default again
        assert dangling == []
    finally:
        eng.dispose()
    assert _indexes(path) == before
    assert _journal_mode(path) == "wal"


def test_a_failed_bulk_load_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite3"
    eng = _fresh(path)

    def fail(_self: demo._Builder) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(demo._Builder, "make_department_tasks", fail)
    try:
        before = _indexes(path)
        with pytest.raises(OSError, match="disk full"):
            demo.generate_demo_data(eng, customers=40, seed=4, today=TODAY)
        with eng.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 0
    finally:
        eng.dispose()
    assert _indexes(path) == before
    assert _journal_mode(path) == "wal"


def watch_dropped_indexes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the indexes each load drops (for the rest of the test), as it drops
    them."""
    dropped: list[str] = []
    original = demo._BulkLoad.suspend_indexes

    def watch(self: demo._BulkLoad) -> None:
        original(self)
        dropped.extend(name for name, _sql in self.statements)

    monkeypatch.setattr(demo._BulkLoad, "suspend_indexes", watch)
    return dropped


def test_appending_a_few_keeps_the_indexes_in_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite3"
    eng = _fresh(path)
    dropped = watch_dropped_indexes(monkeypatch)
    try:
        demo.generate_demo_data(eng, customers=60, seed=4, today=TODAY)
        assert "ix_search_keys_lookup" in dropped
        # The order-total triggers are dropped for a fresh load, and the indexes they read.
        assert [name for name in dropped if name.startswith(("ix_order_lines",
                                                            "ix_repair_parts"))]
        dropped.clear()
        before = _indexes(path)
        demo.generate_demo_data(eng, customers=20, seed=5, today=TODAY, append=True)
        assert dropped == []
        assert _indexes(path) == before
        with eng.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 80
    finally:
        eng.dispose()


def test_a_connection_whose_settings_cannot_be_restored_is_dropped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    eng = _fresh(tmp_path / "demo.sqlite3")
    original = demo._BulkLoad._pragma

    def failing(self: demo._BulkLoad, statement: str) -> object:
        if statement == "PRAGMA foreign_keys=ON":
            raise sqlite3.OperationalError("disk I/O error")
        return original(self, statement)

    monkeypatch.setattr(demo._BulkLoad, "_pragma", failing)
    try:
        demo.generate_demo_data(eng, customers=10, seed=1, today=TODAY)
        with eng.connect() as conn:
            # The data is committed, and the next connection checks references again.
            assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 10
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
    finally:
        eng.dispose()
    assert "could not be restored" in caplog.text
