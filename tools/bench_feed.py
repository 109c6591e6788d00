"""What the live feed costs the server: N stations polling the change feed every few seconds.

Usage: ``python tools/bench_feed.py --db URL [--stations 40] [--interval 5] [--notices 200000]``

The database is a migrated, filled one (``stationcrm bench`` builds 100 000 customers). The
script adds ``--notices`` change-feed rows spread over every person and department (a
year of a busy company), then

1. times one poll (``read_feed``) per person as a station makes it, many times: the median
   client-side time (round trip included) and, on PostgreSQL, the server's own execution
   time of the same statement (EXPLAIN ANALYZE);
2. runs ``--stations`` threads, each its own engine, polling every ``--interval`` seconds
   for ``--seconds``, and reports the polls (queries) per second the server answered and
   the slowest poll.

The rows it added are deleted afterwards.
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time

from sqlalchemy import delete, func, insert, select, text

from app.db import make_engine
from app.models import Department, FeedEntry, Role, User, utcnow
from app.schema import ensure_schema
from app.services.auth import actor_for
from app.services.feed import read_feed
from app.services.permissions import Actor
from app.services.uow import UnitOfWork

MARK = "BENCH-FEED"


def _actors(engine) -> list[Actor]:  # type: ignore[no-untyped-def]
    with UnitOfWork.for_engine(engine) as uow:
        rows = uow.session.execute(select(User, Role.code).join(Role, Role.id == User.role_id)
                                   .where(User.active.is_(True))).all()
        return [actor_for(user, code, None) for user, code in rows]


def _fill(engine, actors: list[Actor], notices: int) -> int:  # type: ignore[no-untyped-def]
    with engine.begin() as conn:
        departments = conn.execute(select(Department.id)).scalars().all()
        rng = random.Random(7)
        rows = []
        for n in range(notices):
            to_department = rng.random() < 0.2
            rows.append({
                "created_at": utcnow(), "user_id": None if to_department
                else rng.choice(actors).user_id,
                "department_id": rng.choice(departments) if to_department else None,
                "by_user_id": rng.choice(actors).user_id, "kind": "opportunity",
                "record_id": n + 1, "number": MARK, "event": "assigned", "params": None})
            if len(rows) == 5000:
                conn.execute(insert(FeedEntry), rows)
                rows = []
        if rows:
            conn.execute(insert(FeedEntry), rows)
        return int(conn.execute(select(func.max(FeedEntry.id))).scalar_one())


def _server_ms(engine, actor: Actor, after: int) -> float | None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        return None
    sql = ("EXPLAIN (ANALYZE, FORMAT JSON) SELECT id, user_id, kind, record_id, number, event,"
           " params FROM change_feed WHERE (user_id = :me OR department_id = :dept)"
           " AND (by_user_id IS NULL OR by_user_id <> :me) AND id > :floor"
           " ORDER BY id DESC LIMIT 201")
    with engine.connect() as conn:
        plan = conn.execute(text(sql), {"me": actor.user_id, "dept": actor.department_id or 0,
                                        "floor": after - 500}).scalar_one()
    return float(plan[0]["Execution Time"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--stations", type=int, default=40)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--notices", type=int, default=200_000)
    args = parser.parse_args()

    engine = make_engine(args.db)
    ensure_schema(engine)
    actors = _actors(engine)
    try:
        last = _fill(engine, actors, args.notices)
        uow = UnitOfWork.for_engine(engine)
        times, server = [], []
        for _ in range(20):
            for actor in actors:
                started = time.perf_counter()
                read_feed(uow=uow, actor=actor, after_id=last, seen_id=last - 50)
                times.append((time.perf_counter() - started) * 1000)
                ms = _server_ms(engine, actor, last)
                if ms is not None:
                    server.append(ms)
        print(f"{engine.dialect.name}: {args.notices} notices, {len(actors)} people")
        print(f"  one poll, client side: median {statistics.median(times):.2f} ms,"
              f" p95 {statistics.quantiles(times, n=20)[-1]:.2f} ms")
        if server:
            print(f"  one poll, server execution: median {statistics.median(server):.3f} ms,"
                  f" max {max(server):.3f} ms")

        polls: list[float] = []
        lock = threading.Lock()
        stop = time.monotonic() + args.seconds

        def station(actor: Actor, offset: float) -> None:
            own = make_engine(args.db)
            station_uow = UnitOfWork.for_engine(own)
            after = last
            time.sleep(offset)
            while time.monotonic() < stop:
                started = time.perf_counter()
                batch = read_feed(uow=station_uow, actor=actor, after_id=after,
                                  seen_id=after)
                after = batch.last_id
                with lock:
                    polls.append((time.perf_counter() - started) * 1000)
                time.sleep(args.interval)
            own.dispose()

        threads = [threading.Thread(target=station, args=(
            actors[n % len(actors)], args.interval * n / args.stations))
            for n in range(args.stations)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.monotonic() - began
        print(f"  {args.stations} stations every {args.interval:g} s for {took:.0f} s:"
              f" {len(polls) / took:.1f} polls (queries) per second,"
              f" median {statistics.median(polls):.2f} ms, slowest {max(polls):.2f} ms")
    finally:
        with engine.begin() as conn:
            conn.execute(delete(FeedEntry).where(FeedEntry.number == MARK))
        engine.dispose()


if __name__ == "__main__":
    main()
