"""What printed slips show: quotations (报价单), sales slips (销售单), the intake slip
(客户服务接待单) and the dispatch order (客户服务请求派遣单).

Each ``*_data`` use case checks the print permission and the data scope, reads what the
customer may see (never cost, margin or customer source), audits the print and returns the
frozen data of :mod:`app.reports.data`; ``app.reports`` renders it without a database.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, TypeVar

from sqlalchemy import or_, select

from app.i18n import tr
from app.labels import label_of
from app.models import (
    Address,
    AppSetting,
    Contact,
    Customer,
    Device,
    Order,
    OrderLine,
    Product,
    Quotation,
    QuotationLine,
    User,
    utcnow,
)
from app.models.customers import contact_phones, customer_directory, customer_phones
from app.models.enums import (
    AuditAction,
    CustomFieldEntity,
    Module,
    Operation,
    PaymentMethod,
    Priority,
    ReadAction,
    ServiceMode,
    TicketChannel,
    TicketStatus,
)
from app.models.sales import Payment, PaymentAllocation
from app.models.service import RepairPart, RepairRecord, ServiceTicket, TicketEvent
from app.reports.amount_words import amount_in_words
from app.reports.data import (
    ChargeLine,
    OrderSlipData,
    PaymentLine,
    PickupSlipData,
    QuotationSlipData,
    ReceiptData,
    ReceiptPurpose,
    SlipCustomer,
    SlipLine,
    TicketSlipData,
)
from app.services import audit, custom_fields, read_trail
from app.services.company import load_company
from app.services.errors import NotFound, ValidationError
from app.services.permissions import (
    Actor,
    grants_for,
    hidden_fields,
    owns_in_scope,
    require,
    require_in_scope,
    scope_filter,
    sees_field,
)
from app.services.uow import UnitOfWork
from app.services.validation import search_text

# Every printed document by kind: quotation 报价单, order 销售单, intake 接机单, dispatch
# 派工单, pickup 取机单, receipt 收款收据.
SlipKind = Literal["quotation", "order", "intake", "dispatch", "pickup", "receipt"]
SLIP_KINDS: tuple[SlipKind, ...] = ("quotation", "order", "intake", "dispatch", "pickup",
                                    "receipt")
# The papers (app.reports.page.PAGE_SIZES codes) each kind prints on, its default first:
# the intake slip and the pickup receipt are A5 hand-outs; the sales forms, the dispatch
# order and the pickup receipt also go on continuous dot-matrix paper (二联/三联).
_CONTINUOUS = ("C241x140", "C241x93")
_PAPERS: dict[str, tuple[str, ...]] = {
    "quotation": ("A4", "A5", *_CONTINUOUS),
    "order": ("A4", "A5", *_CONTINUOUS),
    "intake": ("A5", "A4"),
    "dispatch": ("A4", "A5", *_CONTINUOUS),
    "pickup": ("A5", *_CONTINUOUS, "A4"),
    "receipt": ("A5", "C241x93", "A4"),
}
# The printed documents, found by id or by number.
D = TypeVar("D", Quotation, Order, ServiceTicket, Payment)
# The slips are Chinese documents with English captions under the Chinese ones, whatever
# the station's language: the words put into them (priority, channel ...) are Chinese too.
SLIP_LANGUAGE = "zh"
SERVICE_TERMS_KEY = "service_terms"
_CENT = Decimal("0.01")
DEFAULT_SERVICE_TERMS = (
    "1. 请凭本单取机，遗失请携带有效证件并由客户单位确认。\n"
    "2. 设备内数据请客户自行备份，维修过程中数据丢失本公司不承担责任。\n"
    "3. 维修完成通知后30天内未取机，本公司不再承担保管责任。\n"
    "4. 保修/合同期内按合同条款免费维修；其余按实际发生的配件及工时收费。\n"
    "5. 外观状况以本单记录为准，客户签字确认。"
)


def slip_papers(kind: str) -> tuple[str, ...]:
    """The paper codes ``kind`` prints on (app.reports.page.PAGE_SIZES), its default first.

    Raises:
        ValueError: ``kind`` is no slip kind.
    """
    try:
        return _PAPERS[kind]
    except KeyError:
        raise ValueError(f"unknown slip kind {kind!r}; use one of "
                         f"{', '.join(SLIP_KINDS)}") from None


# --- quotations and sales slips ------------------------------------------------------------

def quotation_slip_data(
    *, uow: UnitOfWork, actor: Actor, quotation_id: int | None = None,
    number: str | None = None,
) -> QuotationSlipData:
    """Everything a printed quotation shows, by id or by number; audits the print.

    Raises:
        PermissionDenied: the actor may not print quotations, or not this one.
        NotFound: no quotation with that id or number.
    """
    _one_key(quotation_id, number)
    with uow:
        require(uow, actor, Module.QUOTATIONS, Operation.PRINT)
        quotation = _document(uow, Quotation, "Quotation", quotation_id, number)
        require_in_scope(uow, actor, Module.QUOTATIONS, Operation.PRINT, quotation.owner_id)
        data = QuotationSlipData(
            company=load_company(uow),
            number=quotation.number,
            quoted_on=quotation.quoted_on,
            valid_until=quotation.valid_until,
            customer=_customer_block(uow, quotation.customer_id, quotation.contact_id, actor),
            owner_name=_user_name(uow, quotation.owner_id) or "",
            lines=_slip_lines(uow, QuotationLine, quotation.id),
            total_amount=quotation.total_amount,
            total_in_words=amount_in_words(quotation.total_amount),
            terms=quotation.terms,
            notes=quotation.notes,
            printed_at=utcnow(),
            printed_by=actor.display_name,
        )
        read_trail.note(uow.engine, actor, ReadAction.PRINT, customer_id=quotation.customer_id,
                        detail=f"quotation {quotation.number}")
        audit.record(uow, actor, AuditAction.PRINT, "quotation", quotation.id,
                     _printed("quotation", quotation.number))
        uow.commit()
        return data


def order_slip_data(
    *, uow: UnitOfWork, actor: Actor, order_id: int | None = None, number: str | None = None,
) -> OrderSlipData:
    """Everything a printed sales slip (销售单) shows, by id or by number; audits the print.

    Raises:
        PermissionDenied: the actor may not print orders, or not this one.
        NotFound: no order with that id or number.
    """
    _one_key(order_id, number)
    with uow:
        require(uow, actor, Module.ORDERS, Operation.PRINT)
        order = _document(uow, Order, "Order", order_id, number)
        require_in_scope(uow, actor, Module.ORDERS, Operation.PRINT, order.owner_id)
        customer = _customer_block(uow, order.customer_id, order.contact_id, actor)
        data = OrderSlipData(
            company=load_company(uow),
            number=order.number,
            ordered_on=order.ordered_on,
            due_on=order.due_on,
            customer=customer,
            delivery_address=(order.delivery_address or "").strip() or customer.address,
            owner_name=_user_name(uow, order.owner_id) or "",
            lines=_slip_lines(uow, OrderLine, order.id),
            total_amount=order.total_amount,
            total_in_words=amount_in_words(order.total_amount),
            notes=order.notes,
            printed_at=utcnow(),
            printed_by=actor.display_name,
            custom=custom_fields.print_lines(uow, CustomFieldEntity.ORDER, order.id),
        )
        read_trail.note(uow.engine, actor, ReadAction.PRINT, customer_id=order.customer_id,
                        detail=f"sales slip {order.number}")
        audit.record(uow, actor, AuditAction.PRINT, "order", order.id,
                     _printed("sales slip", order.number))
        uow.commit()
        return data


def latest_number(uow: UnitOfWork, kind: SlipKind, *, actor: Actor | None = None) -> str | None:
    """The number of the most recently created quotation or order, or None if there is none.

    With ``actor``, only documents in the actor's data scope count, so "print my latest"
    never picks a colleague's document the actor could not print anyway; and an actor who
    may not print the kind is refused (PermissionDenied) before anything is read.
    """
    if kind not in ("quotation", "order"):
        raise ValueError(f"unknown document kind {kind!r}; use quotation or order")
    with uow:
        if actor is not None:
            require(uow, actor, Module.QUOTATIONS if kind == "quotation" else Module.ORDERS,
                    Operation.PRINT)
        if kind == "quotation":
            stmt = select(Quotation.number).order_by(Quotation.created_at.desc(),
                                                     Quotation.id.desc())
            if actor is not None:
                stmt = stmt.where(scope_filter(uow, actor, Module.QUOTATIONS,
                                               Quotation.owner_id))
        else:
            stmt = select(Order.number).order_by(Order.created_at.desc(), Order.id.desc())
            if actor is not None:
                stmt = stmt.where(scope_filter(uow, actor, Module.ORDERS, Order.owner_id))
        return uow.session.execute(stmt.limit(1)).scalar_one_or_none()


# --- service tickets -----------------------------------------------------------------------


def intake_slip_data(*, uow: UnitOfWork, actor: Actor, ticket_id: int | None = None,
                     number: str | None = None) -> TicketSlipData:
    """Everything the intake slip shows, by ticket id or number; audits the print.

    Raises:
        PermissionDenied: the actor may not print service tickets, or not this one.
        NotFound: no ticket with that id or number.
    """
    return _ticket_slip(uow, actor, ticket_id, number, "intake slip")


def dispatch_order_data(*, uow: UnitOfWork, actor: Actor, ticket_id: int | None = None,
                        number: str | None = None) -> TicketSlipData:
    """Everything the dispatch order (派工单) shows; same checks as :func:`intake_slip_data`.

    Raises:
        ValidationError: the ticket is not dispatched (still waiting, or cancelled): a
            dispatch order without a technician sends nobody.
    """
    return _ticket_slip(uow, actor, ticket_id, number, "dispatch order")


# The states in which a ticket has a technician sent to it: its dispatch order prints.
_DISPATCHED = (TicketStatus.DISPATCHED, TicketStatus.IN_REPAIR, TicketStatus.WAITING_PARTS,
               TicketStatus.DONE, TicketStatus.PICKED_UP, TicketStatus.CLOSED)
# The states in which the repair is done: the pickup receipt prints (before the hand-over
# too, for the customer to sign).
_REPAIRED = (TicketStatus.DONE, TicketStatus.PICKED_UP, TicketStatus.CLOSED)


def pickup_slip_data(*, uow: UnitOfWork, actor: Actor, ticket_id: int | None = None,
                     number: str | None = None) -> PickupSlipData:
    """Everything the pickup receipt (取机单) shows, by ticket id or number; audits the print.

    The charges are the repair record's labour and parts (marked where a contract covers
    them); the payments on the ticket are listed for a person who may see payments (and
    only those in their scope), the ticket's paid and open amounts always.

    Raises:
        PermissionDenied: the actor may not print service tickets, or not this one.
        NotFound: no ticket with that id or number.
        ValidationError: the ticket is not repaired yet.
    """
    _one_key(ticket_id, number)
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.PRINT)
        ticket = _printable_ticket(uow, actor, ticket_id, number)
        if TicketStatus(ticket.status) not in _REPAIRED:
            raise ValidationError({"status": tr(
                "{record} is not repaired yet: there is nothing to hand over.",
                record=f"{tr('Service ticket')} {ticket.number}")})
        session = uow.session
        device = session.get(Device, ticket.device_id) if ticket.device_id else None
        repair = session.execute(
            select(RepairRecord.id, RepairRecord.work_done, RepairRecord.result,
                   RepairRecord.labour_amount, RepairRecord.technician_id)
            .where(RepairRecord.ticket_id == ticket.id)
            .order_by(RepairRecord.id.desc()).limit(1)).first()
        under_contract = not ticket.chargeable
        labour_free = ticket.chargeable and ticket.contract_id is not None
        charges: list[ChargeLine] = []
        if repair is not None:
            if repair.labour_amount:
                free = under_contract or labour_free
                charges.append(ChargeLine(
                    description="维修人工费", quantity=Decimal(1),
                    unit_price=repair.labour_amount,
                    amount=Decimal("0.00") if free else repair.labour_amount, covered=free))
            for description, quantity, unit_price in session.execute(
                    select(RepairPart.description, RepairPart.quantity, RepairPart.unit_price)
                    .where(RepairPart.repair_record_id == repair.id)
                    .order_by(RepairPart.id)):
                amount = (quantity * unit_price).quantize(_CENT, rounding=ROUND_HALF_UP)
                charges.append(ChargeLine(
                    description=description, quantity=quantity, unit_price=unit_price,
                    amount=Decimal("0.00") if under_contract else amount,
                    covered=under_contract))
        handed_by = session.execute(
            select(User.display_name).join(TicketEvent, TicketEvent.by_id == User.id)
            .where(TicketEvent.ticket_id == ticket.id,
                   TicketEvent.to_status == TicketStatus.PICKED_UP)
            .order_by(TicketEvent.at.desc()).limit(1)).scalar_one_or_none()
        data = PickupSlipData(
            company=load_company(uow), number=ticket.number,
            customer=_customer_block(uow, ticket.customer_id, ticket.contact_id, actor),
            device_brand=device.brand if device else None,
            device_model=device.model if device else None,
            serial_number=device.serial_number if device else None,
            symptoms=ticket.symptoms, received_at=ticket.received_at,
            completed_at=ticket.completed_at, picked_up_at=ticket.picked_up_at,
            technician=_user_name(uow, repair.technician_id if repair is not None
                                  else ticket.technician_id),
            work_done=repair.work_done if repair is not None else None,
            result=repair.result if repair is not None else None,
            charges=tuple(charges), under_contract=under_contract, labour_free=labour_free,
            total_charge=ticket.total_charge,
            total_in_words=amount_in_words(ticket.total_charge),
            payments=_ticket_payments(uow, actor, ticket.id),
            paid_amount=ticket.paid_amount,
            open_amount=ticket.total_charge - ticket.paid_amount,
            handed_over_by=handed_by, printed_at=utcnow(), printed_by=actor.display_name,
        )
        read_trail.note(uow.engine, actor, ReadAction.PRINT, customer_id=ticket.customer_id,
                        detail=f"pickup receipt {ticket.number}")
        audit.record(uow, actor, AuditAction.PRINT, "service_ticket", ticket.id,
                     _printed("pickup receipt", ticket.number))
        uow.commit()
        return data


def receipt_data(*, uow: UnitOfWork, actor: Actor, payment_id: int | None = None,
                 number: str | None = None) -> ReceiptData:
    """Everything the payment receipt (收款收据) shows, by payment id or number; audits it.

    The actor needs ``PAYMENTS/PRINT`` and the payment in view: received by someone in
    their payments scope, or settling an order in their orders scope (as the database's
    row rule for payments reads).

    Raises:
        PermissionDenied: the actor may not print payments, or not this one.
        NotFound: no payment with that id or number.
    """
    _one_key(payment_id, number)
    with uow:
        require(uow, actor, Module.PAYMENTS, Operation.PRINT)
        payment = _document(uow, Payment, "Payment", payment_id, number)
        session = uow.session
        order_rows = session.execute(
            select(Order.number, Order.owner_id, PaymentAllocation.amount)
            .join(Order, Order.id == PaymentAllocation.order_id)
            .where(PaymentAllocation.payment_id == payment.id)
            .order_by(PaymentAllocation.id)).all()
        if not (owns_in_scope(uow, actor, Module.PAYMENTS, payment.received_by_id)
                or any(owns_in_scope(uow, actor, Module.ORDERS, row.owner_id)
                       for row in order_rows)):
            raise _not_found("Payment", payment_id if payment_id is not None else number)
        ticket_rows = session.execute(
            select(ServiceTicket.number, PaymentAllocation.amount)
            .join(ServiceTicket, ServiceTicket.id == PaymentAllocation.service_ticket_id)
            .where(PaymentAllocation.payment_id == payment.id)
            .order_by(PaymentAllocation.id)).all()
        purposes = (
            *(ReceiptPurpose(document="销售单", number=row.number, amount=row.amount)
              for row in order_rows),
            *(ReceiptPurpose(document="服务单", number=row.number, amount=row.amount)
              for row in ticket_rows),
        )
        payer = session.execute(select(customer_directory.c.name)
                                .where(customer_directory.c.id == payment.customer_id)
                                ).scalar_one()
        data = ReceiptData(
            company=load_company(uow), number=payment.number,
            received_on=payment.received_on, payer=payer, amount=payment.amount,
            amount_in_words=amount_in_words(payment.amount),
            method_label=label_of(PaymentMethod, payment.method, language=SLIP_LANGUAGE),
            reference=payment.reference, purposes=purposes,
            received_by=_user_name(uow, payment.received_by_id) or "",
            notes=payment.notes, printed_at=utcnow(), printed_by=actor.display_name,
        )
        read_trail.note(uow.engine, actor, ReadAction.PRINT, customer_id=payment.customer_id,
                        detail=f"payment receipt {payment.number}")
        audit.record(uow, actor, AuditAction.PRINT, "payment", payment.id,
                     _printed("payment receipt", payment.number))
        uow.commit()
        return data


def ticket_payment_ids(*, uow: UnitOfWork, actor: Actor, ticket_id: int) -> tuple[int, ...]:
    """The payments on a ticket whose receipts (收款收据) the actor may print, oldest first:
    none for a role that may not print payments."""
    with uow:
        if not grants_for(uow, actor).allows(Module.PAYMENTS, Operation.PRINT):
            return ()
        return tuple(uow.session.execute(
            select(Payment.id)
            .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
            .where(PaymentAllocation.service_ticket_id == ticket_id,
                   scope_filter(uow, actor, Module.PAYMENTS, Payment.received_by_id))
            .order_by(Payment.id)).scalars())


def latest_pickup_number(uow: UnitOfWork, *, actor: Actor | None = None) -> str | None:
    """The number of the ticket handed over last that the actor may print, or None."""
    with uow:
        stmt = (select(ServiceTicket.number).where(ServiceTicket.picked_up_at.is_not(None))
                .order_by(ServiceTicket.picked_up_at.desc(), ServiceTicket.id.desc()))
        if actor is not None:
            require(uow, actor, Module.SERVICE_TICKETS, Operation.PRINT)
            stmt = stmt.where(_ticket_scope(uow, actor))
        return uow.session.execute(stmt.limit(1)).scalar_one_or_none()


def latest_payment_number(uow: UnitOfWork, *, actor: Actor | None = None) -> str | None:
    """The number of the payment recorded last that the actor may print, or None."""
    with uow:
        stmt = select(Payment.number).order_by(Payment.created_at.desc(), Payment.id.desc())
        if actor is not None:
            require(uow, actor, Module.PAYMENTS, Operation.PRINT)
            stmt = stmt.where(scope_filter(uow, actor, Module.PAYMENTS,
                                           Payment.received_by_id))
        return uow.session.execute(stmt.limit(1)).scalar_one_or_none()


def latest_ticket_number(uow: UnitOfWork, *, actor: Actor | None = None) -> str | None:
    """The number of the most recently received ticket the actor may print, or None; an
    actor who may not print service tickets is refused (PermissionDenied)."""
    with uow:
        if actor is not None:
            require(uow, actor, Module.SERVICE_TICKETS, Operation.PRINT)
        stmt = select(ServiceTicket.number).order_by(ServiceTicket.received_at.desc(),
                                                     ServiceTicket.id.desc())
        if actor is not None:
            stmt = stmt.where(_ticket_scope(uow, actor))
        return uow.session.execute(stmt.limit(1)).scalar_one_or_none()


# --- helpers -------------------------------------------------------------------------------


def _one_key(record_id: int | None, number: str | None) -> None:
    search_text("number", number)  # typed or scanned: checked before any query
    if (record_id is None) == (number is None or not number.strip()):
        raise ValueError("give exactly one of the id and the number")


def _document(uow: UnitOfWork, model: type[D], entity: str, record_id: int | None,
              number: str | None) -> D:
    """The document to print, by id or by its number (typed or scanned)."""
    condition = (model.id == record_id if record_id is not None
                 else model.number == (number or "").strip())
    found = uow.session.execute(select(model).where(condition)).scalar_one_or_none()
    if found is None:
        raise _not_found(entity, record_id if record_id is not None else number)
    return found


def _not_found(entity: str, key: int | str | None) -> NotFound:
    return NotFound(tr("{entity} {id} does not exist or you may not see it.",
                       entity=tr(entity), id=key))


def _printed(document: str, number: str) -> audit.Summary:
    """The audit summary of a print, read in the reader's language ("打印接机单 WX-0001")."""
    return audit.say("printed {document} {number}", document=audit.Words(document),
                     number=number)


def _user_name(uow: UnitOfWork, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    name: str | None = uow.session.execute(
        select(User.display_name).where(User.id == user_id)).scalar_one_or_none()
    return name


def _address_text(address: Address) -> str:
    """City, district and street as a Chinese address reads, without repeating a part."""
    parts: list[str] = []
    street = address.street.strip()
    for raw in (address.city, address.district):
        part = (raw or "").strip()
        if part and part not in street:
            parts.append(part)
    return "".join(parts) + street


def _customer_block(uow: UnitOfWork, customer_id: int, contact_id: int | None,
                    actor: Actor | None = None) -> SlipCustomer:
    """Name, contact, phone and address of the customer; no phone when ``actor``'s role
    hides the phone numbers of customers it does not own (``customers.phone``)."""
    session = uow.session
    d = customer_directory.c
    customer = session.execute(select(d.name, d.owner_id).where(d.id == customer_id)).first()
    if customer is None:  # pragma: no cover - a foreign key guarantees it
        raise _not_found("Customer", customer_id)
    sees = actor is None or sees_field(uow, actor, Module.CUSTOMERS, "phone",
                                       customer.owner_id)
    # A role with the phone field hidden may not read the phone columns (on a secured
    # server its login cannot): its own customers' numbers come from the phone views.
    hidden = actor is not None and "phone" in hidden_fields(uow, actor, Module.CUSTOMERS)
    kp, cp = contact_phones.c, customer_phones.c
    contact_source: Any = kp if hidden else Contact.__table__.c
    chosen = select(Contact.id, Contact.name).where(Contact.customer_id == customer_id)
    contact = None
    if contact_id is not None:
        contact = session.execute(chosen.where(Contact.id == contact_id)).first()
    if contact is None:
        contact = session.execute(
            chosen.order_by(Contact.is_primary.desc(), Contact.id).limit(1)).first()
    phones: list[str] = []
    if sees and contact is not None:
        numbers = session.execute(
            select(contact_source.mobile, contact_source.phone)
            .where(contact_source.id == contact.id)).first()
        phones = [p for p in (numbers or ()) if p]
    if sees and not phones:
        source: Any = cp if hidden else Customer.__table__.c
        number = session.execute(select(source.phone).where(source.id == customer_id)).scalar()
        phones = [number] if number else []
    address = session.execute(
        select(Address).where(Address.customer_id == customer_id)
        .order_by(Address.is_default.desc(), Address.id).limit(1)
    ).scalar_one_or_none()
    return SlipCustomer(
        name=customer.name,
        contact_name=contact.name if contact is not None else None,
        phone=" / ".join(phones) or None,
        address=_address_text(address) if address is not None else None,
    )


def _slip_lines(uow: UnitOfWork, line_model: type[QuotationLine] | type[OrderLine],
                parent_id: int) -> tuple[SlipLine, ...]:
    parent_column = (QuotationLine.quotation_id if line_model is QuotationLine
                     else OrderLine.order_id)
    rows = uow.session.execute(
        select(line_model.position, line_model.description, line_model.quantity,
               Product.unit, line_model.unit_price, line_model.discount_percent,
               line_model.line_total)
        .outerjoin(Product, Product.id == line_model.product_id)
        .where(parent_column == parent_id)
        .order_by(line_model.position)
    ).all()
    return tuple(
        SlipLine(position=position, description=description, quantity=quantity,
                 unit=unit or "", unit_price=unit_price, discount_percent=discount,
                 line_total=line_total)
        for position, description, quantity, unit, unit_price, discount, line_total in rows
    )


def _ticket_slip(uow: UnitOfWork, actor: Actor, ticket_id: int | None, number: str | None,
                 what: str) -> TicketSlipData:
    _one_key(ticket_id, number)
    with uow:
        require(uow, actor, Module.SERVICE_TICKETS, Operation.PRINT)
        ticket = _printable_ticket(uow, actor, ticket_id, number)
        if what == "dispatch order" and (TicketStatus(ticket.status) not in _DISPATCHED
                                         or ticket.technician_id is None):
            raise ValidationError({"status": tr(
                "{record} is not dispatched yet: a dispatch order prints once a technician"
                " is assigned.", record=f"{tr('Service ticket')} {ticket.number}")})
        device = uow.session.get(Device, ticket.device_id) if ticket.device_id else None
        data = TicketSlipData(
            company=load_company(uow), number=ticket.number,
            customer=_customer_block(uow, ticket.customer_id, ticket.contact_id, actor),
            device_brand=device.brand if device else None,
            device_model=device.model if device else None,
            serial_number=device.serial_number if device else None,
            channel_label=label_of(TicketChannel, ticket.channel, language=SLIP_LANGUAGE),
            mode_label=label_of(ServiceMode, ticket.mode, language=SLIP_LANGUAGE),
            priority_label=label_of(Priority, ticket.priority, language=SLIP_LANGUAGE),
            symptoms=ticket.symptoms, accessories=ticket.accessories,
            condition=ticket.condition, received_at=ticket.received_at,
            expected_on=ticket.expected_on, under_contract=not ticket.chargeable,
            labour_free=ticket.chargeable and ticket.contract_id is not None,
            intake_by=_user_name(uow, ticket.intake_by_id) or "",
            technician=_user_name(uow, ticket.technician_id),
            scheduled_at=ticket.scheduled_at, site_address=ticket.site_address,
            terms=_service_terms(uow), printed_at=utcnow(), printed_by=actor.display_name,
            custom=custom_fields.print_lines(uow, CustomFieldEntity.SERVICE_TICKET, ticket.id),
        )
        read_trail.note(uow.engine, actor, ReadAction.PRINT, customer_id=ticket.customer_id,
                        detail=f"{what} {ticket.number}")
        audit.record(uow, actor, AuditAction.PRINT, "service_ticket", ticket.id,
                     _printed(what, ticket.number))
        uow.commit()
        return data


def _printable_ticket(uow: UnitOfWork, actor: Actor, ticket_id: int | None,
                      number: str | None) -> ServiceTicket:
    """The ticket by id or number, if the actor's scope covers its intake or technician."""
    ticket = _document(uow, ServiceTicket, "Service ticket", ticket_id, number)
    if not (owns_in_scope(uow, actor, Module.SERVICE_TICKETS, ticket.intake_by_id)
            or owns_in_scope(uow, actor, Module.SERVICE_TICKETS, ticket.technician_id)):
        raise _not_found("Service ticket", ticket_id if ticket_id is not None else number)
    return ticket


def _ticket_scope(uow: UnitOfWork, actor: Actor) -> Any:
    return or_(
        scope_filter(uow, actor, Module.SERVICE_TICKETS, ServiceTicket.intake_by_id),
        scope_filter(uow, actor, Module.SERVICE_TICKETS, ServiceTicket.technician_id),
    )


def _ticket_payments(uow: UnitOfWork, actor: Actor,
                     ticket_id: int) -> tuple[PaymentLine, ...]:
    """The payments on a ticket the actor may see; none without payments in their role
    (whose login on a secured server cannot read payments at all)."""
    if not grants_for(uow, actor).allows(Module.PAYMENTS, Operation.VIEW):
        return ()
    rows = uow.session.execute(
        select(Payment.number, Payment.received_on, Payment.method,
               PaymentAllocation.amount, User.display_name)
        .join(PaymentAllocation, PaymentAllocation.payment_id == Payment.id)
        .join(User, User.id == Payment.received_by_id)
        .where(PaymentAllocation.service_ticket_id == ticket_id,
               scope_filter(uow, actor, Module.PAYMENTS, Payment.received_by_id))
        .order_by(Payment.received_on, Payment.id)).all()
    return tuple(
        PaymentLine(number=row[0], received_on=row[1],
                    method_label=label_of(PaymentMethod, row[2], language=SLIP_LANGUAGE),
                    amount=row[3], received_by=row[4])
        for row in rows)


def _service_terms(uow: UnitOfWork) -> str:
    """The terms printed on the slip: setting ``service_terms`` (JSON text or list)."""
    raw = uow.session.execute(
        select(AppSetting.value).where(AppSetting.key == SERVICE_TERMS_KEY)
    ).scalar_one_or_none()
    if not raw or not raw.strip():
        return DEFAULT_SERVICE_TERMS
    try:
        value = json.loads(raw)
    except ValueError:
        return raw.strip()
    if isinstance(value, str) and value.strip():
        return value.strip()
    if isinstance(value, list) and value:
        return "\n".join(str(v) for v in value)
    return DEFAULT_SERVICE_TERMS


__all__ = [
    "DEFAULT_SERVICE_TERMS",
    "SERVICE_TERMS_KEY",
    "SLIP_KINDS",
    "SlipKind",
    "dispatch_order_data",
    "intake_slip_data",
    "latest_number",
    "latest_payment_number",
    "latest_pickup_number",
    "latest_ticket_number",
    "order_slip_data",
    "pickup_slip_data",
    "quotation_slip_data",
    "receipt_data",
    "slip_papers",
    "ticket_payment_ids",
]
