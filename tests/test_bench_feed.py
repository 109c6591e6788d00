"""`stationcrm bench` times one station's poll of the change feed on a full feed, and
leaves the feed as it found it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Engine, func, select, text

from app.bench import (
    FEED_MARK,
    RAW_FEED_POLL,
    bench_feed,
    feed_people,
    fill_feed,
    forget_bench_feed,
    format_results,
    raw_feed_params,
)
from app.models import FeedEntry
from app.services.feed import read_feed
from app.services.permissions import Actor
from app.services.tasks import TaskDraft, create_task
from app.services.uow import UnitOfWork


def _notices(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(FeedEntry)).scalar_one())


def test_the_feed_poll_is_timed_in_one_statement_and_the_feed_left_as_it_was(
        engine: Engine, uow: UnitOfWork, make_user: Callable[..., Actor], manager: Actor,
        sales_user: Actor, technician: Actor) -> None:
    create_task(uow=uow, actor=manager, draft=TaskDraft(
        title="回访客户", due_on=dt.date.today(), assignee_id=sales_user.user_id))
    before = _notices(engine)
    result = bench_feed(engine, repeat=3, notices=3000)
    assert result.name == "change feed poll" and result.query == "3000 notices"
    assert result.statements == 1
    assert 0 < result.rows <= 200  # the notices within the look-back for the first person
    assert result.service_ms > 0 and result.raw_ms > 0
    assert "change feed poll" in format_results([result])
    # The bench's notices are gone; the real one stays.
    assert _notices(engine) == before
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(FeedEntry).where(
            FeedEntry.number == FEED_MARK)).scalar_one() == 0


def test_the_hand_written_poll_reads_what_the_service_reads(
        engine: Engine, sales_user: Actor, technician: Actor, uow: UnitOfWork) -> None:
    people = feed_people(engine)
    last = fill_feed(engine, people, 2000)
    try:
        for actor in (sales_user, technician):
            batch = read_feed(uow=uow, actor=actor, after_id=last, seen_id=last)
            with engine.connect() as conn:
                raw = conn.execute(text(RAW_FEED_POLL), raw_feed_params(actor, last)).all()
            assert [i.id for i in batch.items] == sorted(r.id for r in raw)[-200:]
    finally:
        forget_bench_feed(engine)
    assert _notices(engine) == 0
