"""``stationcrm import customers FILE``: a dry run, the import with its error report, a
mapping file, refusal, and ``stationcrm import undo N``."""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import cli
from app.models import Customer, ImportBatch
from app.services.customers import CustomerDraft, create_customer
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.conftest import TEST_PASSWORD
from tests.services.importing import messy


def _run(monkeypatch: pytest.MonkeyPatch, db_url: str, *args: str, user: str = "gm") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    return cli.main(["import", *args, "--user", user, "--password-stdin", "--db", db_url])


def _names(uow: UnitOfWork) -> list[str]:
    with uow:
        return list(uow.session.execute(select(Customer.name).order_by(Customer.id)).scalars())


def test_a_dry_run_reports_each_row_and_writes_nothing(
    uow: UnitOfWork, db_url: str, manager: Actor, sales_user: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京博文培训学校", phone="010-62223333"))
    sheet = tmp_path / "customers.csv"
    messy.write_messy_csv(sheet, "gbk")
    code = _run(monkeypatch, db_url, "customers", str(sheet), "--dry-run")
    out = capsys.readouterr().out
    assert code == 0
    assert f"row 18: will update {stored.code} 北京博文培训学校 (same phone)" in out
    assert "row 15: error: Contact mobile: 12345 is not a mobile number" in out
    assert "row 14: error: the customer name is empty" in out
    assert out.strip().splitlines()[-1] == (
        "dry run, nothing written: 12 row(s) read; 3 to create, 1 to update, 1 added to a "
        "customer above, 0 skipped, 4 with errors")
    assert _names(uow) == ["北京博文培训学校"]


def test_the_import_stores_the_valid_rows_reports_the_rest_and_is_undone(
    uow: UnitOfWork, db_url: str, manager: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    sheet = tmp_path / "customers.xlsx"
    messy.write_messy_xlsx(sheet)
    errors = tmp_path / "errors.xlsx"
    code = _run(monkeypatch, db_url, "customers", str(sheet), "--errors", str(errors))
    out = capsys.readouterr().out
    assert code == 0
    with uow:
        batch = uow.session.execute(select(ImportBatch.id)).scalar_one()
    assert (f"import {batch}: 3 created, 0 updated, 0 skipped, 5 row(s) not imported "
            f"(undo: stationcrm import undo {batch})") in out
    assert _names(uow) == ["北京鑫锐科技有限公司", "北京博文培训学校", "北京市东城区第一医院"]
    rows = list(load_workbook(errors, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 1 + 5
    code = _run(monkeypatch, db_url, "undo", str(batch))
    assert code == 0
    assert f"import {batch} undone: 3 record(s) removed or restored, 0 kept" in \
        capsys.readouterr().out
    assert _names(uow) == []


def test_a_mapping_file_by_letter_and_by_header(
    uow: UnitOfWork, db_url: str, manager: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    sheet = tmp_path / "customers.csv"
    sheet.write_text("公司,备注\n北京华信打印耗材有限公司,91110105MA01\n", encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"A": "name", "备注": "tax_number"}), encoding="utf-8")
    assert _run(monkeypatch, db_url, "customers", str(sheet), "--mapping", str(mapping)) == 0
    with uow:
        tax = uow.session.execute(select(Customer.tax_number)).scalar_one()
    assert tax == "91110105MA01"
    mapping.write_text(json.dumps({"电话": "phone", "A": "name"}), encoding="utf-8")
    assert _run(monkeypatch, db_url, "customers", str(sheet), "--mapping", str(mapping)) == 2
    assert "the mapping names a column the sheet does not have: 电话" in capsys.readouterr().err


def test_a_salesperson_is_refused_and_bad_files_say_why(
    uow: UnitOfWork, db_url: str, manager: Actor, sales_user: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    sheet = tmp_path / "customers.csv"
    messy.write_messy_csv(sheet, "gbk")
    assert _run(monkeypatch, db_url, "customers", str(sheet), user="sales1") == 2
    assert "see every customer" in capsys.readouterr().err
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert _run(monkeypatch, db_url, "customers", str(empty)) == 2
    assert "empty" in capsys.readouterr().err
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + bytes(2048))
    assert _run(monkeypatch, db_url, "customers", str(locked)) == 2
    assert "password" in capsys.readouterr().err
    assert _names(uow) == []


def test_devices_are_imported_for_stored_customers_and_undone(
    uow: UnitOfWork, db_url: str, manager: Actor, sales_user: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from app.models import Device

    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京博文培训学校"))
    sheet = tmp_path / "devices.csv"
    sheet.write_text("客户,品牌,型号,序列号\n北京博文培训学校,HP,LaserJet M1005,CNB7K00001\n"
                     "北京星辰文具店,HP,LaserJet M1005,CNB7K00002\n", encoding="utf-8")
    assert _run(monkeypatch, db_url, "devices", str(sheet), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "row 3: error: Customer: no customer 北京星辰文具店: import the customers first" in out
    assert out.strip().splitlines()[-1] == (
        "dry run, nothing written: 2 row(s) read; 1 machine(s) to add, 0 to update, "
        "0 skipped, 1 with errors")
    assert _run(monkeypatch, db_url, "devices", str(sheet)) == 0
    with uow:
        devices = uow.session.execute(select(Device.customer_id, Device.serial_number)).all()
        batch = uow.session.execute(select(ImportBatch.id)).scalar_one()
    assert [tuple(d) for d in devices] == [(stored.id, "CNB7K00001")]
    assert f"import {batch}: 1 machine(s) added" in capsys.readouterr().out
    assert _run(monkeypatch, db_url, "undo", str(batch)) == 0
    with uow:
        assert uow.session.execute(select(Device.id)).first() is None


def test_opening_receivables_are_imported_with_their_error_report_and_undone(
    uow: UnitOfWork, db_url: str, manager: Actor, sales_user: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    from app.models import Order

    stored = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    sheet = tmp_path / "期初应收.xlsx"
    from openpyxl import Workbook
    book = Workbook()
    page = book.active
    assert page is not None
    page.append(["客户", "原单号", "日期", "欠款"])
    page.append([stored.code, "XS-1", "2026-09-01", 1500.5])
    page.append(["北京星辰文具店", "XS-2", "2026-09-02", 300])
    book.save(sheet)
    errors = tmp_path / "errors.xlsx"
    assert _run(monkeypatch, db_url, "receivables", str(sheet), "--dry-run") == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == (
        "dry run, nothing written: 2 row(s) read; 1 opening balance(s) to add (¥1,500.50 in "
        "all), 0 to update, 0 skipped, 1 with errors")
    assert _run(monkeypatch, db_url, "receivables", str(sheet), "--errors", str(errors)) == 0
    out = capsys.readouterr().out
    assert "row 3: error: Customer: no customer 北京星辰文具店: import the customers first" in out
    batch = int(out.strip().splitlines()[-1].split(":")[0].removeprefix("import "))
    with uow:
        assert [tuple(r) for r in uow.session.execute(
            select(Order.customer_id, Order.old_number, Order.total_amount, Order.opening))
        ] == [(stored.id, "XS-1", Decimal("1500.50"), True)]
    report = load_workbook(errors).active
    assert report is not None
    assert [list(r) for r in report.iter_rows(values_only=True)] == [
        ["客户", "原单号", "日期", "欠款", "Error"],
        ["北京星辰文具店", "XS-2", "2026-09-02", 300,
         "Customer: no customer 北京星辰文具店: import the customers first"]]
    # Again: the balance is found by its old number, not added twice.
    assert _run(monkeypatch, db_url, "receivables", str(sheet), "--dry-run") == 0
    assert "0 opening balance(s) to add" in capsys.readouterr().out.strip().splitlines()[-1]
    assert _run(monkeypatch, db_url, "undo", str(batch)) == 0
    with uow:
        assert uow.session.execute(select(Order.id)).all() == []
