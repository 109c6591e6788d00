"""The change feed on a secured PostgreSQL server: anyone adds a notice; each reads only their
own and their department's; nobody changes or deletes one (a SQL tool included)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine, select, text

from app.models import Department, User

pytestmark = pytest.mark.pg_only

Psql = Callable[[str], psycopg.Connection[Any]]


def _refused(connection: psycopg.Connection[Any], sql: str) -> str:
    with pytest.raises(psycopg.Error) as caught:
        connection.execute(sql)
    return str(caught.value)


def _ids(connection: psycopg.Connection[Any], number: str) -> list[int]:
    return [r[0] for r in connection.execute(
        "SELECT record_id FROM change_feed WHERE number = %s ORDER BY record_id",
        (number,)).fetchall()]


def test_a_notice_is_read_by_its_person_or_department_only_and_never_changed(
        psql: Psql, owner_engine: Engine) -> None:
    with owner_engine.connect() as conn:
        sales1 = conn.execute(select(User.id).where(User.username == "sales1")).scalar_one()
        repair = conn.execute(select(Department.id).where(Department.code == "repair")
                              ).scalar_one()
    office = psql("office1")
    # Management writes notices for others (a plain INSERT, as app.services.feed does)...
    office.execute("INSERT INTO change_feed (created_at, user_id, kind, record_id, number,"
                   " event) VALUES (now(), %s, 'opportunity', 901, 'SEC-FEED', 'assigned')",
                   (sales1,))
    office.execute("INSERT INTO change_feed (created_at, department_id, kind, record_id,"
                   " number, event) VALUES (now(), %s, 'task', 902, 'SEC-FEED', "
                   "'dept_assigned')", (repair,))
    try:
        # ...but cannot read them back: they are not theirs.
        assert _ids(office, "SEC-FEED") == []
        assert _ids(psql("sales1"), "SEC-FEED") == [901]
        assert _ids(psql("sales2"), "SEC-FEED") == []
        for member in ("tech1", "tech2", "lead1"):
            assert _ids(psql(member), "SEC-FEED") == [902]
        assert _ids(psql("clerk1"), "SEC-FEED") == []
        # Append-only: not the recipient, not anyone.
        for username in ("sales1", "tech1", "office1", "admin"):
            connection = psql(username)
            assert "permission denied" in _refused(
                connection, "UPDATE change_feed SET record_id = 1 WHERE number = 'SEC-FEED'")
            assert "permission denied" in _refused(
                connection, "DELETE FROM change_feed WHERE number = 'SEC-FEED'")
        # A notice must name somebody.
        assert "ck_change_feed_recipient" in _refused(
            office, "INSERT INTO change_feed (created_at, kind, record_id, event)"
                    " VALUES (now(), 'task', 1, 'assigned')")
    finally:
        with owner_engine.begin() as conn:
            conn.execute(text("DELETE FROM change_feed WHERE number = 'SEC-FEED'"))
