"""``stationcrm import products FILE``: a dry run, the import with its error report and
undo, a mapping file, ``--on-match create`` and a salesperson refused."""

from __future__ import annotations

import io
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from app import cli
from app.models import ImportBatch, Product
from app.services.catalog import ProductDraft, create_product
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.conftest import TEST_PASSWORD

HEADER = "产品编码,产品名称,类别,品牌,售价,备注"


def _run(monkeypatch: pytest.MonkeyPatch, db_url: str, *args: str, user: str = "gm") -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(TEST_PASSWORD + "\n"))
    return cli.main(["import", *args, "--user", user, "--password-stdin", "--db", db_url])


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "products.csv"
    path.write_bytes(("\n".join((HEADER, *lines)) + "\n").encode("gbk"))
    return path


def _products(uow: UnitOfWork) -> list[tuple[str, str, Decimal]]:
    with uow:
        return [(r.sku, r.name, r.list_price) for r in uow.session.execute(
            select(Product.sku, Product.name, Product.list_price).order_by(Product.id))]


def test_a_dry_run_reports_each_row_and_writes_nothing(
    uow: UnitOfWork, db_url: str, manager: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    create_product(uow=uow, actor=manager, draft=ProductDraft(
        sku="TN-2325", name="兄弟 TN-2325 粉盒", category="consumable"))
    sheet = _csv(tmp_path, "TN-2325,兄弟粉盒,耗材,Brother,259,",
                 "DR-2350,兄弟硒鼓,耗材,Brother,面议,",
                 "LQ-630K,爱普生针式打印机,打印机,Epson,\"￥1,850.00\",")  # GBK: full-width ￥
    assert _run(monkeypatch, db_url, "products", str(sheet), "--dry-run") == 0
    out = capsys.readouterr().out
    assert "row 2: will fill the empty fields of TN-2325 兄弟 TN-2325 粉盒" in out
    assert "row 3: error: List price: is not a number: 面议" in out
    assert "row 4" not in out  # to be created: not listed
    assert out.strip().splitlines()[-1] == (
        "dry run, nothing written: 3 row(s) read; 1 product(s) to add, 1 to update, "
        "0 skipped, 1 with errors")
    assert _products(uow) == [("TN-2325", "兄弟 TN-2325 粉盒", Decimal("0.00"))]


def test_the_import_stores_the_valid_rows_writes_the_errors_and_is_undone(
    uow: UnitOfWork, db_url: str, manager: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    sheet = tmp_path / "products.xlsx"
    book = Workbook()
    page = book.active
    assert page is not None
    page.append(["编码", "品名", "分类", "单价", "备注"])
    page.append(["hp-cf226a", "惠普 CF226A 硒鼓", "耗材", 1234.5, "原装"])
    page.append(["PC-001", "联想启天 M430", "台式机", "3999元", None])
    page.append(["PC-001", "联想启天 M430（重复）", "电脑", 10, None])
    page.append(["BAD-1", "负价格", "配件", -5, "改成正数"])
    book.save(sheet)
    errors = tmp_path / "errors.xlsx"
    assert _run(monkeypatch, db_url, "products", str(sheet), "--errors", str(errors)) == 0
    out = capsys.readouterr().out
    with uow:
        batch = uow.session.execute(select(ImportBatch.id)).scalar_one()
    assert "row 4: error: SKU: the same SKU as row 3" in out
    assert (f"import {batch}: 2 product(s) added, 0 updated, 0 already as in the sheet, "
            f"0 skipped, 2 row(s) not imported (undo: stationcrm import undo {batch})") in out
    assert _products(uow) == [("HP-CF226A", "惠普 CF226A 硒鼓", Decimal("1234.50")),
                              ("PC-001", "联想启天 M430", Decimal("3999.00"))]
    rows = list(load_workbook(errors, read_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows == [("编码", "品名", "分类", "单价", "备注", "Error"),
                    ("PC-001", "联想启天 M430（重复）", "电脑", 10, None,
                     "SKU: the same SKU as row 3"),
                    ("BAD-1", "负价格", "配件", -5, "改成正数",
                     "List price: must not be negative")]
    assert _run(monkeypatch, db_url, "undo", str(batch)) == 0
    assert f"import {batch} undone: 2 record(s) removed or restored, 0 kept" in \
        capsys.readouterr().out
    assert _products(uow) == []


def test_a_mapping_file_names_the_columns(
    uow: UnitOfWork, db_url: str, manager: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sheet = tmp_path / "products.csv"
    sheet.write_text("物料,描述,大类,价钱\nA4-70G,得力复印纸 A4 70g,耗材,128\n",
                     encoding="utf-8")
    mapping = tmp_path / "map.json"
    mapping.write_text(json.dumps({"A": "sku", "描述": "name", "C": "category",
                                   "价钱": "list_price"}), encoding="utf-8")
    assert _run(monkeypatch, db_url, "products", str(sheet), "--mapping", str(mapping)) == 0
    assert _products(uow) == [("A4-70G", "得力复印纸 A4 70g", Decimal("128.00"))]


def test_create_on_match_and_a_salesperson_are_refused(
    uow: UnitOfWork, db_url: str, manager: Actor, sales_user: Actor, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    sheet = _csv(tmp_path, "TN-2325,兄弟粉盒,耗材,Brother,259,")
    assert _run(monkeypatch, db_url, "products", str(sheet), "--on-match", "create") == 2
    assert ("a SKU belongs to one product: --on-match for products is fill, skip or "
            "overwrite") in capsys.readouterr().err
    assert _run(monkeypatch, db_url, "products", str(sheet), user="sales1") == 2
    assert "see every customer" in capsys.readouterr().err
    assert _run(monkeypatch, db_url, "products", str(sheet), "--errors", "bad.csv") == 2
    assert "--errors must name an .xlsx file" in capsys.readouterr().err
    assert _products(uow) == []
