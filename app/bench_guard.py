"""``stationcrm bench --guard-people N``: the customer base protection at the issue's scale.

Issue 18 asks that the statistics over 90 days of N = 40 people reading open in under a
second. The demo data's read trail has the demo users' reads (a dozen people), so
:func:`ensure_guard_readers` first adds bench readers (``bench_reader_01`` …, salespeople and
counter clerks with Chinese names) until N people read in the trail's last 90 days, each
with 90 days of ordinary reads made as the demo makes them (app.demo_reads). Then
:func:`bench_guard` times the statistics window's load (``guard_overview``), the alerts
alone (``guard_alerts``) and the hand-written GROUP BY the default bench compares them
with, as the general manager.

Only a demo or bench database is touched: it must already have the demo users.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select, text, true

from app.bench import RAW_GUARD, BenchResult, _manager, _timed, count_statements
from app.demo import _READER_SAMPLE, _READERS, DEMO_PASSWORD, TRAIL_DAYS
from app.demo_names import GIVEN_CHARS, SURNAMES
from app.demo_reads import Reader, ordinary_reads
from app.enums import StationCode
from app.i18n import tr
from app.models import Customer, Department, ReadEntry, Role, User
from app.services.auth import hash_password
from app.services.customer_guard import GuardRules
from app.services.uow import UnitOfWork

PEOPLE = 40  # the figure: 40 people reading
USERNAME = "bench_reader_{:02d}"
PREFIX = "bench_reader_"
# The bench readers' roles in turn, each with the department whose customers they read.
ROLES: tuple[tuple[str, str], ...] = (("sales", "key_accounts"),
                                      ("counter_clerk", "storefront"))
CHUNK = 5000  # read_trail rows per INSERT



@dataclass(frozen=True)
class GuardTrail:
    """What the trail holds for the bench: its last 90 days and who reads in them."""

    start: dt.date
    last: dt.date
    people: int  # distinct people with reads from start to last
    rows: int  # rows in read_trail (all of it)
    added_people: int = 0  # bench readers given reads by this call
    added_rows: int = 0


def _stderr(said: str) -> None:
    print(said, file=sys.stderr)


def _window(engine: Engine) -> tuple[dt.date, dt.date]:
    """The trail's last 90 days (ending on its last day; yesterday when it is empty)."""
    with engine.connect() as conn:
        last = conn.execute(select(func.max(ReadEntry.day))).scalar()
    if last is None:
        last = dt.date.today() - dt.timedelta(days=1)
    elif not isinstance(last, dt.date):
        last = dt.date.fromisoformat(str(last)[:10])
    return last - dt.timedelta(days=TRAIL_DAYS - 1), last


def _readers_in(conn: Any, start: dt.date, last: dt.date) -> set[int]:
    return set(conn.execute(
        select(ReadEntry.user_id).distinct()
        .where(ReadEntry.day >= start, ReadEntry.day <= last)).scalars())


def guard_trail(engine: Engine) -> GuardTrail:
    start, last = _window(engine)
    with engine.connect() as conn:
        people = len(_readers_in(conn, start, last))
        rows = conn.execute(select(func.count()).select_from(ReadEntry)).scalar_one()
    return GuardTrail(start, last, people, int(rows))


def _names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """``count`` Chinese names (a surname and one or two given characters) not in ``taken``."""
    surnames = [s for s, _w in SURNAMES]
    weights = [w for _s, w in SURNAMES]
    names: list[str] = []
    while len(names) < count:
        given = "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))
        name = rng.choices(surnames, weights)[0] + given
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def ensure_guard_readers(engine: Engine, people: int = PEOPLE, *, seed: int = 1,
                         note: Callable[[str], None] | None = None) -> GuardTrail:
    """Make ``people`` people read in the trail's last 90 days: bench readers are added (or
    ones added before and without reads in that window are reused), only as many as are
    missing, each given 90 days of ordinary reads as the demo makes them. A second call
    adds nothing. Raises ValueError on a database without the demo users."""
    say = note or _stderr
    if people < 1:
        raise ValueError(tr("--guard-people needs a number of people above 0"))
    with engine.connect() as conn:
        if conn.execute(select(User.id).where(User.username == "manager")).first() is None:
            raise ValueError(tr("this database has no demo users: bench readers are only"
                                " added to a database made by demo-data or bench"))
    start, last = _window(engine)
    rng = random.Random(seed * 1000 + 40)
    with engine.begin() as conn:
        reading = _readers_in(conn, start, last)
        missing = people - len(reading)
        if missing <= 0:
            held = conn.execute(select(func.count()).select_from(ReadEntry)).scalar_one()
            say(tr("{people} people read from {start} to {last}: no bench readers added",
                   people=len(reading), start=start.isoformat(), last=last.isoformat()))
            return GuardTrail(start, last, len(reading), int(held))
        roles = dict(conn.execute(select(Role.code, Role.id)).all())
        departments = dict(conn.execute(select(Department.code, Department.id)).all())
        for role, department in ROLES:
            if role not in roles or department not in departments:
                raise ValueError(tr("the role {role} or the department {department} is"
                                    " missing", role=role, department=department))
        role_of = {role_id: code for code, role_id in roles.items()}
        # Bench readers added before whose reads are older than the window: read again.
        earlier = conn.execute(
            select(User.id, User.username, User.role_id, User.department_id)
            .where(User.username.startswith(PREFIX, autoescape=True), User.active == true())
            .order_by(User.username)).all()
        chosen = [(u.id, u.username, role_of.get(u.role_id), u.department_id)
                  for u in earlier if u.id not in reading
                  and role_of.get(u.role_id) in _READERS][:missing]
        taken_names = {u.username for u in conn.execute(select(User.username))}
        taken_display = set(conn.execute(select(User.display_name)).scalars())
        new: list[dict[str, Any]] = []
        number = 0
        names = _names(rng, missing - len(chosen), taken_display)
        password = hash_password(DEMO_PASSWORD) if names else ""
        for display_name in names:
            number += 1
            while USERNAME.format(number) in taken_names:
                number += 1
            role, department = ROLES[(number - 1) % len(ROLES)]
            new.append({"username": USERNAME.format(number), "display_name": display_name,
                        "password_hash": password, "role_id": roles[role],
                        "department_id": departments[department],
                        "default_station": StationCode(department), "active": True,
                        "failed_logins": 0})
        if new:
            conn.execute(insert(User), new)
            added = conn.execute(
                select(User.id, User.username, User.department_id)
                .where(User.username.in_([n["username"] for n in new]))).all()
            role_by_name = {n["username"]: role_of[n["role_id"]] for n in new}
            chosen += [(u.id, u.username, role_by_name[u.username], u.department_id)
                       for u in sorted(added, key=lambda u: u.username)]
        readers = _readers(conn, chosen, rng)
        rows = list(ordinary_reads(readers, start, last, rng))
        rows.sort(key=lambda row: (row["day"], row["minute"]))
        for at in range(0, len(rows), CHUNK):
            conn.execute(insert(ReadEntry), rows[at:at + CHUNK])
        total = conn.execute(select(func.count()).select_from(ReadEntry)).scalar_one()
    _gather_statistics(engine)
    usernames = [username for _id, username, _r, _d in chosen]
    shown = ", ".join(usernames) if len(usernames) <= 3 else \
        f"{usernames[0]} … {usernames[-1]}"
    say(tr("{count} bench readers added ({names}), {rows} reads from {start} to {last}:"
           " {people} people read", count=len(chosen), names=shown, rows=len(rows),
           start=start.isoformat(), last=last.isoformat(), people=len(reading) + len(chosen)))
    return GuardTrail(start, last, len(reading) + len(chosen), int(total),
                      added_people=len(chosen), added_rows=len(rows))


def _readers(conn: Any, people: Sequence[tuple[int, str, str | None, int | None]],
             rng: random.Random) -> list[Reader]:
    """The demo's readers (app.demo._read_trail) for these people: a sample of the
    customers, those of their department (or all, for the roles that see everyone)."""
    users = conn.execute(select(User.id, User.department_id)).all()
    department_of = {u.id: u.department_id for u in users}
    total = conn.execute(select(func.count()).select_from(Customer)).scalar_one()
    step = max(1, total // (_READER_SAMPLE * 4))
    sample = conn.execute(
        select(Customer.id, Customer.owner_id, Customer.pinyin_initials)
        .where(Customer.id % step == 0).order_by(Customer.id)).all()
    readers = []
    for user_id, _username, role, department_id in people:
        cards, saturdays, everyone = _READERS[role or ""]
        mine = [(row.id, row.pinyin_initials or "") for row in sample
                if everyone or row.owner_id is not None
                and department_of.get(row.owner_id) == department_id]
        if len(mine) > _READER_SAMPLE:
            mine = rng.sample(mine, _READER_SAMPLE)
        own = [row.id for row in sample if row.owner_id == user_id]
        readers.append(Reader(user_id, mine, own, cards, saturdays))
    return readers


def _gather_statistics(engine: Engine) -> None:
    """The planner told of the rows just added, as after demo-data (app.demo)."""
    backend = engine.dialect.name
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if backend == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE read_trail")
            conn.exec_driver_sql("ANALYZE users")
        elif backend == "postgresql":
            conn.exec_driver_sql("VACUUM (ANALYZE) read_trail, users")


def bench_guard(engine: Engine, *, repeat: int = 15) -> list[BenchResult]:
    """The trail's last 90 days as the general manager: the statistics window's load and
    the alerts alone, each against the hand-written GROUP BY (timed too, on its own)."""
    from app.services import customer_guard, read_trail

    actor = _manager(engine)
    uow = UnitOfWork.for_engine(engine)
    trail = guard_trail(engine)
    start, last = trail.start, trail.last
    query = f"{start} to {last}"

    def overview() -> int:
        return len(customer_guard.guard_overview(uow=uow, actor=actor, date_from=start,
                                                 date_to=last).alerts)

    def alerts() -> int:
        return len(customer_guard.guard_alerts(uow=uow, actor=actor, date_from=start,
                                               date_to=last))

    params = {"s": start - dt.timedelta(weeks=GuardRules.baseline_weeks), "e": last}

    def raw() -> int:
        with engine.connect() as conn:
            return len(conn.execute(text(RAW_GUARD), params).all())

    read_trail.trail_for(engine).discard()
    results = []
    raw_timing = _timed(raw, repeat)
    for name, operation, service in (
            ("customer base protection, 90 days", "customer guard 90 days", overview),
            ("protection alerts, 90 days", "customer guard alerts 90 days", alerts)):
        timing = _timed(service, repeat)
        with count_statements(engine) as seen:
            rows = service()
        results.append(BenchResult(
            name=name, query=query, service_ms=timing.median_ms, raw_ms=raw_timing.median_ms,
            statements=len(seen), rows=rows, service_min_ms=timing.min_ms,
            operation=operation))
    with count_statements(engine) as seen:
        groups = raw()
    results.append(BenchResult(
        name="protection by hand (GROUP BY)", query=query, service_ms=raw_timing.median_ms,
        raw_ms=raw_timing.median_ms, statements=len(seen), rows=groups,
        service_min_ms=raw_timing.min_ms, operation="customer guard raw sql 90 days"))
    # Nothing the bench did is to be written as reads (as bench_read_trail).
    read_trail.trail_for(engine).discard()
    return results
