"""``stationcrm bench``: service calls against hand-written SQL on a generated database.

For each measured operation it reports the median time of the service call, the median
time of equivalent hand-written SQL on the same database, their ratio, and how many
statements the service issued. Measuring is done here, not in tests with timed asserts.
"""

from __future__ import annotations

import itertools
import random
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, bindparam, delete, event, func, insert, select, text, true

from app.models import Contact, Customer, Department, FeedEntry, Role, User, Visit, utcnow
from app.models.enums import Module, Operation
from app.services.auth import actor_for
from app.services.customer360 import customer_overview
from app.services.customers import search_customers
from app.services.paging import Sort
from app.services.permissions import Actor, grants_for
from app.services.uow import UnitOfWork
from app.textkeys import pinyin_full, pinyin_initials

PAGE = 100


@dataclass(frozen=True)
class BenchResult:
    name: str
    query: str
    service_ms: float
    raw_ms: float
    statements: int
    rows: int

    @property
    def ratio(self) -> float:
        return self.service_ms / self.raw_ms if self.raw_ms else float("inf")


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE",
                                                       "COMMIT", "ROLLBACK")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    fn()  # warm caches and compiled-statement cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _manager(engine: Engine) -> Actor:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT u.id, u.username, u.display_name, u.department_id, r.code "
                 "FROM users u JOIN roles r ON r.id = u.role_id "
                 "WHERE r.code = 'general_manager' AND u.active = :yes ORDER BY u.id"),
            {"yes": True},
        ).first()
    if row is None:
        raise RuntimeError("the database has no general manager user; run demo-data first")
    return actor_for(User(id=row.id, username=row.username, display_name=row.display_name,
                          department_id=row.department_id), row.code, None)


# A pinyin search by hand: one range of the search keys, each customer at its best rank
# (the service also looks for an exact code and a name starting with the letters).
_RAW_KEYS = (
    "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
    "c.owner_id, u.display_name, c.phone, c.sort_key FROM (SELECT owner_id AS id, "
    "MIN(pos) AS r FROM search_keys WHERE owner_kind = 'c' AND term >= :p AND term < :q "
    "GROUP BY owner_id) k JOIN customers c ON c.id = k.id "
    "LEFT JOIN users u ON u.id = c.owner_id ORDER BY k.r, c.sort_key, c.id"
)

# Hand-written SQL with the same meaning as the service's search for each shape of text.
_RAW_SEARCH = {
    "pinyin initials": _RAW_KEYS,
    "pinyin inside": _RAW_KEYS,
    "full pinyin": _RAW_KEYS,
    "customer code": (
        "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
        "c.owner_id, u.display_name, c.phone, c.sort_key FROM customers c "
        "LEFT JOIN users u ON u.id = c.owner_id "
        "WHERE c.code >= :u AND c.code < :v ORDER BY c.code, c.sort_key, c.id"
    ),
    "name": (
        "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
        "c.owner_id, u.display_name, c.phone, c.sort_key FROM customers c "
        "LEFT JOIN users u ON u.id = c.owner_id "
        "WHERE c.name LIKE :c OR c.short_name LIKE :c OR c.id IN (SELECT customer_id FROM "
        "contacts WHERE name >= :p AND name < :q) ORDER BY c.sort_key, c.id"
    ),
    "phone digits": (
        "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
        "c.owner_id, u.display_name, c.phone, c.sort_key FROM customers c "
        "LEFT JOIN users u ON u.id = c.owner_id "
        "WHERE c.phone_digits LIKE :c OR c.id IN (SELECT customer_id FROM contacts WHERE "
        "phone_digits LIKE :c OR mobile_digits LIKE :c) ORDER BY c.sort_key, c.id"
    ),
}

# The same searches written by hand the way the list works for a person on a secured
# server: names and keys from the customer directory (colleagues' customers are listed,
# locked), the details only where the person's login may read the customer's row; digits
# only among the customers the person may open, probing each one's contacts.
_DIRECTORY_COLUMNS = (
    "SELECT d.id, d.code, d.name, d.short_name, c.customer_class, c.source, c.status, "
    "d.owner_id, u.display_name, c.phone, d.sort_key FROM customer_directory d "
    "LEFT JOIN customers c ON c.id = d.id LEFT JOIN users u ON u.id = d.owner_id ")
_RAW_SEARCH_AS_PERSON = {
    "pinyin initials": (
        "SELECT d.id, d.code, d.name, d.short_name, c.customer_class, c.source, c.status, "
        "d.owner_id, u.display_name, c.phone, d.sort_key FROM (SELECT owner_id AS id, "
        "MIN(pos) AS r FROM search_keys WHERE owner_kind = 'c' AND term >= :p AND term < :q "
        "GROUP BY owner_id) k JOIN customer_directory d ON d.id = k.id "
        "LEFT JOIN customers c ON c.id = d.id LEFT JOIN users u ON u.id = d.owner_id "
        "ORDER BY k.r, d.sort_key, d.id"),
    "name": (
        _DIRECTORY_COLUMNS
        + "WHERE d.name LIKE :c OR d.short_name LIKE :c OR d.id IN (SELECT customer_id FROM "
        "contacts WHERE name >= :p AND name < :q) ORDER BY d.sort_key, d.id"),
    "phone digits": (
        "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
        "c.owner_id, u.display_name, c.phone, c.sort_key FROM customers c "
        "LEFT JOIN users u ON u.id = c.owner_id "
        "WHERE c.phone_digits LIKE :c OR EXISTS (SELECT 1 FROM contacts k WHERE "
        "k.customer_id = c.id AND (k.phone_digits LIKE :c OR k.mobile_digits LIKE :c)) "
        "ORDER BY c.sort_key, c.id"),
}


def _sample_queries(engine: Engine) -> dict[str, str]:
    """Search texts taken from the data itself, so every database gets comparable work."""
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
        if not total:
            raise RuntimeError("the database has no customers; run demo-data first")
        middle = conn.execute(
            select(Customer.name, Customer.pinyin_initials, Customer.phone_digits,
                   Customer.code)
            .where(Customer.kind == "company", Customer.phone_digits.is_not(None))
            .order_by(Customer.id).offset(total // 2).limit(1)
        ).one()
        contact_phone = conn.execute(
            select(Contact.mobile_digits).where(Contact.mobile_digits.is_not(None))
            .order_by(Contact.id).offset(total // 3).limit(1)
        ).scalar_one()
    name, initials, _phone, code = middle
    return {
        "pinyin initials": initials[:4],
        # Two syllables from inside the name (得力复印纸: "fyz"), initials and in full.
        "pinyin inside": pinyin_initials(name[3:6]),
        "full pinyin": pinyin_full(name[3:5]),
        "customer code": code,
        "name": name[2:4] if len(name) > 4 else name[:2],
        "phone digits": contact_phone[-6:-2],
    }


def _raw_search_params(query: str) -> dict[str, str]:
    """The values for _RAW_SEARCH: a prefix range and a LIKE pattern."""
    low, up = query.casefold(), query.upper()
    return {"p": low, "q": low[:-1] + chr(ord(low[-1]) + 1), "c": f"%{query}%",
            "u": up, "v": up[:-1] + chr(ord(up[-1]) + 1)}


def bench_search(engine: Engine, *, repeat: int = 15) -> list[BenchResult]:
    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    results = []
    for label, query in _sample_queries(engine).items():
        def service(q: str = query) -> int:
            return len(search_customers(uow=uow, actor=actor, text=q, limit=PAGE).rows)

        sql, params = _RAW_SEARCH[label], _raw_search_params(query)

        def raw(sql: str = sql, params: dict[str, str] = params) -> int:
            with engine.connect() as conn:
                return len(conn.execute(text(sql + f" LIMIT {PAGE + 1}"), params).all())

        service_ms, raw_ms = _median_ms(service, repeat), _median_ms(raw, repeat)
        with count_statements(engine) as seen:  # warm: as a station's second search
            rows = service()
        results.append(BenchResult(name=f"search by {label}", query=query,
                                   service_ms=service_ms, raw_ms=raw_ms,
                                   statements=len(seen), rows=rows))
    return results


# Hand-written SQL for what the 360 view shows: the head with the receivable, devices with
# their contract, contracts, and the timeline of every kind of record.
_RAW_HEAD = (
    "SELECT c.id, c.name, u.display_name, (SELECT COALESCE(SUM(total_amount - paid_amount),"
    " 0) FROM orders WHERE customer_id = :c AND status <> 'cancelled'), (SELECT "
    "COALESCE(SUM(total_charge - paid_amount), 0) FROM service_tickets WHERE customer_id"
    " = :c AND status <> 'cancelled') FROM customers c LEFT JOIN users u ON u.id = "
    "c.owner_id WHERE c.id = :c")
_RAW_HEAD_WITHOUT_RECEIVABLE = (
    "SELECT c.id, c.name, u.display_name FROM customers c LEFT JOIN users u"
    " ON u.id = c.owner_id WHERE c.id = :c")
_RAW_DEVICES = (
    "SELECT d.id, d.model, d.serial_number, k.number FROM devices d LEFT JOIN "
    "contract_devices cd ON cd.device_id = d.id LEFT JOIN service_contracts k ON k.id = "
    "cd.contract_id AND k.status = 'active' WHERE d.customer_id = :c")
_RAW_CONTRACTS = "SELECT id, number FROM service_contracts WHERE customer_id = :c"
_RAW_TIMELINE = {
    Module.VISITS: "SELECT 'visit' AS kind, id, occurred_at AS at, purpose AS txt,"
                   " owner_id AS uid FROM visits WHERE customer_id = :c",
    Module.ORDERS: "SELECT 'order', id, ordered_on, number, owner_id FROM orders"
                   " WHERE customer_id = :c",
    Module.PAYMENTS: "SELECT 'payment', id, received_on, number, received_by_id FROM payments"
                     " WHERE customer_id = :c",
    Module.QUOTATIONS: "SELECT 'quotation', id, quoted_on, number, owner_id FROM quotations"
                       " WHERE customer_id = :c",
    Module.OPPORTUNITIES: "SELECT 'opportunity', id, created_at, title, owner_id"
                          " FROM opportunities WHERE customer_id = :c",
    Module.SERVICE_TICKETS: "SELECT 'ticket', id, received_at, number, intake_by_id"
                            " FROM service_tickets WHERE customer_id = :c UNION ALL"
                            " SELECT 'repair', r.id, r.completed_at, r.work_done,"
                            " r.technician_id FROM repair_records r JOIN service_tickets s"
                            " ON s.id = r.ticket_id WHERE s.customer_id = :c",
    Module.CARE: "SELECT 'care', id, due_on, title, owner_id FROM care_items"
                 " WHERE customer_id = :c",
    Module.TASKS: "SELECT 'task', id, created_at, title, assignee_id FROM tasks"
                  " WHERE customer_id = :c",
}
_RAW_CHANGES = ("SELECT 'change', id, at, summary, user_id FROM audit_log"
                " WHERE entity = 'customer' AND entity_id = :c")


def _raw_overview(modules: frozenset[Module] | None = None) -> list[str]:
    """Hand-written SQL for what the 360 view shows a role seeing ``modules`` (None: all):
    the head (with the receivable where payments are seen), devices with their contract,
    contracts, and one timeline over the kinds of record the role may view."""
    def sees(module: Module) -> bool:
        return modules is None or module in modules

    branches = [sql for module, sql in _RAW_TIMELINE.items() if sees(module)]
    timeline = ("SELECT t.*, u.display_name FROM (" + " UNION ALL ".join(
        [*branches, _RAW_CHANGES]) + ") t LEFT JOIN users u ON u.id = t.uid"
        " ORDER BY t.at DESC LIMIT 300")
    head = _RAW_HEAD if sees(Module.PAYMENTS) else _RAW_HEAD_WITHOUT_RECEIVABLE
    contracts = [_RAW_DEVICES, _RAW_CONTRACTS] if sees(Module.CONTRACTS) else [
        "SELECT d.id, d.model, d.serial_number FROM devices d WHERE d.customer_id = :c"]
    return [head, *contracts, timeline]


def bench_overview(engine: Engine, *, repeat: int = 15) -> BenchResult:
    """The 360 view of the customer with the most visits (the longest history)."""
    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    with engine.connect() as conn:
        customer_id = conn.execute(
            select(Visit.customer_id).group_by(Visit.customer_id)
            .order_by(func.count().desc(), Visit.customer_id).limit(1)
        ).scalar_one()

    def service() -> int:
        return len(customer_overview(uow=uow, actor=actor, customer_id=customer_id).timeline)


    def raw() -> int:
        with engine.connect() as conn:
            return sum(len(conn.execute(text(sql), {"c": customer_id}).all())
                       for sql in _raw_overview())

    service_ms, raw_ms = _median_ms(service, repeat), _median_ms(raw, repeat)
    with count_statements(engine) as seen:
        rows = service()
    return BenchResult(name="customer 360 view", query=f"customer {customer_id}",
                       service_ms=service_ms, raw_ms=raw_ms, statements=len(seen), rows=rows)


# Hand-written SQL for the main grouped figures of each statistic (the service adds the
# sections, labels and totals on top).
_RAW_STATISTICS = {
    "customer-classes": (
        "SELECT c.customer_class, COUNT(DISTINCT o.customer_id), COUNT(*), SUM(o.total_amount)"
        " FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status <> 'cancelled'"
        " AND o.ordered_on >= :a AND o.ordered_on <= :b GROUP BY c.customer_class"),
    "product-sales": (
        "SELECT p.category, COUNT(DISTINCT o.id), SUM(l.quantity), SUM(l.line_total),"
        " SUM(l.line_cost) FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN"
        " products p ON p.id = l.product_id WHERE o.status <> 'cancelled' AND o.ordered_on >="
        " :a AND o.ordered_on <= :b GROUP BY p.category"),
    "sales-collections": (
        "SELECT SUM(a.amount) FROM payment_allocations a JOIN payments p ON p.id ="
        " a.payment_id JOIN orders o ON o.id = a.order_id WHERE o.status <> 'cancelled' AND"
        " p.received_on >= :a AND p.received_on <= :b"),
    "service": (
        "SELECT technician_id, COUNT(*), COUNT(completed_at), SUM(CASE WHEN completed_at <="
        " due_at THEN 1 ELSE 0 END) FROM service_tickets WHERE status <> 'cancelled' AND"
        " received_at >= :s AND received_at < :e GROUP BY technician_id"),
    "forecast": (
        "SELECT COUNT(*), SUM(expected_amount), SUM(expected_amount * probability) FROM"
        " opportunities WHERE stage NOT IN ('won', 'lost') AND expected_close_on >= :a AND"
        " expected_close_on <= :b"),
    "assessment": (
        "SELECT owner_id, COUNT(*), SUM(total_amount), SUM(total_cost) FROM orders WHERE"
        " status <> 'cancelled' AND ordered_on >= :a AND ordered_on <= :b GROUP BY owner_id"),
}


def bench_statistics(engine: Engine, *, repeat: int = 5) -> list[BenchResult]:
    """Each statistic of the manager's window over the last twelve months of data (the
    forecast over the next four), as the general manager sees it."""
    import datetime as dt

    from app.models import Order
    from app.models.base import UTCDateTime
    from app.services.statistics import STATISTICS, StatFilters, run_statistic
    from app.services.stats_common import local_midnight

    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    with engine.connect() as conn:
        last = conn.execute(select(func.max(Order.ordered_on))).scalar_one()
    if last is None:
        raise RuntimeError("the database has no orders; run demo-data first")
    results = []
    for name in STATISTICS:
        if name == "forecast":
            date_from, date_to = last + dt.timedelta(days=1), last + dt.timedelta(days=120)
        else:
            date_from, date_to = last - dt.timedelta(days=364), last
        filters = StatFilters(date_from, date_to)

        def service(f: StatFilters = filters, n: str = name) -> int:
            return len(run_statistic(n, f, uow=uow, actor=actor).rows)

        raw_sql = text(_RAW_STATISTICS[name])
        if name == "service":
            raw_sql = raw_sql.bindparams(bindparam("s", type_=UTCDateTime()),
                                         bindparam("e", type_=UTCDateTime()))
            params: dict[str, Any] = {"s": local_midnight(date_from),
                                      "e": local_midnight(date_to + dt.timedelta(days=1))}
        else:
            params = {"a": date_from, "b": date_to}

        def raw(stmt: Any = raw_sql, p: dict[str, Any] = params) -> int:
            with engine.connect() as conn:
                return len(conn.execute(stmt, p).all())

        service_ms, raw_ms = _median_ms(service, repeat), _median_ms(raw, repeat)
        table = run_statistic(name, filters, uow=uow, actor=actor)
        results.append(BenchResult(name=f"statistic {name}",
                                   query=f"{date_from:%y%m%d}-{date_to:%y%m%d}",
                                   service_ms=service_ms, raw_ms=raw_ms,
                                   statements=table.queries, rows=len(table.rows)))
    return results


# The customer list scrolled from the top to the very end, as its table model reads it:
# the first page, its count, then reads doubling up to the services' cap.
_SCROLL_FIRST, _SCROLL_CAP = 100, 500
_RAW_SCROLL_COLUMNS = (
    "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
    "c.owner_id, u.display_name, c.phone, c.sort_key FROM customers c "
    "LEFT JOIN users u ON u.id = c.owner_id ")
_RAW_SCROLL = {
    "pinyin order": (
        _RAW_SCROLL_COLUMNS + "WHERE c.sort_key >= :v AND (c.sort_key > :v OR "
        "(c.sort_key = :v AND c.id > :i)) "
        "ORDER BY c.sort_key, c.id LIMIT {n}", "sort_key"),
    "phone, descending": (
        _RAW_SCROLL_COLUMNS + "WHERE {after} ORDER BY CASE WHEN c.phone IS NULL THEN 1 ELSE 0 "
        "END, c.phone DESC, c.id DESC LIMIT {n}", "phone"),
}
# After a row with a phone, and after one without (empty phones come last).
_RAW_AFTER_PHONE = ("c.phone IS NULL OR (c.phone <= :v AND (c.phone < :v OR "
                    "(c.phone = :v AND c.id < :i)))")
_RAW_AFTER_NO_PHONE = "c.phone IS NULL AND c.id < :i"
_SCROLL_SORTS = {"pinyin order": None, "phone, descending": Sort("phone", descending=True)}


def bench_scroll(engine: Engine, *, repeat: int = 3) -> list[BenchResult]:
    """Scrolling the whole customer list: every read the list's model makes, in the
    list's own order and sorted by a clicked column, against hand-written keyset SQL."""
    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    results = []
    for label, sort in _SCROLL_SORTS.items():
        def service(sort: Sort | None = sort) -> int:
            after: Any = None
            limit, rows = _SCROLL_FIRST, 0
            while True:
                page = search_customers(uow=uow, actor=actor, after=after, limit=limit,
                                        sort=sort)
                rows += len(page.rows)
                if page.next_after is None:
                    return rows
                if after is None:  # a list longer than its first page is counted apart
                    search_customers(uow=uow, actor=actor, limit=1, with_total=True)
                after, limit = page.next_after, min(limit * 2, _SCROLL_CAP)

        sql, key = _RAW_SCROLL[label]
        # The first read starts before every row (its cursor: the lowest or highest key).
        start: dict[str, Any] = ({"v": "", "i": 0} if sort is None
                                 else {"v": "\U0010ffff", "i": 2**31 - 1})

        def raw(sql: str = sql, key: str = key, start: dict[str, Any] = start) -> int:
            params, limit, rows = dict(start), _SCROLL_FIRST, 0
            with engine.connect() as conn:
                conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one()
                while True:
                    after = _RAW_AFTER_NO_PHONE if params["v"] is None else _RAW_AFTER_PHONE
                    found = conn.execute(text(sql.format(n=limit + 1, after=after)),
                                         params).all()
                    page = found[:limit]
                    rows += len(page)
                    if len(found) <= limit:
                        return rows
                    last = page[-1]._mapping
                    params = {"v": last[key], "i": last["id"]}
                    limit = min(limit * 2, _SCROLL_CAP)

        service_ms, raw_ms = _median_ms(service, repeat), _median_ms(raw, repeat)
        with count_statements(engine) as seen:
            rows = service()
        results.append(BenchResult(name=f"scroll, {label}", query="all rows",
                                   service_ms=service_ms, raw_ms=raw_ms,
                                   statements=len(seen), rows=rows))
    return results


# --- the change feed's poll ----------------------------------------------------------------

# The number the bench's notices carry, so that they are told from real ones and removed.
FEED_MARK = "BENCH-FEED"
# A busy year of the company's notices (tools/bench_feed.py uses as many).
FEED_NOTICES = 200_000
# The poll by hand: the newest notices for the person or their department after the floor.
RAW_FEED_POLL = (
    "SELECT id, user_id, kind, record_id, number, event, params FROM change_feed"
    " WHERE (user_id = :me OR department_id = :dept)"
    " AND (by_user_id IS NULL OR by_user_id <> :me) AND id > :floor"
    " ORDER BY id DESC LIMIT 201")


def feed_people(engine: Engine) -> list[Actor]:
    """Everyone who may log in: each one's station polls the feed."""
    with UnitOfWork.for_engine(engine) as uow:
        rows = uow.session.execute(
            select(User, Role.code).join(Role, Role.id == User.role_id)
            .where(User.active == true()).order_by(User.id)).all()
        return [actor_for(user, code, None) for user, code in rows]


def fill_feed(engine: Engine, people: list[Actor], notices: int, *, seed: int = 7) -> int:
    """Add ``notices`` notices spread over every person (four in five) and department
    (one in five); returns the newest notice's id. :func:`forget_bench_feed` removes them."""
    rng = random.Random(seed)
    with engine.begin() as conn:
        departments = conn.execute(select(Department.id)).scalars().all()
        rows: list[dict[str, Any]] = []
        for n in range(notices):
            to_department = rng.random() < 0.2
            rows.append({
                "created_at": utcnow(),
                "user_id": None if to_department else rng.choice(people).user_id,
                "department_id": rng.choice(departments) if to_department else None,
                "by_user_id": rng.choice(people).user_id, "kind": "opportunity",
                "record_id": n + 1, "number": FEED_MARK, "event": "assigned",
                "params": None})
            if len(rows) == 5000:
                conn.execute(insert(FeedEntry), rows)
                rows = []
        if rows:
            conn.execute(insert(FeedEntry), rows)
        return int(conn.execute(select(func.max(FeedEntry.id))).scalar_one() or 0)


def forget_bench_feed(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(FeedEntry).where(FeedEntry.number == FEED_MARK))


def raw_feed_params(actor: Actor, last: int) -> dict[str, int]:
    from app.services.feed import LOOKBACK_IDS

    return {"me": actor.user_id, "dept": actor.department_id or 0,
            "floor": last - LOOKBACK_IDS}


def bench_feed(engine: Engine, *, repeat: int = 15,
               notices: int = FEED_NOTICES) -> BenchResult:
    """One station's poll of the change feed (``read_feed``), each person's in turn, on a
    feed of ``notices`` notices, against the same statement by hand. The notices are
    added for the measurement and removed after it; 40 stations polling together are
    measured by tools/bench_feed.py."""
    from app.services.feed import read_feed

    people = feed_people(engine)
    if not people:
        raise RuntimeError("the database has no users; run demo-data first")
    last = fill_feed(engine, people, notices)
    try:
        uow = UnitOfWork.for_engine(engine)
        polls = max(repeat, len(people))
        turn = itertools.cycle(people)

        def service() -> int:
            return len(read_feed(uow=uow, actor=next(turn), after_id=last,
                                 seen_id=last - 50).items)

        turn_raw = itertools.cycle(people)

        def raw() -> int:
            with engine.connect() as conn:
                return len(conn.execute(text(RAW_FEED_POLL),
                                        raw_feed_params(next(turn_raw), last)).all())

        service_ms, raw_ms = _median_ms(service, polls), _median_ms(raw, polls)
        with count_statements(engine) as seen:
            rows = len(read_feed(uow=uow, actor=people[0], after_id=last,
                                 seen_id=last - 50).items)
    finally:
        forget_bench_feed(engine)
    return BenchResult(name="change feed poll", query=f"{notices} notices",
                       service_ms=service_ms, raw_ms=raw_ms, statements=len(seen), rows=rows)


def format_results(results: list[BenchResult]) -> str:
    lines = [f"{'operation':<30}{'query':<16}{'service ms':>11}{'raw SQL ms':>11}"
             f"{'ratio':>7}{'queries':>9}{'rows':>6}"]
    for r in results:
        lines.append(f"{r.name:<30}{r.query:<16}{r.service_ms:>11.2f}{r.raw_ms:>11.2f}"
                     f"{r.ratio:>7.2f}{r.statements:>9}{r.rows:>6}")
    return "\n".join(lines)


# --- row security ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowSecurityResult:
    """One operation as a person: on their own database login (row security on), on the
    owner's (the same service call, nothing enforced by the database), and hand-written
    SQL on the person's login."""

    name: str
    query: str
    rls_ms: float
    unrestricted_ms: float
    raw_ms: float
    rows: int

    @property
    def rls_ratio(self) -> float:
        return self.rls_ms / self.unrestricted_ms if self.unrestricted_ms else float("inf")

    @property
    def raw_ratio(self) -> float:
        return self.rls_ms / self.raw_ms if self.raw_ms else float("inf")


def _person(engine: Engine, username: str) -> Actor:
    with engine.connect() as conn:
        row = conn.execute(
            text("SELECT u.id, u.username, u.display_name, u.department_id, r.code "
                 "FROM users u JOIN roles r ON r.id = u.role_id WHERE u.username = :name"),
            {"name": username}).first()
    if row is None:
        raise RuntimeError(f"the database has no user {username}")
    return actor_for(User(id=row.id, username=row.username, display_name=row.display_name,
                          department_id=row.department_id), row.code, None)


def _own_queries(engine: Engine, actor: Actor) -> tuple[dict[str, str], int]:
    """Search texts from the person's own customers, and their customer with most visits."""
    with engine.connect() as conn:
        own = select(Customer.id).where(Customer.owner_id == actor.user_id)
        total = conn.execute(select(func.count()).select_from(own.subquery())).scalar_one()
        if not total:
            raise RuntimeError(f"{actor.username} owns no customers")
        name, initials = conn.execute(
            select(Customer.name, Customer.pinyin_initials)
            .where(Customer.owner_id == actor.user_id, Customer.kind == "company")
            .order_by(Customer.id).offset(total // 2).limit(1)).one()
        mobile = conn.execute(
            select(Contact.mobile_digits).where(Contact.customer_id.in_(own),
                                                Contact.mobile_digits.is_not(None))
            .order_by(Contact.id).limit(1)).scalar_one()
        busiest = conn.execute(
            select(Visit.customer_id).where(Visit.customer_id.in_(own))
            .group_by(Visit.customer_id).order_by(func.count().desc(), Visit.customer_id)
            .limit(1)).scalar_one()
    return ({"pinyin initials": initials[:4], "name": name[2:4] if len(name) > 4 else name[:2],
             "phone digits": mobile[-6:-2]}, busiest)


def bench_row_security(owner: Engine, person: Engine, username: str, *,
                       repeat: int = 15) -> list[RowSecurityResult]:
    """The customer search and the 360 view as ``username`` on their own database login
    (row-level security on) against the same calls on the owner's login (off)."""
    actor = _person(owner, username)
    queries, customer_id = _own_queries(owner, actor)
    mine, theirs = UnitOfWork.for_engine(person), UnitOfWork.for_engine(owner)
    results = []
    for label, query in queries.items():
        def search(uow: UnitOfWork, q: str = query) -> int:
            return len(search_customers(uow=uow, actor=actor, text=q, limit=PAGE).rows)

        params = _raw_search_params(query)

        def raw(sql: str = _RAW_SEARCH_AS_PERSON[label], p: dict[str, str] = params) -> int:
            with person.connect() as conn:
                return len(conn.execute(text(sql + f" LIMIT {PAGE + 1}"), p).all())

        rls = _median_ms(lambda s=search: s(mine), repeat)
        open_ = _median_ms(lambda s=search: s(theirs), repeat)
        results.append(RowSecurityResult(
            f"search by {label}", query, rls, open_, _median_ms(raw, repeat), search(mine)))

    def overview(uow: UnitOfWork) -> int:
        return len(customer_overview(uow=uow, actor=actor, customer_id=customer_id).timeline)

    with theirs:
        grants = grants_for(theirs, actor)
        raw_statements = _raw_overview(frozenset(
            m for m in Module if grants.allows(m, Operation.VIEW)))

    def raw_overview() -> int:
        # The same hand-written statements as the unrestricted benchmark, on the person's
        # login (row security narrows them the way it narrows the service's).
        with person.connect() as conn:
            return sum(len(conn.execute(text(sql), {"c": customer_id}).all())
                       for sql in raw_statements)

    results.append(RowSecurityResult(
        "customer 360 view", f"customer {customer_id}", _median_ms(lambda: overview(mine), repeat),
        _median_ms(lambda: overview(theirs), repeat), _median_ms(raw_overview, repeat),
        overview(mine)))
    return results


def format_row_security(results: list[RowSecurityResult]) -> str:
    lines = [f"{'operation (row security)':<30}{'query':<16}{'RLS ms':>9}{'owner ms':>10}"
             f"{'RLS/owner':>10}{'raw SQL ms':>11}{'RLS/raw':>9}{'rows':>6}"]
    for r in results:
        lines.append(f"{r.name:<30}{r.query:<16}{r.rls_ms:>9.2f}{r.unrestricted_ms:>10.2f}"
                     f"{r.rls_ratio:>10.2f}{r.raw_ms:>11.2f}{r.raw_ratio:>9.2f}{r.rows:>6}")
    return "\n".join(lines)
