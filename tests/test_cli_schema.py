"""Commands that act for a person refuse a database made for another program version, as
the client does, before logging in: nothing is written, the message names the fix."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app import cli, schema
from app.db import make_engine
from app.models import AuditEntry


@pytest.mark.parametrize("command", [
    ["print", "order", "--latest", "--out", "{out}.pdf"],
    ["export", "customers", "--out", "{out}.xlsx"],
    ["report", "assessment", "--from", "2026-01-01", "--to", "2026-11-25",
     "--out", "{out}.xlsx"],
])
@pytest.mark.parametrize(("revision", "says"), [
    ("0000deadbeef", "made for another version of StationCRM"),
    (None, "has no StationCRM tables yet"),
])
def test_print_export_and_report_refuse_a_schema_they_do_not_know(
        command: list[str], revision: str | None, says: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    engine = make_engine(url)
    schema.upgrade(engine)
    with engine.begin() as conn:
        if revision is None:
            conn.execute(text("DELETE FROM alembic_version"))
        else:
            conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    out = tmp_path / "result"
    monkeypatch.setattr(sys, "stdin", io.StringIO("whatever-1\n"))
    args = [part.replace("{out}", str(out)) for part in command]
    code = cli.main([*args, "--db", url, "--user", "manager", "--password-stdin"])
    err = capsys.readouterr().err
    assert code != 0
    assert says in err and "stationcrm db upgrade" in err
    assert not list(tmp_path.glob("result*"))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == 0
    engine.dispose()
