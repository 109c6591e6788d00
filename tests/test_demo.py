"""The demo database: deterministic, internally consistent, safe for the services that follow."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from sqlalchemy import (
    Engine,
    String,
    Unicode,
    UnicodeText,
    delete,
    func,
    insert,
    inspect,
    select,
)
from sqlalchemy.engine import Dialect

from app import demo, schema
from app.db import make_engine
from app.models import (
    Base,
    Customer,
    DocumentSequence,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    Product,
    RepairPart,
    RepairRecord,
    ServiceTicket,
    User,
)
from app.services import auth
from app.services.numbering import PREFIXES, next_number
from app.services.permissions import DEFAULT_ROLES
from app.services.uow import UnitOfWork
from app.textkeys import (
    core_initials,
    normalise_name,
    phone_digits,
    pinyin_full,
    pinyin_initials,
    sort_key,
)
from tests import mssql_guard
from tests.test_demo_scale import watch_dropped_indexes

TODAY = dt.date(2026, 11, 26)
SIZE = 200

# Every table the generator writes, read back in id order for the digest.
DEMO_TABLES = (*demo.INSERT_ORDER, "products", "knowledge_entries", "sales_plans",
               "document_sequences")
NUMBERED = {  # table → column holding a PREFIX-YYYYMMDD-NNNN number
    "customers": "code", "opportunities": "number", "quotations": "number",
    "orders": "number", "payments": "number", "service_contracts": "number",
    "service_tickets": "number", "knowledge_entries": "number",
}


def _core_writes_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the generator write through plain Core inserts: no direct executemany on
    SQLite, no COPY on PostgreSQL."""
    original = demo._Encoder.__init__

    def core(self: demo._Encoder, dialect: Dialect) -> None:
        original(self, dialect)
        self.direct = self.copy = False

    monkeypatch.setattr(demo._Encoder, "__init__", core)


@pytest.fixture(params=["direct", "core"])
def writer_mode(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run once with the database's fast path (SQLite's direct executemany, PostgreSQL's
    COPY) and once through plain Core inserts."""
    if request.param == "core":
        _core_writes_only(monkeypatch)
    return str(request.param)


@pytest.fixture
def demo_db(engine: Engine, uow: UnitOfWork, writer_mode: str) -> Iterator[demo.DemoSummary]:
    """The shared test database filled with SIZE demo customers."""
    yield demo.generate_demo_data(engine, customers=SIZE, seed=11, today=TODAY)


def _fresh_sqlite(path: Path) -> Engine:
    eng = make_engine(f"sqlite:///{path}")
    schema.upgrade(eng)
    return eng


def _digest(eng: Engine) -> str:
    h = hashlib.sha256()
    with eng.connect() as conn:
        for name in DEMO_TABLES:
            table = Base.metadata.tables[name]
            for row in conn.execute(select(table).order_by(table.c.id)):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def _generate_file(path: Path, seed: int) -> tuple[str, list[tuple[str, str | None]]]:
    eng = _fresh_sqlite(path)
    try:
        demo.generate_demo_data(eng, customers=150, seed=seed, today=TODAY)
        with eng.connect() as conn:
            names = [(r.name, r.phone) for r in conn.execute(
                select(Customer.name, Customer.phone).order_by(Customer.id))]
        return _digest(eng), names
    finally:
        eng.dispose()


def test_the_fast_path_and_core_inserts_store_the_same_rows(
    engine: Engine, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the suite's own database (PostgreSQL's COPY in CI, SQLite's executemany here):
    the same seed through both writers gives the same rows, read back by the engine."""

    # Rows whose id is a serial the generator does not choose: compared without it.
    serial = {"document_sequences", "search_keys", "name_suffixes", "phone_suffixes"}

    def rows() -> dict[str, list[tuple[object, ...]]]:
        with engine.connect() as conn:
            read = {name: [tuple(r) for r in conn.execute(select(Base.metadata.tables[name]))]
                    for name in DEMO_TABLES}
        return {name: sorted((r[1:] for r in found), key=repr) if name in serial
                else sorted(found, key=lambda r: r[0]) for name, found in read.items()}

    fast = demo.generate_demo_data(engine, customers=40, seed=9, today=TODAY)
    first = rows()
    with engine.begin() as conn:  # the same demo users (and their ids) stay for the second
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in DEMO_TABLES:
                conn.execute(delete(table))
    _core_writes_only(monkeypatch)
    core = demo.generate_demo_data(engine, customers=40, seed=9, today=TODAY)
    assert replace(core, users=fast.users) == fast
    assert fast.customers == 40 and fast.phone_suffixes > 0
    second = rows()
    assert {n: len(r) for n, r in second.items()} == {n: len(r) for n, r in first.items()}
    assert [n for n in DEMO_TABLES if second[n] != first[n]] == []


def test_demo_users_cover_every_default_role() -> None:
    assert {u[0] for u in demo.DEMO_USERS} == {t.code for t in DEFAULT_ROLES}
    assert all(u[2] == demo.DEMO_PASSWORD == "demo1234" for u in demo.DEMO_USERS)
    assert len({u[1] for u in demo.DEMO_USERS}) == len(demo.DEMO_USERS)


def test_create_demo_users_is_idempotent_and_they_can_log_in(uow: UnitOfWork) -> None:
    assert demo.create_demo_users(uow) == len(demo.DEMO_USERS)
    assert demo.create_demo_users(uow) == 0
    for role_code, username, password, display_name, _dep in demo.DEMO_USERS:
        actor = auth.login(uow=uow, username=username, password=password)
        assert (actor.role_code, actor.display_name) == (role_code, display_name)


def test_same_seed_same_data_different_seed_different_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, names = _generate_file(tmp_path / "a.sqlite3", seed=5)
    # The second run writes through plain Core inserts: both paths must store the same rows.
    _core_writes_only(monkeypatch)
    second, _ = _generate_file(tmp_path / "b.sqlite3", seed=5)
    other, other_names = _generate_file(tmp_path / "c.sqlite3", seed=6)
    assert first == second
    assert other != first
    assert names != other_names
    assert len({n for n, _ in names}) > 100  # mostly distinct names


def test_summary_counts_rows_and_progress_reaches_the_end(
    engine: Engine, uow: UnitOfWork
) -> None:
    seen: list[tuple[str, int, int]] = []
    summary = demo.generate_demo_data(engine, customers=SIZE, seed=3, today=TODAY,
                                      progress=lambda s, d, t: seen.append((s, d, t)))
    assert ("customers", SIZE, SIZE) in seen
    assert seen[-1][0] == "finish" and seen[-1][1] == seen[-1][2]
    with engine.connect() as conn:
        for name, count in summary.as_dict().items():
            if name == "users":
                continue
            table = Base.metadata.tables[name]
            assert conn.execute(select(func.count()).select_from(table)).scalar_one() == count
    assert summary.users == len(demo.DEMO_USERS)
    assert summary.customers == SIZE
    assert summary.orders > SIZE // 2 and summary.visits > SIZE
    assert summary.service_tickets > 0 and summary.repair_records > 0
    assert summary.total_rows > 20 * SIZE


def test_orders_payments_and_tickets_add_up(demo_db: demo.DemoSummary, engine: Engine) -> None:
    fen = Decimal("0.01")
    with engine.connect() as conn:
        cost_of = dict(conn.execute(select(Product.id, Product.cost_price)).all())
        lines: dict[int, list[Decimal]] = defaultdict(lambda: [Decimal(0)] * 3)
        for line in conn.execute(select(OrderLine.__table__)):  # deferred columns too
            gross = line.quantity * line.unit_price * (100 - line.discount_percent) / 100
            assert line.line_total == gross.quantize(fen, ROUND_HALF_UP)
            assert line.unit_cost == cost_of[line.product_id]  # cost as sold
            assert line.line_cost == line.quantity * line.unit_cost
            assert line.unit_cost < line.unit_price
            sums = lines[line.order_id]
            sums[0] += line.line_total
            sums[1] += line.line_cost
            sums[2] += line.sales_points
        to_order: dict[int, Decimal] = defaultdict(Decimal)
        to_ticket: dict[int, Decimal] = defaultdict(Decimal)
        to_payment: dict[int, Decimal] = defaultdict(Decimal)
        for a in conn.execute(select(PaymentAllocation)):
            assert a.amount > 0
            assert (a.order_id is None) != (a.service_ticket_id is None)
            to_payment[a.payment_id] += a.amount
            if a.order_id is not None:
                to_order[a.order_id] += a.amount
            else:
                to_ticket[a.service_ticket_id] += a.amount
        source_of = dict(conn.execute(select(Customer.id, Customer.source)).all())
        for order in conn.execute(select(Order.__table__)):
            assert [order.total_amount, order.total_cost, order.total_points] == lines[order.id]
            assert order.paid_amount == to_order[order.id] <= order.total_amount
            assert order.customer_source == source_of[order.customer_id]
            if order.status == "cancelled":
                assert order.paid_amount == 0
        payments = conn.execute(select(Payment.id, Payment.amount)).all()
        assert payments
        for payment_id, amount in payments:
            assert amount == to_payment[payment_id]
        for ticket in conn.execute(select(ServiceTicket)):
            assert ticket.paid_amount == to_ticket[ticket.id] <= ticket.total_charge
            if not ticket.chargeable:
                assert ticket.total_charge == 0
        # The values the cost triggers keep (a SQLite load runs without them).
        parts: dict[int, Decimal] = defaultdict(Decimal)
        for part in conn.execute(select(RepairPart.__table__)):
            assert part.unit_cost == cost_of[part.product_id]
            parts[part.repair_record_id] += (part.quantity * part.unit_cost).quantize(
                fen, ROUND_HALF_UP)
        records = conn.execute(select(RepairRecord.id, RepairRecord.parts_cost)).all()
        assert parts and records
        assert {r.id: r.parts_cost for r in records} == {
            r.id: parts.get(r.id, Decimal(0)) for r in records}


def test_customer_search_keys_come_from_textkeys(demo_db: demo.DemoSummary,
                                                 engine: Engine) -> None:
    with engine.connect() as conn:
        rows = conn.execute(select(Customer)).all()
    assert len(rows) == SIZE
    kinds = {r.kind for r in rows}
    assert kinds == {"company", "person"}
    for r in rows:
        assert r.name_key == normalise_name(r.name)
        assert r.pinyin_full == pinyin_full(r.name)
        assert r.pinyin_initials == pinyin_initials(r.name)
        assert r.core_initials == core_initials(r.name)
        assert r.short_initials == (pinyin_initials(r.short_name) if r.short_name else None)
        assert r.sort_key == sort_key(r.name)
        assert r.phone_digits == phone_digits(r.phone)
    companies = [r for r in rows if r.kind == "company"]
    assert all(r.name.startswith("北京") or "（北京）" in r.name for r in companies)
    assert len({r.name_key for r in companies}) == len(companies)


def test_numbers_stay_below_their_sequences(demo_db: demo.DemoSummary, engine: Engine,
                                            uow: UnitOfWork) -> None:
    with engine.connect() as conn:
        last = {(s.prefix, s.period): s.last_value
                for s in conn.execute(select(DocumentSequence))}
        issued: set[str] = set()
        for table_name, column in NUMBERED.items():
            table = Base.metadata.tables[table_name]
            for (number,) in conn.execute(select(table.c[column])):
                prefix, period, value = number.split("-")
                assert prefix in PREFIXES.values()
                assert int(value) <= last[(prefix, period)], number
                issued.add(number)
        busiest = conn.execute(
            select(Order.ordered_on).group_by(Order.ordered_on)
            .order_by(func.count().desc(), Order.ordered_on)).first()
    assert busiest is not None
    with uow:
        fresh = next_number(uow, "order", busiest[0])
        uow.commit()
    assert fresh not in issued


def test_timestamps_are_aware_and_in_the_past(demo_db: demo.DemoSummary,
                                              uow: UnitOfWork) -> None:
    today_start = dt.datetime.combine(TODAY, dt.time(), demo.BEIJING)
    with uow:
        for ticket in uow.session.scalars(select(ServiceTicket)):
            assert ticket.received_at.tzinfo is not None
            assert ticket.received_at < today_start
            assert ticket.created_at == ticket.received_at
            if ticket.closed_at is not None:
                assert ticket.received_at <= ticket.closed_at < today_start
        statuses = set(uow.session.scalars(select(ServiceTicket.status)))
    assert {"closed", "cancelled"} <= statuses


def test_new_rows_get_ids_after_the_demo_rows(demo_db: demo.DemoSummary,
                                              engine: Engine) -> None:
    # On PostgreSQL explicit ids leave the serial sequences behind unless they are advanced.
    customers = Base.metadata.tables["customers"]
    with engine.begin() as conn:
        before = conn.execute(select(func.max(customers.c.id))).scalar_one()
        owner = conn.execute(select(User.id).where(User.username == "clerk1")).scalar_one()
        now = dt.datetime.now(dt.UTC)
        new_id = conn.execute(insert(customers).values(
            code="KH-TEST-0001", kind="person", name="测试", name_key="测试",
            pinyin_full="ceshi", pinyin_initials="cs", sort_key="ce shi", source="walk_in",
            customer_class="retail", status="prospect", owner_id=owner, version=1,
            created_at=now, updated_at=now,
        )).inserted_primary_key
    assert new_id is not None and new_id[0] > before


def test_refuses_a_database_that_has_customers(demo_db: demo.DemoSummary, engine: Engine
                                               ) -> None:
    with pytest.raises(ValueError, match="already has 200 customers"):
        demo.generate_demo_data(engine, customers=10, seed=1, today=TODAY)
    more = demo.generate_demo_data(engine, customers=50, seed=2, today=TODAY, append=True)
    assert more.customers == 50 and more.users == 0 and more.products == 0
    with engine.connect() as conn:
        count = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    assert count == SIZE + 50


def test_negative_size_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="negative"):
        demo.generate_demo_data(engine, customers=-1, seed=1)


def test_text_fits_its_columns_on_every_database(demo_db: demo.DemoSummary,
                                                 engine: Engine) -> None:
    # SQLite enforces neither lengths nor character sets; SQL Server truncates nothing
    # silently but stores non-ASCII text in a VARCHAR (non-Unicode) column as "?".
    with engine.connect() as conn:
        for name in DEMO_TABLES:
            table = Base.metadata.tables[name]
            for column in table.c:
                if not isinstance(column.type, String):
                    continue
                unicode = isinstance(column.type, Unicode | UnicodeText)
                for (value,) in conn.execute(select(column).where(column.is_not(None))):
                    text = str(value)
                    if column.type.length is not None:
                        assert len(text) <= column.type.length, (name, column.name, text)
                    assert unicode or text.isascii(), (name, column.name, text)


def test_inserts_compile_for_sql_server() -> None:
    for name in DEMO_TABLES:
        sql = mssql_guard.compile_for_mssql(insert(Base.metadata.tables[name]))
        assert sql.startswith(f"INSERT INTO {name}")


def test_demo_company_header_prints_on_slips(demo_db: demo.DemoSummary, engine: Engine) -> None:
    from app.services.company import DEFAULT_COMPANY_NAME, load_company

    uow = UnitOfWork.for_engine(engine)
    with uow:
        company = load_company(uow)
    assert company.name != DEFAULT_COMPANY_NAME and company.phone and company.bank_account


def test_the_demo_stores_the_same_search_keys_and_name_suffixes_as_a_rebuild(
        demo_db: demo.DemoSummary, uow: UnitOfWork) -> None:
    from app.models.catalog import NameSuffix, SearchKey
    from app.models.customers import PhoneSuffix
    from app.services import search_keys

    with uow:
        stored_keys = set(uow.session.execute(select(
            SearchKey.owner_kind, SearchKey.owner_id, SearchKey.term, SearchKey.pos)).all())
        stored_suffixes = set(uow.session.execute(select(
            NameSuffix.owner_kind, NameSuffix.owner_id, NameSuffix.suffix,
            NameSuffix.pos)).all())
        assert stored_keys == {(r["owner_kind"], r["owner_id"], r["term"], r["pos"])
                               for r in search_keys.all_rows(uow.session)}
        assert stored_suffixes == {(r["owner_kind"], r["owner_id"], r["suffix"], r["pos"])
                                   for r in search_keys.all_suffix_rows(uow.session)}
        stored_phones = set(uow.session.execute(select(
            PhoneSuffix.customer_id, PhoneSuffix.contact_id, PhoneSuffix.suffix)).all())
        assert stored_phones == {(r["customer_id"], r["contact_id"], r["suffix"])
                                 for r in search_keys.all_phone_rows(uow.session)}
    assert demo_db.name_suffixes == len(stored_suffixes) > demo_db.customers
    assert demo_db.phone_suffixes == len(stored_phones) > demo_db.contacts


def test_every_reference_points_at_a_row(demo_db: demo.DemoSummary, engine: Engine) -> None:
    # On SQLite the load does not check references row by row (a server always does).
    if engine.dialect.name != "sqlite":
        pytest.skip("the server checked every reference as the rows went in")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def _index_definitions(engine: Engine) -> dict[str, list[tuple[str, tuple[str, ...], bool]]]:
    # Through an engine of its own: the catalog queries are the dialect's, not the program's
    # (the suite's engine compiles every statement for SQL Server too).
    own = make_engine(engine.url)
    try:
        seen = inspect(own)
        tables = seen.get_table_names()
        found = {}
        for name in demo.INSERT_ORDER:
            assert name in tables
            found[name] = sorted((i["name"] or "", tuple(c or "" for c in i["column_names"]),
                                  bool(i["unique"])) for i in seen.get_indexes(name))
        return found
    finally:
        own.dispose()


def test_a_fresh_load_builds_the_indexes_it_dropped_and_a_failed_one_keeps_them(
    engine: Engine, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the suite's database (SQLite here, PostgreSQL in CI): the search keys' indexes
    are dropped for the load and built again before the commit; a failed load's rollback
    gets them back too."""
    before = _index_definitions(engine)
    dropped = watch_dropped_indexes(monkeypatch)
    demo.generate_demo_data(engine, customers=30, seed=3, today=TODAY)
    assert "ix_search_keys_lookup" in dropped
    # On PostgreSQL the triggers that read order lines and repair parts stay, and so do
    # those tables' indexes; on SQLite the triggers are dropped for the load too.
    kept = [n for n in dropped if n.startswith(("ix_order_lines", "ix_repair_parts"))]
    assert bool(kept) == (engine.dialect.name == "sqlite")
    assert _index_definitions(engine) == before

    def fail(_self: demo._Builder) -> None:
        raise OSError("disk full")

    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in DEMO_TABLES:
                conn.execute(delete(table))
    monkeypatch.setattr(demo._Builder, "make_department_tasks", fail)
    with pytest.raises(OSError, match="disk full"):
        demo.generate_demo_data(engine, customers=30, seed=3, today=TODAY)
    assert _index_definitions(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Customer)).scalar_one() == 0


def test_the_planner_knows_the_filled_tables(demo_db: demo.DemoSummary, engine: Engine) -> None:
    """After a load the database has statistics of the search keys' indexes: without them
    SQLite read a pinyin range through the owner index (every key of every customer)."""
    own = make_engine(engine.url)  # catalog queries are not the program's (SQL Server gate)
    try:
        with own.connect() as conn:
            if engine.dialect.name == "sqlite":
                found = conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'search_keys'").scalar_one()
            else:
                found = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_stats WHERE tablename = 'search_keys'"
                    " AND schemaname = current_schema()").scalar_one()
                # Vacuumed too: the visibility map lets the key lookups stay in the index.
                visible = conn.exec_driver_sql(
                    "SELECT relallvisible FROM pg_class WHERE oid = 'search_keys'::regclass"
                ).scalar_one()
                assert visible > 0
    finally:
        own.dispose()
    assert found > 0
