"""``stationcrm bench``: service calls against hand-written SQL on a generated database.

For each measured operation it reports the median time of the service call, the median
time of equivalent hand-written SQL on the same database, their ratio, and how many
statements the service issued. Measuring is done here, not in tests with timed asserts.
:func:`result_records` gives the same as plain data (``stationcrm bench --json``), so runs
can be compared; :func:`bench_lan` times what a person does at a station through a relay
that adds a LAN's delay (``--lan-ms``) and counts the round trips.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import random
import re
import statistics
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any, Final

from sqlalchemy import (
    Engine,
    bindparam,
    delete,
    event,
    func,
    insert,
    make_url,
    select,
    text,
    true,
    update,
)
from sqlalchemy.exc import DBAPIError

from app.db import CAPTURE, PLAN_PER_RUN, make_engine, read_only_options
from app.latency import LatencyProxy
from app.models import (
    AuditEntry,
    Contact,
    Customer,
    CustomFieldValue,
    Department,
    Device,
    DocumentSequence,
    FeedEntry,
    Order,
    OrderLine,
    Payment,
    PaymentAllocation,
    Product,
    Role,
    User,
    Visit,
    utcnow,
)
from app.models.enums import (
    AuditAction,
    CustomFieldEntity,
    Module,
    Operation,
    OrderStatus,
    PaymentMethod,
)
from app.services.auth import actor_for
from app.services.customer360 import customer_overview
from app.services.customer_guard import GuardRules
from app.services.customers import search_customers
from app.services.exports import export_customers
from app.services.numbering import PREFIXES
from app.services.paging import Sort
from app.services.permissions import Actor, grants_for
from app.services.sales.data import OrderDraft, OrderLineDraft
from app.services.uow import UnitOfWork
from app.textkeys import (
    fold_text,
    normalise_name,
    phone_digits,
    pinyin_full,
    pinyin_initials,
    search_prefix,
)

PAGE = 100


@dataclass(frozen=True)
class BenchResult:
    name: str
    query: str
    service_ms: float  # the median
    raw_ms: float
    statements: int
    rows: int
    service_min_ms: float | None = None
    # The operation's name in --json, the same from run to run (the text table says more).
    operation: str = ""

    @property
    def ratio(self) -> float:
        return self.service_ms / self.raw_ms if self.raw_ms else float("inf")


@contextmanager
def count_statements(engine: Engine) -> Iterator[list[str]]:
    """The statements run on ``engine`` inside the block, each once: one sent ahead
    (UnitOfWork.read_ahead) is counted when it is run, not also when it is sent."""
    seen: list[str] = []

    def listener(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
                 *args: Any) -> None:
        if context is not None and context.execution_options.get(CAPTURE):
            return
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE",
                                                       "COMMIT", "ROLLBACK")):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


@dataclass(frozen=True)
class Timing:
    median_ms: float
    min_ms: float


def _timed(fn: Callable[[], object], repeat: int) -> Timing:
    fn()  # warm caches and compiled-statement cache
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return Timing(statistics.median(times), min(times))


def _median_ms(fn: Callable[[], object], repeat: int) -> float:
    return _timed(fn, repeat).median_ms


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


# Pinyin as the service reads it: the exact code (or a merged card's), a name starting
# with the letters, and one range of the search keys; each customer at its best rank.
def _ranked_by_hand(hits: str, source: str = "customers c") -> str:
    """A ranked search by hand: ``hits`` (a UNION ALL of id, rank, sort key rows), each
    customer once at its best rank, the page chosen from those rows alone (the search
    rows carry the sort key), then with the list's columns, best first and then in
    pinyin order. ``source``: the rows' table (a person's list reads the directory)."""
    return ("SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, "
            "c.status, c.owner_id, u.display_name, c.phone, c.sort_key FROM (SELECT id, "
            f"MIN(r) AS r, MAX(s) AS s FROM ({hits}) h GROUP BY id ORDER BY r, s, id "
            f"LIMIT {PAGE + 1}) k JOIN {source} ON c.id = k.id "
            "LEFT JOIN users u ON u.id = c.owner_id ORDER BY k.r, k.s, c.id")


# An exact code, or the number of a card merged into one: rank 0.
_RAW_EXACT = ("SELECT id, 0 AS r, sort_key AS s FROM customers WHERE code = :x "
              "UNION ALL SELECT a.customer_id, 0, c.sort_key FROM customer_aliases a "
              "JOIN customers c ON c.id = a.customer_id WHERE a.code = :x")
_RAW_KEYS = _ranked_by_hand(
    f"{_RAW_EXACT} "
    "UNION ALL SELECT id, 1, sort_key FROM customers WHERE name_key >= :p AND name_key < :q "
    "UNION ALL SELECT owner_id, pos + 2, sort_key FROM search_keys WHERE owner_kind = 'c' "
    "AND term >= :k AND term < :l")

# Each search's name in --json.
_SEARCH_OPERATIONS = {
    "pinyin initials": "search pinyin initials", "pinyin inside": "search pinyin inside",
    "full pinyin": "search pinyin full", "customer code": "search code",
    "name": "search name", "phone digits": "search phone",
    "contact name": "search contact", "device serial": "search serial",
}

# The customers whose active text fields hold the text: the search's last branch for a
# code or words (few fields, few values; a LIKE on each).
_RAW_CUSTOM = (
    "SELECT v.record_id, 4, c.sort_key FROM custom_field_values v JOIN "
    "custom_field_definitions f ON f.id = v.definition_id JOIN customers c "
    "ON c.id = v.record_id WHERE v.entity = 'customer' AND f.entity = 'customer' "
    "AND f.active = :yes AND f.kind IN ('text', 'multiline') AND v.value_text LIKE :a "
    "ESCAPE '/'")

# A code or serial number, as the service reads it: the exact code (or a merged card's),
# names and codes starting with it, the pinyin keys, the devices' serials and the custom
# text fields; each customer at its best rank.
_RAW_CODE = _ranked_by_hand(
    f"{_RAW_EXACT} "
    "UNION ALL SELECT id, 1, sort_key FROM customers WHERE name_key >= :n AND name_key < :o "
    "UNION ALL SELECT owner_id, pos + 2, sort_key FROM search_keys WHERE owner_kind = 'c' "
    "AND term >= :k AND term < :l "
    "UNION ALL SELECT id, 1, sort_key FROM customers WHERE code >= :u AND code < :v "
    "UNION ALL SELECT d.customer_id, 4, c.sort_key FROM devices d JOIN customers c "
    "ON c.id = d.customer_id WHERE d.serial_number >= :u "
    f"AND d.serial_number < :v UNION ALL {_RAW_CUSTOM}")

# Chinese text as the service reads it: a range of the name suffixes (a name starting
# with the text first), one of the contacts' names and the custom text fields.
_RAW_NAMES = (
    "SELECT owner_id AS id, pos * 2 + 1 AS r, sort_key AS s FROM name_suffixes "
    "WHERE owner_kind = 'c' AND suffix >= :s AND suffix < :t UNION ALL SELECT "
    "k.customer_id, 4, c.sort_key FROM contacts k JOIN customers c ON c.id = k.customer_id "
    "WHERE k.name >= :w AND k.name < :z")
_RAW_WORDS = _ranked_by_hand(f"{_RAW_NAMES} UNION ALL {_RAW_CUSTOM}")

# Hand-written SQL with the same meaning as the service's search for each shape of text
# (bench_search checks that both find the same customers in the same order).
_RAW_SEARCH = {
    "pinyin initials": _RAW_KEYS,
    "pinyin inside": _RAW_KEYS,
    "full pinyin": _RAW_KEYS,
    "customer code": _RAW_CODE,
    "name": _RAW_WORDS,
    # A contact's name is Chinese text: the same ranges as a name.
    "contact name": _RAW_WORDS,
    "device serial": _RAW_CODE,
    # Digits: a range of the phone suffixes (customers' and contacts' numbers), whose
    # sort keys choose the page.
    "phone digits": (
        "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
        "c.owner_id, u.display_name, c.phone, c.sort_key FROM (SELECT customer_id AS id, "
        "MAX(sort_key) AS s FROM phone_suffixes WHERE suffix >= :d AND suffix < :e "
        f"GROUP BY customer_id ORDER BY s, customer_id LIMIT {PAGE + 1}) k "
        "JOIN customers c ON c.id = k.id LEFT JOIN users u ON u.id = c.owner_id "
        "ORDER BY k.s, c.id"
    ),
}

# The same searches spelled the other way: the matches grouped by id, then each looked up
# in the customers for its sort key. Slower where thousands match, faster where few do
# (no sort key read for each branch's rows): bench_search compares the service with the
# faster of the two spellings.
def _by_lookup(hits: str) -> str:
    """``hits`` (a UNION ALL of id, rank rows) ranked as :func:`_ranked_by_hand` does."""
    return ("SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, "
            "c.status, c.owner_id, u.display_name, c.phone, c.sort_key FROM (SELECT id, "
            f"MIN(r) AS r FROM ({hits}) h GROUP BY id) k JOIN customers c ON c.id = k.id "
            "LEFT JOIN users u ON u.id = c.owner_id ORDER BY k.r, c.sort_key, c.id")


_LOOKUP_EXACT = ("SELECT id, 0 AS r FROM customers WHERE code = :x UNION ALL "
                 "SELECT customer_id, 0 FROM customer_aliases WHERE code = :x")
_LOOKUP_KEYS = (f"{_LOOKUP_EXACT} UNION ALL SELECT id, 1 FROM customers WHERE name_key >= "
                ":p AND name_key < :q UNION ALL SELECT owner_id, pos + 2 FROM search_keys "
                "WHERE owner_kind = 'c' AND term >= :k AND term < :l")
_LOOKUP_CUSTOM = (
    "SELECT v.record_id, 4 FROM custom_field_values v JOIN custom_field_definitions f "
    "ON f.id = v.definition_id WHERE v.entity = 'customer' AND f.entity = 'customer' "
    "AND f.active = :yes AND f.kind IN ('text', 'multiline') AND v.value_text LIKE :a "
    "ESCAPE '/'")
_LOOKUP_CODE = _by_lookup(
    f"{_LOOKUP_EXACT} UNION ALL SELECT id, 1 FROM customers WHERE name_key >= :n AND "
    "name_key < :o UNION ALL SELECT owner_id, pos + 2 FROM search_keys WHERE owner_kind = "
    "'c' AND term >= :k AND term < :l UNION ALL SELECT id, 1 FROM customers WHERE code >= "
    ":u AND code < :v UNION ALL SELECT customer_id, 4 FROM devices WHERE serial_number >= "
    f":u AND serial_number < :v UNION ALL {_LOOKUP_CUSTOM}")
_LOOKUP_WORDS = _by_lookup(
    "SELECT owner_id AS id, pos * 2 + 1 AS r FROM name_suffixes WHERE owner_kind = 'c' "
    "AND suffix >= :s AND suffix < :t UNION ALL SELECT customer_id, 4 FROM contacts "
    f"WHERE name >= :w AND name < :z UNION ALL {_LOOKUP_CUSTOM}")
_RAW_SEARCH_BY_LOOKUP = {
    "pinyin initials": _by_lookup(_LOOKUP_KEYS), "pinyin inside": _by_lookup(_LOOKUP_KEYS),
    "full pinyin": _by_lookup(_LOOKUP_KEYS), "customer code": _LOOKUP_CODE,
    "name": _LOOKUP_WORDS, "contact name": _LOOKUP_WORDS, "device serial": _LOOKUP_CODE,
    "phone digits": (
        "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
        "c.owner_id, u.display_name, c.phone, c.sort_key FROM customers c "
        "LEFT JOIN users u ON u.id = c.owner_id "
        "WHERE c.id IN (SELECT customer_id FROM phone_suffixes WHERE suffix >= :d AND "
        "suffix < :e) ORDER BY c.sort_key, c.id"),
}

# The same searches written by hand the way the list works for a person on a secured
# server: names and keys from the customer directory (colleagues' customers are listed,
# locked), the details only where the person's login may read the customer's row; digits
# only among the customers the person may open (row security of the phone suffixes).
_RAW_SEARCH_AS_PERSON = {
    "pinyin initials": (
        "SELECT d.id, d.code, d.name, d.short_name, c.customer_class, c.source, c.status, "
        "d.owner_id, u.display_name, c.phone, d.sort_key FROM (SELECT owner_id AS id, "
        "MIN(pos) AS r, MAX(sort_key) AS s FROM search_keys WHERE owner_kind = 'c' "
        "AND term >= :p AND term < :q GROUP BY owner_id ORDER BY r, s, owner_id "
        f"LIMIT {PAGE + 1}) k JOIN customer_directory d ON d.id = k.id "
        "LEFT JOIN customers c ON c.id = d.id LEFT JOIN users u ON u.id = d.owner_id "
        "ORDER BY k.r, k.s, d.id"),
    "name": (
        "SELECT d.id, d.code, d.name, d.short_name, c.customer_class, c.source, c.status, "
        "d.owner_id, u.display_name, c.phone, d.sort_key FROM (SELECT id, MIN(r) AS r, "
        "MAX(s) AS s FROM (SELECT owner_id AS id, pos * 2 + 1 AS r, sort_key AS s "
        "FROM name_suffixes WHERE owner_kind = 'c' AND suffix >= :s AND suffix < :t "
        "UNION ALL SELECT t.customer_id, 4, x.sort_key FROM contacts t "
        "JOIN customer_directory x ON x.id = t.customer_id WHERE t.name >= :p "
        f"AND t.name < :q) h GROUP BY id ORDER BY r, s, id LIMIT {PAGE + 1}) k "
        "JOIN customer_directory d ON d.id = k.id "
        "LEFT JOIN customers c ON c.id = d.id LEFT JOIN users u ON u.id = d.owner_id "
        "ORDER BY k.r, k.s, d.id"),
    "phone digits": (
        "SELECT c.id, c.code, c.name, c.short_name, c.customer_class, c.source, c.status, "
        "c.owner_id, u.display_name, c.phone, c.sort_key FROM customers c "
        "LEFT JOIN users u ON u.id = c.owner_id "
        "WHERE c.id IN (SELECT customer_id FROM phone_suffixes WHERE suffix >= :d AND "
        "suffix < :e) ORDER BY c.sort_key, c.id"),
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
        contact_name = conn.execute(
            select(Contact.name).order_by(Contact.id).offset(total // 4).limit(1)
        ).scalar_one()
        devices = conn.execute(select(func.count()).select_from(Device)).scalar_one()
        # From the middle, the first serial with a letter in its first six characters (one
        # of digits alone is searched as a phone number); typed as at the counter, its
        # first six characters.
        serials = conn.execute(
            select(Device.serial_number).where(Device.serial_number.is_not(None))
            .order_by(Device.id).offset(devices // 2).limit(50)
        ).scalars().all()
    name, initials, _phone, code = middle
    serial = next((s[:6] for s in serials if not s[:6].isdigit()), "")
    return {
        "pinyin initials": initials[:4],
        # Two syllables from inside the name (得力复印纸: "fyz"), initials and in full.
        "pinyin inside": pinyin_initials(name[3:6]),
        "full pinyin": pinyin_full(name[3:5]),
        "customer code": code,
        "name": name[2:4] if len(name) > 4 else name[:2],
        "phone digits": contact_phone[-6:-2],
        # A contact's whole name (王芳): the name suffixes and the contacts' names.
        "contact name": contact_name,
        "device serial": serial,
    }


def _raw_search_params(query: str) -> dict[str, Any]:
    """The values for _RAW_SEARCH: prefix ranges (as typed, in upper case, folded as the
    name suffixes are, as the keys and the names' keys spell it, as digits), the exact
    code and a LIKE pattern."""
    low, up, folded = query.casefold(), query.upper(), fold_text(query) or query
    digits = phone_digits(query) or "0"
    key, name_key = search_prefix(query) or low, normalise_name(query) or low
    anywhere = "%" + re.sub(r"([/%_])", r"/\1", query) + "%"

    def after(text: str) -> str:
        return text[:-1] + chr(ord(text[-1]) + 1)

    return {"p": low, "q": after(low), "a": anywhere, "u": up, "v": after(up), "x": up,
            "s": folded, "t": after(folded), "d": digits, "e": after(digits),
            "k": key, "l": after(key), "n": name_key, "o": after(name_key),
            "w": query, "z": after(query), "yes": True}


def bench_search(engine: Engine, *, repeat: int = 15) -> list[BenchResult]:
    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    results = []
    for label, query in _sample_queries(engine).items():
        def service(q: str = query) -> list[int]:
            return [r.id for r in search_customers(uow=uow, actor=actor, text=q,
                                                   limit=PAGE).rows]

        params = _raw_search_params(query)

        def raw(sql: str, params: dict[str, Any] = params) -> list[int]:
            # As the service runs its search: in a read-only connection (on a server no
            # BEGIN and ROLLBACK), planned for its own values each time. A plan prepared
            # for any values is what the bench's repeats of one text would otherwise get
            # after five runs (no planning: a few-match search's 0.5-0.7 of its 0.8 ms
            # on PostgreSQL), and what cost the pinyin search 44 ms once the texts vary.
            with engine.connect().execution_options(**read_only_options(engine)) as conn:
                found = conn.execute(text(sql + f" LIMIT {PAGE + 1}")
                                     .execution_options(**{PLAN_PER_RUN: True}),
                                     params).all()
            return [r.id for r in found[:PAGE]]

        spellings = (_RAW_SEARCH[label], _RAW_SEARCH_BY_LOOKUP[label])
        timing = _timed(service, repeat)
        # The best hand-written SQL: the faster spelling for this text.
        raw_ms = min(_median_ms(lambda sql=sql: raw(sql), repeat) for sql in spellings)
        with count_statements(engine) as seen:  # warm: as a station's second search
            found = service()
        if any(raw(sql) != found for sql in spellings):  # the comparison would mean nothing
            raise RuntimeError(f"the hand-written search by {label} ({query!r}) finds "
                               "other customers")
        rows = len(found)
        results.append(BenchResult(name=f"search by {label}", query=query,
                                   service_ms=timing.median_ms, raw_ms=raw_ms,
                                   statements=len(seen), rows=rows,
                                   service_min_ms=timing.min_ms,
                                   operation=_SEARCH_OPERATIONS[label]))
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


def _busiest_customer(engine: Engine) -> int:
    """The customer with the most visits: the longest history, the fullest card."""
    with engine.connect() as conn:
        return int(conn.execute(
            select(Visit.customer_id).group_by(Visit.customer_id)
            .order_by(func.count().desc(), Visit.customer_id).limit(1)
        ).scalar_one())


def bench_overview(engine: Engine, *, repeat: int = 15) -> BenchResult:
    """The 360 view of the customer with the most visits (the longest history)."""
    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    customer_id = _busiest_customer(engine)

    def service() -> int:
        return len(customer_overview(uow=uow, actor=actor, customer_id=customer_id).timeline)


    def raw() -> int:
        with engine.connect() as conn:
            return sum(len(conn.execute(text(sql), {"c": customer_id}).all())
                       for sql in _raw_overview())

    timing, raw_ms = _timed(service, repeat), _median_ms(raw, repeat)
    with count_statements(engine) as seen:
        rows = service()
    return BenchResult(name="customer 360 view", query=f"customer {customer_id}",
                       service_ms=timing.median_ms, raw_ms=raw_ms, statements=len(seen),
                       rows=rows, service_min_ms=timing.min_ms, operation="open 360")


# The customer base protection's figures by hand: one GROUP BY per person and day over
# the period and the weeks its usual looks back on (also app.bench_guard's baseline).
RAW_GUARD: Final = (
    "SELECT user_id, day, COUNT(DISTINCT CASE WHEN action IN ('card', 'overview')"
    " THEN customer_id END), SUM(CASE WHEN action = 'search' THEN customers"
    " ELSE 0 END) FROM read_trail WHERE day >= :s AND day <= :e"
    " GROUP BY user_id, day")


def bench_read_trail(engine: Engine, *, repeat: int = 15) -> list[BenchResult]:
    """What the read trail costs: a read noted when a card opens (against the card's own
    time: the card waits for no statement of it), and the customer base protection
    overview of the last 90 days against its figures by hand-written GROUP BY."""
    from app.models.enums import ReadAction
    from app.services import customer_guard, read_trail
    from app.services.customers import get_customer

    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    customer_id = _busiest_customer(engine)
    trail = read_trail.ReadTrail(engine)  # its own: nothing of the bench is written

    def note() -> int:
        for _ in range(1000):
            trail.note(actor.user_id, ReadAction.CARD, customer_id=customer_id)
        return trail.discard()

    def card() -> int:
        return len(get_customer(uow=uow, actor=actor, customer_id=customer_id).contacts)

    noted = _timed(note, repeat)
    card_ms = _median_ms(card, repeat)
    read_trail.trail_for(engine).discard()
    results = [BenchResult(
        name="read trail: one read noted", query="as a card opens",
        service_ms=noted.median_ms / 1000, raw_ms=card_ms, statements=0, rows=1,
        service_min_ms=noted.min_ms / 1000, operation="note a read")]
    with engine.connect() as conn:
        last = conn.execute(text("SELECT MAX(day) FROM read_trail")).scalar()
    if last is None:
        return results
    last = last if isinstance(last, dt.date) else dt.date.fromisoformat(str(last)[:10])
    start = last - dt.timedelta(days=89)

    def overview() -> int:
        return len(customer_guard.guard_overview(uow=uow, actor=actor, date_from=start,
                                                 date_to=last).alerts)

    def raw() -> int:
        with engine.connect() as conn:
            return len(conn.execute(text(RAW_GUARD), {
                "s": start - dt.timedelta(weeks=GuardRules.baseline_weeks), "e": last}).all())

    timing, raw_ms = _timed(overview, repeat), _median_ms(raw, repeat)
    with count_statements(engine) as seen:
        alerts = overview()
    results.append(BenchResult(
        name="customer base protection, 90 days", query=f"{start} to {last}",
        service_ms=timing.median_ms, raw_ms=raw_ms, statements=len(seen), rows=alerts,
        service_min_ms=timing.min_ms, operation="customer guard 90 days"))
    return results


def bench_export(engine: Engine, folder: Path, *, repeat: int = 1) -> BenchResult:
    """Every customer to an .xlsx file, as the manager's export writes it; against one
    SELECT of the same columns written by openpyxl's streaming mode without formats."""
    from openpyxl import Workbook

    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    target = folder / "bench-export.xlsx"

    def service() -> int:
        return export_customers(uow=uow, actor=actor, path=target).row_count

    def raw() -> int:
        book = Workbook(write_only=True)
        sheet = book.create_sheet("customers")
        count = 0
        with engine.connect() as conn:
            for row in conn.execution_options(yield_per=2000).execute(text(
                    "SELECT c.code, c.name, c.short_name, c.kind, c.customer_class, c.source,"
                    " c.status, u.display_name, c.phone, c.email, c.industry, c.tax_number,"
                    " c.website, c.first_contact_on, c.created_at FROM customers c LEFT JOIN"
                    " users u ON u.id = c.owner_id ORDER BY c.sort_key, c.id")):
                # Excel has no time zones (as app.reports.tabular writes them).
                sheet.append([v.astimezone().replace(tzinfo=None)
                              if isinstance(v, dt.datetime) and v.tzinfo else v for v in row])
                count += 1
        book.save(str(folder / "bench-export-raw.xlsx"))
        return count

    # No warming run: one export of every customer is what a person waits for.
    service_times, raw_times = [], []
    rows = 0
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        rows = service()
        service_times.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        raw()
        raw_times.append((time.perf_counter() - start) * 1000)
    with count_statements(engine) as seen:
        service()
    return BenchResult(name="export customers (.xlsx)", query=f"{rows} rows",
                       service_ms=statistics.median(service_times),
                       raw_ms=statistics.median(raw_times), statements=len(seen), rows=rows,
                       service_min_ms=min(service_times), operation="export customers xlsx")


# Hand-written SQL for the same figures each statistic of the manager's window returns in
# its default view, as the general manager sees it (every record): statements per statistic,
# run one after another in one connection. Months are the dates' first seven characters
# (the service numbers them with CASE over the range's months). HOURS(start, end) is the one
# expression each database spells its own way (_raw_statistic_sql); the bounds come from
# _raw_statistic_params.
_OPEN_ORDERS = (
    "WITH later AS (SELECT order_id, SUM(amount) AS later FROM payment_allocations"
    " WHERE payment_id IN (SELECT id FROM payments WHERE received_on > :asof)"
    " GROUP BY order_id), open_orders AS (SELECT o.customer_id,"
    " COALESCE(o.due_on, o.ordered_on) AS basis,"
    " o.total_amount - o.paid_amount + COALESCE(l.later, 0) AS open FROM orders o"
    " LEFT JOIN later l ON l.order_id = o.id"
    " WHERE o.status IN ('confirmed', 'delivered', 'completed') AND o.ordered_on <= :asof"
    " AND o.total_amount - o.paid_amount + COALESCE(l.later, 0) > 0) ")
_RAW_STATISTICS: dict[str, tuple[str, ...]] = {
    "customer-classes": (
        # buyers, orders and revenue per class (summed per buyer first: each buyer's class
        # looked up once)
        "SELECT c.customer_class, COUNT(*), SUM(g.n), SUM(g.amount) FROM (SELECT customer_id,"
        " COUNT(*) AS n, SUM(total_amount) AS amount FROM orders WHERE status <> 'cancelled'"
        " AND ordered_on >= :a AND ordered_on <= :b GROUP BY customer_id) g"
        " JOIN customers c ON c.id = g.customer_id GROUP BY c.customer_class",
        # customers per class
        "SELECT customer_class, COUNT(*) FROM customers GROUP BY customer_class",
        # customers first met per class and month, and lost per month
        "SELECT customer_class, SUBSTR(CAST(first_contact_on AS TEXT), 1, 7), COUNT(*) FROM"
        " customers WHERE first_contact_on >= :a AND first_contact_on <= :b GROUP BY 1, 2",
        "SELECT SUBSTR(CAST(lost_on AS TEXT), 1, 7), COUNT(*) FROM customers"
        " WHERE lost_on >= :a AND lost_on <= :b GROUP BY 1"),
    "product-sales": (
        # orders, quantity, revenue and cost per category
        "SELECT p.category, COUNT(DISTINCT o.id), SUM(l.quantity), SUM(l.line_total),"
        " SUM(l.line_cost) FROM order_lines l JOIN orders o ON o.id = l.order_id LEFT JOIN"
        " products p ON p.id = l.product_id WHERE o.status <> 'cancelled' AND o.ordered_on >="
        " :a AND o.ordered_on <= :b GROUP BY p.category",
        # the orders with lines, each once (an order may have lines in two categories)
        "SELECT COUNT(*) FROM orders o WHERE o.status <> 'cancelled' AND o.ordered_on >= :a"
        " AND o.ordered_on <= :b AND EXISTS (SELECT 1 FROM order_lines l"
        " WHERE l.order_id = o.id)"),
    "sales-collections": (
        # orders per month
        "SELECT SUBSTR(CAST(ordered_on AS TEXT), 1, 7), COUNT(*), SUM(total_amount) FROM"
        " orders WHERE status <> 'cancelled' AND ordered_on >= :a AND ordered_on <= :b"
        " GROUP BY 1",
        # money received per month on any order (a cancelled order's money stays collected)
        "SELECT SUBSTR(CAST(p.received_on AS TEXT), 1, 7), COUNT(*), SUM(a.amount) FROM"
        " payments p JOIN payment_allocations a ON a.payment_id = p.id WHERE a.order_id IS"
        " NOT NULL AND p.received_on >= :a AND p.received_on <= :b GROUP BY 1",
        # what was open on the last day (open now + paid by later payments), aged
        _OPEN_ORDERS + "SELECT CASE WHEN basis >= :d30 THEN '0-30' WHEN basis >= :d60 THEN"
        " '31-60' WHEN basis >= :d90 THEN '61-90' ELSE '90+' END, COUNT(*), SUM(open)"
        " FROM open_orders GROUP BY 1",
        # and the ten customers owing most
        _OPEN_ORDERS + "SELECT d.customer_id, c.name, d.n, d.due FROM (SELECT customer_id,"
        " COUNT(*) AS n, SUM(open) AS due FROM open_orders GROUP BY customer_id"
        " ORDER BY due DESC, customer_id LIMIT 10) d JOIN customers c ON c.id = d.customer_id"
        " ORDER BY d.due DESC, d.customer_id"),
    "service": (
        # tickets, completed, turnaround hours, decided SLA and within it per technician
        "SELECT g.technician_id, u.display_name, g.n, g.done, g.hours, g.sla, g.hits FROM"
        " (SELECT technician_id, COUNT(*) AS n, COUNT(completed_at) AS done,"
        " SUM(HOURS(received_at, completed_at)) AS hours, COUNT(CASE WHEN due_at IS NOT NULL"
        " AND (completed_at IS NOT NULL OR due_at < :now) THEN 1 END) AS sla,"
        " COUNT(CASE WHEN completed_at <= due_at THEN 1 END) AS hits FROM service_tickets"
        " WHERE status <> 'cancelled' AND received_at >= :s AND received_at < :e"
        " GROUP BY technician_id) g LEFT JOIN users u ON u.id = g.technician_id",
        # device models most often back within 30 days
        "SELECT d.model, COUNT(*) FROM service_tickets t JOIN devices d ON d.id = t.device_id"
        " WHERE t.status <> 'cancelled' AND t.received_at >= :s AND t.received_at < :e"
        " AND EXISTS (SELECT 1 FROM service_tickets e WHERE e.device_id = t.device_id AND"
        " e.id <> t.id AND e.status <> 'cancelled' AND e.received_at >= :since AND"
        " e.received_at < t.received_at AND HOURS(e.received_at, t.received_at) <= 720)"
        " GROUP BY d.model ORDER BY COUNT(*) DESC, d.model LIMIT 20"),
    "forecast": (
        # open opportunities expected to close per month
        "SELECT SUBSTR(CAST(expected_close_on AS TEXT), 1, 7), COUNT(*), SUM(expected_amount),"
        " SUM(expected_amount * probability) FROM opportunities WHERE stage NOT IN ('won',"
        " 'lost') AND expected_close_on >= :a AND expected_close_on <= :b GROUP BY 1",
        # sold per month
        "SELECT SUBSTR(CAST(ordered_on AS TEXT), 1, 7), SUM(total_amount) FROM orders"
        " WHERE status <> 'cancelled' AND ordered_on >= :a AND ordered_on <= :b GROUP BY 1",
        # month plans: an owner's overall plan, else their per-customer plans
        "SELECT s.year * 100 + s.period, SUM(s.planned_amount) FROM sales_plans s WHERE"
        " s.period_kind = 'month' AND s.year * 100 + s.period >= :ya AND s.year * 100 +"
        " s.period <= :yb AND (s.customer_id IS NULL OR NOT EXISTS (SELECT 1 FROM"
        " sales_plans w WHERE w.owner_id = s.owner_id AND w.year = s.year AND w.period_kind"
        " = s.period_kind AND w.period = s.period AND w.customer_id IS NULL)) GROUP BY 1"),
    "assessment": (
        # orders, revenue, cost and points per salesperson, named
        "SELECT g.owner_id, u.display_name, g.n, g.revenue, g.cost, g.points FROM (SELECT"
        " owner_id, COUNT(*) AS n, SUM(total_amount) AS revenue, SUM(total_cost) AS cost,"
        " SUM(total_points) AS points FROM orders WHERE status <> 'cancelled' AND ordered_on"
        " >= :a AND ordered_on <= :b GROUP BY owner_id) g LEFT JOIN users u"
        " ON u.id = g.owner_id",
        # repair jobs and service score per technician, named
        "SELECT g.technician_id, u.display_name, g.n, g.score FROM (SELECT technician_id,"
        " COUNT(*) AS n, SUM(service_score) AS score FROM repair_records WHERE completed_at"
        " >= :s AND completed_at < :e GROUP BY technician_id) g LEFT JOIN users u"
        " ON u.id = g.technician_id"),
}
# HOURS(start, end) per database, as app.models.functions.hours_between spells it.
_RAW_HOURS = {
    "sqlite": r"((julianday(\2) - julianday(\1)) * 24.0)",
    "postgresql": r"(EXTRACT(EPOCH FROM (\2 - \1)) / 3600.0)",
}
_RAW_STAMPS = ("s", "e", "now", "since")


def _raw_statistic_sql(name: str, dialect: str) -> list[Any]:
    """The statements of ``_RAW_STATISTICS[name]`` for ``dialect``, timestamps bound as the
    columns store them."""
    from app.models.base import UTCDateTime

    statements = []
    for written in _RAW_STATISTICS[name]:
        sql = re.sub(r"HOURS\(([\w.]+), ([\w.]+)\)", _RAW_HOURS[dialect], written)
        stamps = [bindparam(k, type_=UTCDateTime()) for k in _RAW_STAMPS
                  if re.search(rf":{k}\b", sql)]
        statements.append(text(sql).bindparams(*stamps))
    return statements


def _raw_statistic_params(date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """The values the hand-written statistics read, for the range [date_from, date_to]."""
    from app.services.stats_common import local_midnight

    start = local_midnight(date_from)
    as_of = min(date_to, dt.date.today())
    return {"a": date_from, "b": date_to, "s": start,
            "e": local_midnight(date_to + dt.timedelta(days=1)), "now": utcnow(),
            "since": start - dt.timedelta(hours=720), "asof": as_of,
            "d30": as_of - dt.timedelta(days=30), "d60": as_of - dt.timedelta(days=60),
            "d90": as_of - dt.timedelta(days=90),
            "ya": date_from.year * 100 + date_from.month,
            "yb": date_to.year * 100 + date_to.month}


def raw_statistic(engine: Engine, name: str, date_from: dt.date,
                  date_to: dt.date) -> list[list[Any]]:
    """The rows of each hand-written statement of statistic ``name`` (for the tests that
    keep them computing what the service computes)."""
    params = _raw_statistic_params(date_from, date_to)
    with engine.connect() as conn:
        return [list(conn.execute(stmt, params).all())
                for stmt in _raw_statistic_sql(name, engine.dialect.name)]


def _statistic_range(name: str, last: dt.date) -> tuple[dt.date, dt.date]:
    """The range the bench times ``name`` over: the last twelve months of orders, the
    forecast over the next four."""
    if name == "forecast":
        return last + dt.timedelta(days=1), last + dt.timedelta(days=120)
    return last - dt.timedelta(days=364), last


def bench_statistics(engine: Engine, *, repeat: int = 5) -> list[BenchResult]:
    """Each statistic of the manager's window over the last twelve months of data (the
    forecast over the next four), as the general manager sees it."""
    from app.models import Order
    from app.services.statistics import STATISTICS, StatFilters, run_statistic

    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    with engine.connect() as conn:
        last = conn.execute(select(func.max(Order.ordered_on))).scalar_one()
    if last is None:
        raise RuntimeError("the database has no orders; run demo-data first")
    results = []
    for name in STATISTICS:
        date_from, date_to = _statistic_range(name, last)
        filters = StatFilters(date_from, date_to)

        def service(f: StatFilters = filters, n: str = name) -> int:
            return len(run_statistic(n, f, uow=uow, actor=actor).rows)

        statements = _raw_statistic_sql(name, engine.dialect.name)
        params = _raw_statistic_params(date_from, date_to)

        def raw(stmts: list[Any] = statements, p: dict[str, Any] = params) -> int:
            with engine.connect() as conn:
                return sum(len(conn.execute(stmt, p).all()) for stmt in stmts)

        timing, raw_ms = _timed(service, repeat), _median_ms(raw, repeat)
        table = run_statistic(name, filters, uow=uow, actor=actor)
        results.append(BenchResult(name=f"statistic {name}",
                                   query=f"{date_from:%y%m%d}-{date_to:%y%m%d}",
                                   service_ms=timing.median_ms, raw_ms=raw_ms,
                                   statements=table.queries, rows=len(table.rows),
                                   service_min_ms=timing.min_ms,
                                   operation=f"statistic {name}"))
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
        "ORDER BY c.sort_key, c.id LIMIT {n}", "sort_key", None),
    # The numbers in their order, then (empty phones last) the rows without one by id:
    # each a range of ix_customers_phone.
    "phone, descending": (
        _RAW_SCROLL_COLUMNS + "WHERE c.phone IS NOT NULL AND c.phone <= :v AND (c.phone < :v"
        " OR (c.phone = :v AND c.id < :i)) ORDER BY c.phone DESC, c.id DESC LIMIT {n}",
        "phone",
        _RAW_SCROLL_COLUMNS + "WHERE c.phone IS NULL AND c.id < :i "
        "ORDER BY c.id DESC LIMIT {n}"),
}
_SCROLL_SORTS = {"pinyin order": None, "phone, descending": Sort("phone", descending=True)}
_SCROLL_OPERATIONS = {"pinyin order": "scroll to end",
                      "phone, descending": "scroll to end, phone descending"}


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

        sql, key, nulls_sql = _RAW_SCROLL[label]
        # The first read starts before every row (its cursor: the lowest or highest key).
        start: dict[str, Any] = ({"v": "", "i": 0} if sort is None
                                 else {"v": "\U0010ffff", "i": 2**31 - 1})

        def raw(sql: str = sql, key: str = key, nulls_sql: str | None = nulls_sql,
                start: dict[str, Any] = start) -> int:
            params, limit, rows, current = dict(start), _SCROLL_FIRST, 0, sql
            with engine.connect() as conn:
                conn.execute(text("SELECT COUNT(*) FROM customers")).scalar_one()
                while True:
                    found = conn.execute(text(current.format(n=limit + 1)), params).all()
                    if len(found) <= limit and nulls_sql and current is sql:
                        # The values end on this page: the rest of it from the rows
                        # without one.
                        current = nulls_sql
                        found += conn.execute(text(current.format(n=limit + 1 - len(found))),
                                              {"i": start["i"]}).all()
                    page = found[:limit]
                    rows += len(page)
                    if len(found) <= limit:
                        return rows
                    last = page[-1]._mapping
                    params = {"v": last[key], "i": last["id"]}
                    limit = min(limit * 2, _SCROLL_CAP)

        timing, raw_ms = _timed(service, repeat), _median_ms(raw, repeat)
        with count_statements(engine) as seen:
            rows = service()
        if raw() != rows:  # the comparison would mean nothing
            raise RuntimeError(f"the hand-written scroll ({label}) reads other rows")
        results.append(BenchResult(name=f"scroll, {label}", query="all rows",
                                   service_ms=timing.median_ms, raw_ms=raw_ms,
                                   statements=len(seen), rows=rows,
                                   service_min_ms=timing.min_ms,
                                   operation=_SCROLL_OPERATIONS[label]))
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

        timing, raw_ms = _timed(service, polls), _median_ms(raw, polls)
        with count_statements(engine) as seen:
            rows = len(read_feed(uow=uow, actor=people[0], after_id=last,
                                 seen_id=last - 50).items)
    finally:
        forget_bench_feed(engine)
    return BenchResult(name="change feed poll", query=f"{notices} notices",
                       service_ms=timing.median_ms, raw_ms=raw_ms, statements=len(seen),
                       rows=rows, service_min_ms=timing.min_ms, operation="change feed poll")


def format_results(results: list[BenchResult]) -> str:
    name = max([30] + [len(r.name) + 2 for r in results])
    query = max([16] + [len(r.query) + 2 for r in results])
    lines = [f"{'operation':<{name}}{'query':<{query}}{'service ms':>11}{'raw SQL ms':>11}"
             f"{'ratio':>7}{'queries':>9}{'rows':>6}"]
    for r in results:
        lines.append(f"{r.name:<{name}}{r.query:<{query}}{r.service_ms:>11.2f}"
                     f"{r.raw_ms:>11.2f}{r.ratio:>7.2f}{r.statements:>9}{r.rows:>6}")
    return "\n".join(lines)


# --- plain records for --json ------------------------------------------------------------


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def result_records(results: Sequence[BenchResult | ActionResult], *, engine: str,
                   customers: int) -> list[dict[str, Any]]:
    """One record per operation (``stationcrm bench --json``), the same keys in every run so
    that runs can be compared: ``operation``, ``engine``, ``customers`` (in the database
    measured), ``service_ms`` (median) and ``service_min_ms``, ``sql_ms`` (the hand-written
    SQL's median) and ``ratio`` (None for an action, which has no SQL of its own), and
    ``statements`` the service executed for one run. An action timed through the LAN
    relay adds ``round_trips`` and ``lan_ms`` (the delay each way)."""
    records: list[dict[str, Any]] = []
    for r in results:
        record: dict[str, Any] = {"operation": r.operation or getattr(r, "name", ""),
                                  "engine": engine, "customers": customers,
                                  "service_ms": _ms(r.service_ms),
                                  "service_min_ms": _ms(r.service_min_ms)}
        if isinstance(r, BenchResult):
            record |= {"sql_ms": _ms(r.raw_ms),
                       "ratio": round(r.ratio, 3) if r.raw_ms else None,
                       "statements": r.statements}
        else:
            record |= {"sql_ms": None, "ratio": None, "statements": r.statements,
                       "round_trips": r.round_trips, "lan_ms": r.lan_ms}
        records.append(record)
    return records


# --- a person's actions, through a LAN's delay ---------------------------------------------

# What the actions write carries this mark (an order's and a payment's notes, a saved card's
# notes in between), so that a record left behind is told from real ones.
BENCH_MARK = "BENCH"


@dataclass(frozen=True)
class ActionResult:
    """One thing a person does at a station, timed on the station's engine: the median and
    fastest run, the statements of one run and, through the relay, its round trips."""

    operation: str
    service_ms: float
    service_min_ms: float
    statements: int
    round_trips: int | None = None
    lan_ms: float | None = None


@dataclass
class _Trail:
    """What the actions wrote, and the rows they change as they were before, so that
    :func:`_clean_up` can put the database back as the owner."""

    actor_id: int
    customer_id: int
    audit_floor: int
    customer_before: dict[str, Any]
    user_before: dict[str, Any]
    sequences_before: dict[tuple[str, str], int]
    orders: list[int] = field(default_factory=list)
    payments: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    customer_version: int | None = None  # the version the actions' last save left
    user_version: int | None = None  # the user's after the actions' last login


_CUSTOMER_STAMPS = ("version", "updated_at", "updated_by_id")
_USER_STAMPS = ("version", "updated_at", "updated_by_id", "password_hash", "failed_logins",
                "locked_until", "last_login_at")
_NUMBERED = (PREFIXES["order"], PREFIXES["payment"])


def _row(conn: Any, entity: Any, row_id: int, names: Sequence[str]) -> dict[str, Any]:
    row = conn.execute(select(*(getattr(entity, n) for n in names))
                       .where(entity.id == row_id)).one()
    return dict(zip(names, row, strict=True))


def _start_trail(owner: Engine, actor: Actor, customer_id: int) -> _Trail:
    with owner.connect() as conn:
        floor = conn.execute(select(func.max(AuditEntry.id))).scalar_one() or 0
        sequences = {(p, d): v for p, d, v in conn.execute(
            select(DocumentSequence.prefix, DocumentSequence.period,
                   DocumentSequence.last_value)
            .where(DocumentSequence.prefix.in_(_NUMBERED)))}
        return _Trail(actor_id=actor.user_id, customer_id=customer_id, audit_floor=floor,
                      customer_before=_row(conn, Customer, customer_id, _CUSTOMER_STAMPS),
                      user_before=_row(conn, User, actor.user_id, _USER_STAMPS),
                      sequences_before=sequences)


def _clean_up(owner: Engine, trail: _Trail) -> list[str]:
    """Remove the actions' orders and payments, give back the document numbers they took
    (where no one took one since), put the saved card's and the logged-in user's stamps
    back, and remove their audit rows. Returns what could not be put back."""
    left: list[str] = []
    with owner.begin() as conn:
        if trail.payments:
            conn.execute(delete(PaymentAllocation)
                         .where(PaymentAllocation.payment_id.in_(trail.payments)))
            conn.execute(delete(Payment).where(Payment.id.in_(trail.payments)))
        if trail.orders:
            conn.execute(delete(CustomFieldValue).where(
                CustomFieldValue.entity == CustomFieldEntity.ORDER,
                CustomFieldValue.record_id.in_(trail.orders)))
            conn.execute(delete(OrderLine).where(OrderLine.order_id.in_(trail.orders)))
            conn.execute(delete(Order).where(Order.id.in_(trail.orders)))
        taken: dict[tuple[str, str], int] = {}
        for number in trail.numbers:
            prefix, period, value = number.rsplit("-", 2)
            taken[(prefix, period)] = max(taken.get((prefix, period), 0), int(value))
        for (prefix, period), last in taken.items():
            here = ((DocumentSequence.prefix == prefix) & (DocumentSequence.period == period)
                    & (DocumentSequence.last_value == last))
            was = trail.sequences_before.get((prefix, period))
            done = conn.execute(
                delete(DocumentSequence).where(here) if was is None else
                update(DocumentSequence).where(here).values(last_value=was))
            if not done.rowcount:
                left.append(f"{prefix}-{period}: numbers up to {last} stay taken")
        for entity, row_id, before, version in (
                (Customer, trail.customer_id, trail.customer_before, trail.customer_version),
                (User, trail.actor_id, trail.user_before, trail.user_version)):
            if version is None:
                continue
            done = conn.execute(update(entity).where(entity.id == row_id,
                                                     entity.version == version)
                                .values(**before))
            if not done.rowcount:
                left.append(f"{entity.__tablename__} {row_id}: changed since, stamps kept")
    try:
        with owner.begin() as conn:
            mine = AuditEntry.entity_id.in_
            conn.execute(delete(AuditEntry).where(
                AuditEntry.id > trail.audit_floor, AuditEntry.user_id == trail.actor_id,
                ((AuditEntry.entity == "order") & mine(trail.orders or [0]))
                | ((AuditEntry.entity == "payment") & mine(trail.payments or [0]))
                | ((AuditEntry.entity == "customer")
                   & (AuditEntry.entity_id == trail.customer_id))
                | ((AuditEntry.entity == "user") & (AuditEntry.entity_id == trail.actor_id)
                   & (AuditEntry.action == AuditAction.LOGIN))))
    except DBAPIError:
        # An append-only audit log refuses a login that is not its owner's.
        left.append(f"audit rows after #{trail.audit_floor} by user {trail.actor_id} stay"
                    f" (their records are marked {BENCH_MARK})")
    return left


def _bench_product(engine: Engine) -> int:
    with engine.connect() as conn:
        product = conn.execute(
            select(Product.id).where(Product.active == true(), Product.list_price >= 1)
            .order_by(Product.id).limit(1)).scalar_one_or_none()
    if product is None:
        raise RuntimeError("the database has no product to sell; run demo-data first")
    return int(product)


def _measure(operation: str, action: Callable[[], object], *, station: Engine,
             relay: LatencyProxy | None, repeat: int) -> ActionResult:
    action()  # warm: the pool's connection, the compiled statements, the grants
    times, trips, counts = [], [], []
    with count_statements(station) as seen:
        for _ in range(max(1, repeat)):
            before, statements = relay.traffic() if relay else None, len(seen)
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
            counts.append(len(seen) - statements)
            if relay is not None and before is not None:
                trips.append((relay.traffic() - before).round_trips)
    return ActionResult(operation, statistics.median(times), min(times),
                        statistics.median_low(counts),
                        statistics.median_low(trips) if trips else None,
                        relay.delay * 1000 if relay else None)


def bench_actions(owner: Engine, station: Engine, *, repeat: int = 15,
                  relay: LatencyProxy | None = None,
                  note: Callable[[str], None] = lambda _: None) -> list[ActionResult]:
    """Time, as the general manager on ``station``'s engine, what a person does at a desk:
    open the card and the 360 view of the customer with the longest history, save the
    card with one field changed (and back), create a one-line order, record a payment and
    log in. ``relay``: the :class:`LatencyProxy` the station's engine goes through, whose
    round trips are counted. What the actions write is removed afterwards on ``owner``
    (the database owner's engine); ``note`` is told what could not be."""
    from app.demo import DEMO_PASSWORD
    from app.services import read_trail
    from app.services.auth import login, verify_password
    from app.services.customers import get_customer, update_customer
    from app.services.sales.orders import create_order, transition_order
    from app.services.sales.payments import record_payment

    actor = _manager(owner)
    customer_id = _busiest_customer(owner)
    product_id = _bench_product(owner)
    runs = max(1, repeat) + 1  # each action once to warm, then timed
    uow = UnitOfWork.for_engine(station)
    trail = _start_trail(owner, actor, customer_id)
    measure = functools.partial(_measure, station=station, relay=relay, repeat=repeat)
    results: list[ActionResult] = []
    try:
        results.append(measure("open card", lambda: get_customer(
            uow=uow, actor=actor, customer_id=customer_id)))
        results.append(measure("open 360", lambda: customer_overview(
            uow=uow, actor=actor, customer_id=customer_id)))

        card = get_customer(uow=uow, actor=actor, customer_id=customer_id)
        as_it_was = card.to_draft()
        marked = replace(as_it_was, notes=BENCH_MARK if card.notes != BENCH_MARK
                         else BENCH_MARK + ".")
        trail.customer_version = card.version
        drafts = itertools.cycle((marked, as_it_was))

        def save_customer() -> None:
            assert trail.customer_version is not None
            trail.customer_version = update_customer(
                uow=uow, actor=actor, customer_id=customer_id,
                expected_version=trail.customer_version, draft=next(drafts)).version

        results.append(measure("save customer", save_customer))
        if runs % 2:
            save_customer()  # the card's notes back as they were

        def order(quantity: int) -> Any:
            view = create_order(uow=uow, actor=actor, draft=OrderDraft(
                customer_id=customer_id, notes=BENCH_MARK,
                lines=(OrderLineDraft(product_id=product_id, quantity=quantity),)))
            trail.orders.append(view.id)
            trail.numbers.append(view.number)
            return view

        results.append(measure("create order", lambda: order(1)))

        payee = order(runs)
        payee = transition_order(uow=uow, actor=actor, order_id=payee.id,
                                 expected_version=payee.version, to=OrderStatus.CONFIRMED)
        amount = (payee.open_amount / runs).quantize(Decimal("0.01"), ROUND_DOWN)

        def pay() -> None:
            view = record_payment(
                uow=uow, actor=actor, customer_id=customer_id, received_on=dt.date.today(),
                amount=amount, method=PaymentMethod.CASH, allocations=[(payee.id, amount)],
                notes=BENCH_MARK)
            trail.payments.append(view.id)
            trail.numbers.append(view.number)

        results.append(measure("record payment", pay))

        with owner.connect() as conn:
            stored = conn.execute(select(User.password_hash)
                                  .where(User.id == actor.user_id)).scalar_one()
        if verify_password(stored, DEMO_PASSWORD):
            at_desk = UnitOfWork.for_engine(station)
            results.append(measure("login", lambda: login(
                uow=at_desk, username=actor.username, password=DEMO_PASSWORD)))
            with owner.connect() as conn:
                trail.user_version = conn.execute(
                    select(User.version).where(User.id == actor.user_id)).scalar_one()
        else:
            # A wrong password would count towards the station's wait.
            note(f"login not timed: {actor.username} has not the demo password")
    finally:
        # The cards the bench opened are not a person's reads (and the relay they would be
        # written through at exit is gone by then).
        read_trail.trail_for(station).discard()
        for problem in _clean_up(owner, trail):
            note(problem)
    return results


def bench_lan(url: str, owner: Engine, *, lan_ms: float, repeat: int = 15,
              note: Callable[[str], None] = lambda _: None) -> list[ActionResult]:
    """:func:`bench_actions` on a station engine that reaches the server through a
    :class:`LatencyProxy` holding every chunk ``lan_ms`` each way: a round trip costs at
    least ``2 × lan_ms`` more. ``url``: the server database's address (``owner`` is the
    engine made for it). SQLite has no network: refused (ValueError)."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in _SERVER_PORTS:
        raise ValueError(f"{backend} has no network to delay")
    if parsed.query.get("odbc_connect"):
        raise ValueError("give the server as host:port in the URL, not as odbc_connect")
    target = (parsed.host or "localhost", parsed.port or _SERVER_PORTS[backend])
    with LatencyProxy(target, lan_ms) as relay:
        host, port = relay.address or target
        station = make_engine(parsed.set(host=host, port=port), station=True)
        try:
            return bench_actions(owner, station, repeat=repeat, relay=relay, note=note)
        finally:
            station.dispose()


_SERVER_PORTS = {"postgresql": 5432, "mssql": 1433}


def format_actions(results: list[ActionResult]) -> str:
    lan = next((r.lan_ms for r in results if r.lan_ms is not None), None)
    lines = [f"{'action':<30}{'median ms':>11}{'fastest ms':>11}{'queries':>9}"
             f"{'round trips':>12}"
             + (f"   (LAN delay {lan:g} ms each way)" if lan is not None else "")]
    for r in results:
        trips = "" if r.round_trips is None else str(r.round_trips)
        lines.append(f"{r.operation:<30}{r.service_ms:>11.2f}{r.service_min_ms:>11.2f}"
                     f"{r.statements:>9}{trips:>12}")
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
