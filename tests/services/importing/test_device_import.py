"""Importing customers' devices: found by customer number or name, a serial number already
registered filled or skipped, a contract link, bad rows reported, undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.models import Device
from app.models.service import ContractDevice
from app.services.contracts import create_contract
from app.services.customers import CustomerDraft, create_customer
from app.services.errors import PermissionDenied, ValidationError
from app.services.importing.customers import undo_import
from app.services.importing.devices import plan_device_import, run_device_import
from app.services.permissions import Actor
from app.services.uow import UnitOfWork
from tests.services.importing.test_customer_import import _tables
from tests.services.test_contracts import _device, _draft

HEADER = "客户,品牌,型号,序列号,安装日期,位置,状态,合同号"


def _sheet(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "devices.csv"
    path.write_bytes(("\n".join((HEADER, *lines)) + "\n").encode("gbk"))
    return path


def _devices(uow: UnitOfWork) -> list[tuple[int, str, str, str | None]]:
    with uow:
        return [tuple(r) for r in uow.session.execute(  # type: ignore[misc]
            select(Device.customer_id, Device.model, Device.serial_number, Device.location)
            .order_by(Device.id)).all()]


def test_devices_go_to_their_customers_and_undo_takes_them_back(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, manager: Actor, sales_user: Actor,
    make_user,  # noqa: ANN001 - the conftest factory
) -> None:
    lead = make_user("lead1", "repair_lead", "repair", display_name="维修主管")
    xr = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京鑫锐科技有限公司"))
    hx = create_customer(uow=uow, actor=sales_user, draft=CustomerDraft(
        name="北京华信打印耗材有限公司"))
    known = _device(uow, hx.id, "CNB7K00001", model="LaserJet M1005")
    contract = create_contract(uow=uow, actor=lead, draft=_draft(hx.id, [known]))
    path = _sheet(
        tmp_path,
        "北京鑫锐科技有限公司,HP,LaserJet Pro M404dn,vnb3k12345,2023/5/8,前台,在用,",
        f"{hx.code},Canon,iR 2625,XUG001122,,二楼,,{contract.number}",
        f"{hx.code},HP,LaserJet M1005,CNB7K00001,,财务室,,",     # registered: fills location
        "北京星辰文具店,HP,LaserJet M1005,CNB7K99999,,,,",          # no such customer
        f"{xr.code},HP,,CNB7K88888,,,,",                             # no model
        f"{xr.code},HP,LaserJet Pro M404dn,VNB3K12345,,,,",          # same as row 2
        f"{xr.code},Epson,LQ-630K,Q7DY000001,下周三,,,",              # bad date
        f"{xr.code},Epson,LQ-630K,Q7DY000002,,,,{contract.number}",   # another's contract
    )
    before = _tables(engine)
    plan = plan_device_import(uow=uow, actor=manager, path=path)
    assert _tables(engine) == before
    said = plan.outcome_of_row()
    assert said[2] == f"will add to {xr.code} 北京鑫锐科技有限公司"
    assert said[3] == f"will add to {hx.code} 北京华信打印耗材有限公司"
    assert said[4] == f"will update the machine registered on {hx.code} 北京华信打印耗材有限公司"
    assert said[5] == "error: Customer: no customer 北京星辰文具店: import the customers first"
    assert said[6] == "error: Model: is required"
    assert said[7] == "error: Serial number: the same model and serial number as row 2"
    assert said[8] == "error: Installed on: is not a date: 下周三 (write it as 2024-03-05)"
    assert said[9] == (f"error: Contract: {contract.number} is not a service contract of "
                       "this customer")
    result = run_device_import(uow=uow, actor=manager, plan=plan)
    assert (result.created, result.updated, len(result.refused)) == (2, 1, 5)
    assert _devices(uow) == [
        (hx.id, "LaserJet M1005", "CNB7K00001", "财务室"),
        (xr.id, "LaserJet Pro M404dn", "VNB3K12345", "前台"),
        (hx.id, "iR 2625", "XUG001122", "二楼")]
    with uow:
        links = uow.session.execute(select(ContractDevice.device_id).where(
            ContractDevice.contract_id == contract.id).order_by(ContractDevice.id)).scalars()
        assert len(list(links)) == 2
    undone = undo_import(uow=uow, actor=manager, batch_id=result.batch_id)
    assert undone.kept == ()
    assert _tables(engine) == before


def test_a_salesperson_may_not_import_devices(
    tmp_path: Path, uow: UnitOfWork, engine: Engine, sales_user: Actor,
) -> None:
    path = _sheet(tmp_path, "北京鑫锐科技有限公司,HP,M404dn,VNB3K1,,,,")
    before = _tables(engine)
    with pytest.raises(PermissionDenied):
        plan_device_import(uow=uow, actor=sales_user, path=path)
    assert _tables(engine) == before


def test_a_sheet_without_a_serial_number_column_is_refused(
    tmp_path: Path, uow: UnitOfWork, manager: Actor,
) -> None:
    path = tmp_path / "devices.csv"
    path.write_text("客户,品牌,型号\n北京鑫锐科技有限公司,HP,M404dn\n", encoding="utf-8")
    with pytest.raises(ValidationError) as raised:
        plan_device_import(uow=uow, actor=manager, path=path)
    assert raised.value.errors == {"serial_number": "no column is mapped to the Serial number"}
