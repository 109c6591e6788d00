"""Demo users and a deterministic demo database: three years of a Beijing office-IT business.

No Qt. ``generate_demo_data`` fills an empty, migrated database with customers and their
whole history (visits, quotations, orders, payments, contracts, service tickets, repairs,
care items, tasks, sales plans). The same seed, size and ``today`` give the same rows on
every run and every database.

Speed (a million customers is some hundred million rows): rows are made in chunks of
customers and inserted with SQLAlchemy Core ``insert(table)`` executemany in batches; ids
are assigned here (after the current maximum) so child rows refer to their parents without
a round trip, and timestamps are epoch seconds until the writer stores them. A name's
pinyin columns and search keys are put together from its parts' (:class:`_NameKeys`).
The customers are made in two lanes (:meth:`_Builder.lanes`) that share nothing that
changes; from ``PARALLEL_FROM`` customers on, each runs in a process of its own and this
one only writes what they make (:func:`_in_processes`), else they take turns here. Either
way the same seed gives the same rows.
On SQLite a large load runs without its secondary indexes and with a rollback journal
(:class:`_BulkLoad`). Otherwise nothing here is specific to one database, except
advancing PostgreSQL's id sequences at the end, because explicit ids do not move them
there (SQLite and SQL Server follow the highest id by themselves).
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import itertools
import json
import logging
import math
import multiprocessing
import os
import random
import re
import sqlite3
import string
import traceback
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from operator import itemgetter
from queue import Empty
from typing import Any, Final, Generic, TypeVar

from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.seg.simpleseg import seg as _pinyin_seg
from sqlalchemy import (
    URL,
    Connection,
    Date,
    Engine,
    Table,
    bindparam,
    create_engine,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.engine import Dialect

import app.models as m
from app import demo_names as W
from app.db import copy_statement, copy_tuples
from app.models.enums import StationCode
from app.services.auth import hash_password
from app.services.numbering import PREFIXES
from app.services.reference import ensure_reference_data
from app.services.search_keys import (
    CUSTOMER,
    PRODUCT,
    customer_keys,
    customer_suffixes,
    phone_rows,
    product_keys,
)
from app.services.uow import UnitOfWork
from app.textkeys import (
    PLACE_READINGS,
    SURNAME_READINGS,
    _strip_suffix,  # noqa: PLC2701 - the legal suffix name_keys leaves out
    core_initials,
    key_strings,
    merged_keys,
    name_keys,
    normalise_name,
    person_sort_key,
    phone_digits,
    pinyin_full,
    pinyin_initials,
    sort_key,
    syllable_readings,
    without_place,
)

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_USERS",
    "DemoSummary",
    "ProgressCallback",
    "create_demo_users",
    "generate_demo_data",
]

log = logging.getLogger(__name__)

DEMO_PASSWORD: Final = "demo1234"

# (role code, username, password, display name, department code)
DEMO_USERS: Final[tuple[tuple[str, str, str, str, str], ...]] = (
    ("counter_clerk", "clerk1", DEMO_PASSWORD, "王芳", "storefront"),
    ("counter_clerk", "clerk2", DEMO_PASSWORD, "李静", "storefront"),
    ("sales", "sales1", DEMO_PASSWORD, "张伟", "key_accounts"),
    ("sales", "sales2", DEMO_PASSWORD, "刘洋", "key_accounts"),
    ("sales", "sales3", DEMO_PASSWORD, "陈杰", "key_accounts"),
    ("sales", "sales4", DEMO_PASSWORD, "杨帆", "key_accounts"),
    ("technician", "tech1", DEMO_PASSWORD, "赵强", "repair"),
    ("technician", "tech2", DEMO_PASSWORD, "黄磊", "repair"),
    ("technician", "tech3", DEMO_PASSWORD, "周鹏", "repair"),
    ("repair_lead", "lead1", DEMO_PASSWORD, "吴刚", "repair"),
    ("management_clerk", "office1", DEMO_PASSWORD, "徐丽", "management"),
    ("general_manager", "manager", DEMO_PASSWORD, "孙建国", "manager_office"),
    ("administrator", "admin", DEMO_PASSWORD, "马超", "management"),
)

ProgressCallback = Callable[[str, int, int], None]

CHUNK_CUSTOMERS: Final = 2000  # customers generated before their rows are written
# The customers are made in this many lanes (_Builder.lanes), whatever the machine: the
# same seed gives the same rows whether they run side by side or in turn.
LANES: Final = 2
PARALLEL_FROM = 10_000  # customers from which the lanes run in processes of their own
BATCH_ROWS: Final = 5000  # rows per executemany
LONG_TRADE_NAMES: Final = 0.2  # share of four-character trade names (鑫锐恒达) at first try
HISTORY_YEARS: Final = 3
BEIJING: Final = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
DAY: Final = 86400
OFFICE_OPEN: Final = 8 * 3600 + 1800  # 08:30 local
OFFICE_CLOSE: Final = 18 * 3600  # 18:00 local
_PAST_DAYS: Final = 1500  # install dates may lie this far before the history starts
_FUTURE_DAYS: Final = 800  # due dates, contract ends and plans may lie this far ahead

# The tables whose rows the builder keeps as tuples of these columns (_Encoder.values).
_VALUE_COLUMNS: Final = {
    "search_keys": ("owner_kind", "owner_id", "term", "pos", "sort_key"),
    "name_suffixes": ("owner_kind", "owner_id", "suffix", "pos", "sort_key"),
}

# Tables in the order their rows are written (parents before children).
INSERT_ORDER: Final[tuple[str, ...]] = (
    "customers", "search_keys", "name_suffixes", "contacts", "phone_suffixes", "addresses",
    "devices", "service_contracts", "contract_devices", "service_tickets", "ticket_events",
    "repair_records", "repair_parts", "meter_readings", "opportunities", "quotations",
    "quotation_lines", "orders", "order_lines", "payments", "payment_allocations", "visits",
    "tasks", "care_items",
)

T = TypeVar("T")


@dataclass(frozen=True)
class DemoSummary:
    """How many rows ``generate_demo_data`` wrote to each table."""

    users: int = 0
    products: int = 0
    knowledge_entries: int = 0
    customers: int = 0
    search_keys: int = 0
    name_suffixes: int = 0
    phone_suffixes: int = 0
    contacts: int = 0
    addresses: int = 0
    devices: int = 0
    meter_readings: int = 0
    service_contracts: int = 0
    contract_devices: int = 0
    service_tickets: int = 0
    ticket_events: int = 0
    repair_records: int = 0
    repair_parts: int = 0
    opportunities: int = 0
    quotations: int = 0
    quotation_lines: int = 0
    orders: int = 0
    order_lines: int = 0
    payments: int = 0
    payment_allocations: int = 0
    visits: int = 0
    tasks: int = 0
    care_items: int = 0
    sales_plans: int = 0
    document_sequences: int = 0
    read_trail: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    @property
    def total_rows(self) -> int:
        return sum(self.as_dict().values())


# --- public API ---------------------------------------------------------------------------


def create_demo_users(uow: UnitOfWork) -> int:
    """Create the missing demo logins (password ``demo1234``); returns how many were added.

    Idempotent: existing user names are left as they are. The password is hashed once and
    the hash shared, since every demo user has the same password.
    """
    with uow:
        session = uow.session
        roles = dict(session.execute(select(m.Role.code, m.Role.id)).all())
        departments = dict(session.execute(select(m.Department.code, m.Department.id)).all())
        existing = set(session.scalars(select(m.User.username)))
        missing = [u for u in DEMO_USERS if u[1] not in existing]
        if not missing:
            return 0
        hashes: dict[str, str] = {}
        for role_code, username, password, display_name, department_code in missing:
            if role_code not in roles or department_code not in departments:
                raise ValueError(
                    f"reference data is missing role {role_code!r} or department "
                    f"{department_code!r}; run ensure_reference_data first"
                )
            if password not in hashes:
                hashes[password] = hash_password(password)
            session.add(m.User(
                username=username, display_name=display_name, password_hash=hashes[password],
                role_id=roles[role_code], department_id=departments[department_code],
                default_station=StationCode(department_code), active=True, failed_logins=0,
            ))
        uow.commit()
        return len(missing)


def generate_demo_data(
    engine: Engine,
    *,
    customers: int,
    seed: int,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
    append: bool = False,
) -> DemoSummary:
    """Fill the database with ``customers`` customers and three years of their history.

    Args:
        engine: a migrated database (any supported backend).
        customers: how many customers to make; the rest scales with it.
        seed: the random seed; the same seed, ``customers`` and ``today`` give the same data.
        today: the last day of the history (default: the current date); records end the day
            before, follow-ups and contract ends run on after it.
        progress: called with (stage, done, total) as the work goes on.
        append: add to a database that already has customers instead of refusing.

    Raises:
        ValueError: ``customers`` is negative, or the database already has customers and
            ``append`` is false.
    """
    if customers < 0:
        raise ValueError("the number of customers cannot be negative")
    report: ProgressCallback = progress or (lambda _stage, _done, _total: None)
    today = today or dt.date.today()
    customers_table = _table("customers")
    with engine.connect() as conn:
        existing = conn.execute(select(func.count()).select_from(customers_table)).scalar_one()
    if existing and not append:
        raise ValueError(
            f"the database already has {existing} customers; demo data is only generated "
            "into an empty database (pass append=True to add to it anyway)"
        )
    report("reference", 0, 2)
    uow = UnitOfWork.for_engine(engine)
    ensure_reference_data(uow)
    report("reference", 1, 2)
    users_added = create_demo_users(uow)
    report("reference", 2, 2)
    with (engine.connect() as conn,
          _BulkLoad(conn, fresh=customers >= existing) as load,
          conn.begin()):
        load.suspend_indexes()
        builder = _Builder(conn, random.Random(seed), today, customers, report)
        builder.prepare()
        builder.make_knowledge()
        lanes = builder.lanes(LANES, seed)
        shares = [customers // LANES + (index < customers % LANES) for index in range(LANES)]
        assert builder.writer is not None
        if customers >= PARALLEL_FROM:
            outcomes = _in_processes(engine.url, lanes, shares, builder.writer, report)
        else:
            outcomes = _in_turn(lanes, shares, builder.writer, report)
        for outcome in outcomes:
            builder.absorb(outcome)
        builder.make_department_tasks()
        builder.flush()
        load.restore_indexes(report)
        builder.finish()
    reads = _read_trail(engine, random.Random(seed + 18), today)
    _gather_statistics(engine)
    return DemoSummary(users=users_added, read_trail=reads, **builder.counts)


def _no_progress(_stage: str, _done: int, _total: int) -> None:
    return None


@dataclass(frozen=True)
class _LaneOutcome:
    """What a lane of the generator made that the rest of the run needs (_Builder.absorb)."""

    ids: dict[str, int]
    sequences: dict[tuple[str, str], int]
    monthly: dict[tuple[int, int, int], list[int]]
    knowledge_used: dict[int, int]
    counts: dict[str, int]


def _in_turn(lanes: list[_Builder], shares: list[int], writer: _Writer,
             report: ProgressCallback) -> list[_LaneOutcome]:
    """The lanes' customers made here, a chunk of each lane in turn."""
    total = sum(shares)
    left = list(shares)
    done = 0
    while any(left):
        for index, lane in enumerate(lanes):
            size = min(CHUNK_CUSTOMERS, left[index])
            if not size:
                continue
            for _ in range(size):
                lane.make_customer()
            for batch in lane.take(writer.encoder):
                writer.run(batch)
            left[index] -= size
            done += size
            report("customers", done, total)
    return [lane.outcome() for lane in lanes]


def _run_lane(url: URL, lane: _Builder, customers: int, queue: Any) -> None:
    """A lane's own process: makes its customers chunk by chunk and puts each chunk's
    batches on ``queue`` for the load's process to write, then its outcome (or the
    error that stopped it). It does not connect: the engine is made only for its dialect,
    which encodes the rows as the load's writer would."""
    try:
        engine = create_engine(url)
        encoder = _Encoder(engine.dialect)
        done = 0
        while done < customers:
            size = min(CHUNK_CUSTOMERS, customers - done)
            for _ in range(size):
                lane.make_customer()
            queue.put(("rows", size, lane.take(encoder)))
            done += size
        queue.put(("done", lane.lane, lane.outcome()))
    except BaseException:
        queue.put(("error", lane.lane, traceback.format_exc()))
        raise


def _in_processes(url: URL, lanes: list[_Builder], shares: list[int], writer: _Writer,
                  report: ProgressCallback) -> list[_LaneOutcome]:
    """The lanes' customers made in processes of their own, side by side, while this one
    writes what they make: making the rows is most of a large load, and one process
    kept one core busy and left the other idle. A lane that fails stops the load with
    its error; so does a lane that ends without a word (killed, out of memory)."""
    context = multiprocessing.get_context("spawn")  # as on Windows, where fork is not
    queue = context.Queue(maxsize=2 * len(lanes))
    workers = [context.Process(target=_run_lane, args=(url, lane, share, queue),
                               name=f"stationcrm-demo-lane-{lane.lane}", daemon=True)
               for lane, share in zip(lanes, shares, strict=True)]
    for worker in workers:
        worker.start()
    total = sum(shares)
    done = 0
    outcomes: dict[int, _LaneOutcome] = {}
    try:
        while len(outcomes) < len(workers):
            try:
                message = queue.get(timeout=2)
            except Empty:
                for index, worker in enumerate(workers):
                    if index not in outcomes and not worker.is_alive():
                        raise RuntimeError(
                            f"demo data: lane {index} stopped (exit code {worker.exitcode}) "
                            "before it made its customers") from None
                continue
            if message[0] == "rows":
                for batch in message[2]:
                    writer.run(batch)
                done += message[1]
                report("customers", done, total)
            elif message[0] == "done":
                outcomes[message[1]] = message[2]
            else:
                raise RuntimeError(f"demo data: lane {message[1]} failed:\n{message[2]}")
    finally:
        for worker in workers:
            if worker.is_alive() and len(outcomes) < len(workers):
                worker.terminate()
            worker.join(timeout=10)
        queue.close()
    return [outcomes[index] for index in range(len(workers))]


# The read trail's people: how many cards each role opens on a usual day, whether they
# work Saturdays, and whether they may open every customer (else their department's).
_READERS: Final[Mapping[str, tuple[float, bool, bool]]] = {
    "counter_clerk": (16, True, False), "sales": (9, False, False),
    "technician": (10, True, True), "repair_lead": (7, True, True),
    "management_clerk": (6, False, True), "general_manager": (3, False, True),
}
# Customers a reader picks from: a sample, so that a million-customer demo stays quick.
_READER_SAMPLE: Final = 3000
TRAIL_DAYS: Final = 90


def _read_trail(engine: Engine, rng: random.Random, today: dt.date) -> int:
    """Ninety days of ordinary reads before ``today`` (app.demo_reads), and one
    salesperson (sales4) who opens their customers' cards down the list and searches a to
    z on three days of the last week, so the customer base protection view has something
    to show. Returns the rows written."""
    from app.demo_reads import Reader, ordinary_reads, sweep_reads

    c, u, r = _table("customers").c, _table("users").c, _table("roles").c
    with engine.begin() as conn:
        people = conn.execute(
            select(u.id, u.username, u.department_id, r.code)
            .join(_table("roles"), r.id == u.role_id)
            .where(u.active == true()).order_by(u.id)).all()
        department_of = {p.id: p.department_id for p in people}
        total = conn.execute(select(func.count()).select_from(_table("customers"))
                             ).scalar_one()
        step = max(1, total // (_READER_SAMPLE * 4))
        sample = conn.execute(
            select(c.id, c.owner_id, c.pinyin_initials).where(c.id % step == 0)
            .order_by(c.id)).all()
        readers = []
        for person in people:
            rhythm = _READERS.get(person.code)
            if rhythm is None:
                continue
            cards, saturdays, everyone = rhythm
            mine = [(row.id, row.pinyin_initials or "") for row in sample
                    if everyone or row.owner_id is not None and department_of.get(
                        row.owner_id) == person.department_id]
            if len(mine) > _READER_SAMPLE:
                mine = rng.sample(mine, _READER_SAMPLE)
            own = [row.id for row in sample if row.owner_id == person.id]
            readers.append(Reader(person.id, mine, own, cards, saturdays))
        start = today - dt.timedelta(days=TRAIL_DAYS)
        rows = list(ordinary_reads(readers, start, today - dt.timedelta(days=1), rng))
        leaver = next((p.id for p in people if p.username == "sales4"), None)
        if leaver is not None:
            in_order = conn.execute(select(c.id).where(c.owner_id == leaver)
                                    .order_by(c.sort_key, c.id).limit(450)).scalars().all()
            last_week = [today - dt.timedelta(days=n) for n in range(7, 0, -1)]
            days = [d for d in last_week if d.weekday() < 5][-3:]
            rows += sweep_reads(leaver, in_order, days, rng)
        rows.sort(key=lambda row: (row["day"], row["minute"]))
        trail = _table("read_trail")
        for at in range(0, len(rows), 5000):
            conn.execute(trail.insert(), rows[at:at + 5000])
        return len(rows)


def _gather_statistics(engine: Engine) -> None:
    """Let the planner know the tables just filled. Without statistics SQLite guessed that
    a GROUP BY owner was best read off the owner index and walked every search key (half
    a second at 100 000 customers where the lookup range takes a few milliseconds).
    SQLite samples (analysis_limit) so this takes a second, not minutes, at a million
    customers; SQL Server keeps its own.

    PostgreSQL is vacuumed as well: rows just loaded are not yet marked all-visible, so
    every index-only scan (the search keys' lookups) went to the table for each row until
    autovacuum came round, which at a million customers was long after the benchmark
    (a phone search 19.6 ms with only the customers table vacuumed)."""
    backend = engine.dialect.name
    if backend not in ("sqlite", "postgresql"):
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if backend == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.exec_driver_sql("VACUUM (ANALYZE)")


# --- helpers ------------------------------------------------------------------------------


def _table(name: str) -> Table:
    return m.Base.metadata.tables[name]


_YUAN: dict[int, Decimal] = {}


def _yuan(fen: int) -> Decimal:
    """An amount in fen as exact yuan: 12345 → Decimal('123.45').

    Prices, costs and many totals recur; their Decimals are made once (they are immutable).
    """
    value = _YUAN.get(fen)
    if value is None:
        value = Decimal(fen).scaleb(-2)
        if len(_YUAN) < 200_000:
            _YUAN[fen] = value
    return value


class _Pick(Generic[T]):
    """A weighted choice that costs one random number and a bisect."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        self.items: list[T] = []
        self.cum: list[float] = []
        total = 0.0
        for item, weight in pairs:
            if weight > 0:
                total += weight
                self.items.append(item)
                self.cum.append(total)
        self.total = total

    def __call__(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _ri(rng: random.Random, low: int, high: int) -> int:
    """A random integer in [low, high]; one call to random() instead of randint's several."""
    return low + int(rng.random() * (high - low + 1))


def _ch(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _poisson(rng: random.Random, lam: float) -> int:
    """A Poisson-distributed count (Knuth's method; fine for the small means used here)."""
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit = math.exp(-lam)
    k, p = 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


@dataclass(slots=True)
class _Product:
    id: int
    sku: str
    name: str
    category: str
    cost: int  # fen
    price: int  # fen
    points: int  # hundredths of a point


@dataclass(slots=True)
class _Device:
    id: int
    kind: str
    model: str
    install: int  # day index
    rate: int  # pages per day
    row: dict[str, Any]


@dataclass(slots=True)
class _Contract:
    id: int
    kind: str
    start: int
    end: int
    sla_hours: int
    device_ids: set[int]
    status: str


@dataclass(slots=True)
class _Cust:
    id: int
    kind: str
    segment: str  # person, store, dealer, key
    name: str
    owner: int | None
    source: str
    status: str
    first: int  # day index of the first contact
    last: int  # day index of the last activity
    phone: str | None
    pinyin_order: str = ""  # its sort key, which its contacts' phone suffixes carry
    street: str | None = None
    contacts: list[int] = field(default_factory=list)
    contact_birthdays: list[tuple[int, str, dt.date]] = field(default_factory=list)
    devices: list[_Device] = field(default_factory=list)
    contracts: list[_Contract] = field(default_factory=list)
    intents: list[tuple[str, int, int, int, int]] = field(default_factory=list)
    last_consumable: tuple[int, int, int] | None = None  # (day, order id, product id)


_SEGMENT_SOURCES: Final = {
    "person": (("walk_in", 50), ("phone", 20), ("web", 15), ("referral", 10),
               ("service_reneed", 5)),
    "store": (("walk_in", 35), ("phone", 25), ("web", 15), ("referral", 15),
              ("service_reneed", 10)),
    "dealer": (("dealer", 80), ("referral", 10), ("phone", 10)),
    "key": (("visit", 35), ("referral", 25), ("phone", 15), ("web", 10),
            ("service_reneed", 15)),
}
_SEGMENT_CLASSES: Final = {
    "person": (("retail", 85), ("c", 15)),
    "store": (("a", 5), ("b", 25), ("c", 55), ("retail", 15)),
    "dealer": (("dealer", 100),),
    "key": (("key_account", 25), ("a", 35), ("b", 30), ("c", 10)),
}
# Share of each product category in order lines, per customer segment.
_SEGMENT_CATEGORIES: Final = {
    "person": {"consumable": 60, "printer": 14, "pc": 12, "part": 4, "service": 10},
    "store": {"consumable": 55, "printer": 14, "pc": 10, "part": 5, "service": 16},
    "dealer": {"consumable": 85, "printer": 15},
    "key": {"consumable": 42, "printer": 18, "pc": 20, "part": 4, "service": 16},
    "deal": {"printer": 45, "pc": 35, "service": 10, "consumable": 10},
}
# Yearly rates per segment: visits, orders, standalone quotations, opportunities.
_RATES: Final = {
    "person": (0.5, 0.25, 0.0, 0.02),
    "store": (0.9, 0.4, 0.06, 0.06),
    "dealer": (1.5, 2.0, 0.1, 0.05),
    "key": (1.8, 0.55, 0.25, 0.3),
}
_DEVICE_COUNTS: Final = {
    "person": ((0, 45), (1, 50), (2, 5)),
    "store": ((0, 30), (1, 45), (2, 18), (3, 7)),
    "dealer": ((0, 80), (1, 20)),
    "key": ((0, 15), (1, 30), (2, 25), (3, 15), (4, 8), (5, 5), (6, 2)),
}
_TICKET_RATE: Final = {"copier": 0.9, "laser": 0.35, "dot": 0.3, "inkjet": 0.2, "pc": 0.2}
_STAGE_PROBABILITY: Final = {
    "new": 10, "qualified": 25, "proposal": 50, "negotiation": 75, "won": 100, "lost": 0,
}
_JOB_SCORE: Final = {  # service score base per job type, hundredths of a point
    "bench_repair": 200, "on_site_repair": 300, "maintenance": 150, "installation": 200,
}
_SERIAL_ALNUM: Final = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_CONTRACT_PRODUCT: Final = {
    "full_service": "S-FULL-YEAR", "labour_only": "S-LABOUR-YEAR", "per_visit": "S-VISIT-PACK",
}


class _BulkLoad:
    """On SQLite, a large load runs with a rollback journal, a larger page cache, no
    reference checks and without the secondary indexes of the tables it fills, which are
    built again at its end.

    - Building an index in one sorted pass over a filled table is much faster than keeping
      it up to date row by row: the search keys' and suffixes' indexes take their rows in
      random order, and at a million customers they no longer fit any page cache, so most
      rows cost a read. The indexes are dropped and built again inside the generator's one
      transaction: a failed run gets them back with its rollback. So are the triggers
      on those tables (an order's total cost from its lines): the generator writes the
      values they keep. The tables' own unique constraints
      stay (SQLite keeps them in indexes that cannot be dropped); the unique indexes that
      are dropped are checked when they are built, before the commit.
    - In WAL mode one transaction of several gigabytes is written twice, to the WAL and
      then, at the checkpoint, to the database, and every page read looks through the
      WAL's index first. With a rollback journal (DELETE, as on a network share) the new
      pages go to the database once; the journal keeps the few pages that existed before,
      so a failed run still leaves the database as it was. The mode can only change while
      no other connection has the file open (SQLite refuses otherwise; then the load stays
      in WAL mode), and it is set back to WAL after the commit. While the load runs, other
      connections wait for it instead of reading the last committed state.
    - The rows' references are not looked up one by one (``foreign_keys`` off for the
      load's connection): the generator makes each id it refers to, the tests check its
      output with ``PRAGMA foreign_key_check``, and the lookups (a million customers have
      some hundred million references, two in each phone suffix) took about 5 % of the run.

    Only a load that at least doubles the customers does all this (``fresh``); a smaller
    one only gets the larger cache. On PostgreSQL a fresh load drops and rebuilds the same
    kind of indexes (`_suspend_server_indexes`); nothing changes on SQL Server.
    """

    CACHE_KIB: Final = 256 * 1024

    def __init__(self, conn: Connection, *, fresh: bool) -> None:
        self.conn = conn
        self.active = conn.dialect.name == "sqlite"
        self.fresh = self.active and fresh
        self.server_fresh = conn.dialect.name == "postgresql" and fresh
        self.statements: list[tuple[str, str]] = []  # (index name, CREATE INDEX statement)
        self.triggers: list[tuple[str, str]] = []  # (trigger name, CREATE TRIGGER), SQLite
        self.cache_size: int | None = None
        self.journal: str | None = None  # the mode to go back to after the load
        self.foreign_keys = False  # checking was on and goes on again after the load

    def _pragma(self, statement: str) -> Any:
        # On the driver's connection, outside SQLAlchemy's transaction: the journal mode
        # cannot change inside one (app.db's connections run the driver in autocommit and
        # begin their transactions themselves).
        driver = self.conn.connection.driver_connection
        assert driver is not None  # a live connection of this load
        row = driver.execute(statement).fetchone()
        return None if row is None else row[0]

    def __enter__(self) -> _BulkLoad:
        if not self.active:
            return self
        self.cache_size = self._pragma("PRAGMA cache_size")
        self._pragma(f"PRAGMA cache_size=-{self.CACHE_KIB}")
        if self.fresh and self._pragma("PRAGMA foreign_keys"):
            self._pragma("PRAGMA foreign_keys=OFF")
            self.foreign_keys = True
        mode = str(self._pragma("PRAGMA journal_mode")).lower()
        if self.fresh and mode == "wal":
            try:
                if str(self._pragma("PRAGMA journal_mode=DELETE")).lower() == "delete":
                    self.journal = mode
            except sqlite3.OperationalError:  # another connection has the file open
                log.info("demo data: the database stays in WAL mode during the load")
        return self

    def suspend_indexes(self) -> None:
        """Drop the secondary indexes of the tables the generator fills (in its transaction)."""
        if self.server_fresh:
            self._suspend_server_indexes()
            return
        if not self.fresh:
            return
        # The triggers on the tables filled here keep totals and cost snapshots (an
        # order's total cost from its lines): the generator writes those values itself,
        # as the triggers would (tests/test_demo.py checks them), so the triggers are
        # dropped for the load as well and made again at its end. Each had cost a lookup
        # of the order's lines per line inserted, a tenth of this process's inserts.
        filled = ", ".join(f"'{name}'" for name in INSERT_ORDER)
        self.triggers = [(name, sql) for name, sql in self.conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            f"AND tbl_name IN ({filled}) ORDER BY name")]
        for name, _sql in self.triggers:
            self.conn.exec_driver_sql(f'DROP TRIGGER "{name}"')
        # Other triggers read tables by these indexes for every row inserted: the tables
        # they read keep them. (The rows they update they find by id.)
        triggers = " ".join(sql for (sql,) in self.conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger'"))
        read = set(re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', triggers, re.I))
        names = ", ".join(f"'{name}'" for name in INSERT_ORDER if name not in read)
        # sql is NULL for the indexes of PRIMARY KEY and UNIQUE constraints.
        self.statements = [(name, sql) for name, sql in self.conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
            f"AND sql IS NOT NULL AND tbl_name IN ({names}) ORDER BY tbl_name, name")]
        for name, _sql in self.statements:
            self.conn.exec_driver_sql(f'DROP INDEX "{name}"')

    def _suspend_server_indexes(self) -> None:
        """PostgreSQL: the same as on SQLite, for the same reason (a search key's index
        kept row by row costs a random page write per row), read from the catalog: the
        indexes that no constraint owns, of the tables no trigger function reads. DROP
        INDEX is transactional there too, so a failed run gets them back."""
        functions = " ".join(source for (source,) in self.conn.exec_driver_sql(
            "SELECT DISTINCT p.prosrc FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal"))
        read = {name.lower() for name in
                re.findall(r'\b(?:FROM|JOIN)\s+(?:"?\w+"?\.)?"?(\w+)', functions, re.I)}
        names = [name for name in INSERT_ORDER if name not in read]
        self.statements = [(name, sql) for name, sql in self.conn.exec_driver_sql(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname = ANY(%(names)s) AND t.relnamespace = current_schema()::regnamespace "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY t.relname, 1", {"names": names})]
        for name, _sql in self.statements:
            self.conn.exec_driver_sql(f"DROP INDEX {name}")
        if self.statements:
            # For the sorts that build them again (this transaction only).
            self.conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '512MB'")

    def restore_indexes(self, report: ProgressCallback) -> None:
        """Build the dropped indexes again (in the transaction, before its commit).

        On SQLite the sorts that build them may use helper threads (``PRAGMA threads``,
        off by default): at a million customers the search keys' lookup index took 93 s
        in one thread and 62–67 s with two."""
        threads = None
        if self.fresh and self.statements:
            threads = self._pragma("PRAGMA threads")
            self._pragma(f"PRAGMA threads={min(4, os.cpu_count() or 1)}")
        try:
            for done, (_name, sql) in enumerate(self.statements):
                report("indexes", done, len(self.statements))
                self.conn.exec_driver_sql(sql)
        finally:
            if threads is not None:
                self._pragma(f"PRAGMA threads={int(threads)}")
        if self.statements:
            report("indexes", len(self.statements), len(self.statements))
        self.statements = []
        for _name, sql in self.triggers:
            self.conn.exec_driver_sql(sql)
        self.triggers = []

    def __exit__(self, exc_type: type[BaseException] | None, *_exc: object) -> None:
        if not self.active:
            return
        try:
            self._pragma(f"PRAGMA cache_size={int(self.cache_size or 0)}")
            if self.foreign_keys:
                self._pragma("PRAGMA foreign_keys=ON")
            if self.journal is not None:
                self._pragma(f"PRAGMA journal_mode={self.journal}")
        except sqlite3.Error:
            # The pool must not hand this connection out without its reference checks:
            # a new one gets app.db's settings (and sets WAL again).
            self.conn.invalidate()
            if exc_type is None:
                log.warning("demo data: the load's connection settings could not be "
                            "restored; the connection was dropped", exc_info=True)
            # Else the run failed already, and its error is the one to see.


def _moment(epoch: int) -> dt.datetime:
    """A timestamp of the rows (whole epoch seconds) as the aware datetime the models take."""
    return dt.datetime.fromtimestamp(epoch, dt.UTC)


def _moments(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with its timestamps (the ``*_at`` keys) as datetimes, for a Core insert."""
    return {k: _moment(v) if k.endswith("_at") and v is not None else v
            for k, v in row.items()}


_DAY_TEXT: dict[int, str] = {}
_TIME_TEXT: dict[int, str] = {}
_EPOCH_DAY: Final = dt.date(1970, 1, 1)


def _sqlite_timestamp(epoch: int | None) -> str | None:
    """The text SQLAlchemy's SQLite dialect stores for the UTC moment ``epoch`` (checked in
    _Writer against the real bind processor before it is used), put together from the
    text of its day and of its time of day: a million customers have some 40 million
    timestamps, and making each a datetime and formatting it was a tenth of the run."""
    if epoch is None:
        return None
    day, second = divmod(epoch, DAY)
    date_text = _DAY_TEXT.get(day)
    if date_text is None:
        date_text = _DAY_TEXT[day] = (_EPOCH_DAY + dt.timedelta(days=day)).isoformat()
    time_text = _TIME_TEXT.get(second)
    if time_text is None:
        hour, rest = divmod(second, 3600)
        time_text = _TIME_TEXT[second] = f" {hour:02d}:{rest // 60:02d}:{rest % 60:02d}.000000"
    return date_text + time_text


def _server_timestamp(epoch: int | None) -> str | None:
    """The moment ``epoch`` as PostgreSQL reads a timestamptz in COPY's text: UTC."""
    text = _sqlite_timestamp(epoch)
    return None if text is None else text + "+00"


def _sqlite_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


@dataclass(frozen=True, slots=True)
class _Batch:
    """Rows of one table ready for the database: ``how`` is ``direct`` (the driver's
    executemany of ``sql`` with tuples), ``copy`` (PostgreSQL's COPY ``sql`` with
    tuples) or ``core`` (SQLAlchemy's ``insert(table)`` with dictionaries). A lane of the
    generator (:func:`_run_lane`) makes them in its own process; the process holding the
    load's connection only runs them."""

    how: str
    table: str
    sql: str
    rows: list[Any]


class _Encoder:
    """Turns the builder's rows into :class:`_Batch` es, knowing only the dialect.

    On SQLite the statement SQLAlchemy compiles for ``insert(table)`` gets positional
    parameters prepared here: the per-row work of the generic path (building parameter
    dictionaries, two conversion calls per timestamp) costs more than SQLite's own insert.
    Timestamps and dates are formatted directly after checking the result equals
    SQLAlchemy's own conversion; every other column goes through the type's bind processor
    as usual. On PostgreSQL (psycopg) the rows go through COPY. SQL Server takes the
    generic Core path.
    """

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.direct = dialect.name == "sqlite" and self._formats_agree()
        # On psycopg the rows go through COPY: executemany sends an INSERT per few rows,
        # and at a million customers (about a hundred million rows) that took most of the
        # run on PostgreSQL.
        self.copy = dialect.name == "postgresql" and dialect.driver == "psycopg"
        self._copy_plans: dict[tuple[str, tuple[str, ...]],
                               tuple[str, tuple[Callable[[Any], Any] | None, ...]]] = {}
        self._plans: dict[tuple[str, tuple[str, ...]],
                          tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]
                          ] = {}

    def _formats_agree(self) -> bool:
        dialect = self.dialect
        timestamp = m.UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        day = m.Base.metadata.tables["orders"].c.ordered_on.type
        date_processor = day.dialect_impl(dialect).bind_processor(dialect)
        samples = (dt.datetime(2024, 2, 29, 23, 59, 58, tzinfo=dt.UTC),
                   dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
                   dt.datetime(1969, 12, 31, 0, 0, 9, tzinfo=dt.UTC))
        return (timestamp is not None and date_processor is not None
                and all(timestamp(v) == _sqlite_timestamp(int(v.timestamp()))
                        for v in samples)
                and all(date_processor(v.date()) == _sqlite_date(v.date()) for v in samples))

    def values(self, table: Table, columns: tuple[str, ...],
               rows: list[tuple[Any, ...]]) -> list[_Batch]:
        """Rows given as tuples of ``columns``: the search keys and suffixes, three
        quarters of all rows, skip making a dictionary per row."""
        if not rows:
            return []
        if self.copy:
            return [self._copy_batch(table, columns, rows)]
        plan = self._plans.get((table.name, columns)) if self.direct else None
        if self.direct and plan is None:
            plan = self._plans[(table.name, columns)] = self._plan(table, columns)
        if plan is None or any(plan[2]):  # Core, or values that need converting
            return self.rows(table, [dict(zip(columns, row, strict=True)) for row in rows])
        sql, order, _converters = plan
        if order != columns:
            rows = list(map(itemgetter(*(columns.index(k) for k in order)), rows))
        return [_Batch("direct", table.name, sql, rows[offset:offset + BATCH_ROWS])
                for offset in range(0, len(rows), BATCH_ROWS)]

    def rows(self, table: Table, rows: Sequence[dict[str, Any]]) -> list[_Batch]:
        if not rows:
            return []
        if self.copy:
            keys = tuple(rows[0])
            return [self._copy_batch(table, keys, list(map(itemgetter(*keys), rows))
                                     if len(keys) > 1 else [(row[keys[0]],) for row in rows])]
        batches: list[_Batch] = []
        if not self.direct:
            stamps = [c.key for c in table.c if isinstance(c.type, m.UTCDateTime)]
            for offset in range(0, len(rows), BATCH_ROWS):
                batch = list(rows[offset:offset + BATCH_ROWS])
                if stamps:
                    batch = [{k: _moment(v) if k in stamps and v is not None else v
                              for k, v in row.items()} for row in batch]
                batches.append(_Batch("core", table.name, "", batch))
            return batches
        keys = tuple(rows[0])
        plan = self._plans.get((table.name, keys))
        if plan is None:
            plan = self._plans[(table.name, keys)] = self._plan(table, keys)
        sql, order, converters = plan
        values_of = itemgetter(*order)
        convert = [(i, f) for i, f in enumerate(converters) if f is not None]
        for offset in range(0, len(rows), BATCH_ROWS):
            params = list(map(values_of, rows[offset:offset + BATCH_ROWS]))
            batches.append(_Batch("direct", table.name, sql, _converted(params, convert)))
        return batches

    def _copy_batch(self, table: Table, columns: tuple[str, ...],
                    rows: Sequence[tuple[Any, ...]]) -> _Batch:
        """PostgreSQL: rows for ``COPY … FROM STDIN``. Timestamps (epoch seconds here) go
        as text with their UTC offset, dates as ISO text; every other value through its
        type's bind processor, as an INSERT would send it."""
        plan = self._copy_plans.get((table.name, columns))
        if plan is None:
            plan = self._copy_plans[(table.name, columns)] = (
                copy_statement(self.dialect, table, columns),
                self._converters(table, columns, _server_timestamp))
        sql, prepared = plan
        convert = [(i, f) for i, f in enumerate(prepared) if f is not None]
        return _Batch("copy", table.name, sql, _converted(list(rows), convert))

    def _plan(self, table: Table, keys: tuple[str, ...]
              ) -> tuple[str, tuple[str, ...], tuple[Callable[[Any], Any] | None, ...]]:
        compiled = insert(table).compile(dialect=self.dialect, column_keys=list(keys))
        order = tuple(compiled.positiontup or ())
        if sorted(order) != sorted(keys):
            raise RuntimeError(f"unexpected parameters for {table.name}: {order}")
        return str(compiled), order, self._converters(table, order, _sqlite_timestamp)

    def _converters(self, table: Table, keys: tuple[str, ...],
                    timestamp: Callable[[Any], Any]) -> tuple[Callable[[Any], Any] | None, ...]:
        """What turns each value of ``keys`` into what the statement sends: ``timestamp``
        for the timestamps (epoch seconds here), ISO text for dates, else the type's own
        bind processor (None where there is nothing to do)."""
        dialect = self.dialect
        converters: list[Callable[[Any], Any] | None] = []
        for key in keys:
            column_type = table.c[key].type
            if isinstance(column_type, m.UTCDateTime):
                converters.append(timestamp)
            elif isinstance(column_type, Date):
                converters.append(_sqlite_date)
            else:
                converters.append(column_type.dialect_impl(dialect).bind_processor(dialect))
        return tuple(converters)


def _converted(rows: list[tuple[Any, ...]],
               convert: Sequence[tuple[int, Callable[[Any], Any]]]) -> list[tuple[Any, ...]]:
    """``rows`` with ``convert``'s functions applied to their columns, a column at a time
    (no list made and indexed per row)."""
    if not convert or not rows:
        return rows
    columns = list(zip(*rows, strict=True))
    for index, function in convert:
        columns[index] = tuple(map(function, columns[index]))
    return list(zip(*columns, strict=True))


class _Writer:
    """Runs :class:`_Batch` es on the load's connection (and encodes rows made here)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.encoder = _Encoder(conn.dialect)

    def run(self, batch: _Batch) -> None:
        if batch.how == "direct":
            self.conn.exec_driver_sql(batch.sql, batch.rows)
        elif batch.how == "copy":
            copy_tuples(self.conn, batch.sql, batch.rows)
        else:
            self.conn.execute(insert(_table(batch.table)), batch.rows)

    def write(self, table: Table, rows: Sequence[dict[str, Any]]) -> None:
        for batch in self.encoder.rows(table, rows):
            self.run(batch)


@dataclass(frozen=True, slots=True)
class _NameText:
    """A customer name's pinyin columns and search keys, as app.textkeys computes them."""

    pinyin_full: str
    pinyin_initials: str
    core_initials: str
    short_initials: str | None
    sort_key: str
    keys: dict[str, int]


@dataclass(frozen=True, slots=True)
class _Piece:
    """One part of a generated name (北京, 鑫锐, 科技, 有限公司) with its pinyin, computed once."""

    text: str  # NFKC, as textkeys reads it
    words: tuple[str, ...]  # how pypinyin segments the part on its own
    readings: tuple[tuple[str, ...], ...]  # textkeys.syllable_readings
    full: str
    initials: str
    sort: str


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


class _NameKeys:
    """The pinyin columns and search keys of generated names, put together from their parts.

    textkeys runs pypinyin over each whole name, and at a million new names that is most of
    the generator's time. A generated name is a few parts from short word lists (北京 + 鑫锐 +
    科技 + 有限公司), and pypinyin converts a text word by word after segmenting it: where the
    whole name segments into exactly its parts' words, its pinyin is the parts' pinyin
    joined. ``customer`` checks that (segmenting is cheap next to converting) and the other
    conditions under which textkeys treats a name as its parts — no place or surname with a
    reading of its own, the legal suffix and the leading place on part boundaries — and
    puts the values together; otherwise it asks textkeys. The generator compares a sample
    of names with textkeys as it goes (``_Builder._check_name``).
    """

    _CACHE_LIMIT: Final = 100_000

    def __init__(self) -> None:
        self._pieces: dict[str, _Piece | None] = {}
        self._tails: dict[tuple[tuple[str, ...], ...], frozenset[str]] = {}
        self._shorts: dict[tuple[str, ...], tuple[dict[str, int], str]] = {}
        self.composed = 0
        self.computed = 0

    def customer(self, parts: Sequence[str], short: Sequence[str] | None,
                 kind: str) -> _NameText:
        """The columns and keys of a customer named ``"".join(parts)``, short name
        ``"".join(short)``."""
        value = self._compose(parts, short, person=kind == "person")
        if value is None:
            self.computed += 1
            return self.direct("".join(parts), "".join(short) if short else None, kind)
        self.composed += 1
        return value

    @staticmethod
    def direct(name: str, short: str | None, kind: str) -> _NameText:
        """The same values from textkeys itself."""
        return _NameText(
            pinyin_full=pinyin_full(name),
            pinyin_initials=pinyin_initials(name),
            core_initials=core_initials(name),
            short_initials=pinyin_initials(short) if short else None,
            sort_key=person_sort_key(name) if kind == "person" else sort_key(name),
            keys=customer_keys(name, short, kind),
        )

    def _compose(self, parts: Sequence[str], short: Sequence[str] | None, *, person: bool
                 ) -> _NameText | None:
        pieces = self._pieces_of(parts, person=person)
        if pieces is None:
            return None
        keys = self._keys(pieces)
        # The name less its leading place: pypinyin segments a text from its start on, so
        # a tail of pieces that segment apart segments apart too.
        core = without_place("".join(parts))
        core_from = self._cut(pieces, sum(len(p.text) for p in pieces) - len(core))
        if keys is None or core_from is None:
            return None
        short_initials = None
        if short:
            short_keys, short_initials = self._short(tuple(short))
            keys = merged_keys(keys, short_keys)
        return _NameText(
            pinyin_full="".join(p.full for p in pieces),
            pinyin_initials="".join(p.initials for p in pieces),
            core_initials="".join(p.initials for p in pieces[core_from:]),
            short_initials=short_initials,
            sort_key=" ".join(p.sort for p in pieces if p.sort)[:400],
            keys=keys,
        )

    def _short(self, short: tuple[str, ...]) -> tuple[dict[str, int], str]:
        """name_keys and pinyin_initials of a short name (鑫锐科技, shared by many names)."""
        known = self._shorts.get(short)
        if known is None:
            pieces = self._pieces_of(short, person=False)
            keys = None if pieces is None else self._keys(pieces)
            if pieces is None or keys is None:
                text = "".join(short)
                known = (name_keys(text), pinyin_initials(text))
            else:
                known = (keys, "".join(p.initials for p in pieces))
            if len(self._shorts) >= self._CACHE_LIMIT:
                self._shorts.clear()
            self._shorts[short] = known
        return known

    def _piece(self, part: str) -> _Piece | None:
        """The part's pinyin, or None when it mixes Chinese and other characters or
        pypinyin does not read each of its characters (then textkeys does the name)."""
        if part in self._pieces:
            return self._pieces[part]
        text = unicodedata.normalize("NFKC", part)
        han = [_is_han(c) for c in text]
        piece = None
        if text and (
            all(han) and len(text) == len(lazy_pinyin(text)) == len(syllable_readings(text))
            == len(pinyin(text, style=Style.NORMAL, heteronym=True))
            or not any(han) and text.isascii()
        ):
            piece = _Piece(text, tuple(_pinyin_seg(text)), syllable_readings(text),
                           pinyin_full(text), pinyin_initials(text), sort_key(text))
        self._pieces[part] = piece
        return piece

    def _pieces_of(self, parts: Sequence[str], *, person: bool) -> list[_Piece] | None:
        """The parts' pieces, if textkeys reads the joined name as the parts one by one."""
        pieces = []
        for part in parts:
            piece = self._piece(part)
            if piece is None:
                return None
            pieces.append(piece)
        name = "".join(p.text for p in pieces)
        if (unicodedata.normalize("NFKC", "".join(parts)) != name or name != name.strip()
                or any(place in name for place in PLACE_READINGS)
                or person and name.startswith(tuple(SURNAME_READINGS))):
            return None
        for _merge in range(3):
            # Where a word runs across two pieces (联信 + 教育咨询 read as 信教), the two
            # become one piece: one short text for pypinyin instead of the whole name.
            words = _pinyin_seg(name)
            if words == [w for p in pieces for w in p.words]:
                return pieces
            ends = set(itertools.accumulate(len(w) for w in words))
            at = 0
            for index, piece in enumerate(pieces[:-1]):
                at += len(piece.text)
                if at not in ends:
                    merged = self._piece(piece.text + pieces[index + 1].text)
                    if merged is None:
                        return None
                    pieces[index:index + 2] = [merged]
                    break
            else:  # a piece's words differ although no word crosses a boundary
                return None
        return None

    @staticmethod
    def _apart(pieces: Sequence[_Piece]) -> bool:
        """pypinyin segments the joined pieces into their own words, so the pinyin of the
        whole is theirs joined (no word across a boundary, as 信教 in 北京龙隆联信教育咨询)."""
        if len(pieces) < 2:
            return True
        return _pinyin_seg("".join(p.text for p in pieces)) == [
            w for p in pieces for w in p.words]

    @staticmethod
    def _cut(pieces: Sequence[_Piece], length: int) -> int | None:
        """How many leading pieces make the first ``length`` characters, if a whole number."""
        total = 0
        for index, piece in enumerate(pieces):
            if total >= length:
                return index if total == length else None
            total += len(piece.text)
        return len(pieces) if total == length else None

    def _keys(self, pieces: list[_Piece]) -> dict[str, int] | None:
        """textkeys.name_keys of the joined pieces: keys start at every syllable before the
        legal suffix, and the start after a leading place counts as a start of the name."""
        stripped = _strip_suffix("".join(p.text for p in pieces))
        upto = self._cut(pieces, len(stripped))
        place_at = self._cut(pieces, len(stripped) - len(without_place(stripped)))
        if (upto is None or place_at is None
                or upto < len(pieces) and not self._apart(pieces[:upto])
                or not self._apart(pieces[:place_at])):
            return None
        syllables = tuple(r for p in pieces for r in p.readings)
        ends = sum(len(p.readings) for p in pieces[:upto]) or len(syllables)
        place = sum(len(p.readings) for p in pieces[:place_at])
        starts = {0, place} if 0 < place < ends else {0}
        first: set[str] = set()  # keys from a start of the name (pos 0)
        inside: set[str] = set()  # keys from any other syllable (pos 1, unless also first)
        tails = self._tails
        for start in range(ends):
            tail = syllables[start:]
            strings = tails.get(tail)
            if strings is None:
                # key_strings reads the syllables from the start on: the tails of common
                # endings (科技有限公司) come back again and again.
                strings = frozenset(key_strings(tail, 0))
                if len(tails) >= self._CACHE_LIMIT:
                    tails.clear()
                tails[tail] = strings
            (first if start in starts else inside).update(strings)
        keys = dict.fromkeys(inside, 1)
        keys.update(dict.fromkeys(first, 0))
        return keys


class _Builder:
    """Makes the rows; one instance per ``generate_demo_data`` call, inside one transaction."""

    def __init__(self, conn: Connection, rng: random.Random, today: dt.date, customers: int,
                 report: ProgressCallback) -> None:
        self.conn: Connection | None = conn
        self.writer: _Writer | None = _Writer(conn)
        self.rng = rng
        # A lane (see ``lanes``) makes every ``stride``-th id and number, from its own
        # ``lane`` on, and only the company names and serial numbers that hash to it.
        self.lane = 0
        self.stride = 1
        self._sequence_base: dict[tuple[str, str], int] = {}
        self.customers_wanted = customers
        self.report = report
        self.today = today
        try:
            self.start = today.replace(year=today.year - HISTORY_YEARS)
        except ValueError:  # 29 February
            self.start = today.replace(year=today.year - HISTORY_YEARS, day=28)
        self.days = (today - self.start).days  # day index of today; history ends the day before
        self.last_day = self.days - 1
        start_local = dt.datetime.combine(self.start, dt.time(), BEIJING)
        self.base = int(start_local.timestamp())
        self.cap = self.base + self.days * DAY  # today 00:00 in Beijing: nothing happens later
        first = self.start - dt.timedelta(days=_PAST_DAYS)
        self._dates = [first + dt.timedelta(days=i)
                       for i in range(_PAST_DAYS + self.days + _FUTURE_DAYS + 1)]
        self._periods: dict[int, str] = {}
        self.rows: dict[str, list[dict[str, Any]]] = {name: [] for name in INSERT_ORDER}
        self.values: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _VALUE_COLUMNS}
        self.counts: Counter[str] = Counter()
        self.ids: dict[str, int] = {}
        self.sequences: dict[tuple[str, str], int] = {}
        self.sequence_ids: dict[tuple[str, str], int] = {}
        self.names: set[str] = set()
        self.name_text = _NameKeys()
        self.names_made = 0
        self.serials: set[str] = set()
        self.monthly: dict[tuple[int, int, int], list[int]] = {}  # (owner, y, m) → [fen, margin]
        self.knowledge_by_kind: dict[str, list[tuple[int, int]]] = {}
        self.knowledge_used: Counter[int] = Counter()
        self._make_picks()

    # --- setup ----------------------------------------------------------------------------

    def _make_picks(self) -> None:
        self.surname = _Pick(W.SURNAMES)
        self.title = _Pick(W.CONTACT_TITLES)
        self.company_kind = _Pick((k, k[3]) for k in W.COMPANY_KINDS)
        self.institution = _Pick((k, k[2]) for k in W.INSTITUTION_KINDS)
        # Each template as (text, is a field) pieces: 北京市 {district} 区第 {n} 中学.
        self.templates: dict[str, tuple[tuple[str, bool], ...]] = {
            template: tuple((text, is_field) for literal, name, _spec, _conv in
                            string.Formatter().parse(template)
                            for text, is_field in ((literal, False), (name, True))
                            if text)
            for template, _industry, _weight in W.INSTITUTION_KINDS
        }
        self.district = _Pick(zip(W.DISTRICTS, W.DISTRICT_WEIGHTS, strict=True))
        self.device_model = _Pick(zip(W.DEVICE_MODELS, W.DEVICE_WEIGHTS, strict=True))
        self.small_device_model = _Pick(
            (d, w) for d, w in zip(W.DEVICE_MODELS, W.DEVICE_WEIGHTS, strict=True)
            if d[2] != "copier"
        )
        self.segment_source = {s: _Pick(v) for s, v in _SEGMENT_SOURCES.items()}
        self.segment_class = {s: _Pick(v) for s, v in _SEGMENT_CLASSES.items()}
        self.device_count = {s: _Pick(v) for s, v in _DEVICE_COUNTS.items()}
        self.salesperson_weights = (30, 28, 24, 18)
        self.rating = _Pick(((5, 55), (4, 30), (3, 10), (2, 3), (1, 2)))
        self.priority = _Pick((("normal", 65), ("high", 20), ("low", 8), ("urgent", 7)))
        self.contract_kind = _Pick((("full_service", 45), ("labour_only", 35), ("per_visit", 20)))
        self.knowledge_kind = _Pick((("laser", 35), ("copier", 30), ("dot", 10), ("inkjet", 5),
                                     ("pc", 20)))

    def prepare(self) -> None:
        """Read users, products, id maxima and number counters; add the product catalog."""
        conn = self.db
        users = dict(conn.execute(select(m.User.username, m.User.id)).all())
        self.user = users
        self.display = {users[u[1]]: u[3] for u in DEMO_USERS}
        self.clerks = [users["clerk1"], users["clerk2"]]
        self.sales = [users[f"sales{i}"] for i in range(1, 5)]
        self.techs = [users["tech1"], users["tech2"], users["tech3"]]
        self.lead = users["lead1"]
        self.office = users["office1"]
        self.manager = users["manager"]
        self.salesperson = _Pick(zip(self.sales, self.salesperson_weights, strict=True))
        self.technician = _Pick(((self.techs[0], 35), (self.techs[1], 30), (self.techs[2], 25),
                                 (self.lead, 10)))
        for name in (*INSERT_ORDER, "products", "knowledge_entries", "sales_plans"):
            table = _table(name)
            self.ids[name] = conn.execute(select(func.max(table.c.id))).scalar_one() or 0
        for seq_id, prefix, period, last in conn.execute(
            select(m.DocumentSequence.id, m.DocumentSequence.prefix, m.DocumentSequence.period,
                   m.DocumentSequence.last_value)
        ):
            self.sequences[(prefix, period)] = last
            self.sequence_ids[(prefix, period)] = seq_id
        if self.ids["customers"]:
            # Appending: keep new names and serial numbers apart from the existing ones.
            self.names.update(conn.execute(select(m.Customer.name_key)).scalars())
            self.serials.update(conn.execute(select(m.Device.serial_number)).scalars())
        self._prepare_products()

    def _prepare_products(self) -> None:
        have = {row.sku: row for row in self.db.execute(
            select(m.Product.id, m.Product.sku, m.Product.name, m.Product.category,
                   m.Product.cost_price, m.Product.list_price, m.Product.sales_points))}
        new_rows: list[dict[str, Any]] = []
        stamp = self.ts(0, OFFICE_OPEN)
        self.products: dict[str, _Product] = {}
        for sku, name, category, brand, model, unit, cost, price, points in W.PRODUCTS:
            if sku in have:
                row = have[sku]
                self.products[sku] = _Product(
                    row.id, sku, row.name, str(row.category), int(row.cost_price * 100),
                    int(row.list_price * 100), int(row.sales_points * 100))
                continue
            pid = self._next("products")
            self.products[sku] = _Product(pid, sku, name, category, cost, price,
                                          int(Decimal(points) * 100))
            new_rows.append({
                "id": pid, "sku": sku, "name": name, "pinyin_initials": pinyin_initials(name),
                "sort_key": sort_key(name),
                "category": category, "brand": brand, "model": model, "unit": unit,
                "cost_price": _yuan(cost), "list_price": _yuan(price),
                "sales_points": Decimal(points), "active": True, "notes": None,
                "version": 1, "created_at": stamp, "updated_at": stamp,
                "created_by_id": self.user["admin"], "updated_by_id": self.user["admin"],
            })
        self._write("products", new_rows)
        self._write("search_keys", [
            {"owner_kind": PRODUCT, "owner_id": row["id"], "term": key, "pos": pos,
             "sort_key": row["sort_key"]}
            for row in new_rows for key, pos in sorted(product_keys(row["name"]).items())])
        self.products_added = len(new_rows)
        contract_skus = set(_CONTRACT_PRODUCT.values())
        self.product_pick: dict[str, _Pick[_Product]] = {}
        for segment, shares in _SEGMENT_CATEGORIES.items():
            pairs: list[tuple[_Product, float]] = []
            for category, share in shares.items():
                members = [p for p in self.products.values()
                           if p.category == category and p.sku not in contract_skus]
                # Cheaper items sell more often.
                popularity = [1 / math.sqrt(max(p.price, 100) / 10000) for p in members]
                scale = share / sum(popularity)
                pairs.extend((p, w * scale) for p, w in zip(members, popularity, strict=True))
            self.product_pick[segment] = _Pick(pairs)
        self.consumables = [p for p in self.products.values() if p.category == "consumable"
                            and not p.sku.startswith("T-PAPER")]

    # --- primitives -----------------------------------------------------------------------

    @property
    def db(self) -> Connection:
        """The load's connection (a lane has none)."""
        assert self.conn is not None, "a lane of the generator has no connection"
        return self.conn

    def _next(self, table: str) -> int:
        self.ids[table] += self.stride
        return self.ids[table]

    def _mine(self, text: str) -> bool:
        """Whether a unique text (a company name, a serial number) may be made here: each
        lane makes those of its own hash, so two lanes never make the same one."""
        return self.stride == 1 or zlib.crc32(text.encode()) % self.stride == self.lane

    def date(self, day: int) -> dt.date:
        return self._dates[day + _PAST_DAYS]

    def sec(self, day: int, local_seconds: int) -> int:
        """Epoch seconds of a local (Beijing) time of day on a day index."""
        return self.base + day * DAY + local_seconds

    def ts(self, day: int, local_seconds: int) -> int:
        """A timestamp (epoch seconds, as every timestamp in the rows: _Writer stores them)
        at a local (Beijing) time of day on a day index."""
        return self.base + day * DAY + local_seconds

    def day_of(self, epoch: int) -> int:
        return (epoch - self.base) // DAY

    def working(self, epoch: int) -> int:
        """``epoch`` if the office is open then, else a moment after the next opening."""
        local = (epoch - self.base) % DAY
        if local < OFFICE_OPEN:
            return epoch - local + OFFICE_OPEN + _ri(self.rng, 0, 3600)
        if local > OFFICE_CLOSE:
            return epoch - local + DAY + OFFICE_OPEN + _ri(self.rng, 0, 3600)
        return epoch

    def later(self, epoch: int, low: int, high: int) -> int:
        """A working moment ``low`` to ``high`` seconds after ``epoch``, before today."""
        return min(self.working(epoch + _ri(self.rng, low, high)), self.cap - 60)

    def office_time(self) -> int:
        return _ri(self.rng, OFFICE_OPEN, OFFICE_CLOSE)

    def number(self, kind: str, day: int) -> str:
        """The next document number of ``kind`` on ``day``, as numbering.next_number makes it."""
        prefix = PREFIXES[kind]
        period = self._periods.get(day)
        if period is None:
            period = self._periods[day] = self.date(day).strftime("%Y%m%d")
        key = (prefix, period)
        last = self.sequences.get(key)
        value = (self._sequence_base.get(key, 0) + self.lane + 1 if last is None
                 else last + self.stride)
        self.sequences[key] = value
        return f"{prefix}-{period}-{value:04d}"

    def add(self, table: str, row: dict[str, Any]) -> None:
        self.rows[table].append(row)

    def _write(self, table: str, rows: list[dict[str, Any]]) -> None:
        assert self.writer is not None  # the builder on the load's connection, not a lane
        self.writer.write(_table(table), rows)
        self.counts[table] += len(rows)

    def take(self, encoder: _Encoder) -> list[_Batch]:
        """The rows made since the last ``take``, encoded for the database, in insert order."""
        batches: list[_Batch] = []
        for table in INSERT_ORDER:
            rows = self.rows[table]
            if rows:
                batches += encoder.rows(_table(table), rows)
                self.counts[table] += len(rows)
                self.rows[table] = []
            values = self.values.get(table)
            if values:
                batches += encoder.values(_table(table), _VALUE_COLUMNS[table], values)
                self.counts[table] += len(values)
                self.values[table] = []
        return batches

    def flush(self) -> None:
        assert self.writer is not None  # the builder on the load's connection, not a lane
        for batch in self.take(self.writer.encoder):
            self.writer.run(batch)

    # --- lanes ----------------------------------------------------------------------------

    def lanes(self, count: int, seed: int) -> list[_Builder]:
        """``count`` builders that make the customers between them, each with its own
        random numbers, so that they can run side by side (``_in_processes``) and still
        give the same rows as one after the other (``_in_turn``). They share nothing that
        changes: lane ``i`` makes the ids and document numbers ``i + 1``, ``i + 1 +
        count``, … after the current ones, and only the company names and serial numbers
        that hash to it (``_mine``). What adds up across customers (the months' sales for
        the plans, knowledge use, row counts) each keeps for itself, and ``absorb`` adds it
        to this builder's at the end."""
        made = []
        for index in range(count):
            lane = copy.copy(self)
            lane.conn = lane.writer = None
            lane.report = _no_progress
            lane.lane, lane.stride = index, count
            lane.rng = random.Random(f"{seed}/lane {index}")
            lane.ids = {table: last - count + index + 1 for table, last in self.ids.items()}
            lane._sequence_base = dict(self.sequences)
            lane.sequences = {}
            lane._periods = {}
            lane.rows = {name: [] for name in INSERT_ORDER}
            lane.values = {name: [] for name in _VALUE_COLUMNS}
            lane.counts = Counter()
            lane.names = set(self.names)
            lane.serials = set(self.serials)
            lane.name_text = _NameKeys()
            lane.names_made = 0
            lane.monthly = {}
            lane.knowledge_used = Counter()
            made.append(lane)
        return made

    def outcome(self) -> _LaneOutcome:
        """What a lane hands back when its customers are made."""
        return _LaneOutcome(dict(self.ids), dict(self.sequences), dict(self.monthly),
                            dict(self.knowledge_used), dict(self.counts))

    def absorb(self, outcome: _LaneOutcome) -> None:
        for table, last in outcome.ids.items():
            self.ids[table] = max(self.ids[table], last)
        for number, value in outcome.sequences.items():
            self.sequences[number] = max(self.sequences.get(number, 0), value)
        for month, (fen, margin) in outcome.monthly.items():
            bucket = self.monthly.setdefault(month, [0, 0])
            bucket[0] += fen
            bucket[1] += margin
        self.knowledge_used.update(outcome.knowledge_used)
        self.counts.update(outcome.counts)

    def person_name(self) -> str:
        return "".join(self.person_name_parts())

    def person_name_parts(self) -> tuple[str, str]:
        """A person's name as (surname, given name): 张 + 伟, 王 + 建国."""
        rng = self.rng
        given = W.GIVEN_CHARS
        if rng.random() < 0.3:
            return self.surname(rng), given[int(rng.random() * len(given))]
        return self.surname(rng), (given[int(rng.random() * len(given))]
                                   + given[int(rng.random() * len(given))])

    def brand(self) -> str:
        chars = W.BRAND_CHARS
        rng = self.rng
        first = chars[int(rng.random() * len(chars))]
        second = chars[int(rng.random() * len(chars))]
        while second == first:
            second = chars[int(rng.random() * len(chars))]
        return first + second

    def mobile(self) -> str:
        rng = self.rng
        head = _ch(rng, ("13", "13", "15", "18", "17", "19"))
        return f"{head}{_ri(rng, 0, 9)}{_ri(rng, 0, 99999999):08d}"

    def landline(self) -> str:
        return f"010-{_ch(self.rng, '65868')}{_ri(self.rng, 0, 9999999):07d}"

    def serial(self, pattern: str) -> str:
        rng = self.rng
        alnum = _SERIAL_ALNUM
        letters = alnum[:24]
        while True:
            if pattern == "hp":
                value = (_ch(rng, ("VNB", "CNB", "PHB", "JPB", "VNC", "CNC"))
                         + str(_ri(rng, 1, 9)) + letters[int(rng.random() * 24)]
                         + f"{_ri(rng, 0, 99999):05d}")
            elif pattern == "hppc":
                value = "CN" + "".join(_ch(rng, alnum) for _ in range(8))
            elif pattern == "canon":
                value = (_ch(rng, ("XUG", "QUY", "KCE", "WPN", "LBT", "XJK"))
                         + f"{_ri(rng, 0, 999999):06d}")
            elif pattern == "epson":
                value = (_ch(rng, ("Q7DY", "Q7DZ", "X3DR", "VGWK"))
                         + f"{_ri(rng, 0, 999999):06d}")
            elif pattern == "brother":
                value = (_ch(rng, ("E7", "U6", "E8")) + f"{_ri(rng, 0, 99999):05d}"
                         + letters[int(rng.random() * 24)] + f"{_ri(rng, 0, 999999):06d}")
            elif pattern == "kyocera":
                value = _ch(rng, ("LVX", "VCF", "R4P")) + f"{_ri(rng, 0, 9999999):07d}"
            elif pattern == "ricoh":
                value = _ch(rng, ("C86", "3100", "E335")) + f"{_ri(rng, 0, 9999999):07d}"
            elif pattern == "xerox":
                value = f"{_ri(rng, 0, 999999):06d}"
            elif pattern == "dell":
                value = "".join(_ch(rng, alnum) for _ in range(7))
            else:  # lenovo
                value = _ch(rng, ("PC", "PF", "MJ")) + "".join(
                    _ch(rng, alnum) for _ in range(6))
            if value not in self.serials and self._mine(value):
                self.serials.add(value)
                return value

    def tracked(self, created: int, by: int | None,
                updated: int | None = None, updated_by: int | None = None
                ) -> dict[str, Any]:
        return {"version": 1, "created_at": created, "updated_at": updated or created,
                "created_by_id": by, "updated_by_id": updated_by or by}

    # --- knowledge base -------------------------------------------------------------------

    def make_knowledge(self) -> None:
        rng = self.rng
        count = max(30, min(300, self.customers_wanted // 300))
        rows: list[dict[str, Any]] = []
        models_of: dict[str, list[str]] = {}
        for brand, model, kind, *_rest in W.DEVICE_MODELS:
            models_of.setdefault(kind, []).append(f"{brand} {model}")
        status_pick = _Pick((("approved", 70), ("pending", 15), ("draft", 8), ("rejected", 7)))
        for _ in range(count):
            kind = self.knowledge_kind(rng)
            model = _ch(rng, models_of[kind])
            symptom, cause, solution, part_sku, _job, _difficulty = _ch(rng, W.FAULTS[kind])
            day = _ri(rng, 0, self.last_day)
            status = status_pick(rng)
            if status in ("pending", "draft") and rng.random() < 0.7:
                day = max(0, self.last_day - _ri(rng, 0, 45))
            kid = self._next("knowledge_entries")
            created = self.sec(day, self.office_time())
            approved_at = None
            approved_by = None
            if status == "approved":
                approved = self.later(created, 3600, 10 * DAY)
                approved_at = approved
                approved_by = self.lead
                self.knowledge_by_kind.setdefault(kind, []).append((approved, kid))
            author = _ch(rng, (*self.techs, self.lead))
            part_name = self.products[part_sku].name if part_sku else None
            rows.append({
                "id": kid, "number": self.number("knowledge", day), "device_model": model,
                "symptom": symptom, "cause": cause,
                "solution": f"{solution}。处理后打印测试页确认正常。",
                "parts": part_name, "keywords": f"{model.split()[-1]} {symptom[:6]}",
                "status": status, "author_id": author, "approved_by_id": approved_by,
                "approved_at": approved_at, "times_used": 0,
                **self.tracked(created, author, approved_at, approved_by or author),
            })
        for entries in self.knowledge_by_kind.values():
            entries.sort()
        self._write("knowledge_entries", rows)
        self.report("knowledge", count, count)

    # --- one customer and its history -----------------------------------------------------

    def make_customer(self) -> None:
        rng = self.rng
        cust = self._customer_row()
        self._contacts(cust)
        self._addresses(cust)
        if cust.status != "prospect" or rng.random() < 0.2:
            self._devices(cust, prospect=cust.status == "prospect")
        if cust.status != "prospect":
            self._contracts(cust)
            self._tickets(cust)
        self._opportunities(cust)
        self._quotations(cust)
        if cust.status != "prospect":
            self._orders(cust)
        self._payments(cust)
        self._visits(cust)
        self._care(cust)
        if rng.random() < 0.04:
            self._customer_task(cust)

    def _customer_row(self) -> _Cust:
        rng = self.rng
        roll = rng.random()
        if roll < 0.2:
            segment = "person"
        elif roll < 0.2 + 0.8 * 0.04:
            segment = "dealer"
        elif roll < 0.2 + 0.8 * 0.44:
            segment = "key"
        else:
            segment = "store"
        # About a third of the customers were there when the system started.
        first = _ri(rng, 0, 20) if rng.random() < 0.3 else _ri(rng, 0, self.last_day)
        age = self.last_day - first
        if age < 60:
            status = "prospect" if rng.random() < 0.45 else "active"
        else:
            r = rng.random()
            status = ("prospect" if r < 0.08 else "active" if r < 0.72
                      else "dormant" if r < 0.92 else "lost")
        last = self.last_day
        lost_on = None
        if status == "dormant":
            last = max(first, self.last_day - _ri(rng, 180, 540))
        elif status == "lost":
            last = first + int((self.last_day - first) * rng.uniform(0.3, 0.9))
            lost_on = self.date(last)
        source = self.segment_source[segment](rng)
        customer_class = self.segment_class[segment](rng)
        if segment == "key":
            owner: int | None = self.salesperson(rng)
        else:
            owner = self.clerks[0] if rng.random() < 0.55 else self.clerks[1]
        if status == "prospect" and source == "web" and rng.random() < 0.3:
            owner = None  # a web lead waiting for management to assign it
        email = website = tax_number = None
        industry: str | None
        short_parts: tuple[str, ...] | None
        if segment == "person":
            kind = "person"
            parts: tuple[str, ...] = self.person_name_parts()
            name = "".join(parts)
            name_key = normalise_name(name)
            short = short_parts = None
            phone: str | None = self.mobile()
            industry = W.INDUSTRY_OF_PERSON
            if rng.random() < 0.3:
                email = f"{_ri(rng, 100000, 3999999999)}@qq.com"
        else:
            kind = "company"
            parts, short_parts, name_key, industry = self._company_name(segment)
            name, short = "".join(parts), "".join(short_parts)
            text = self.name_text.customer(parts, short_parts, kind)
            phone = self.landline() if rng.random() < 0.85 else self.mobile()
            # The name's own initials, less 北京 and 有限公司.
            initials = text.pinyin_initials.removeprefix("bj").removesuffix("yxgs") or "bj"
            if rng.random() < 0.4:
                email = f"{initials}@{_ch(rng, W.EMAIL_DOMAINS)}"
            if rng.random() < 0.2:
                website = f"www.{initials}{_ri(rng, 1, 99)}.com.cn"
            if rng.random() < 0.6:
                tax_number = "91110" + str(_ri(rng, 100, 119)) + "".join(
                    _ch(rng, _SERIAL_ALNUM) for _ in range(10))
        if kind == "person":
            text = self.name_text.customer(parts, None, kind)
        self._check_name(text, name, short, kind)
        cid = self._next("customers")
        created = self.ts(first, self.office_time())
        by = owner or self.office
        self.add("customers", {
            "id": cid, "code": self.number("customer", first), "kind": kind, "name": name,
            "short_name": short, "name_key": name_key,
            "pinyin_full": text.pinyin_full[:400], "pinyin_initials": text.pinyin_initials[:200],
            "core_initials": text.core_initials[:200],
            "short_initials": text.short_initials[:200] if text.short_initials else None,
            "sort_key": text.sort_key,
            "source": source, "customer_class": customer_class,
            "status": status, "owner_id": owner, "phone": phone,
            "phone_digits": phone_digits(phone), "email": email, "industry": industry,
            "tax_number": tax_number, "website": website,
            "notes": "系统上线时导入的老客户" if first <= 20 and rng.random() < 0.2 else None,
            "first_contact_on": self.date(first), "lost_on": lost_on,
            **self.tracked(created, by),
        })
        # Three quarters of all rows are these keys: added in one go, as tuples.
        values = self.values
        pinyin_order = text.sort_key
        values["search_keys"].extend([
            (CUSTOMER, cid, key, pos, pinyin_order) for key, pos in sorted(text.keys.items())])
        values["name_suffixes"].extend([
            (CUSTOMER, cid, suffix, pos, pinyin_order)
            for suffix, pos in sorted(customer_suffixes(name, short).items())])
        self.rows["phone_suffixes"].extend(phone_rows(cid, None, phone, sort_key=pinyin_order))
        return _Cust(cid, kind, segment, name, owner, source, status, first, last, phone,
                     pinyin_order)

    def _check_name(self, text: _NameText, name: str, short: str | None, kind: str) -> None:
        """Compare a sample of the names' columns and keys with textkeys' own: the first
        few and every thousandth. They are put together from the names' parts
        (:class:`_NameKeys`); a difference is a bug there, not something to store."""
        self.names_made += 1
        if self.names_made > 20 and self.names_made % 1000:
            return
        if text != _NameKeys.direct(name, short, kind):
            raise RuntimeError(f"the demo's search keys of {name!r} differ from app.textkeys'")

    def trade_name(self, *, long: bool) -> tuple[str, ...]:
        """A trade name (字号) of two characters (鑫锐) or, ``long``, four (鑫锐恒达)."""
        first = self.brand()
        if not long:
            return (first,)
        while True:
            second = self.brand()
            if second[0] not in first and second[1] not in first:
                return first, second

    def _company_name(self, segment: str
                      ) -> tuple[tuple[str, ...], tuple[str, ...], str, str]:
        """A new company or institution name: (name parts, short name parts, name_key,
        industry). The name is the parts joined (北京 + 鑫锐 + 科技 + 有限公司).

        Trade names have two characters, some four; once two tries are taken (a large
        demo uses up the two-character names of the common kinds) they have four, of
        which there are millions.
        """
        rng = self.rng
        attempt = 0  # names of this lane that were taken already
        for _try in range(50 * 4 * self.stride):
            if segment != "dealer" and rng.random() < 0.08:
                template, industry, _w = self.institution(rng)
                values = {"district": self.district(rng)[0], "brand": self.brand(),
                          "n": str(_ri(rng, 1, 200))}
                parts = tuple(values[text] if is_field else text
                              for text, is_field in self.templates[template])
                # The short name leaves out 北京市 or 北京.
                short = parts[1:] if parts[0] in ("北京市", "北京") else parts
            else:
                ending, short_ending, industry, _w = self.company_kind(rng)
                if segment == "dealer":
                    ending, short_ending, industry = "电子有限公司", "电子", "电子产品"
                brand = self.trade_name(long=attempt >= 2 or rng.random() < LONG_TRADE_NAMES)
                legal: tuple[str, ...] = ()
                if ending.endswith("有限公司") and ending != "有限公司":
                    ending, legal = ending.removesuffix("有限公司"), ("有限公司",)
                roll = rng.random()
                if roll < 0.15:
                    parts = ("北京", _ch(rng, W.PLACE_WORDS), *brand, ending, *legal)
                elif roll < 0.22 and legal:
                    parts = (*brand, ending, "（", "北京", "）", *legal)
                else:
                    parts = ("北京", *brand, ending, *legal)
                short = (*brand, short_ending)
            key = normalise_name("".join(parts))
            if not self._mine(key):
                continue
            if key not in self.names:
                self.names.add(key)
                return parts, short, key, industry
            attempt += 1
            if attempt == 50:
                break
        raise RuntimeError("ran out of distinct company names")  # pragma: no cover

    def _contacts(self, cust: _Cust) -> None:
        rng = self.rng
        if cust.kind == "person":
            count = 1 if rng.random() < 0.25 else 0
        else:
            r = rng.random()
            count = 1 if r < 0.45 else 2 if r < 0.8 else 3
        for position in range(count):
            contact_id = self._next("contacts")
            if cust.kind == "person":
                name, title = cust.name, None
                phone, mobile = None, cust.phone
            else:
                name, title = self.person_name(), self.title(rng)
                phone = cust.phone if rng.random() < 0.5 else None
                if phone and phone.startswith("010") and rng.random() < 0.3:
                    phone = f"{phone}-{_ri(rng, 800, 8999)}"
                mobile = self.mobile() if rng.random() < 0.85 else None
            birthday = None
            if rng.random() < 0.35:
                birthday = dt.date(_ri(rng, 1965, 1998), _ri(rng, 1, 12), _ri(rng, 1, 28))
                cust.contact_birthdays.append((contact_id, name, birthday))
            created = self.ts(cust.first, OFFICE_OPEN + 600 * position)
            self.add("contacts", {
                "id": contact_id, "customer_id": cust.id, "name": name, "title": title,
                "phone": phone, "phone_digits": phone_digits(phone),
                "mobile": mobile, "mobile_digits": phone_digits(mobile),
                "email": f"{_ri(rng, 100000, 3999999999)}@qq.com" if rng.random() < 0.3
                else None,
                "birthday": birthday, "is_primary": position == 0, "notes": None,
                **self.tracked(created, cust.owner or self.office),
            })
            self.rows["phone_suffixes"].extend(phone_rows(cust.id, contact_id, phone, mobile,
                                                         sort_key=cust.pinyin_order))
            cust.contacts.append(contact_id)

    def _addresses(self, cust: _Cust) -> None:
        rng = self.rng
        if cust.kind == "person" and rng.random() < 0.3:
            return
        kinds = ["office" if cust.kind == "company" else "delivery"]
        if cust.segment == "key" and rng.random() < 0.08:
            kinds.append(_ch(rng, ("billing", "site")))
        created = self.ts(cust.first, OFFICE_OPEN)
        for position, kind in enumerate(kinds):
            district, postal, streets = self.district(rng)
            street = f"{_ch(rng, streets)}{_ri(rng, 1, 199)}号"
            if cust.kind == "company" or rng.random() < 0.5:
                street += (f"{self.brand()}{_ch(rng, W.BUILDING_WORDS)}"
                           f"{_ri(rng, 1, 25)}{_ri(rng, 1, 30):02d}室")
            if position == 0:
                cust.street = f"北京市{district}区{street}"
            self.add("addresses", {
                "id": self._next("addresses"), "customer_id": cust.id, "kind": kind,
                "city": "北京市", "district": f"{district}区", "street": street,
                "postal_code": postal, "is_default": position == 0,
                **self.tracked(created, cust.owner or self.office),
            })

    def _devices(self, cust: _Cust, *, prospect: bool) -> None:
        rng = self.rng
        count = 1 if prospect else self.device_count[cust.segment](rng)
        for _ in range(count):
            pick = self.small_device_model if cust.kind == "person" else self.device_model
            brand, model, kind, pattern, sku, low, high = pick(rng)
            install = _ri(rng, max(-_PAST_DAYS + 1, cust.first - 700), cust.last)
            if install < cust.first and rng.random() < 0.5:
                install = _ri(rng, cust.first, cust.last)
            device_id = self._next("devices")
            status = "retired" if install < self.last_day - 900 and rng.random() < 0.3 else "in_use"
            created_day = max(cust.first, min(install, cust.last))
            row = {
                "id": device_id, "customer_id": cust.id,
                "product_id": self.products[sku].id if sku else None,
                "brand": brand, "model": model, "serial_number": self.serial(pattern),
                "install_date": self.date(install),
                "location": "家中" if cust.kind == "person" else _ch(rng, W.SITE_LOCATIONS),
                "status": status, "notes": None,
                **self.tracked(self.ts(created_day, self.office_time()),
                               cust.owner or self.lead),
            }
            self.add("devices", row)
            device = _Device(device_id, kind, f"{brand} {model}", install,
                             _ri(rng, low, high) if high else 0, row)
            cust.devices.append(device)
            if device.rate and rng.random() < 0.15:
                for _reading in range(_ri(rng, 1, 2)):
                    day = _ri(rng, max(install, cust.first), cust.last)
                    self._meter_reading(device, day, None, _ch(rng, (*self.techs, self.lead)))

    def _meter_reading(self, device: _Device, day: int, ticket_id: int | None,
                       by: int) -> int:
        # A counter that only grows: pages per day times the days in use (5 of 7 worked).
        value = 3000 + device.rate * max(0, day - device.install) * 5 // 7
        self.add("meter_readings", {
            "id": self._next("meter_readings"), "device_id": device.id,
            "read_at": self.ts(day, self.office_time()), "value": value,
            "service_ticket_id": ticket_id, "recorded_by_id": by,
        })
        return value

    def _contracts(self, cust: _Cust) -> None:
        rng = self.rng
        printers = [d for d in cust.devices if d.kind in ("copier", "laser", "dot")]
        if not printers or cust.segment not in ("key", "store"):
            return
        chance = 0.25 if cust.segment == "key" else 0.06
        if rng.random() >= chance:
            return
        start = _ri(rng, cust.first, min(cust.last, cust.first + 365))
        kind = self.contract_kind(rng)
        previous: _Contract | None = None
        owner = cust.owner or self.lead
        while start <= cust.last:
            years = 2 if rng.random() < 0.1 else 1
            end = (_add_years(self.date(start), years) - self.start).days - 1
            covered = [d for d in printers if d.install <= start + 30]
            if not covered:
                covered = printers[:1]
            terminated = rng.random() < 0.03
            renew = not terminated and rng.random() < 0.85 and end + 1 <= cust.last
            if terminated:
                status = "terminated"
            elif end < self.last_day:
                status = "renewed" if renew else "expired"
            else:
                status = "active"
            sign_day = max(cust.first, start - _ri(rng, 0, 10))
            contract_id = self._next("service_contracts")
            product = self.products[_CONTRACT_PRODUCT[kind]]
            quantity = len(covered) * years if kind != "per_visit" else years
            discount = _ch(rng, (0, 0, 5, 10)) if cust.segment == "key" else 0
            fee = (quantity * product.price * (100 - discount) + 50) // 100
            sla = {"full_service": _ch(rng, (4, 8)), "labour_only": _ch(rng, (8, 24)),
                   "per_visit": 24}[kind]
            created = self.ts(sign_day, self.office_time())
            number = self.number("contract", sign_day)
            self.add("service_contracts", {
                "id": contract_id, "number": number, "customer_id": cust.id,
                "owner_id": owner, "kind": kind, "status": status,
                "starts_on": self.date(start), "ends_on": self.date(end),
                "included_visits": {"full_service": 12, "labour_only": 4, "per_visit": 6}[kind]
                * years, "fee": _yuan(fee), "sla_response_hours": sla,
                "renewed_from_id": previous.id if previous else None,
                "notes": "续签合同" if previous else None,
                **self.tracked(created, owner),
            })
            for device in covered:
                self.add("contract_devices", {"id": self._next("contract_devices"),
                                              "contract_id": contract_id,
                                              "device_id": device.id})
            contract = _Contract(contract_id, kind, start, end, sla,
                                 {d.id for d in covered}, status)
            cust.contracts.append(contract)
            # The contract fee is invoiced as an order of the matching service product.
            self._order(cust, sign_day, [(product, quantity, product.price, discount)],
                        note=f"服务合同 {number}", fully_paid=True)
            if not renew:
                break
            previous = contract
            start = end + 1

    def _tickets(self, cust: _Cust) -> None:
        rng = self.rng
        for device in cust.devices:
            begin = max(device.install, cust.first)
            if begin > cust.last:
                continue
            years = (cust.last - begin + 1) / 365
            covered = any(device.id in c.device_ids for c in cust.contracts)
            lam = _TICKET_RATE[device.kind] * years * (1.5 if covered else 1.0)
            for _ in range(_poisson(rng, lam)):
                self._ticket(cust, device, _ri(rng, begin, cust.last))
        if rng.random() < 0.03:
            self._ticket(cust, None, _ri(rng, cust.first, cust.last))
        # Work in hand at the repair station: machines handed in over the last few days.
        recent = [d for d in cust.devices if d.install <= self.last_day - 3]
        if recent and cust.last >= self.last_day - 3 and rng.random() < 0.05:
            self._ticket(cust, _ch(rng, recent), _ri(rng, self.last_day - 3, self.last_day))

    def _ticket(self, cust: _Cust, device: _Device | None, day: int) -> None:
        rng = self.rng
        kind = device.kind if device else "pc"
        symptom, cause, solution, part_sku, job_type, difficulty = _ch(rng, W.FAULTS[kind])
        contract = None
        if device is not None:
            for c in cust.contracts:
                if c.start <= day <= c.end and device.id in c.device_ids:
                    contract = c
                    break
        roll = rng.random()
        if contract is not None or kind == "copier" or job_type == "on_site_repair":
            channel = "phone" if roll < 0.7 else "on_site_request"
            mode = "on_site"
        elif roll < 0.55:
            channel, mode = "walk_in", "bring_in"
        elif roll < 0.85:
            channel, mode = "phone", "bring_in" if rng.random() < 0.4 else "on_site"
        else:
            channel, mode = "on_site_request", "on_site"
        if job_type == "bench_repair" and mode == "on_site":
            job_type = "on_site_repair"
        priority = self.priority(rng)
        if contract is not None and priority == "low":
            priority = "normal"
        received = self.sec(day, self.office_time())
        if contract is not None:
            sla = contract.sla_hours
        else:
            sla = {"urgent": 8, "high": 24, "normal": 48, "low": 72}[priority]
        due = received + sla * 3600
        if channel == "walk_in":
            intake = _ch(rng, (self.clerks[0], self.clerks[1], self.lead))
        else:
            intake = self.lead if rng.random() < 0.6 else self.office
        technician = self.technician(rng)
        chargeable = True
        if contract is not None and contract.kind in ("full_service", "per_visit"):
            chargeable = False
        elif (contract is None and device is not None and device.row["product_id"]
              and 0 <= day - device.install < 365 and rng.random() < 0.3):
            chargeable = False  # under the one-year warranty
        # The full path this job would take, then cut at "now".
        path: list[tuple[str, int, int, str | None]] = [("received", received, intake, None)]
        t = started = completed = received
        if rng.random() < 0.03:
            t = self.working(t + _ri(rng, 1800, 2 * DAY))
            path.append(("cancelled", t, intake, "客户取消报修"))
        else:
            t = self.working(t + _ri(rng, 1800, 4 * 3600))
            tech_name = self.display[technician]
            path.append(("dispatched", t, self.lead, f"派工给 {tech_name}"))
            t = self.working(t + _ri(rng, 1800, DAY))
            started = t
            path.append(("in_repair", t, technician, None))
            if part_sku and rng.random() < 0.35:
                t = self.working(t + _ri(rng, 1800, 3 * 3600))
                part = self.products[part_sku].name
                path.append(("waiting_parts", t, technician, f"等待配件：{part}"))
                wait = _ri(rng, DAY, 3 * DAY)
                if rng.random() < 0.08:
                    wait += _ri(rng, 5, 15) * DAY  # the supplier was slow
                t = self.working(t + wait)
                path.append(("in_repair", t, technician, "配件到货"))
            t = self.working(t + _ri(rng, 1800, 6 * 3600))
            completed = t
            path.append(("done", t, technician, "维修完成"))
            if mode == "bring_in":
                t = self.working(t + _ri(rng, 1800, _ch(rng, (1, 1, 2, 5)) * DAY))
                path.append(("picked_up", t, _ch(rng, self.clerks), "客户已取机"))
            t = self.working(t + _ri(rng, 1800, 2 * DAY))
            path.append(("closed", t, self.lead if rng.random() < 0.6 else self.office, None))
        while path[-1][1] >= self.cap:
            path.pop()
        stamps: dict[str, int] = {}
        for step, at, _by, _note in path:
            stamps.setdefault(step, at)  # the first time in_repair is when work started
        status = path[-1][0]
        ticket_id = self._next("service_tickets")
        charge = 0
        record: dict[str, Any] | None = None
        if "done" in stamps:
            charge, record = self._repair_record(
                cust, device, ticket_id, technician, kind,
                (symptom, cause, solution, part_sku, job_type, difficulty),
                started, completed, due, chargeable, contract)
        paid = 0
        if charge and status in ("picked_up", "closed") and rng.random() < 0.92:
            paid = charge
            pay_day = self.day_of(stamps.get("picked_up", stamps.get("closed", completed)))
            cust.intents.append(("ticket", ticket_id, charge, pay_day, intake))
        scheduled = stamps.get("in_repair") if mode == "on_site" else None
        self.add("service_tickets", {
            "id": ticket_id, "number": self.number("service_ticket", day),
            "customer_id": cust.id,
            "contact_id": _ch(rng, cust.contacts) if cust.contacts else None,
            "device_id": device.id if device else None,
            "contract_id": contract.id if contract else None,
            "channel": channel, "mode": mode, "priority": priority, "status": status,
            "symptoms": symptom if device else f"笔记本电脑：{symptom}",
            "accessories": _ch(rng, W.ACCESSORIES) if mode == "bring_in" else None,
            "condition": _ch(rng, W.CONDITIONS) if mode == "bring_in" else None,
            "chargeable": chargeable, "received_at": received, "due_at": due,
            "expected_on": self.date(self.day_of(due)) if mode == "bring_in" else None,
            "intake_by_id": intake,
            "technician_id": technician if "dispatched" in stamps else None,
            "scheduled_at": scheduled if scheduled else None,
            "site_address": cust.street if mode == "on_site" else None,
            "dispatched_at": stamps.get("dispatched"),
            "started_at": stamps.get("in_repair"),
            "completed_at": stamps.get("done"),
            "picked_up_at": stamps.get("picked_up"),
            "closed_at": stamps.get("closed") or stamps.get("cancelled"),
            "total_charge": _yuan(charge), "paid_amount": _yuan(paid),
            **self.tracked(received, intake, path[-1][1], path[-1][2]),
        })
        previous: str | None = None
        for to_status, at, by, note in path:
            self.add("ticket_events", {
                "id": self._next("ticket_events"), "ticket_id": ticket_id, "at": at,
                "by_id": by, "from_status": previous, "to_status": to_status, "note": note,
            })
            previous = to_status
        if record is not None:
            self.add("repair_records", record)
            if device is not None and device.rate:
                value = self._meter_reading(device, self.day_of(stamps["done"]), ticket_id,
                                            technician)
                record["meter_reading"] = value
        if device is not None and mode == "bring_in" and status in (
            "received", "dispatched", "in_repair", "waiting_parts", "done"
        ):
            device.row["status"] = "in_repair"
        if "done" in stamps and rng.random() < 0.05:
            self._opportunity(cust, self.day_of(stamps["done"]), reneed=(ticket_id, technician))

    def _repair_record(
        self, cust: _Cust, device: _Device | None, ticket_id: int, technician: int, kind: str,
        fault: tuple[str, str, str, str | None, str, int], started: int, completed: int,
        due: int, chargeable: bool, contract: _Contract | None,
    ) -> tuple[int, dict[str, Any]]:
        rng = self.rng
        _symptom, cause, solution, part_sku, job_type, difficulty = fault
        if job_type == "bench_repair" and device is not None and kind == "copier":
            job_type = "on_site_repair"
        record_id = self._next("repair_records")
        parts: list[tuple[_Product, int]] = []
        if part_sku:
            parts.append((self.products[part_sku], 1))
        if kind in ("laser", "copier") and rng.random() < 0.2:
            parts.append((_ch(rng, self.consumables), 1))
        parts_price = parts_cost = 0
        for product, quantity in parts:
            parts_price += product.price * quantity
            parts_cost += product.cost * quantity
            self.add("repair_parts", {
                "id": self._next("repair_parts"), "repair_record_id": record_id,
                "product_id": product.id, "description": product.name,
                "quantity": Decimal(quantity), "unit_cost": _yuan(product.cost),
                "unit_price": _yuan(product.price),
            })
        labour = 0
        if chargeable and not (contract is not None and contract.kind == "labour_only"):
            labour = {1: 8000, 2: 15000, 3: 25000}[difficulty] + (
                5000 if job_type == "on_site_repair" else 0)
        charge = labour + parts_price if chargeable else 0
        rating = None if rng.random() < 0.15 else self.rating(rng)
        on_time = completed <= due
        score = _JOB_SCORE[job_type] * (4 + difficulty - 1) // 4
        if rating is not None:
            score += (rating - 3) * 50
        score += 100 if on_time else -100
        score = max(score, 50)
        knowledge_id = None
        entries = self.knowledge_by_kind.get(kind)
        if entries and rng.random() < 0.25:
            usable = bisect.bisect_right(entries, (completed, 1 << 62))
            if usable:
                knowledge_id = entries[int(rng.random() * usable)][1]
                self.knowledge_used[knowledge_id] += 1
        age_days = (self.cap - completed) // DAY
        if age_days > 5:
            r = rng.random()
            confirm = "confirmed" if r < 0.95 else "returned" if r < 0.97 else "submitted"
        else:
            confirm = "submitted" if rng.random() < 0.7 else "draft"
        confirmed_at = None
        if confirm in ("confirmed", "returned"):
            confirmed_at = self.later(completed, 3600, 3 * DAY)
        return charge, {
            "id": record_id, "ticket_id": ticket_id, "technician_id": technician,
            "work_done": solution, "cause": cause,
            "result": "已修复，测试正常" if rng.random() < 0.9 else "已处理，建议观察使用",
            "job_type": job_type, "difficulty": difficulty,
            "labour_minutes": (completed - started) // 60 if completed - started < 8 * 3600
            else _ri(rng, 30, 240),
            "labour_amount": _yuan(labour), "parts_amount": _yuan(parts_price),
            "parts_cost": _yuan(parts_cost), "customer_rating": rating, "on_time": on_time,
            "service_score": _yuan(score), "knowledge_entry_id": knowledge_id,
            "meter_reading": None, "completed_at": completed,
            "confirm_status": confirm, "confirmed_at": confirmed_at,
            "return_comment": "请补充故障原因" if confirm == "returned" else None,
            "confirmed_by_id": self.lead if confirmed_at else None,
            **self.tracked(completed, technician, confirmed_at,
                           self.lead if confirmed_at else technician),
        }

    # --- sales ----------------------------------------------------------------------------

    def _lines(self, cust: _Cust, count: int, *, deal: bool = False
               ) -> list[tuple[_Product, int, int, int]]:
        """(product, quantity, unit price in fen, discount percent) for an order or quote.

        ``deal`` lines are for an opportunity: mostly machines rather than toner.
        """
        rng = self.rng
        pick = self.product_pick["deal" if deal else cust.segment]
        chosen: list[_Product] = []
        for _ in range(count * 3):
            product = pick(rng)
            if product not in chosen:
                chosen.append(product)
                if len(chosen) == count:
                    break
        lines = []
        segment = cust.segment
        for product in chosen:
            category = product.category
            if category == "consumable":
                quantity = {"person": _ri(rng, 1, 2), "store": _ri(rng, 1, 5),
                            "key": _ri(rng, 1, 12), "dealer": _ri(rng, 10, 60)}[segment]
            elif category in ("printer", "pc"):
                if segment == "key":
                    quantity = _ri(rng, 5, 20) if rng.random() < 0.1 else _ri(rng, 1, 3)
                elif segment == "dealer":
                    quantity = _ri(rng, 2, 10)
                else:
                    quantity = 2 if rng.random() < 0.15 else 1
            else:
                quantity = _ri(rng, 1, 2)
            price = product.price
            discount = 0
            if segment == "key":
                discount = _ch(rng, (0, 0, 3, 5, 8, 10))
            elif segment == "dealer":
                discount = _ri(rng, 12, 20)
            elif rng.random() < 0.1:
                price = max(product.cost + 100, price * 95 // 10000 * 100)  # round yuan
            if price * (100 - discount) < product.cost * 100:
                discount = 0
            lines.append((product, quantity, price, discount))
        return lines

    def _line_count(self) -> int:
        r = self.rng.random()
        return 1 if r < 0.35 else 2 if r < 0.7 else 3 if r < 0.9 else _ri(self.rng, 4, 5)

    def _quotation(self, cust: _Cust, day: int, status: str,
                   opportunity_id: int | None) -> tuple[int, list[tuple[_Product, int, int, int]],
                                                        int]:
        rng = self.rng
        quotation_id = self._next("quotations")
        lines = self._lines(cust, self._line_count(), deal=opportunity_id is not None)
        total = 0
        for position, (product, quantity, price, discount) in enumerate(lines, start=1):
            line_total = (quantity * price * (100 - discount) + 50) // 100
            total += line_total
            self.add("quotation_lines", {
                "id": self._next("quotation_lines"), "quotation_id": quotation_id,
                "position": position, "product_id": product.id, "description": product.name,
                "quantity": Decimal(quantity), "unit_price": _yuan(price),
                "discount_percent": Decimal(discount), "line_total": _yuan(line_total),
            })
        owner = cust.owner or self.clerks[0]
        self.add("quotations", {
            "id": quotation_id, "number": self.number("quotation", day), "customer_id": cust.id,
            "contact_id": _ch(rng, cust.contacts) if cust.contacts else None,
            "owner_id": owner, "opportunity_id": opportunity_id, "status": status,
            "quoted_on": self.date(day), "valid_until": self.date(day + _ch(rng, (15, 30))),
            "total_amount": _yuan(total), "terms": _ch(rng, W.QUOTATION_TERMS), "notes": None,
            **self.tracked(self.ts(day, self.office_time()), owner),
        })
        return quotation_id, lines, total

    def _opportunities(self, cust: _Cust) -> None:
        rng = self.rng
        years = (cust.last - cust.first + 1) / 365
        lam = _RATES[cust.segment][3] * years
        if cust.status == "prospect" and cust.kind == "company":
            lam += 0.6
        for _ in range(_poisson(rng, lam)):
            self._opportunity(cust, _ri(rng, cust.first, cust.last), reneed=None)

    def _opportunity(self, cust: _Cust, day: int, reneed: tuple[int, int] | None) -> None:
        rng = self.rng
        age = self.last_day - day
        if age > 60:
            won = cust.status != "prospect" and rng.random() < 0.45
            stage = "won" if won else "lost"
        else:
            r = rng.random()
            stage = ("new" if r < 0.25 else "qualified" if r < 0.5 else "proposal" if r < 0.75
                     else "negotiation" if r < 0.9 else "won" if r < 0.95 else "lost")
            if stage == "won" and cust.status == "prospect":
                stage = "negotiation"
        opportunity_id = self._next("opportunities")
        owner = cust.owner
        if stage == "new" and (age <= 5 if reneed is not None else rng.random() < 0.5):
            owner = None  # a recent lead waiting in management's routing queue
        end = max(cust.last, day)
        quote_day = min(day + _ri(rng, 3, 20), end)
        close_day = min(quote_day + _ri(rng, 5, 30), end)
        expected = 0
        quotation: tuple[int, list[tuple[_Product, int, int, int]], int] | None = None
        has_quote = stage in ("proposal", "negotiation", "won") or (
            stage == "lost" and rng.random() < 0.7)
        if has_quote:
            quote_status = {"proposal": "sent", "negotiation": _ch(rng, ("sent", "accepted")),
                            "won": "converted",
                            "lost": _ch(rng, ("rejected", "rejected", "expired"))}[stage]
            if stage == "proposal" and self.last_day - quote_day < 3:
                quote_status = "draft"
            quotation = self._quotation(cust, quote_day, quote_status, opportunity_id)
            expected = quotation[2]
        else:
            expected = _ri(rng, 2, 200) * 100000  # 2 000 to 200 000 yuan
        if reneed is not None:
            title = _ch(rng, W.RENEED_NOTES)[:40]
            source = "service_reneed"
            credited: int | None = reneed[1]
            description: str | None = "维修工程师在服务中发现的客户需求"
        else:
            title = _ch(rng, W.OPPORTUNITY_TITLES)
            source = cust.source
            credited = owner
            description = None
        closed = stage in ("won", "lost")
        created_by = reneed[1] if reneed else (owner or self.office)
        self.add("opportunities", {
            "id": opportunity_id, "number": self.number("opportunity", day),
            "customer_id": cust.id, "title": title, "source": source, "stage": stage,
            "expected_amount": _yuan(expected), "probability": _STAGE_PROBABILITY[stage],
            "expected_close_on": self.date(close_day if closed else
                                           self.last_day + _ri(rng, 7, 90)),
            "owner_id": owner, "credited_user_id": credited,
            "service_ticket_id": reneed[0] if reneed else None,
            "description": description,
            "closed_at": self.ts(close_day, self.office_time()) if closed else None,
            "lost_reason": _ch(rng, W.LOST_REASONS) if stage == "lost" else None,
            **self.tracked(self.ts(day, self.office_time()), created_by),
        })
        if stage == "won" and quotation is not None:
            self._order(cust, close_day, quotation[1], quotation_id=quotation[0],
                        opportunity_id=opportunity_id)

    def _quotations(self, cust: _Cust) -> None:
        rng = self.rng
        years = (cust.last - cust.first + 1) / 365
        for _ in range(_poisson(rng, _RATES[cust.segment][2] * years)):
            day = _ri(rng, cust.first, cust.last)
            age = self.last_day - day
            r = rng.random()
            if age > 30:
                status = "converted" if r < 0.4 else "expired" if r < 0.75 else "rejected"
            else:
                status = ("draft" if r < 0.15 else "sent" if r < 0.6 else "accepted" if r < 0.8
                          else "converted" if r < 0.95 else "rejected")
            if cust.status == "prospect" and status == "converted":
                status = "expired" if age > 30 else "sent"
            quotation_id, lines, _total = self._quotation(cust, day, status, None)
            if status == "converted":
                self._order(cust, min(day + _ri(rng, 1, 10), cust.last), lines,
                            quotation_id=quotation_id)

    def _orders(self, cust: _Cust) -> None:
        rng = self.rng
        years = (cust.last - cust.first + 1) / 365
        count = _poisson(rng, _RATES[cust.segment][1] * years)
        if cust.status != "prospect" and count == 0 and not cust.contracts and rng.random() < 0.5:
            count = 1  # an active customer has bought something
        for _ in range(count):
            day = _ri(rng, cust.first, cust.last)
            self._order(cust, day, self._lines(cust, self._line_count()))

    def _order(self, cust: _Cust, day: int, lines: Sequence[tuple[_Product, int, int, int]], *,
               quotation_id: int | None = None, opportunity_id: int | None = None,
               note: str | None = None, fully_paid: bool = False) -> None:
        rng = self.rng
        order_id = self._next("orders")
        total = cost = points = 0
        for position, (product, quantity, price, discount) in enumerate(lines, start=1):
            line_total = (quantity * price * (100 - discount) + 50) // 100
            line_cost = quantity * product.cost
            line_points = quantity * product.points
            total += line_total
            cost += line_cost
            points += line_points
            self.add("order_lines", {
                "id": self._next("order_lines"), "order_id": order_id, "position": position,
                "product_id": product.id, "description": product.name,
                "quantity": Decimal(quantity), "unit_price": _yuan(price),
                "discount_percent": Decimal(discount), "line_total": _yuan(line_total),
                "unit_cost": _yuan(product.cost), "line_cost": _yuan(line_cost),
                "sales_points": _yuan(line_points),
            })
            if product.category == "consumable" and product.sku.startswith("T-") and (
                cust.last_consumable is None or cust.last_consumable[0] <= day
            ):
                cust.last_consumable = (day, order_id, product.id)
        age = self.last_day - day
        r = rng.random()
        if fully_paid:
            status = "completed" if age > 3 else "confirmed"
        elif age > 30:
            status = "completed" if r < 0.88 else "cancelled" if r < 0.92 else "delivered"
        elif age >= 7:
            status = ("completed" if r < 0.5 else "delivered" if r < 0.9
                      else "confirmed" if r < 0.98 else "cancelled")
        else:
            status = ("draft" if r < 0.15 else "confirmed" if r < 0.6
                      else "delivered" if r < 0.85 else "completed")
        owner = cust.owner or self.clerks[0]
        created = self.sec(day, self.office_time())
        if status == "draft":
            confirm = "returned" if rng.random() < 0.1 else "draft"
        elif age < 3 and rng.random() < 0.6:
            confirm = "submitted"
        else:
            confirm = "confirmed"
        confirmed_at = None
        if confirm in ("confirmed", "returned"):
            confirmed_at = self.later(created, 1800, 2 * DAY)
        # What gets paid, when.
        credit = cust.segment in ("key", "dealer")
        paid = 0
        payments: list[tuple[int, int]] = []  # (fen, day)
        pay_day = day + _ri(rng, 5, 60) if credit else day
        if status == "completed" or fully_paid:
            if total > 2000000 and rng.random() < 0.3:
                first = total // 2 // 100 * 100  # a deposit, the rest on delivery or later
                payments = [(first, day), (total - first, max(pay_day, day + _ri(rng, 3, 20)))]
            else:
                payments = [(total, pay_day)]
        elif status == "delivered":
            if rng.random() < 0.5:
                payments = [(max(100, total * _ri(rng, 3, 7) // 10 // 100 * 100), pay_day)]
        elif status == "confirmed" and rng.random() < 0.2:
            payments = [(max(100, total * 3 // 10 // 100 * 100), day)]
        for planned_fen, planned_day in payments:
            amount = min(planned_fen, total - paid)
            if amount <= 0:
                continue
            paid += amount
            when = min(max(planned_day, day), self.last_day)
            cust.intents.append(("order", order_id, amount, when, owner))
        if status != "cancelled":
            month = self.date(day)
            key = (owner, month.year, month.month)
            bucket = self.monthly.setdefault(key, [0, 0])
            bucket[0] += total
            bucket[1] += total - cost
        self.add("orders", {
            "id": order_id, "number": self.number("order", day), "customer_id": cust.id,
            "contact_id": _ch(rng, cust.contacts) if cust.contacts else None,
            "owner_id": owner, "quotation_id": quotation_id, "opportunity_id": opportunity_id,
            "status": status, "ordered_on": self.date(day),
            "due_on": self.date(day + 30) if credit else self.date(day),
            "customer_source": cust.source, "total_amount": _yuan(total),
            "total_cost": _yuan(cost), "total_points": _yuan(points), "paid_amount": _yuan(paid),
            "delivery_address": cust.street if cust.kind == "company" else None,
            "notes": note or (_ch(rng, W.ORDER_NOTES) if rng.random() < 0.1 else None),
            "confirm_status": confirm, "confirmed_at": confirmed_at,
            "return_comment": "请核对单价" if confirm == "returned" else None,
            "confirmed_by_id": self.office if confirmed_at else None,
            **self.tracked(created, owner, confirmed_at,
                           self.office if confirmed_at else owner),
        })

    def _payments(self, cust: _Cust) -> None:
        """Payments from the planned allocations; key accounts sometimes pay two at once."""
        rng = self.rng
        intents = sorted(cust.intents, key=lambda i: (i[3], i[1]))
        credit = cust.segment in ("key", "dealer")
        index = 0
        while index < len(intents):
            group = [intents[index]]
            index += 1
            while (credit and index < len(intents) and intents[index][0] == "order"
                   and intents[index][3] - group[0][3] <= 30 and rng.random() < 0.25):
                group.append(intents[index])
                index += 1
            day = max(i[3] for i in group)
            amount = sum(i[2] for i in group)
            payment_id = self._next("payments")
            if group[0][0] == "ticket" and not credit:
                method = _ch(rng, ("cash", "wechat", "wechat", "alipay"))
                receiver = group[0][4]
            elif credit:
                method = _ch(rng, ("bank_transfer",) * 8 + ("cheque", "wechat"))
                receiver = self.office
            else:
                method = _ch(rng, ("cash", "wechat", "wechat", "alipay", "bank_transfer"))
                receiver = group[0][4]
            if method == "bank_transfer":
                reference = f"{_ch(rng, W.BANKS)} 流水号 {_ri(rng, 10**11, 10**12 - 1)}"
            elif method == "cheque":
                reference = f"支票 {_ri(rng, 10**7, 10**8 - 1)}"
            elif method in ("wechat", "alipay"):
                reference = f"交易单号 {_ri(rng, 10**15, 10**16 - 1)}"
            else:
                reference = None
            at = self.ts(day, self.office_time())
            self.add("payments", {
                "id": payment_id, "number": self.number("payment", day), "customer_id": cust.id,
                "received_on": self.date(day), "amount": _yuan(amount), "method": method,
                "reference": reference, "received_by_id": receiver,
                "notes": "合并付款" if len(group) > 1 else None,
                **self.tracked(at, receiver),
            })
            for target, target_id, fen, _day, _by in group:
                self.add("payment_allocations", {
                    "id": self._next("payment_allocations"), "payment_id": payment_id,
                    "order_id": target_id if target == "order" else None,
                    "service_ticket_id": target_id if target == "ticket" else None,
                    "amount": _yuan(fen),
                })

    # --- visits, care, tasks --------------------------------------------------------------

    def _visits(self, cust: _Cust) -> None:
        rng = self.rng
        years = (cust.last - cust.first + 1) / 365
        days = [_ri(rng, cust.first, cust.last)
                for _ in range(_poisson(rng, _RATES[cust.segment][0] * years))]
        if rng.random() < 0.8:
            days.append(cust.first)
        if cust.status == "prospect":
            days.extend(_ri(rng, cust.first, cust.last) for _ in range(_ri(rng, 0, 2)))
        owner = cust.owner or self.clerks[0]
        for day in days:
            if cust.segment == "key":
                kind = "visit" if rng.random() < 0.55 else "phone"
            else:
                kind = "walk_in" if rng.random() < 0.6 else "phone"
            occurred = self.sec(day, self.office_time())
            age = self.last_day - day
            follow_up = None
            follow_done = False
            if rng.random() < 0.4:
                follow_up = day + _ri(rng, 3, 14)
                follow_done = follow_up < self.last_day and rng.random() < 0.9
            r = rng.random()
            if age > 3:
                confirm = ("confirmed" if r < 0.9 else "returned" if r < 0.93
                           else "submitted" if r < 0.98 else "draft")
            else:
                confirm = "submitted" if r < 0.6 else "draft"
            confirmed_at = None
            if confirm in ("confirmed", "returned"):
                confirmed_at = self.later(occurred, 1800, 3 * DAY)
            visit_id = self._next("visits")
            products = None
            if rng.random() < 0.5:
                products = self.product_pick[cust.segment](rng).name
            self.add("visits", {
                "id": visit_id, "customer_id": cust.id,
                "contact_id": _ch(rng, cust.contacts) if cust.contacts and rng.random() < 0.7
                else None,
                "owner_id": owner, "kind": kind, "occurred_at": occurred,
                "purpose": _ch(rng, W.VISIT_PURPOSES[kind]),
                "products_of_interest": products, "outcome": _ch(rng, W.VISIT_OUTCOMES),
                "next_step": _ch(rng, W.NEXT_STEPS) if follow_up is not None else None,
                "follow_up_on": self.date(follow_up) if follow_up is not None else None,
                "follow_up_done": follow_done, "notes": None,
                "confirm_status": confirm, "confirmed_at": confirmed_at,
                "return_comment": _ch(rng, W.RETURN_COMMENTS) if confirm == "returned"
                else None,
                "confirmed_by_id": self.office if confirmed_at else None,
                **self.tracked(occurred, owner, confirmed_at,
                               self.office if confirmed_at else owner),
            })
            if confirm == "returned" and confirmed_at is not None:
                self._task(cust, f"补充接待记录：{cust.name}", owner,
                           self.day_of(confirmed_at) + 2, ("visit", visit_id))

    def _care(self, cust: _Cust) -> None:
        rng = self.rng
        owner = cust.owner
        if cust.status in ("lost",):
            return
        items: list[tuple[str, int, str, str | None, int | None, int | None, int | None]] = []
        # (kind, due day, title, rule, source id, contact id, product id)
        for person_id, contact_name, birthday in cust.contact_birthdays:
            if rng.random() < 0.3:
                this_year = self.date(self.last_day).year
                try:
                    due = (birthday.replace(year=this_year) - self.start).days
                except ValueError:  # pragma: no cover - birthdays avoid the 29th
                    continue
                if due < self.last_day - 300:
                    due = (birthday.replace(year=this_year + 1) - self.start).days
                items.append(("birthday", due,
                              W.CARE_TITLES["birthday"].format(contact=contact_name),
                              "birthday", person_id, person_id, None))
        for contract in cust.contracts:
            if self.last_day - 60 <= contract.end <= self.last_day + 60:
                items.append(("contract_expiry", contract.end - 30,
                              W.CARE_TITLES["contract_expiry"].format(name=cust.name),
                              "contract_expiry", contract.id, None, None))
        if cust.last_consumable and rng.random() < 0.4:
            bought_day, _order_id, consumable_id = cust.last_consumable
            # Keyed like app.services.care's reorder rule: customer and product.
            items.append(("reorder", bought_day + 60,
                          W.CARE_TITLES["reorder"].format(name=cust.name),
                          "reorder", consumable_id, None, consumable_id))
        if cust.segment == "key" and rng.random() < 0.3:
            holiday, day = self.holiday(_ri(rng, cust.first, cust.last + 30))
            when = self.date(day)
            items.append(("holiday", day - 3,
                          W.CARE_TITLES["holiday"].format(holiday=holiday, name=cust.name),
                          "holiday", when.year * 10000 + when.month * 100 + when.day, None,
                          None))
        if rng.random() < 0.05:
            items.append(("follow_up", _ri(rng, cust.first, self.last_day + 14),
                          W.CARE_TITLES["follow_up"].format(name=cust.name), None, None, None,
                          None))
        for kind, due_day, title, rule, source_id, contact_id, product_id in items:
            due = max(due_day, cust.first)
            created_day = max(cust.first, min(due - 7, self.last_day))
            status = "open"
            done_at = None
            outcome = channel = None
            if due < self.last_day:
                r = rng.random()
                status = "done" if r < 0.8 else "skipped" if r < 0.9 else "open"
                if status != "open":
                    done_at = self.ts(min(due + _ri(rng, 0, 3), self.last_day),
                                      self.office_time())
                    outcome = (_ch(rng, W.CARE_OUTCOMES[kind]) if status == "done"
                               else "客户联系不上")
                    channel = _ch(rng, W.CARE_CHANNELS)
            source_entity = {"birthday": "contact", "contract_expiry": "service_contract",
                             "reorder": "product", "holiday": "holiday"}.get(kind) if rule \
                else None
            by = owner or self.office
            self.add("care_items", {
                "id": self._next("care_items"), "customer_id": cust.id,
                "contact_id": contact_id, "product_id": product_id, "owner_id": owner,
                "kind": kind, "title": title[:200], "due_on": self.date(due), "status": status,
                "rule_code": rule, "source_entity": source_entity, "source_id": source_id,
                "outcome": outcome, "done_at": done_at, "channel": channel,
                **self.tracked(self.ts(created_day, OFFICE_OPEN), self.office if rule else by,
                               done_at, by),
            })

    def holiday(self, day: int) -> tuple[str, int]:
        """The first greeting holiday on or after ``day``: (name, day index)."""
        best: tuple[int, str] | None = None
        year = self.date(day).year
        for y in (year, year + 1):
            dates = [(name, dt.date(y, mo, d)) for name, mo, d in W.FIXED_HOLIDAYS]
            dates += [(name, dt.date(y, *by_year[y])) for name, by_year in
                      W.LUNAR_HOLIDAYS.items() if y in by_year]
            for name, when in dates:
                index = (when - self.start).days
                if index >= day and (best is None or index < best[0]):
                    best = (index, name)
        assert best is not None
        return best[1], best[0]

    def _customer_task(self, cust: _Cust) -> None:
        rng = self.rng
        assignee = cust.owner or _ch(rng, self.clerks)
        if cust.devices and rng.random() < 0.3:
            assignee = _ch(rng, self.techs)
        title = _ch(rng, W.TASK_TITLES).format(name=cust.name)
        self._task(cust, title, assignee, _ri(rng, cust.first, cust.last) + 3, None)

    def _task(self, cust: _Cust | None, title: str, assignee: int | None, due: int,
              related: tuple[str, int] | None, department: int | None = None) -> None:
        rng = self.rng
        assigned_by = self.office if rng.random() < 0.7 else self.manager
        created_day = min(max(due - _ri(rng, 1, 7), cust.first if cust else 0), self.last_day)
        created = self.sec(created_day, self.office_time())
        r = rng.random()
        if due < self.last_day:
            status = ("confirmed" if r < 0.7 else "reported_done" if r < 0.8
                      else "cancelled" if r < 0.85 else "returned" if r < 0.9
                      else "acknowledged" if r < 0.95 else "open")
        else:
            status = "open" if r < 0.5 else "acknowledged" if r < 0.8 else "reported_done"
        steps = ("open", "acknowledged", "reported_done", "confirmed")
        reached = steps.index(status) if status in steps else (
            2 if status == "returned" else _ri(rng, 0, 1))
        t = created
        acknowledged = reported = confirmed = None
        if reached >= 1:
            t = self.later(t, 600, DAY)
            acknowledged = t
        if reached >= 2:
            t = self.later(t, 3600, 3 * DAY)
            reported = t
        if reached >= 3:
            t = self.later(t, 3600, 2 * DAY)
            confirmed = t
        self.add("tasks", {
            "id": self._next("tasks"), "title": title[:200], "description": None,
            "assignee_id": assignee, "assignee_department_id": department,
            "assigned_by_id": assigned_by, "customer_id": cust.id if cust else None,
            "related_entity": related[0] if related else None,
            "related_id": related[1] if related else None,
            "priority": self.priority(rng), "status": status, "due_on": self.date(due),
            "acknowledged_at": acknowledged, "reported_at": reported,
            "report": _ch(rng, W.TASK_REPORTS) if reported else None,
            "confirmed_at": confirmed, "confirmed_by_id": assigned_by if confirmed else None,
            **self.tracked(created, assigned_by, t,
                           assignee or assigned_by),
        })

    def make_department_tasks(self) -> None:
        """A few tasks per month addressed to a whole department."""
        rng = self.rng
        departments = dict(self.db.execute(
            select(m.Department.code, m.Department.id)).all())
        for month_start in range(0, self.last_day, 30):
            for _ in range(_ri(rng, 1, 3)):
                code = _ch(rng, ("repair", "storefront", "key_accounts", "management"))
                self._task(None, _ch(rng, W.DEPARTMENT_TASKS), None,
                           month_start + _ri(rng, 3, 28), None, departments[code])

    # --- the end --------------------------------------------------------------------------

    def finish(self) -> None:
        """Sales plans, knowledge use counts, number counters and id sequences."""
        self.report("finish", 0, 4)
        self._sales_plans()
        self.report("finish", 1, 4)
        if self.knowledge_used:
            kt = _table("knowledge_entries")
            self.db.execute(
                update(kt).where(kt.c.id == bindparam("k_id"))
                # Naming updated_at keeps its onupdate (the wall clock) out: same seed, same rows.
                .values(times_used=bindparam("k_used"), updated_at=kt.c.updated_at),
                [{"k_id": k, "k_used": n} for k, n in sorted(self.knowledge_used.items())],
            )
        self._company_header()
        self.report("finish", 2, 4)
        self._save_sequences()
        self.report("finish", 3, 4)
        self._advance_id_sequences()
        self.report("finish", 4, 4)

    def _company_header(self) -> None:
        """The demo company's header on printed slips, unless the database has one."""
        settings = _table("app_settings")
        if self.db.execute(select(settings.c.id).where(settings.c.key == "company")).first():
            return
        header = {"name": "京华办公设备有限公司", "address": "北京市海淀区知春路 118 号",
                  "phone": "010-6255 0118", "bank": "中国工商银行北京知春路支行",
                  "bank_account": "0200 0045 0900 1234 567", "tax_number": "91110108MA00DEMO1X"}
        self.db.execute(insert(settings).values(
            key="company", value=json.dumps(header, ensure_ascii=False),
            description="公司抬头（演示数据）",
            **_moments(self.tracked(self.ts(0, OFFICE_OPEN), self.office))))

    def _sales_plans(self) -> None:
        rng = self.rng
        plans = _table("sales_plans")
        existing = set(self.db.execute(
            select(plans.c.owner_id, plans.c.year, plans.c.period)
            .where(plans.c.customer_id.is_(None), plans.c.period_kind == "month")).all())
        first = self.date(0)
        last = self.date(self.last_day + 31)
        rows = []
        for owner in (*self.sales, *self.clerks):
            year, month = first.year, first.month
            recent: list[int] = []
            while (year, month) <= (last.year, last.month):
                actual, margin = self.monthly.get((owner, year, month), (0, 0))
                if actual:
                    recent = [*recent[-2:], actual]
                base = actual or (sum(recent) // len(recent) if recent else 0)
                planned = max(10000_00, base * _ri(rng, 85, 125) // 100 // 100000 * 100000)
                ratio = margin / actual if actual else 0.15
                if (owner, year, month) not in existing:
                    created_day = max(0, (dt.date(year, month, 1) - self.start).days - 3)
                    created = self.ts(min(created_day, self.last_day), OFFICE_OPEN)
                    rows.append({
                        "id": self._next("sales_plans"), "owner_id": owner, "customer_id": None,
                        "year": year, "period_kind": "month", "period": month,
                        "planned_amount": _yuan(planned),
                        "planned_margin": _yuan(int(planned * ratio) // 100 * 100),
                        "notes": None, **self.tracked(created, self.manager),
                    })
                month += 1
                if month > 12:
                    year, month = year + 1, 1
        self._write("sales_plans", rows)

    def _save_sequences(self) -> None:
        seq = _table("document_sequences")
        updates = [{"s_id": self.sequence_ids[k], "s_last": v}
                   for k, v in sorted(self.sequences.items()) if k in self.sequence_ids]
        if updates:
            self.db.execute(
                update(seq).where(seq.c.id == bindparam("s_id"))
                .values(last_value=bindparam("s_last")),
                updates,
            )
        new = [{"prefix": p, "period": d, "last_value": v}
               for (p, d), v in sorted(self.sequences.items())
               if (p, d) not in self.sequence_ids]
        self._write("document_sequences", new)

    def _advance_id_sequences(self) -> None:
        # WORKAROUND: PostgreSQL's serial sequences do not follow explicit ids; SQLite and
        # SQL Server (IDENTITY_INSERT, which SQLAlchemy switches on) continue after the max.
        if self.db.dialect.name != "postgresql":
            return
        for name in (*INSERT_ORDER, "products", "knowledge_entries", "sales_plans"):
            table = _table(name)
            self.db.execute(select(func.setval(
                func.pg_get_serial_sequence(name, "id"),
                select(func.coalesce(func.max(table.c.id), 0) + 1).scalar_subquery(),
                False,
            )))
