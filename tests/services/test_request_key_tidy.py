"""Housekeeping of request keys: a retry needs its key for minutes, so keys older than 30
days go — by `stationcrm db tidy` on a server, with the daily backup on the embedded file."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from app import cli
from app.models import RequestKey
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import ValidationError
from app.services.permissions import Actor
from app.services.requests import forget_old_keys
from app.services.uow import UnitOfWork

NOW = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.UTC)


def _keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(select(RequestKey.key)).scalars())


def _age_keys(engine: Engine, ages_days: dict[str, float], now: dt.datetime = NOW) -> None:
    with engine.begin() as conn:
        for key, days in ages_days.items():
            conn.execute(RequestKey.__table__.update().where(RequestKey.key == key)
                         .values(created_at=now - dt.timedelta(days=days)))


@pytest.fixture
def keys(uow: UnitOfWork, engine: Engine, sales_user: Actor) -> dict[str, float]:
    ages = {"form-fresh-0001": 0.1, "form-month-0002": 29.5, "form-old-00003": 31,
            "form-older-0004": 400}
    for number, key in enumerate(ages):
        create_customer(uow=uow, actor=sales_user, request_key=key,
                        draft=CustomerDraft(name=f"通州第{number}打印店"))
    _age_keys(engine, ages)
    return ages


def test_keys_older_than_thirty_days_go_and_newer_ones_stay(
        engine: Engine, keys: dict[str, float]) -> None:
    assert forget_old_keys(engine, now=NOW) == 2
    assert _keys(engine) == ["form-fresh-0001", "form-month-0002"]
    assert forget_old_keys(engine, now=NOW) == 0


def test_a_shorter_keep_and_a_bad_one(engine: Engine, keys: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        forget_old_keys(engine, days=0, now=NOW)
    assert len(_keys(engine)) == 4
    assert forget_old_keys(engine, days=1, now=NOW) == 3
    assert _keys(engine) == ["form-fresh-0001"]


def test_db_tidy_on_the_command_line(engine: Engine, db_url: str, keys: dict[str, float],
                                     capsys: pytest.CaptureFixture[str]) -> None:
    _age_keys(engine, keys, now=dt.datetime.now(dt.UTC))  # the command reads the clock
    assert cli.main(["db", "tidy", "--db", db_url]) == 0
    assert "2 request keys older than 30 days removed" in capsys.readouterr().out
    assert _keys(engine) == ["form-fresh-0001", "form-month-0002"]
