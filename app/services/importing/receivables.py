"""Importing opening receivables (期初应收): what each customer owed in the books kept before
the program, one row per open debt (or one balance per customer).

Each row becomes an order marked ``opening`` (see migration d9e3b5f1a027): delivered,
confirmed, one line "Opening balance" of the amount, dated as the sheet says. So the
receivables, the aging and the payment screen see it like any other debt, and a payment is
allocated to it as to an order; the sales figures and plans leave it out, as that sale was
made before the program.

The same steps as the other imports: a dry run that says per row what will happen, then
the import in chunks, each order noted in its batch, and the same undo (an opening balance
a payment has since been allocated to is kept). A debt is found again by its old number
(原单号) for the customer, or, without a number, by its date and amount — so importing the
same sheet twice does not double what is owed.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select, true

from app.i18n import tr
from app.models import Customer, Order, OrderLine, utcnow
from app.models.enums import AuditAction, ConfirmStatus, Module, Operation, OrderStatus
from app.models.imports import ImportItem
from app.services import audit
from app.services.errors import ValidationError
from app.services.importing.common import (
    ImportResult,
    RecordPlan,
    amount_of,
    date_of,
    errors_said,
    read_sheet,
    write_in_chunks,
)
from app.services.importing.customers import (
    CREATE,
    FILL,
    OVERWRITE,
    SKIP,
    ImportField,
    RowIssue,
    _check_importer,
    _text,
    _users,
    customer_finder,
    fold_header,
    write_rows_report,
)
from app.services.permissions import Actor, require
from app.services.sales.data import OrderDraft, OrderLineDraft
from app.services.sales.orders import checked_order, insert_order
from app.services.uow import UnitOfWork
from app.services.validation import Checker

RECEIVABLES: Final = "receivables"
CHUNK: Final = 200
ProgressCallback = Callable[[int, int], None]

FIELDS: Final = (
    ImportField("customer", "Customer", ("客户名称", "客户", "单位", "单位名称", "公司名称",
                                         "往来单位", "客户编号", "customer", "customername")),
    ImportField("amount", "Amount owed", ("应收金额", "应收", "应收余额", "期初余额", "欠款",
                                          "欠款金额", "未收金额", "余额", "金额", "amount",
                                          "balance", "owed")),
    ImportField("ordered_on", "Date", ("日期", "单据日期", "销售日期", "开单日期", "发生日期",
                                       "业务日期", "date")),
    ImportField("due_on", "Due date", ("到期日", "到期日期", "应收日期", "付款期限", "due",
                                       "duedate")),
    ImportField("old_number", "Old number", ("单号", "单据号", "单据编号", "原单号", "发票号",
                                             "销售单号", "number", "invoice", "reference")),
    ImportField("owner", "Salesperson", ("业务员", "销售员", "负责人", "经手人", "owner",
                                         "salesperson")),
    ImportField("notes", "Notes", ("备注", "说明", "摘要", "notes")),
)
REQUIRED: Final = ("customer", "amount")
_CHOICES: Final = (FILL, SKIP, OVERWRITE, CREATE)


@dataclass(frozen=True, slots=True)
class PlannedBalance:
    """One sheet row as an open debt: its values, the customer found, the stored opening
    balance it is the same as (``order_id``) and what the import does: ``create``,
    ``update``, ``skip`` or ``error``."""

    row: int
    values: Mapping[str, Any]
    customer_id: int | None = None
    customer: str = ""
    owner_id: int | None = None
    order_id: int | None = None
    order_number: str = ""
    order_version: int | None = None
    outcome: str = "create"
    choice: str = FILL
    errors: tuple[RowIssue, ...] = ()


@dataclass(frozen=True)
class ReceivablePlan(RecordPlan):
    balances: tuple[PlannedBalance, ...] = ()
    # The day rows without a date are owed from (no date column: the day of the import).
    undated_on: dt.date | None = None

    def records(self) -> tuple[PlannedBalance, ...]:
        return self.balances

    def total(self) -> Decimal:
        """What the rows to be created add to the receivables."""
        return sum((b.values["amount"] for b in self.balances if b.outcome == "create"),
                   Decimal("0.00"))

    def outcome_of_row(self) -> dict[int, str]:
        said = {}
        for b in self.balances:
            if b.outcome == "error":
                said[b.row] = errors_said(b.errors, _label)
            elif b.outcome == "update":
                said[b.row] = tr("will update the opening balance {number} of {customer}",
                                 number=b.order_number, customer=b.customer)
            elif b.outcome == "skip":
                said[b.row] = (tr("nothing owed: skipped") if b.order_id is None
                               else tr("already imported as {number}: skipped",
                                       number=b.order_number))
            else:
                said[b.row] = tr("will add {amount} owed by {customer}",
                                 amount=f"¥{b.values['amount']:,.2f}", customer=b.customer)
        return said


def _label(code: str) -> str:
    return next((f.shown() for f in FIELDS if f.code == code), code)


def write_receivable_error_report(plan: ReceivablePlan, out: str | Path) -> int:
    """The rows not imported, with an error column (:func:`write_rows_report`)."""
    return write_rows_report(plan, out, label=_label)


def _check_receivables_importer(uow: UnitOfWork, actor: Actor) -> None:
    _check_importer(uow, actor)
    require(uow, actor, Module.ORDERS, Operation.CREATE)


def plan_receivable_import(*, uow: UnitOfWork, actor: Actor, path: str | Path,
                           sheet: str | None = None, mapping: Mapping[int, str] | None = None,
                           on_match: str = FILL) -> ReceivablePlan:
    """The dry run of a sheet of open balances: writes nothing. ``on_match``: what to do
    with a row already imported (the same old number, or the same date and amount, for that
    customer): ``fill`` its empty due date and notes, ``skip`` it, ``overwrite`` it (while
    nothing has been paid on it) or ``create`` a second debt anyway."""
    if on_match not in _CHOICES:
        raise ValidationError({"on_match": tr(
            "must be one of fill, skip, overwrite, create (not {value})", value=on_match)})
    with uow.reading():
        _check_receivables_importer(uow, actor)
    header, chosen, read = read_sheet(path, sheet, mapping, fields=FIELDS,
                                      required=REQUIRED, label=_label, convert=_value)
    today = dt.date.today()
    with uow.reading():
        _check_receivables_importer(uow, actor)
        find = customer_finder(uow)
        users = _users(uow)
        planned: list[PlannedBalance] = []
        for number, values, issues in read:
            if not values and not issues:
                continue
            planned.append(_plan_row(number, values, issues, find, users, actor, on_match,
                                     today))
        planned = _matched(uow, planned, on_match)
    return ReceivablePlan(path=str(path), sheet=sheet, header=header, mapping=chosen,
                          balances=tuple(planned), rows_read=len(read), undated_on=today)


def _plan_row(number: int, values: dict[str, Any], issues: list[RowIssue],
              find: Callable[[str], tuple[int, str] | str], users: Mapping[str, int],
              actor: Actor, on_match: str, today: dt.date) -> PlannedBalance:
    customer_id, customer = None, ""
    if values.get("customer"):
        found = find(values["customer"])
        if isinstance(found, str):
            issues.append(RowIssue(number, "customer", found))
        else:
            customer_id, customer = found
    for code in REQUIRED:
        if values.get(code) is None and not any(i.field == code for i in issues):
            issues.append(RowIssue(number, code, tr("is required")))
    amount = values.get("amount")
    if amount is not None and amount < 0:
        issues.append(RowIssue(number, "amount", tr(
            "is negative: money the customer paid ahead is not a receivable; record it as a"
            " payment received")))
    values.setdefault("ordered_on", today)
    due = values.get("due_on")
    if due is not None and due < values["ordered_on"]:
        issues.append(RowIssue(number, "due_on", tr("must not be before the order date")))
    owner_id = None
    if values.get("owner"):
        owner_id = users.get(fold_header(values["owner"]))
        if owner_id is None:
            issues.append(RowIssue(number, "owner", tr(
                "no active user is called {name}", name=values["owner"])))
    outcome = "error" if issues else "skip" if amount == 0 else "create"
    return PlannedBalance(row=number, values=values, customer_id=customer_id,
                          customer=customer, owner_id=owner_id, outcome=outcome,
                          choice=on_match, errors=tuple(issues))


def _key(customer_id: int, values: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes two rows the same debt: its old number for that customer, or without
    one its date and amount."""
    if values.get("old_number"):
        return (customer_id, "#", values["old_number"].upper())
    return (customer_id, values["ordered_on"], values["amount"])


def _matched(uow: UnitOfWork, planned: list[PlannedBalance], on_match: str
             ) -> list[PlannedBalance]:
    """The rows with their stored twins (opening balances imported before) and with the
    rows above that are the same debt (an error: the second would double it)."""
    ids = sorted({p.customer_id for p in planned if p.customer_id is not None
                  and p.outcome == "create"})
    stored: dict[tuple[Any, ...], tuple[int, str, int, Decimal]] = {}
    for start in range(0, len(ids), 500):
        for row in uow.session.execute(
                select(Order.id, Order.number, Order.version, Order.customer_id,
                       Order.old_number, Order.ordered_on, Order.total_amount,
                       Order.paid_amount)
                .where(Order.opening == true(), Order.customer_id.in_(ids[start:start + 500]))):
            found = (row.id, row.number, row.version, row.paid_amount)
            if row.old_number:
                stored.setdefault((row.customer_id, "#", row.old_number.upper()), found)
            stored.setdefault((row.customer_id, row.ordered_on,
                               Decimal(str(row.total_amount)).quantize(Decimal("0.01"))), found)
    seen: dict[tuple[Any, ...], int] = {}
    result = []
    for p in planned:
        if p.outcome != "create" or p.customer_id is None:
            result.append(p)
            continue
        key = _key(p.customer_id, p.values)
        if key in seen:
            issue = RowIssue(p.row, "old_number" if key[1] == "#" else "amount", tr(
                "the same debt as row {row}", row=seen[key]))
            result.append(replace(p, outcome="error", errors=(*p.errors, issue)))
            continue
        seen[key] = p.row
        twin = stored.get(key)
        if twin is None or on_match == CREATE:
            result.append(p)
            continue
        order_id, number, version, paid = twin
        outcome = "skip" if on_match == SKIP else "update"
        errors = p.errors
        if on_match == OVERWRITE and paid:
            errors = (*errors, RowIssue(p.row, "amount", tr(
                "{number} has been paid in part since: change it on the order",
                number=number)))
            outcome = "error"
        result.append(replace(p, order_id=order_id, order_number=number,
                               order_version=version, outcome=outcome, errors=errors))
    return result


def _value(code: str, raw: object) -> Any:
    """One cell of an opening balance's row as its field's value."""
    if code in ("ordered_on", "due_on"):
        return date_of(raw)
    text = _text(raw)
    if text is None:
        return None
    if code == "amount":
        amount = amount_of(raw)
        if amount is None:
            raise ValueError(tr("is not a number: {text}", text=text))
        check = Checker()
        money = check.money(code, amount, allow_negative=True)
        if check.errors:
            raise ValueError(tr("{message}: {text}", message=check.errors[code], text=text))
        return money
    if code == "old_number" and len(text) > 40:
        raise ValueError(tr("is longer than {count} characters", count=40))
    return text


def run_receivable_import(*, uow: UnitOfWork, actor: Actor, plan: ReceivablePlan,
                          chunk: int = CHUNK, progress: ProgressCallback | None = None,
                          cancelled: Callable[[], bool] = lambda: False,
                          ) -> ImportResult:
    """Write ``plan``, a chunk of rows per transaction, each opening balance noted in the
    batch. A row the order rules refuse (a closed period, a salesperson who may not own
    the customer's orders) is reported, not written; a stored balance changed since the dry
    run is refused, not overwritten."""
    return write_in_chunks(
        uow, actor, kind=RECEIVABLES, plan=plan, chunk=chunk, progress=progress,
        cancelled=cancelled, check=lambda unit: _check_receivables_importer(unit, actor),
        write=lambda unit, batch_id, records, counts: _write_chunk(unit, actor, batch_id,
                                                                     records, counts))


def _write_chunk(uow: UnitOfWork, actor: Actor, batch_id: int,
                 chunk: Sequence[PlannedBalance], counts: dict[str, int]) -> list[RowIssue]:
    """One chunk of opening balances: each written, or filled, or refused with why."""
    refused: list[RowIssue] = []
    owners = _owners(uow, [b.customer_id for b in chunk
                           if b.owner_id is None and b.customer_id is not None])
    for planned in chunk:
        if planned.outcome == "create":
            problem = _create(uow, actor, batch_id, planned, owners)
            if problem is None:
                counts["created"] += 1
            else:
                refused.extend(problem)
            continue
        said = _update(uow, actor, batch_id, planned)
        if isinstance(said, RowIssue):
            refused.append(said)
        else:
            counts["updated"] += said
    return refused


def _owners(uow: UnitOfWork, customer_ids: Sequence[int]) -> dict[int, int]:
    """The customers' owners, who own their opening balances unless the sheet names one."""
    wanted = sorted(set(customer_ids))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), 500):
        for cid, owner_id in uow.session.execute(
                select(Customer.id, Customer.owner_id)
                .where(Customer.id.in_(wanted[start:start + 500]))):
            if owner_id is not None:
                found[cid] = owner_id
    return found


def _create(uow: UnitOfWork, actor: Actor, batch_id: int, planned: PlannedBalance,
            owners: Mapping[int, int]) -> list[RowIssue] | None:
    """Write one opening balance, in a savepoint: refused by the order rules, the row is
    reported and the rest of the chunk goes on."""
    assert planned.customer_id is not None
    values = planned.values
    draft = OrderDraft(
        customer_id=planned.customer_id, ordered_on=values["ordered_on"],
        due_on=values.get("due_on"), notes=values.get("notes"),
        owner_id=planned.owner_id or owners.get(planned.customer_id, actor.user_id),
        lines=(OrderLineDraft(description=opening_description(values.get("old_number")),
                              quantity=Decimal(1), unit_price=values["amount"]),))
    check = Checker()
    with uow.session.begin_nested() as savepoint:
        checked = checked_order(uow, actor, check, draft)
        if check.errors:
            savepoint.rollback()
            return [RowIssue(planned.row, _row_field(field), message)
                    for field, message in check.errors.items()]
        order, _custom = insert_order(uow, actor, checked, draft)
        order.opening = True
        order.old_number = values.get("old_number")
        order.status = OrderStatus.DELIVERED
        order.confirm_status = ConfirmStatus.CONFIRMED.value
        order.confirmed_at = utcnow()
        order.confirmed_by_id = actor.user_id
        uow.flush()
        uow.session.add(ImportItem(batch_id=batch_id, entity="order", record_id=order.id,
                                   action="created", row_number=planned.row,
                                   after_version=order.version))
    return None


def _row_field(order_field: str) -> str:
    """The sheet's field an order rule's error is about."""
    return {"owner_id": "owner", "customer_id": "customer"}.get(
        order_field, "amount" if order_field.startswith("lines") else order_field)


def opening_description(old_number: str | None) -> str:
    """The one line of an opening balance: "Opening balance", with its old number."""
    said = tr("Opening balance")
    return f"{said} {old_number}"[:200] if old_number else said


def _update(uow: UnitOfWork, actor: Actor, batch_id: int, planned: PlannedBalance
            ) -> RowIssue | int:
    """Fill (or overwrite) a stored opening balance: 1 when something changed, 0 when
    nothing did, or why it was refused."""
    order = uow.session.get(Order, planned.order_id)
    if order is None or order.version != planned.order_version:
        return RowIssue(planned.row, "", tr(
            "the opening balance {number} was changed after the dry run: run the dry run "
            "again.", number=planned.order_number))
    values = planned.values
    before: dict[str, Any] = {}
    overwrite = planned.choice == OVERWRITE
    for name in ("due_on", "notes", *(("ordered_on", "amount") if overwrite else ())):
        new = values.get(name)
        column = "total_amount" if name == "amount" else name
        old = getattr(order, column)
        if new is None or new == old or not (overwrite or old in (None, "")):
            continue
        before[column] = old.isoformat() if isinstance(old, dt.date) else (
            str(old) if isinstance(old, Decimal) else old)
        if name == "amount":
            set_opening_amount(order, new)
        else:
            setattr(order, column, new)
    if not before:
        return 0
    order.updated_by_id = actor.user_id
    uow.flush()
    uow.session.add(ImportItem(batch_id=batch_id, entity="order", record_id=order.id,
                               action="updated", row_number=planned.row,
                               after_version=order.version,
                               before=json.dumps(before, ensure_ascii=False)))
    audit.record(uow, actor, AuditAction.UPDATE, "order", order.id, order.number,
                 {k: [v, str(getattr(order, k))] for k, v in before.items()})
    return 1


def set_opening_amount(order: Order, amount: Decimal) -> None:
    """Change what an opening balance says is owed: its one line and its total."""
    line: OrderLine
    for line in order.lines:
        line.unit_price = amount
        line.line_total = amount
    order.total_amount = amount


__all__ = ["FIELDS", "RECEIVABLES", "PlannedBalance", "ImportResult",
           "ReceivablePlan", "opening_description", "plan_receivable_import",
           "run_receivable_import", "set_opening_amount",
           "write_receivable_error_report"]
