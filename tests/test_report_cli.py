"""``stationcrm report NAME --from --to --out``: a statistic to a file, for a permitted login."""

from __future__ import annotations

import datetime as dt
import io
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from app import cli, demo
from app.models import AuditEntry
from app.models.enums import AuditAction
from app.services.uow import UnitOfWork

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def demo_db(engine: Engine, uow: UnitOfWork) -> Engine:
    demo.generate_demo_data(engine, customers=40, seed=5, today=TODAY)
    return engine


def _password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(demo.DEMO_PASSWORD + "\n"))


def _exports(uow: UnitOfWork) -> int:
    with uow:
        return uow.session.execute(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == AuditAction.EXPORT)).scalar_one()


def test_report_writes_an_xlsx(demo_db: Engine, uow: UnitOfWork, db_url: str, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "assessment.xlsx"
    _password(monkeypatch)
    code = cli.main(["report", "assessment", "--from", "2026-01-01", "--to", "2026-11-25",
                     "--out", str(out), "--db", db_url, "--user", "manager",
                     "--password-stdin", "--lang", "zh"])
    assert code == 0, capsys.readouterr().err
    assert f"written to {out}" in capsys.readouterr().out
    ws = load_workbook(out).worksheets[0]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][0] == "员工考核：按订单日期计销售毛利"
    assert values[1][0] == "期间：2026-01-01 至 2026-11-25"
    header = next(i for i, v in enumerate(values) if v[:2] == ["排名", "业务员"])
    total = next(v for v in values if v[1] == "合计")
    assert header > 1 and Decimal(str(total[3])) > 0
    assert _exports(uow) == 1


def test_report_by_source_as_pdf(demo_db: Engine, db_url: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "classes.pdf"
    _password(monkeypatch)
    code = cli.main(["report", "customer-classes", "--from", "2026-01-01", "--to",
                     "2026-11-25", "--group-by", "source", "--out", str(out), "--db", db_url,
                     "--user", "manager", "--password-stdin", "--lang", "en"])
    assert code == 0, capsys.readouterr().err
    assert out.read_bytes().startswith(b"%PDF")


def test_refused_user_exits_non_zero_with_a_message(
        demo_db: Engine, uow: UnitOfWork, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "refused.xlsx"
    _password(monkeypatch)
    code = cli.main(["report", "sales-collections", "--from", "2026-01-01", "--to",
                     "2026-11-25", "--out", str(out), "--db", db_url, "--user", "sales1",
                     "--password-stdin"])
    assert code != 0
    assert "may not export in statistics" in capsys.readouterr().err.lower()
    assert not out.exists()
    assert _exports(uow) == 0


def test_bad_dates_and_file_types_are_refused(db_url: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["report", "service", "--from", "2026-13-01", "--to", "2026-11-25",
                     "--out", str(tmp_path / "x.xlsx"), "--db", db_url, "--user", "manager",
                     "--password-stdin"])
    assert code != 0 and "YYYY-MM-DD" in capsys.readouterr().err
    code = cli.main(["report", "service", "--from", "2026-01-01", "--to", "2026-11-25",
                     "--out", str(tmp_path / "x.doc"), "--db", db_url, "--user", "manager",
                     "--password-stdin"])
    assert code != 0 and ".xlsx" in capsys.readouterr().err


def test_customer_guard_report_lists_the_demo_salesperson_who_sweeps(
        demo_db: Engine, uow: UnitOfWork, db_url: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "guard.xlsx"
    _password(monkeypatch)
    code = cli.main(["report", "customer-guard", "--from", "2026-08-28", "--to", "2026-11-25",
                     "--out", str(out), "--db", db_url, "--user", "manager",
                     "--password-stdin", "--lang", "zh"])
    assert code == 0, capsys.readouterr().err
    values = [[c.value for c in row] for row in load_workbook(out).worksheets[0].iter_rows()]
    header, rows = values[0], values[1:]
    assert header[:3] == ["日期", "员工", "部门"]
    # The demo's one salesperson who sweeps, on days of the last week only; nobody else.
    assert rows and {r[1] for r in rows} == {"杨帆"}
    days = {r[0].date() if isinstance(r[0], dt.datetime) else r[0] for r in rows}
    assert all(TODAY - dt.timedelta(days=7) <= d < TODAY for d in days)
    assert any("按字母顺序连续搜索 26 次" in r[-1] for r in rows)
    assert _exports(uow) == 1
    # A salesperson may not read the trail, not even through the command line.
    _password(monkeypatch)
    code = cli.main(["report", "customer-guard", "--from", "2026-08-28", "--to", "2026-11-25",
                     "--out", str(tmp_path / "mine.xlsx"), "--db", db_url, "--user", "sales4",
                     "--password-stdin"])
    assert code != 0 and not (tmp_path / "mine.xlsx").exists()
    assert "customer base protection" in capsys.readouterr().err.lower()
