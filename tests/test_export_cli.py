"""``stationcrm export customers``: refused without the permission, scoped rows otherwise."""

from __future__ import annotations

import csv
import io
import sys

from openpyxl import load_workbook
from sqlalchemy import select

from app import cli
from app.models import Role
from app.models.enums import Module, Operation
from app.services import administration as adm
from app.services.customers import CustomerDraft, create_customer
from tests.conftest import TEST_PASSWORD


def _password(monkeypatch, password=TEST_PASSWORD):
    monkeypatch.setattr(sys, "stdin", io.StringIO(password + "\n"))


def _customers(uow, sales_user, other_sales_user):
    create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(name="北京鑫锐科技有限公司",
                                                                   phone="010-62345678"))
    create_customer(uow=uow, actor=other_sales_user, draft=CustomerDraft(name="天津海河电子"))


def test_a_user_without_export_is_refused_with_a_message(
        uow, db_url, sales_user, other_sales_user, tmp_path, monkeypatch, capsys):
    _customers(uow, sales_user, other_sales_user)
    out = tmp_path / "c.xlsx"
    _password(monkeypatch)
    code = cli.main(["export", "customers", "--user", "sales1", "--password-stdin",
                     "--out", str(out), "--db", db_url])
    assert code != 0
    err = capsys.readouterr().err
    # The refusal names the operation and the module as the screens do ("Customers").
    assert "export" in err and "customers" in err.lower() and "sales1" in err
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_wrong_password_is_refused(uow, db_url, manager, tmp_path, monkeypatch, capsys):
    _password(monkeypatch, "not-the-password")
    code = cli.main(["export", "customers", "--user", "gm", "--password-stdin",
                     "--out", str(tmp_path / "c.csv"), "--db", db_url])
    assert code != 0 and "password" in capsys.readouterr().err


def test_manager_exports_every_customer_to_xlsx(
        uow, db_url, manager, sales_user, other_sales_user, tmp_path, monkeypatch, capsys):
    _customers(uow, sales_user, other_sales_user)
    out = tmp_path / "all.xlsx"
    _password(monkeypatch)
    code = cli.main(["export", "customers", "--user", "gm", "--password-stdin",
                     "--out", str(out), "--db", db_url])
    assert code == 0, capsys.readouterr().err
    assert "2 customer(s) written" in capsys.readouterr().out
    names = {r[1] for r in list(load_workbook(out).active.iter_rows(values_only=True))[1:]}
    assert names == {"北京鑫锐科技有限公司", "天津海河电子"}


def test_a_salesperson_given_export_gets_only_own_customers_as_csv_with_bom(
        uow, db_url, admin, sales_user, other_sales_user, tmp_path, monkeypatch, capsys):
    _customers(uow, sales_user, other_sales_user)
    with uow:
        role_id = uow.session.execute(select(Role.id).where(Role.code == "sales")).scalar_one()
    m = adm.get_role_matrix(uow=uow, actor=admin, role_id=role_id)
    adm.save_role_matrix(uow=uow, actor=admin, role_id=role_id,
                         expected_version=m.role.version,
                         operations=m.operations | {(Module.CUSTOMERS, Operation.EXPORT)},
                         scopes=m.scopes, field_rules=m.field_rules)
    out = tmp_path / "mine.csv"
    _password(monkeypatch)
    code = cli.main(["export", "customers", "--user", "sales1", "--password-stdin",
                     "--out", str(out), "--db", db_url])
    assert code == 0, capsys.readouterr().err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r[1] for r in rows[1:]] == ["北京鑫锐科技有限公司"]
    assert "010-62345678" in rows[1]


def test_orders_export_from_the_command_line(uow, db_url, manager, sales_user,
                                             other_sales_user, tmp_path, monkeypatch, capsys):
    from app.services.sales import OrderDraft, OrderLineDraft, create_order

    _customers(uow, sales_user, other_sales_user)
    customer = create_customer(uow=uow, actor=manager, draft=CustomerDraft(name="海淀零售客户"))
    create_order(uow=uow, actor=manager, draft=OrderDraft(customer_id=customer.id, lines=(
        OrderLineDraft(description="打印机维修", unit_price="120.00"),)))
    out = tmp_path / "orders.csv"
    _password(monkeypatch)
    code = cli.main(["export", "orders", "--user", "gm", "--password-stdin",
                     "--out", str(out), "--db", db_url])
    assert code == 0, capsys.readouterr().err
    assert "1 order(s) written" in capsys.readouterr().out
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert rows[1][2] == "海淀零售客户" and "120.00" in rows[1]
