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

The rows it added are deleted afterwards. ``stationcrm bench`` shows step 1's median beside
its other lines (``app.bench.bench_feed``); this script adds the p95, the server's time and
the stations polling together.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time

from sqlalchemy import text

from app.bench import (
    FEED_NOTICES,
    RAW_FEED_POLL,
    feed_people,
    fill_feed,
    forget_bench_feed,
    raw_feed_params,
)
from app.db import make_engine
from app.schema import ensure_schema
from app.services.feed import read_feed
from app.services.permissions import Actor
from app.services.uow import UnitOfWork


def _server_ms(engine, actor: Actor, after: int) -> float | None:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        return None
    with engine.connect() as conn:
        plan = conn.execute(text("EXPLAIN (ANALYZE, FORMAT JSON) " + RAW_FEED_POLL),
                            raw_feed_params(actor, after)).scalar_one()
    return float(plan[0]["Execution Time"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--stations", type=int, default=40)
    parser.add_argument("--interval", type=float, default=5.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--notices", type=int, default=FEED_NOTICES)
    args = parser.parse_args()

    engine = make_engine(args.db)
    ensure_schema(engine)
    actors = feed_people(engine)
    try:
        last = fill_feed(engine, actors, args.notices)
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
        forget_bench_feed(engine)
        engine.dispose()


if __name__ == "__main__":
    main()
