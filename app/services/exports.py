"""Export control (导出): lists to .xlsx or .csv, as an audited, permissioned operation.

Exporting needs the module's ``export`` operation (by default only management and the
general manager have it for customers), writes only the records in the actor's data scope,
leaves out what the actor's role hides (e.g. phone numbers of customers the actor does not
own when ``customers.phone`` is hidden), and is audited with its row count. A record's
customer is named from the customer directory (what everyone may read), so a record in scope
is written even when its customer is someone else's (a secured server hides that row).
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Numeric, and_, cast, func, null, or_, select, type_coerce
from sqlalchemy.orm import aliased

from app import labels
from app.i18n import current_language, tr
from app.models import Customer, Order, ServiceTicket, User
from app.models.customers import customer_directory, customer_phones
from app.models.enums import (
    AuditAction,
    Module,
    Operation,
    OrderStatus,
    QuotationStatus,
    ReadAction,
    TicketStatus,
)
from app.reports.tabular import Cell, Sheet, write_csv, write_xlsx
from app.services import audit, custom_fields, read_trail
from app.services.customers import CustomerFilters, filter_conditions, search_condition
from app.services.errors import ValidationError
from app.services.paging import in_chunks
from app.services.permissions import Actor, hidden_fields, require, scope_filter, sees_margin
from app.services.uow import UnitOfWork
from app.services.validation import search_text

FORMATS = ("xlsx", "csv")
# Column kinds of app/reports/tabular.py per custom field kind (the rest are text).
_CUSTOM_KINDS = {"number": "decimal", "money": "money", "date": "date"}

@functools.lru_cache(maxsize=1024)
def _label_in(value: StrEnum, language: str) -> str:
    return labels.label(value, language=language)


def _labeller() -> Callable[[StrEnum | None], str | None]:
    """For the rows of one export: a code as people read it, in the current language
    (the words of the screens). The language is looked up once: the system's is read
    from the environment, and four codes a row over 100 000 customers made that a tenth
    of the export's own time."""
    language = current_language()
    return lambda value: None if value is None else _label_in(value, language)


@dataclass(frozen=True)
class ExportResult:
    path: Path
    row_count: int
    columns: tuple[str, ...]


def _format_of(path: Path, fmt: str | None) -> str:
    """The file format asked for; refuses an unknown one or a folder that does not exist."""
    chosen = (fmt or path.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ValidationError({"format": tr("must be .xlsx or .csv")})
    if not path.parent.is_dir():
        raise ValidationError({"path": tr("the folder {folder} does not exist",
                                          folder=str(path.parent))})
    return chosen


def _write_audited(uow: UnitOfWork, actor: Actor, target: Path, kind: str, *, entity: str,
                   what: str, title: str, headers: list[str], kinds: list[str],
                   lines: Iterable[Sequence[Cell]], details: dict[str, Any]) -> ExportResult:
    """Write the file, audit the export with its row count in the same transaction, commit."""
    if kind == "xlsx":
        count = write_xlsx(target, [Sheet(title=title, headers=headers, rows=lines,
                                          kinds=kinds)])
    else:
        count = write_csv(target, headers, lines)
    audit.record(uow, actor, AuditAction.EXPORT, entity, None,
                 audit.say("export {what}: {rows} rows to {file}", what=audit.Words(what),
                           rows=count, file=target.name),
                 {"rows": count, "format": kind, "file": target.name, **details})
    uow.commit()
    # Every export shows customers (a list of them, or their names on each row): one
    # line of the read trail, with what was exported and how many rows.
    read_trail.note(uow.engine, actor, ReadAction.EXPORT, customers=count, detail=what)
    return ExportResult(path=target, row_count=count, columns=tuple(headers))


def _custom_cell(definition: custom_fields.FieldDefinition, value: Any) -> Cell:
    """A custom field's value as a cell: choice codes become their labels."""
    if value is None:
        return None
    if definition.options:
        codes = value if isinstance(value, list | tuple | set | frozenset) else (value,)
        shown = []
        for code in codes:
            choice = definition.choice(str(code))
            shown.append(choice.label() if choice is not None else str(code))
        return "、".join(shown)
    if isinstance(value, str | int | bool | Decimal | dt.date | dt.datetime):
        return value
    return str(value)


def _custom_values(uow: UnitOfWork, entity: str, ids: Sequence[int]
                   ) -> dict[int, dict[str, Any]]:
    """Custom values of ``ids`` in batches (SQL Server takes at most 2100 parameters)."""
    values: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 1000):
        values.update(custom_fields.values_for(uow=uow, entity=entity,
                                               record_ids=ids[start:start + 1000]))
    return values


@dataclass(frozen=True)
class _CustomColumns:
    """The administrator's active custom fields of a kind of record, as export columns."""

    entity: str
    fields: tuple[custom_fields.FieldDefinition, ...]

    def add_headers(self, headers: list[str], kinds: list[str]) -> None:
        headers += [f.label() for f in self.fields]
        kinds += [_CUSTOM_KINDS.get(f.kind.value, "text") for f in self.fields]

    def cells(self, uow: UnitOfWork, ids: Sequence[int]) -> dict[int, list[Cell]]:
        """The custom cells of the records ``ids`` (one chunk of the export)."""
        values = _custom_values(uow, self.entity, ids) if self.fields and ids else {}
        return {i: [_custom_cell(f, values.get(i, {}).get(f.code)) for f in self.fields]
                for i in ids}


def _custom_columns(uow: UnitOfWork, actor: Actor, entity: str) -> _CustomColumns:
    fields = custom_fields.definitions(uow=uow, actor=actor, entity=entity)
    return _CustomColumns(entity, tuple(fields))


def export_customers(
    *, uow: UnitOfWork, actor: Actor, path: str | Path, fmt: str | None = None,
    filters: CustomerFilters | None = None, text: str = "",
) -> ExportResult:
    """Write the customers in the actor's data scope to ``path`` (.xlsx or .csv).

    ``filters`` and ``text`` narrow the list as on the customer list page. Customers
    outside the scope are never written (the list shows them restricted; an export has no
    use for a name without data).

    Raises:
        PermissionDenied: no ``customers.export`` permission.
        ValidationError: an unknown format or a folder that does not exist.
    """
    search_text("text", text)
    target = Path(path)
    with uow:
        require(uow, actor, Module.CUSTOMERS, Operation.EXPORT)
        kind = _format_of(target, fmt)
        hidden = hidden_fields(uow, actor, Module.CUSTOMERS)
        phone_hidden = "phone" in hidden
        filters = filters or CustomerFilters()
        matching, text_params = search_condition(
            text, phones_of=actor.user_id if phone_hidden else None)
        conditions = [scope_filter(uow, actor, Module.CUSTOMERS, Customer.owner_id), matching,
                      *filter_conditions(filters)]
        # A role with the phone field hidden gets its own customers' numbers from the
        # phone view (its database login may not read the column).
        cp = customer_phones.c
        stmt = (
            select(Customer.id, Customer.code, Customer.name, Customer.short_name,
                   Customer.kind, Customer.customer_class, Customer.source, Customer.status,
                   User.display_name, Customer.owner_id,
                   (cp.phone if phone_hidden else Customer.phone).label("phone"),
                   Customer.email, Customer.industry, Customer.tax_number, Customer.website,
                   Customer.first_contact_on, Customer.created_at)
            .outerjoin(User, User.id == Customer.owner_id)
            .where(*conditions)
        )
        if phone_hidden:
            stmt = stmt.outerjoin(customer_phones, and_(cp.id == Customer.id,
                                                        cp.owner_id == actor.user_id))
        chunks = in_chunks(uow.session, stmt, value=Customer.sort_key, id_column=Customer.id,
                           params=text_params)
        headers = [tr("Code"), tr("Name"), tr("Short name"), tr("Type"), tr("Class"),
                   tr("Source"), tr("Status"), tr("Owner"), tr("Phone"), tr("E-mail"),
                   tr("Industry"), tr("Tax number"), tr("Website"), tr("First contact"),
                   tr("Created")]
        kinds = ["text"] * 13 + ["date", "datetime"]
        # The administrator's custom fields (active ones) as further columns.
        custom = _custom_columns(uow, actor, "customer")
        custom.add_headers(headers, kinds)
        label = _labeller()

        def lines() -> Iterator[Sequence[Cell]]:
            for rows in chunks:
                yield from chunk_lines(rows, custom.cells(uow, [r.id for r in rows]))

        def chunk_lines(rows: Sequence[Any], extra: dict[int, list[Cell]]
                        ) -> Iterator[Sequence[Cell]]:
            for r in rows:
                shows_phone = not phone_hidden or r.owner_id == actor.user_id
                line: list[Cell] = [
                    r.code, r.name, r.short_name, label(r.kind), label(r.customer_class),
                    label(r.source), label(r.status), r.display_name,
                    r.phone if shows_phone else None, r.email, r.industry, r.tax_number,
                    r.website, r.first_contact_on, r.created_at,
                ]
                yield line + extra[r.id]

        return _write_audited(
            uow, actor, target, kind, entity="customer", what="Customers", title=tr("Customers"),
            headers=headers, kinds=kinds, lines=lines(), details={
                "text": text or None,
                "filters": {k: (str(v) if v is not None else None)
                            for k, v in vars(filters).items()}})



def export_orders(
    *, uow: UnitOfWork, actor: Actor, path: str | Path, fmt: str | None = None,
    status: OrderStatus | None = None, date_from: dt.date | None = None,
    date_to: dt.date | None = None, text: str = "",
) -> ExportResult:
    """Write the orders in the actor's data scope (newest first) to ``path``.

    ``status`` and ``text`` narrow it as on the order list: ``text`` finds orders by number
    or customer (name, pinyin, phone, code) with the list's own condition
    (:func:`app.services.sales.order_text_match`), so the file holds the rows listed.

    Cost and gross margin are columns only for roles that see them (``orders.unit_cost``
    and ``orders.margin`` not hidden: hiding the margin hides the total cost it is made
    from, and the query never reads it then). Needs ``orders.export``; audited with the
    row count.
    """
    # Here, not at the top: app.services.sales imports this module (export_payments).
    from app.services.sales import order_text_match

    text = search_text("text", text)
    target = Path(path)
    with uow:
        require(uow, actor, Module.ORDERS, Operation.EXPORT)
        kind = _format_of(target, fmt)
        margin_hidden = not sees_margin(uow, actor)
        cost_hidden = margin_hidden
        conditions = [scope_filter(uow, actor, Module.ORDERS, Order.owner_id)]
        if status is not None:
            conditions.append(Order.status == status)
        params: dict[str, Any] = {}
        if text:
            matching, params = order_text_match(uow, actor, text)
            conditions.append(matching)
        if date_from is not None:
            conditions.append(Order.ordered_on >= date_from)
        if date_to is not None:
            conditions.append(Order.ordered_on <= date_to)
        stmt = (
            select(Order.id, Order.number, Order.ordered_on, customer_directory.c.name,
                   User.display_name, Order.status, Order.total_amount, Order.paid_amount,
                   (null() if cost_hidden else Order.total_cost).label("total_cost"))
            .join(customer_directory, customer_directory.c.id == Order.customer_id)
            .outerjoin(User, User.id == Order.owner_id)
            .where(*conditions)
        )
        chunks = in_chunks(uow.session, stmt, value=Order.ordered_on, id_column=Order.id,
                           descending=True, params=params)
        headers = [tr("Number"), tr("Date"), tr("Customer"), tr("Owner"), tr("Status"),
                   tr("Amount"), tr("Amount received"), tr("Outstanding")]
        kinds = ["text", "date", "text", "text", "text", "money", "money", "money"]
        if not cost_hidden:
            headers.append(tr("Cost"))
            kinds.append("money")
        if not margin_hidden:
            headers.append(tr("Gross margin"))
            kinds.append("money")
        custom = _custom_columns(uow, actor, "order")
        custom.add_headers(headers, kinds)

        label = _labeller()

        def lines() -> Iterator[Sequence[Cell]]:
            for rows in chunks:
                yield from chunk_lines(rows, custom.cells(uow, [r.id for r in rows]))

        def chunk_lines(rows: Sequence[Any], extra: dict[int, list[Cell]]
                        ) -> Iterator[Sequence[Cell]]:
            for r in rows:
                line: list[Cell] = [
                    r.number, r.ordered_on, r.name, r.display_name,
                    label(r.status), r.total_amount, r.paid_amount,
                    r.total_amount - r.paid_amount]
                if not cost_hidden:
                    line.append(r.total_cost)
                if not margin_hidden:
                    line.append(r.total_amount - r.total_cost)
                yield line + extra[r.id]

        return _write_audited(
            uow, actor, target, kind, entity="order", what="Orders", title=tr("Orders"),
            headers=headers, kinds=kinds, lines=lines(), details={
                "status": status.value if status else None, "text": text or None,
                "from": date_from.isoformat() if date_from else None,
                "to": date_to.isoformat() if date_to else None})


def export_tickets(
    *, uow: UnitOfWork, actor: Actor, path: str | Path, fmt: str | None = None,
    status: TicketStatus | None = None, date_from: dt.date | None = None,
    date_to: dt.date | None = None, technician_id: int | None = None,
    overdue_only: bool = False, now: dt.datetime | None = None, open_only: bool = False,
) -> ExportResult:
    """Write the service tickets in the actor's data scope (newest first) to ``path``.

    A ticket is in scope through the person who took it in or the technician, as on the
    ticket list. ``technician_id``, ``open_only`` (not yet done) and ``overdue_only`` (open
    and past the SLA due time at ``now``) narrow it as the list's filters do. The parts
    cost is a column only for roles that see it (``service_tickets.parts_cost``). Needs
    ``service_tickets.export``; audited.
    """
    from app.models import Device, RepairRecord, utcnow
    from app.services.tickets import OPEN_STATUSES as OPEN_TICKETS

    target = Path(path)
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.EXPORT)
        kind = _format_of(target, fmt)
        cost_hidden = "parts_cost" in hidden_fields(uow, actor, Module.SERVICE_TICKETS)
        conditions = [or_(
            scope_filter(uow, actor, Module.SERVICE_TICKETS, ServiceTicket.technician_id),
            scope_filter(uow, actor, Module.SERVICE_TICKETS, ServiceTicket.intake_by_id))]
        if status is not None:
            conditions.append(ServiceTicket.status == status)
        if date_from is not None:
            conditions.append(ServiceTicket.received_at >= _day_start(date_from))
        if date_to is not None:
            conditions.append(ServiceTicket.received_at
                              < _day_start(date_to + dt.timedelta(days=1)))
        if technician_id is not None:
            conditions.append(ServiceTicket.technician_id == technician_id)
        if open_only or overdue_only:
            conditions.append(ServiceTicket.status.in_(OPEN_TICKETS))
        if overdue_only:
            conditions.append(ServiceTicket.due_at < (now or utcnow()))
        technician = aliased(User)
        # Read only by a role that may see it (a secured server refuses the column).
        parts_cost = cast(null(), Numeric(14, 2)) if cost_hidden else (
            select(func.coalesce(func.sum(RepairRecord.parts_cost), 0))
            .where(RepairRecord.ticket_id == ServiceTicket.id)
            .scalar_subquery())
        stmt = (
            select(ServiceTicket.id, ServiceTicket.number, ServiceTicket.received_at,
                   customer_directory.c.name,
                   Device.brand, Device.model, Device.serial_number, ServiceTicket.status,
                   User.display_name.label("intake_by"),
                   technician.display_name.label("technician"),
                   ServiceTicket.total_charge, ServiceTicket.paid_amount,
                   type_coerce(parts_cost, Numeric(14, 2)).label("parts_cost"))
            .join(customer_directory, customer_directory.c.id == ServiceTicket.customer_id)
            .outerjoin(Device, Device.id == ServiceTicket.device_id)
            .outerjoin(User, User.id == ServiceTicket.intake_by_id)
            .outerjoin(technician, technician.id == ServiceTicket.technician_id)
            .where(*conditions)
        )
        chunks = in_chunks(uow.session, stmt, value=ServiceTicket.received_at,
                           id_column=ServiceTicket.id, descending=True)
        headers = [tr("Number"), tr("Received at"), tr("Customer"), tr("Device"),
                   tr("Serial number"), tr("Status"), tr("Taken in by"), tr("Technician"),
                   tr("Charge"), tr("Amount received")]
        kinds = ["text", "datetime", "text", "text", "text", "text", "text", "text",
                 "money", "money"]
        if not cost_hidden:
            headers.append(tr("Parts cost"))
            kinds.append("money")
        custom = _custom_columns(uow, actor, "service_ticket")
        custom.add_headers(headers, kinds)

        label = _labeller()

        def lines() -> Iterator[Sequence[Cell]]:
            for rows in chunks:
                yield from chunk_lines(rows, custom.cells(uow, [r.id for r in rows]))

        def chunk_lines(rows: Sequence[Any], extra: dict[int, list[Cell]]
                        ) -> Iterator[Sequence[Cell]]:
            for r in rows:
                device = " ".join(p for p in (r.brand, r.model) if p) or None
                line: list[Cell] = [
                    r.number, r.received_at, r.name, device, r.serial_number,
                    label(r.status), r.intake_by, r.technician,
                    r.total_charge, r.paid_amount]
                if not cost_hidden:
                    line.append(r.parts_cost)
                yield line + extra[r.id]

        return _write_audited(
            uow, actor, target, kind, entity="service_ticket", what="Service tickets",
            title=tr("Service tickets"),
            headers=headers, kinds=kinds, lines=lines(), details={
                "status": status.value if status else None,
                "technician_id": technician_id, "overdue_only": overdue_only,
                "open_only": open_only,
                "from": date_from.isoformat() if date_from else None,
                "to": date_to.isoformat() if date_to else None})


def export_quotations(
    *, uow: UnitOfWork, actor: Actor, path: str | Path, fmt: str | None = None,
    status: QuotationStatus | None = None, date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> ExportResult:
    """Write the quotations in the actor's data scope (newest first) to ``path``.

    ``status`` and the quotation date range narrow it as on the quotation list. Needs
    ``quotations.export``; audited with the row count.
    """
    from app.models import Quotation

    target = Path(path)
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.EXPORT)
        kind = _format_of(target, fmt)
        conditions = [scope_filter(uow, actor, Module.QUOTATIONS, Quotation.owner_id)]
        if status is not None:
            conditions.append(Quotation.status == status)
        if date_from is not None:
            conditions.append(Quotation.quoted_on >= date_from)
        if date_to is not None:
            conditions.append(Quotation.quoted_on <= date_to)
        stmt = (
            select(Quotation.id, Quotation.number, Quotation.quoted_on, Quotation.valid_until,
                   customer_directory.c.name, User.display_name, Quotation.status,
                   Quotation.total_amount)
            .join(customer_directory, customer_directory.c.id == Quotation.customer_id)
            .outerjoin(User, User.id == Quotation.owner_id)
            .where(*conditions)
        )
        chunks = in_chunks(uow.session, stmt, value=Quotation.quoted_on,
                           id_column=Quotation.id, descending=True)
        headers = [tr("Number"), tr("Date"), tr("Valid until"), tr("Customer"), tr("Owner"),
                   tr("Status"), tr("Amount")]
        kinds = ["text", "date", "date", "text", "text", "text", "money"]

        label = _labeller()

        def lines() -> Iterator[Sequence[Cell]]:
            for r in itertools.chain.from_iterable(chunks):
                yield [r.number, r.quoted_on, r.valid_until, r.name, r.display_name,
                       label(r.status), r.total_amount]

        return _write_audited(
            uow, actor, target, kind, entity="quotation", what="Quotations", title=tr("Quotations"),
            headers=headers, kinds=kinds, lines=lines(), details={
                "status": status.value if status else None,
                "from": date_from.isoformat() if date_from else None,
                "to": date_to.isoformat() if date_to else None})


def _day_start(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


__all__ = ["FORMATS", "ExportResult", "export_customers", "export_orders", "export_quotations",
           "export_tickets"]
