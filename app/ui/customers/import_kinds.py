"""What the import wizard can bring in (客户 / 设备 / 产品 / 期初应收), and how each kind's
dry run, lines, import and error report are asked of its service.

The wizard's steps are the same for every kind; what differs — the fields, the columns that
must be mapped, the choices for a row like a stored record, the table of the dry run — is
here, so the wizard holds no branch per kind beyond the customers' own match choices.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication

from app.services.importing import customers as customer_import
from app.services.importing import devices, products, receivables
from app.services.importing.common import RecordPlan
from app.services.importing.customers import CREATE, FILL, OVERWRITE, SKIP, ImportField
from app.services.permissions import Actor
from app.services.uow import UnitOfWork


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the dry run's table: the sheet rows, three columns of what they hold,
    what will happen, whether it is an error, and the plan's index (-1: none)."""

    rows: str
    texts: tuple[str, str, str]
    said: str
    error: bool
    index: int = -1


@dataclass(frozen=True)
class Kind:
    """One kind of import, as the wizard drives it."""

    key: str
    title: Callable[[], str]
    # The fields a column can go to; None: the customer import's own (with custom fields).
    fields: tuple[ImportField, ...] | None
    required: tuple[str, ...]
    # What a row like a stored record may do (the customers choose per kind of match).
    choices: tuple[str, ...]
    columns: Callable[[], tuple[str, str, str]]
    plan: Callable[..., Any]
    run: Callable[..., Any]
    lines: Callable[[Any], list[Line]]
    write_errors: Callable[[Any, str], int]
    summary: Callable[[Any], str]

    def records(self, plan: Any) -> Sequence[Any]:
        """The plan's records: its customers, or the one record of each row."""
        return plan.records() if isinstance(plan, RecordPlan) else tuple(plan.customers)

    def writes_something(self, plan: Any) -> bool:
        return any(r.outcome in ("create", "update") for r in self.records(plan))

    def to_write(self, plan: Any) -> int:
        return sum(1 for r in self.records(plan) if r.outcome in ("create", "update"))


def _money(value: object) -> str:
    return f"¥{value:,.2f}" if isinstance(value, Decimal) else ""


def _customer_lines(plan: customer_import.ImportPlan) -> list[Line]:
    said = plan.outcome_of_row()
    lines: list[Line] = []
    # Rows of a customer added to one above are listed on their own line, not again under
    # that one.
    merged = {r for c in plan.customers if c.outcome == "merge" for r in c.rows}
    for index, planned in enumerate(plan.customers):
        own = [r for r in planned.rows if planned.outcome == "merge" or r not in merged]
        lines.append(Line(", ".join(str(r) for r in own),
                          (planned.draft.name, planned.draft.phone or "",
                           str(len(planned.draft.contacts))),
                          said[own[0]], planned.outcome == "error", index))
    for issue in plan.row_errors:
        lines.append(Line(str(issue.row), ("", "", ""), said[issue.row], True))
    return lines


def _simple_lines(records: Sequence[Any], said: dict[int, str],
                  texts: Callable[[Any], tuple[str, str, str]]) -> list[Line]:
    return [Line(str(r.row), texts(r), said[r.row], r.outcome == "error", index)
            for index, r in enumerate(records)]


def _counts(plan: Any, text: str) -> str:
    """``text`` (translated) with the plan's counts."""
    return text.format(rows=plan.rows_read, **plan.counts())


def _plan_other(planner: Callable[..., Any]) -> Callable[..., Any]:
    def plan(*, uow: UnitOfWork, actor: Actor, path: str, sheet: str | None,
             mapping: dict[int, str], on_match: Any, decisions: dict[int, str]) -> Any:
        del decisions  # one choice for every row of these kinds
        return planner(uow=uow, actor=actor, path=path, sheet=sheet, mapping=mapping,
                       on_match=on_match)
    return plan


def _customer_columns() -> tuple[str, str, str]:
    return (QCoreApplication.translate("ImportKind", "Customer"),
            QCoreApplication.translate("ImportKind", "Phone"),
            QCoreApplication.translate("ImportKind", "Contacts"))


def _device_columns() -> tuple[str, str, str]:
    return (QCoreApplication.translate("ImportKind", "Customer"),
            QCoreApplication.translate("ImportKind", "Model"),
            QCoreApplication.translate("ImportKind", "Serial number"))


def _product_columns() -> tuple[str, str, str]:
    return (QCoreApplication.translate("ImportKind", "SKU"),
            QCoreApplication.translate("ImportKind", "Product name"),
            QCoreApplication.translate("ImportKind", "List price"))


def _balance_columns() -> tuple[str, str, str]:
    return (QCoreApplication.translate("ImportKind", "Customer"),
            QCoreApplication.translate("ImportKind", "Old number"),
            QCoreApplication.translate("ImportKind", "Amount owed"))


CUSTOMERS = Kind(
    key=customer_import.CUSTOMERS,
    title=lambda: QCoreApplication.translate("ImportKind", "Customers"), fields=None,
    required=("name",), choices=(FILL, SKIP, OVERWRITE, CREATE),
    columns=_customer_columns,
    plan=customer_import.plan_customer_import, run=customer_import.run_customer_import,
    lines=_customer_lines,
    write_errors=customer_import.write_error_report,
    summary=lambda plan: _counts(plan, QCoreApplication.translate(
        "ImportKind", "{rows} rows read: {create} customers to create, {update} to update, "
        "{merge} added to a customer above, {skip} skipped, {error} with errors.")))

DEVICES = Kind(
    key=devices.DEVICES,
    title=lambda: QCoreApplication.translate("ImportKind", "Customers' devices"),
    fields=devices.FIELDS,
    required=devices.REQUIRED, choices=(FILL, SKIP, OVERWRITE),
    columns=_device_columns,
    plan=_plan_other(devices.plan_device_import), run=devices.run_device_import,
    lines=lambda plan: _simple_lines(plan.devices, plan.outcome_of_row(), lambda d: (
        d.customer or str(d.values.get("customer", "")), str(d.values.get("model", "")),
        str(d.values.get("serial_number", "")))),
    write_errors=devices.write_device_error_report,
    summary=lambda plan: _counts(plan, QCoreApplication.translate(
        "ImportKind", "{rows} rows read: {create} machines to add, {update} to update, "
        "{skip} skipped, {error} with errors.")))

PRODUCTS = Kind(
    key=products.PRODUCTS,
    title=lambda: QCoreApplication.translate("ImportKind", "Products"), fields=products.FIELDS,
    required=products.REQUIRED, choices=(FILL, SKIP, OVERWRITE),
    columns=_product_columns,
    plan=_plan_other(products.plan_product_import), run=products.run_product_import,
    lines=lambda plan: _simple_lines(plan.products, plan.outcome_of_row(), lambda p: (
        str(p.values.get("sku", "")), str(p.values.get("name", "")),
        _money(p.values.get("list_price")))),
    write_errors=products.write_product_error_report,
    summary=lambda plan: _counts(plan, QCoreApplication.translate(
        "ImportKind", "{rows} rows read: {create} products to add, {update} to update, "
        "{skip} skipped, {error} with errors.")))

RECEIVABLES = Kind(
    key=receivables.RECEIVABLES,
    title=lambda: QCoreApplication.translate("ImportKind", "Opening receivables"),
    fields=receivables.FIELDS, required=receivables.REQUIRED,
    choices=(FILL, SKIP, OVERWRITE, CREATE),
    columns=_balance_columns,
    plan=_plan_other(receivables.plan_receivable_import),
    run=receivables.run_receivable_import,
    lines=lambda plan: _simple_lines(plan.balances, plan.outcome_of_row(), lambda b: (
        b.customer or str(b.values.get("customer", "")), str(b.values.get("old_number", "")),
        _money(b.values.get("amount")))),
    write_errors=receivables.write_receivable_error_report,
    summary=lambda plan: _counts(plan, QCoreApplication.translate(
        "ImportKind", "{rows} rows read: {create} opening balances to add, {update} to "
        "update, {skip} skipped, {error} with errors.")) + " " + QCoreApplication.translate(
        "ImportKind", "Owed in all: {total}.").format(total=_money(plan.total())))

KINDS: tuple[Kind, ...] = (CUSTOMERS, DEVICES, PRODUCTS, RECEIVABLES)


def error_file_name(plan: Any) -> str:
    return f"{Path(plan.path).stem}-{QCoreApplication.translate('ImportKind', 'errors')}.xlsx"


__all__ = ["CUSTOMERS", "DEVICES", "KINDS", "PRODUCTS", "RECEIVABLES", "Kind", "Line",
           "error_file_name"]
