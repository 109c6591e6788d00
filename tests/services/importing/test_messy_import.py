"""The messy sheet (tests/services/importing/messy.py) imported as a person would: the .xlsx
and the GBK .csv, the stored records, the duplicate decisions and the error report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from app.models import Customer
from app.services.importing.customers import (
    plan_customer_import,
    run_customer_import,
    undo_import,
    write_error_report,
)
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.services.importing import messy
from tests.services.importing.test_customer_import import _tables


@pytest.fixture(params=["xlsx", "csv"])
def sheet(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "xlsx":
        path = tmp_path / "客户资料.xlsx"
        messy.write_messy_xlsx(path)
    else:
        path = tmp_path / "客户资料.csv"
        messy.write_messy_csv(path, "gbk")
    return path


def _stored(uow: UnitOfWork) -> dict[str, dict[str, object]]:
    with uow:
        customers = uow.session.execute(select(Customer).order_by(Customer.id)).scalars()
        return {c.name: {
            "phone": c.phone, "class": c.customer_class.value, "source": c.source.value,
            "first": c.first_contact_on,
            "contacts": [(k.name, k.title, k.mobile) for k in c.contacts],
            "address": [a.street for a in c.addresses], "notes": c.notes,
        } for c in customers}


def test_the_messy_sheet_stores_what_a_person_would_expect(
    sheet: Path, uow: UnitOfWork, engine: Engine, manager: Actor,
) -> None:
    xlsx = sheet.suffix == ".xlsx"
    plan = plan_customer_import(uow=uow, actor=manager, path=sheet)
    assert plan.header.row == 3
    said = plan.outcome_of_row()
    # The three rows of 鑫锐 (the third without the company's columns) make one customer,
    # and its other spelling (鑫锐科技, same phone) further down is added to it.
    assert said[4] == said[5] == said[6] == "will create"
    assert said[messy.ROW_OTHER_SPELLING] == "same customer as row 4 (same phone): added to it"
    assert said[18] == said[19] == said[20] == "will create"
    errors = {row: text for row, text in said.items() if text.startswith("error")}
    expected = {
        messy.ROW_BAD_DATE: "error: First contact: is not a date: 下周三 (write it as "
                            "2024-03-05)",
        messy.ROW_NO_NAME: "error: the customer name is empty",
        messy.ROW_BAD_MOBILE: "error: Contact mobile: 12345 is not a mobile number (11 digits "
                              "starting with 1)",
    }
    if xlsx:
        expected[messy.ROW_FORMULA] = (
            'error: Phone: holds a formula (="010-82345678"): save the sheet with values '
            "(copy, paste values) and import it again")
    assert {r: t for r, t in errors.items() if r != messy.ROW_BAD_CLASS} == expected
    assert errors[messy.ROW_BAD_CLASS].startswith("error: Class: Z is not one of: ")
    assert "Key account" in errors[messy.ROW_BAD_CLASS]

    before = _tables(engine)
    result = run_customer_import(uow=uow, actor=manager, plan=plan)
    stored = _stored(uow)
    names = ["北京鑫锐科技有限公司", *([] if xlsx else ["北京华信打印耗材有限公司"]),
             "北京博文培训学校", "北京市东城区第一医院"]
    assert list(stored) == names
    assert (result.created, result.updated) == (len(names), 0)
    xr = stored["北京鑫锐科技有限公司"]
    assert xr == {
        "phone": "010 6588-1234", "class": "a", "source": "visit",
        "first": dt.date(2023, 5, 8),
        "contacts": [("王建国", "总经理", "13912345678"), ("李娜", "行政主管", "13912345678"),
                     ("张伟", "网管", "13812345678")],
        "address": ["北京市朝阳区建国路88号"], "notes": "老客户",
    }
    bw = stored["北京博文培训学校"]
    assert bw["contacts"] == [("陈静", "校长", "186 1234 5678"),
                              ("黄磊", "教务主任", "+86 135-0000-1111")]
    assert (bw["class"], bw["source"]) == ("c", "web")
    hospital = stored["北京市东城区第一医院"]
    assert hospital["class"] == "key_account"
    assert hospital["address"] == ["北京市东城区东单北大街5号,门诊楼二层"]
    assert hospital["notes"] == "周一至周五\n上午联系"
    if not xlsx:
        hx = stored["北京华信打印耗材有限公司"]
        assert (hx["phone"], hx["first"], hx["class"]) == (
            "010-82345678", dt.date(2023, 7, 1), "b")

    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert undone.kept == ()
    assert _tables(engine) == before


def test_the_error_report_holds_the_rows_not_imported_and_imports_again_once_fixed(
    sheet: Path, tmp_path: Path, uow: UnitOfWork, manager: Actor,
) -> None:
    plan = plan_customer_import(uow=uow, actor=manager, path=sheet)
    report = tmp_path / "errors.xlsx"
    bad_rows = sorted({i.row for i in plan.issues()})
    assert write_error_report(plan, report) == len(bad_rows)
    book = load_workbook(report, read_only=True)
    rows = [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    assert header[:5] == ("客户名称", "简称", "客户类别", "来源", "联系电话")
    assert header[5:8] == ("联系人姓名", "联系人职务", "联系人手机")
    assert header[-1] == "Error"
    # The rows as read: text stripped (the reader drops the spaces around a name).
    assert [r[0] for r in body] == [
        v.strip() if isinstance(v := messy.row(n)[0], str) else v for n in bad_rows]
    assert body[[r[0] for r in body].index("北京星辰文具店")][-1] == (
        "Contact mobile: 12345 is not a mobile number (11 digits starting with 1)")
    book.close()

    # Fixed in the report (a real mobile, a class that exists, a date), it imports.
    from openpyxl import Workbook

    fixed = Workbook()
    ws = fixed.active
    ws.append(list(header[:-1]))
    for r in body:
        line = list(r[:-1])
        if line[0] == "北京星辰文具店":
            line[7] = "13611112222"
        elif line[0] == "天津远航物流有限公司":
            line[2] = "B"
        elif line[0] and "朝阳区第三中学" in str(line[0]):
            line[9] = "2024-03-05"
        else:
            continue
        ws.append(line)
    again = tmp_path / "fixed.xlsx"
    fixed.save(again)
    plan2 = plan_customer_import(uow=uow, actor=manager, path=again)
    assert plan2.issues() == []
    result = run_customer_import(uow=uow, actor=manager, plan=plan2)
    assert result.created == 3
    with uow:
        school = uow.session.execute(select(Customer).where(
            Customer.name == "朝阳区第三中学")).scalar_one()
        assert school.first_contact_on == dt.date(2024, 3, 5)
        assert [c.name for c in school.contacts] == ["刘老师"]
