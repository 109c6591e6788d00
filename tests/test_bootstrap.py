"""First launch: the embedded database is migrated and filled; a server is never migrated."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import schema
from app.bootstrap import FIRST_LAUNCH_CUSTOMERS, SchemaNotCurrent, prepare_schema
from app.db import make_engine
from app.models import Customer, User
from app.services.auth import login
from app.services.uow import UnitOfWork


def test_embedded_database_gets_schema_reference_and_demo_data_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'station.sqlite3'}")
    try:
        assert prepare_schema(engine, embedded=True) is True
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Customer)
                                ).scalar_one() == FIRST_LAUNCH_CUSTOMERS
        actor = login(uow=UnitOfWork.for_engine(engine), username="clerk1",
                      password="demo1234")
        assert actor.role_code == "counter_clerk"
        # The second launch finds everything in place and adds nothing.
        assert prepare_schema(engine, embedded=True) is False
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Customer)
                                ).scalar_one() == FIRST_LAUNCH_CUSTOMERS
    finally:
        engine.dispose()


def test_a_server_without_tables_is_not_migrated_by_a_station(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.sqlite3'}")
    try:
        with pytest.raises(SchemaNotCurrent, match="stationcrm db upgrade"):
            prepare_schema(engine, embedded=False)
        assert schema.current_revision(engine) is None
        schema.upgrade(engine)
        assert prepare_schema(engine, embedded=False) is False
        with engine.connect() as conn:  # no demo data on a server
            assert conn.execute(select(func.count()).select_from(User)).scalar_one() == 0
    finally:
        engine.dispose()
