"""Importing customers' devices (设备) from a sheet: each row a machine of a stored customer,
found by the customer's number or name, optionally under one of its service contracts.

The same steps as the customer import (:mod:`app.services.importing.customers`): a dry run
that checks every row and says what it will do — a serial number already registered is a
match (fill the stored machine's empty fields by default, or skip, or overwrite) — then the
import in chunks, each record noted in its batch, and the same undo.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select

from app.i18n import tr
from app.models import ContractDevice, Customer, Device, ServiceContract
from app.models.enums import AuditAction, DeviceStatus, Module, Operation
from app.models.imports import ImportItem
from app.services import audit
from app.services.errors import ValidationError
from app.services.importing.common import (
    ImportResult,
    RecordPlan,
    date_of,
    errors_said,
    read_sheet,
    write_in_chunks,
)
from app.services.importing.customers import (
    FILL,
    ON_MATCH,
    OVERWRITE,
    SKIP,
    ImportField,
    RowIssue,
    _check_importer,
    _enum_words,
    _text,
    customer_finder,
    fold_header,
    write_rows_report,
)
from app.services.permissions import Actor, require
from app.services.uow import UnitOfWork

DEVICES: Final = "devices"
CHUNK: Final = 500

FIELDS: Final = (
    ImportField("customer", "Customer", ("客户名称", "客户", "单位", "单位名称", "公司名称",
                                         "客户编号", "customer", "customername")),
    ImportField("brand", "Brand", ("品牌", "厂牌", "brand", "make")),
    ImportField("model", "Model", ("型号", "机型", "设备型号", "model")),
    ImportField("serial_number", "Serial number", ("序列号", "机身号", "机器编号", "sn",
                                                   "serial", "serialnumber")),
    ImportField("install_date", "Installed on", ("安装日期", "装机日期", "installdate",
                                                 "installed")),
    ImportField("location", "Location", ("位置", "安装位置", "放置位置", "location")),
    ImportField("status", "Status", ("状态", "设备状态", "status")),
    ImportField("notes", "Notes", ("备注", "说明", "notes")),
    ImportField("contract", "Contract", ("合同", "合同号", "合同编号", "服务合同", "contract")),
)
REQUIRED: Final = ("customer", "brand", "model", "serial_number")
_FILLED: Final = ("brand", "install_date", "location", "notes")


@dataclass(frozen=True, slots=True)
class PlannedDevice:
    """One sheet row as a machine: its values, the customer and contract found, the stored
    machine with the same serial number (``device_id``) and what the import does:
    ``create``, ``update``, ``skip`` or ``error``."""

    row: int
    values: Mapping[str, Any]
    customer_id: int | None = None
    customer: str = ""
    contract_id: int | None = None
    device_id: int | None = None
    device_version: int | None = None
    outcome: str = "create"
    choice: str = FILL
    errors: tuple[RowIssue, ...] = ()


@dataclass(frozen=True)
class DevicePlan(RecordPlan):
    devices: tuple[PlannedDevice, ...] = ()

    def records(self) -> tuple[PlannedDevice, ...]:
        return self.devices

    def outcome_of_row(self) -> dict[int, str]:
        said = {}
        for d in self.devices:
            if d.outcome == "error":
                said[d.row] = errors_said(d.errors, _label)
            elif d.outcome == "update":
                said[d.row] = tr("will update the machine registered on {customer}",
                                 customer=d.customer)
            elif d.outcome == "skip":
                said[d.row] = tr("already registered on {customer}: skipped",
                                 customer=d.customer)
            else:
                said[d.row] = tr("will add to {customer}", customer=d.customer)
        return said


def _label(code: str) -> str:
    return next((f.shown() for f in FIELDS if f.code == code), code)


def write_device_error_report(plan: DevicePlan, out: str | Path) -> int:
    """The rows not imported, with an error column (:func:`write_rows_report`)."""
    return write_rows_report(plan, out, label=_label)


def plan_device_import(*, uow: UnitOfWork, actor: Actor, path: str | Path,
                       sheet: str | None = None, mapping: Mapping[int, str] | None = None,
                       on_match: str = FILL) -> DevicePlan:
    """The dry run of a device sheet: writes nothing. ``on_match``: what to do with a row
    whose model and serial number are registered already (fill, skip or overwrite; a second
    machine with the same serial number cannot be made)."""
    if on_match not in (FILL, SKIP, OVERWRITE):
        raise ValidationError({"on_match": tr(
            "must be one of fill, skip, overwrite, create (not {value})", value=on_match)})
    with uow.reading():
        _check_importer(uow, actor)
    header, chosen, read = read_sheet(path, sheet, mapping, fields=FIELDS,
                                      required=REQUIRED, label=_label, convert=_value)
    statuses = _enum_words(DeviceStatus, {"在用": DeviceStatus.IN_USE,
                                          "使用中": DeviceStatus.IN_USE,
                                          "维修": DeviceStatus.IN_REPAIR,
                                          "报废": DeviceStatus.RETIRED,
                                          "停用": DeviceStatus.RETIRED})
    with uow.reading():
        _check_importer(uow, actor)
        if "contract" in chosen.values():
            require(uow, actor, Module.CONTRACTS, Operation.EDIT)
        find = customer_finder(uow)
        serials = {(m, s.upper()) for _n, v, _i in read
                   if (m := v.get("model")) and (s := v.get("serial_number"))}
        stored = _stored_devices(uow, serials)
        contracts = _contracts(uow, {v["contract"] for _n, v, _i in read if v.get("contract")})
    planned = []
    seen: dict[tuple[str, str], int] = {}
    for number, values, issues in read:
        if not values and not issues:
            continue
        customer_id, customer = None, ""
        text = values.get("customer")
        if text:
            found = find(text)
            if isinstance(found, str):
                issues.append(RowIssue(number, "customer", found))
            else:
                customer_id, customer = found
        for code in REQUIRED:
            if not values.get(code) and not any(i.field == code for i in issues):
                issues.append(RowIssue(number, code, tr("is required")))
        if "status" in values:
            member = statuses.get(fold_header(values["status"]))
            if member is None:
                issues.append(RowIssue(number, "status", tr(
                    "{text} is not one of: {choices}", text=values["status"],
                    choices="、".join(sorted({s.value for s in DeviceStatus})))))
            values["status"] = member
        contract_id = None
        if values.get("contract") and customer_id is not None:
            contract = contracts.get(values["contract"].upper())
            if contract is None or contract[1] != customer_id:
                issues.append(RowIssue(number, "contract", tr(
                    "{number} is not a service contract of this customer",
                    number=values["contract"])))
            else:
                contract_id = contract[0]
        key = (values.get("model") or "", (values.get("serial_number") or "").upper())
        device_id = version = None
        outcome = "create"
        if key in seen:
            issues.append(RowIssue(number, "serial_number", tr(
                "the same model and serial number as row {row}", row=seen[key])))
        elif key[1]:
            seen[key] = number
            if key in stored:
                device_id, version, owner_id, owner = stored[key]
                if customer_id is not None and owner_id != customer_id:
                    issues.append(RowIssue(number, "serial_number", tr(
                        "registered on another customer, {customer}", customer=owner)))
                outcome = "skip" if on_match == SKIP else "update"
        planned.append(PlannedDevice(
            row=number, values=values, customer_id=customer_id, customer=customer,
            contract_id=contract_id, device_id=device_id, device_version=version,
            outcome="error" if issues else outcome, choice=on_match, errors=tuple(issues)))
    return DevicePlan(path=str(path), sheet=sheet, header=header, mapping=chosen,
                      devices=tuple(planned), rows_read=len(read))


def _value(code: str, raw: object) -> Any:
    """One cell of a device row as its field's value."""
    if code == "install_date":
        return date_of(raw)
    text = _text(raw)
    return text.upper() if text is not None and code == "serial_number" else text


def _stored_devices(uow: UnitOfWork, serials: set[tuple[str, str]]
                    ) -> dict[tuple[str, str], tuple[int, int, int, str]]:
    """The stored machines with these (model, serial number), by that pair: id, version,
    customer id and the customer as "number name"; a few queries of 500 serials each."""
    found: dict[tuple[str, str], tuple[int, int, int, str]] = {}
    numbers = sorted({s for _m, s in serials})
    for start in range(0, len(numbers), 500):
        for row in uow.session.execute(
                select(Device.id, Device.version, Device.model, Device.serial_number,
                       Device.customer_id, Customer.code, Customer.name)
                .join(Customer, Customer.id == Device.customer_id)
                .where(Device.serial_number.in_(numbers[start:start + 500]))):
            key = (row.model, row.serial_number.upper())
            if key in serials:
                found[key] = (row.id, row.version, row.customer_id, f"{row.code} {row.name}")
    return found


def _contracts(uow: UnitOfWork, numbers: set[str]) -> dict[str, tuple[int, int]]:
    wanted = sorted({n.upper() for n in numbers})
    found: dict[str, tuple[int, int]] = {}
    for start in range(0, len(wanted), 500):
        for cid, number, customer_id in uow.session.execute(
                select(ServiceContract.id, ServiceContract.number, ServiceContract.customer_id)
                .where(ServiceContract.number.in_(wanted[start:start + 500]))):
            found[number.upper()] = (cid, customer_id)
    return found


def run_device_import(*, uow: UnitOfWork, actor: Actor, plan: DevicePlan,
                      chunk: int = CHUNK, progress: Callable[[int, int], None] | None = None,
                      cancelled: Callable[[], bool] = lambda: False) -> ImportResult:
    """Write ``plan``, a chunk of rows per transaction, each machine (and its contract
    link) noted in the batch. A stored machine changed since the dry run is refused.
    ``cancelled`` is asked between chunks: what the committed chunks wrote stays."""
    return write_in_chunks(
        uow, actor, kind=DEVICES, plan=plan, chunk=chunk, progress=progress,
        cancelled=cancelled, check=lambda unit: _check_importer(unit, actor),
        write=lambda unit, batch_id, records, counts: _write_chunk(unit, actor, batch_id,
                                                                     records, counts))


def _write_chunk(uow: UnitOfWork, actor: Actor, batch_id: int,
                 chunk: Sequence[PlannedDevice], counts: dict[str, int]) -> list[RowIssue]:
    """One chunk of machines, each added (or filled) with its contract link."""
    refused: list[RowIssue] = []
    session = uow.session
    for planned in chunk:
        if planned.outcome == "create":
            device = Device(customer_id=planned.customer_id, created_by_id=actor.user_id,
                            updated_by_id=actor.user_id,
                            **{k: v for k, v in planned.values.items()
                               if k not in ("customer", "contract")})
            session.add(device)
            uow.flush()
            session.add(ImportItem(batch_id=batch_id, entity="device", record_id=device.id,
                                   action="created", row_number=planned.row,
                                   after_version=device.version))
            audit.record(uow, actor, AuditAction.CREATE, "device", device.id,
                         f"{device.model} {device.serial_number}",
                         {"after": audit.snapshot(device)})
            counts["created"] += 1
        else:
            problem = _update(uow, actor, batch_id, planned)
            if isinstance(problem, RowIssue):
                refused.append(problem)
                continue
            counts["updated"] += problem
            stored = session.get(Device, planned.device_id)
            assert stored is not None
            device = stored
        if planned.contract_id is not None and session.execute(
                select(ContractDevice.id).where(
                    ContractDevice.contract_id == planned.contract_id,
                    ContractDevice.device_id == device.id)).first() is None:
            link = ContractDevice(contract_id=planned.contract_id, device_id=device.id)
            session.add(link)
            uow.flush()
            session.add(ImportItem(batch_id=batch_id, entity="contract_device",
                                   record_id=link.id, action="created",
                                   row_number=planned.row))
    return refused


def _update(uow: UnitOfWork, actor: Actor, batch_id: int, planned: PlannedDevice
            ) -> RowIssue | int:
    """Fill (or overwrite) a stored machine's fields: 1 when something changed, 0 when
    nothing did, or why it was refused."""
    device = uow.session.get(Device, planned.device_id)
    if device is None or device.version != planned.device_version:
        return RowIssue(planned.row, "", tr(
            "the machine {serial} was changed after the dry run: run the dry run again.",
            serial=planned.values.get("serial_number", "")))
    before: dict[str, Any] = {}
    for name in (*_FILLED, "status"):
        new = planned.values.get(name)
        old = getattr(device, name)
        if new is not None and new != old and (planned.choice == OVERWRITE
                                               or old in (None, "")):
            before[name] = old.isoformat() if isinstance(old, dt.date) else old
            setattr(device, name, new)
    if not before:
        return 0
    device.updated_by_id = actor.user_id
    uow.flush()
    uow.session.add(ImportItem(batch_id=batch_id, entity="device", record_id=device.id,
                               action="updated", row_number=planned.row,
                               after_version=device.version,
                               before=json.dumps(before, ensure_ascii=False)))
    audit.record(uow, actor, AuditAction.UPDATE, "device", device.id,
                 f"{device.model} {device.serial_number}",
                 {k: [v, str(getattr(device, k))] for k, v in before.items()})
    return 1


__all__ = ["ON_MATCH", "DevicePlan", "PlannedDevice",
           "plan_device_import", "run_device_import", "write_device_error_report"]
