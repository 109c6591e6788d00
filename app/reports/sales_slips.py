"""Printed quotations (报价单) and sales slips (销售单): gather the data, then render the PDF.

``build_*`` checks the print permission and the data scope, reads what the customer sees
(never cost, margin or customer source), audits the print and returns a frozen dataclass.
``render_*`` lays that out with reportlab Platypus and touches no database.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, Literal

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table
from reportlab.platypus.tables import TableStyle
from sqlalchemy import select

from app.i18n import tr
from app.models import (
    Address,
    Contact,
    Customer,
    Order,
    OrderLine,
    Product,
    Quotation,
    QuotationLine,
    User,
    utcnow,
)
from app.models.customers import contact_phones, customer_directory, customer_phones
from app.models.enums import AuditAction, CustomFieldEntity, Module, Operation
from app.reports.amount_words import amount_in_words
from app.reports.company import CompanyInfo, load_company
from app.reports.page import (
    LIGHT,
    PageDecor,
    PageLayout,
    PageSizeName,
    RenderedDocument,
    Styles,
    bilingual,
    build_pdf,
    drawing_of,
    format_date,
    format_money,
    format_percent,
    format_quantity,
    make_qr,
    make_styles,
    page_layout,
    register_fonts,
    signature_lines,
    text,
)
from app.services import audit, custom_fields
from app.services.errors import NotFound
from app.services.permissions import (
    Actor,
    hidden_fields,
    require,
    require_in_scope,
    scope_filter,
    sees_field,
)
from app.services.uow import UnitOfWork
from app.services.validation import search_text

SlipKind = Literal["quotation", "order"]
Output = str | os.PathLike[str] | IO[bytes]

# --- data handed from build to render --------------------------------------------------------


@dataclass(frozen=True)
class SlipCustomer:
    """The customer block as printed: who, whom to call, where."""

    name: str
    contact_name: str | None
    phone: str | None
    address: str | None


@dataclass(frozen=True)
class SlipLine:
    """One printed line; prices only, never cost."""

    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount_percent: Decimal
    line_total: Decimal


@dataclass(frozen=True)
class QuotationSlipData:
    company: CompanyInfo
    number: str
    quoted_on: dt.date
    valid_until: dt.date
    customer: SlipCustomer
    owner_name: str
    lines: tuple[SlipLine, ...]
    total_amount: Decimal
    total_in_words: str
    terms: str | None
    notes: str | None
    printed_at: dt.datetime
    printed_by: str


@dataclass(frozen=True)
class OrderSlipData:
    company: CompanyInfo
    number: str
    ordered_on: dt.date
    due_on: dt.date | None
    customer: SlipCustomer
    # The order's own delivery address when it has one; else the customer's address.
    delivery_address: str | None
    owner_name: str
    lines: tuple[SlipLine, ...]
    total_amount: Decimal
    total_in_words: str
    notes: str | None
    printed_at: dt.datetime
    printed_by: str
    # The order's custom fields with a value: (label zh, label en, value).
    custom: tuple[tuple[str, str, str], ...] = ()


# --- build: permission, reads, audit ---------------------------------------------------------


def _one_key(record_id: int | None, number: str | None) -> None:
    search_text("number", number)  # typed or scanned: checked before any query
    if (record_id is None) == (number is None or not number.strip()):
        raise ValueError("give exactly one of the id and the number")


def _not_found(entity: str, key: int | str | None) -> NotFound:
    return NotFound(tr("{entity} {id} does not exist or you may not see it.",
                       entity=tr(entity), id=key))


def _owner_name(uow: UnitOfWork, owner_id: int) -> str:
    name = uow.session.execute(
        select(User.display_name).where(User.id == owner_id)
    ).scalar_one_or_none()
    return name or ""


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


def build_quotation_slip(
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
        condition = (Quotation.id == quotation_id if quotation_id is not None
                     else Quotation.number == (number or "").strip())
        quotation = uow.session.execute(select(Quotation).where(condition)).scalar_one_or_none()
        if quotation is None:
            raise _not_found("Quotation", quotation_id if quotation_id is not None else number)
        require_in_scope(uow, actor, Module.QUOTATIONS, Operation.PRINT, quotation.owner_id)
        data = QuotationSlipData(
            company=load_company(uow),
            number=quotation.number,
            quoted_on=quotation.quoted_on,
            valid_until=quotation.valid_until,
            customer=_customer_block(uow, quotation.customer_id, quotation.contact_id, actor),
            owner_name=_owner_name(uow, quotation.owner_id),
            lines=_slip_lines(uow, QuotationLine, quotation.id),
            total_amount=quotation.total_amount,
            total_in_words=amount_in_words(quotation.total_amount),
            terms=quotation.terms,
            notes=quotation.notes,
            printed_at=utcnow(),
            printed_by=actor.display_name,
        )
        audit.record(uow, actor, AuditAction.PRINT, "quotation", quotation.id,
                     f"printed quotation {quotation.number}")
        uow.commit()
        return data


def build_order_slip(
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
        condition = (Order.id == order_id if order_id is not None
                     else Order.number == (number or "").strip())
        order = uow.session.execute(select(Order).where(condition)).scalar_one_or_none()
        if order is None:
            raise _not_found("Order", order_id if order_id is not None else number)
        require_in_scope(uow, actor, Module.ORDERS, Operation.PRINT, order.owner_id)
        customer = _customer_block(uow, order.customer_id, order.contact_id, actor)
        data = OrderSlipData(
            company=load_company(uow),
            number=order.number,
            ordered_on=order.ordered_on,
            due_on=order.due_on,
            customer=customer,
            delivery_address=(order.delivery_address or "").strip() or customer.address,
            owner_name=_owner_name(uow, order.owner_id),
            lines=_slip_lines(uow, OrderLine, order.id),
            total_amount=order.total_amount,
            total_in_words=amount_in_words(order.total_amount),
            notes=order.notes,
            printed_at=utcnow(),
            printed_by=actor.display_name,
            custom=custom_fields.print_lines(uow, CustomFieldEntity.ORDER, order.id),
        )
        audit.record(uow, actor, AuditAction.PRINT, "order", order.id,
                     f"printed order {order.number}")
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


# --- render: reportlab only ------------------------------------------------------------------

QUOTATION_TITLE = ("报价单", "QUOTATION")
ORDER_TITLE = ("销售单", "SALES ORDER")
SIGNATURES = (("客户签字", "Customer"), ("经办人", "Handled by"), ("日期", "Date"))
_LINE_HEADERS = (
    ("序号", "No."), ("品名 / 规格", "Description"), ("数量", "Qty"), ("单位", "Unit"),
    ("单价", "Unit price"), ("折扣", "Discount"), ("金额", "Amount"),
)
# Share of the frame width per column; the description takes what is left. A5 gives the
# narrow columns more of its smaller width so their two-character headings never wrap.
_LINE_SHARES = {
    "A4": (0.055, 0.0, 0.085, 0.06, 0.13, 0.075, 0.155),
    "A5": (0.07, 0.0, 0.085, 0.065, 0.14, 0.085, 0.16),
}


@dataclass(frozen=True)
class _Field:
    zh: str
    en: str
    value: str


def _spaced(title: str) -> str:
    # Two- and three-character titles are printed letter-spaced, as on paper forms.
    return " ".join(title) if len(title) <= 3 else title


def _title(zh: str, en: str, styles: Styles) -> list[Flowable]:
    return [Paragraph(_spaced(zh), styles.title), Paragraph(en, styles.subtitle)]


def _info_table(left: list[_Field], right: list[_Field], qr_value: str,
                layout: PageLayout, styles: Styles) -> tuple[Table, QrCodeWidget]:
    """Customer on the left, document facts on the right, the QR code at the far right."""
    qr = make_qr(qr_value, layout.qr_size)
    qr_drawing = drawing_of(qr)
    label_w = 17 * mm if layout.name == "A4" else 15 * mm
    value_w = (layout.frame_width - qr_drawing.width - 2 * label_w - 2 * mm) / 2
    rows: list[list[Any]] = []
    for i in range(max(len(left), len(right))):
        row: list[Any] = []
        for side in (left, right):
            if i < len(side):
                f = side[i]
                row += [bilingual(f.zh, f.en, styles.label, layout),
                        Paragraph(text(f.value), styles.body)]
            else:
                row += ["", ""]
        row.append(qr_drawing if i == 0 else "")
        rows.append(row)
    table = Table(rows, colWidths=[label_w, value_w, label_w, value_w,
                                   qr_drawing.width + 2 * mm])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("SPAN", (4, 0), (4, -1)),
        ("VALIGN", (4, 0), (4, -1), "MIDDLE"),
        ("ALIGN", (4, 0), (4, -1), "RIGHT"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ("BOX", (0, 0), (3, -1), 0.6, colors.black),
        ("INNERGRID", (0, 0), (3, -1), 0.3, colors.HexColor("#aaaaaa")),
        ("BACKGROUND", (0, 0), (0, -1), LIGHT),
        ("BACKGROUND", (2, 0), (2, -1), LIGHT),
    ]))
    return table, qr


def _lines_table(lines: tuple[SlipLine, ...], layout: PageLayout, styles: Styles) -> Table:
    """The product lines; the header row repeats on every page the table runs onto."""
    width = layout.frame_width
    shares = _LINE_SHARES[layout.name]
    fixed = sum(shares) * width
    col_widths = [share * width for share in shares]
    col_widths[1] = width - fixed
    header = [bilingual(zh, en, styles.cell_center, layout) for zh, en in _LINE_HEADERS]
    rows: list[list[Any]] = [header]
    for line in lines:
        rows.append([
            str(line.position),
            Paragraph(text(line.description), styles.cell),
            format_quantity(line.quantity),
            line.unit,
            format_money(line.unit_price),
            format_percent(line.discount_percent),
            format_money(line.line_total),
        ])
    if not lines:
        rows.append(["", Paragraph("（无明细）", styles.cell), "", "", "", "", ""])
    table = Table(rows, colWidths=col_widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("LEADING", (0, 0), (-1, -1), layout.leading),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ALIGN", (0, 1), (0, -1), "CENTER"),
        ("ALIGN", (2, 1), (2, -1), "RIGHT"),
        ("ALIGN", (3, 1), (3, -1), "CENTER"),
        ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
        ("BACKGROUND", (0, 0), (-1, 0), LIGHT),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#aaaaaa")),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _totals_table(lines: tuple[SlipLine, ...], total: Decimal, in_words: str,
                  layout: PageLayout, styles: Styles) -> Table:
    """The total in words (大写) and in figures, one row under the lines."""
    a4 = layout.name == "A4"
    words_label_w = (30 if a4 else 23) * mm
    figures_label_w = (24 if a4 else 18) * mm
    figures_w = (30 if a4 else 22) * mm
    words_w = layout.frame_width - words_label_w - figures_label_w - figures_w
    rows = [[
        bilingual("合计金额（大写）", "Total in words", styles.label, layout),
        Paragraph(f"人民币 {text(in_words)}", styles.body),
        bilingual("合计（小写）", f"Total, {len(lines)} lines", styles.label, layout),
        Paragraph(format_money(total), styles.cell_right),
    ]]
    table = Table(rows, colWidths=[words_label_w, words_w, figures_label_w, figures_w])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BOX", (0, 0), (-1, -1), 0.6, colors.black),
        ("INNERGRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#aaaaaa")),
        ("BACKGROUND", (0, 0), (0, -1), LIGHT),
        ("BACKGROUND", (2, 0), (2, -1), LIGHT),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def _remarks(items: list[tuple[str, str, str | None]], layout: PageLayout,
             styles: Styles) -> list[Flowable]:
    """Validity, terms and notes as label / text rows, for the non-empty items only."""
    rows = [[bilingual(zh, en, styles.label, layout), Paragraph(text(value.strip()), styles.body)]
            for zh, en, value in items if value and value.strip()]
    if not rows:
        return []
    label_w = (22 if layout.name == "A4" else 17) * mm
    table = Table(rows, colWidths=[label_w, layout.frame_width - label_w])
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), register_fonts(), layout.font_size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return [table]


def _render(
    *, out: Output, page_size: str, title: tuple[str, str], number: str,
    company: CompanyInfo, printed_at: dt.datetime, printed_by: str,
    left: list[_Field], right: list[_Field], lines: tuple[SlipLine, ...], total: Decimal,
    in_words: str, remarks: list[tuple[str, str, str | None]],
) -> RenderedDocument:
    layout = page_layout(page_size)
    styles = make_styles(layout)
    info, qr = _info_table(left, right, number, layout, styles)
    story: list[Flowable] = [
        *_title(*title, styles),
        info,
        Spacer(1, 3 * mm),
        _lines_table(lines, layout, styles),
        Spacer(1, 2 * mm),
        KeepTogether([
            _totals_table(lines, total, in_words, layout, styles),
            Spacer(1, 3 * mm),
            *_remarks(remarks, layout, styles),
            Spacer(1, 4 * mm),
            signature_lines(SIGNATURES, layout.frame_width, layout),
        ]),
    ]
    decor = PageDecor(company=company, title_zh=title[0], title_en=title[1], number=number,
                      printed_at=printed_at, printed_by=printed_by)
    return build_pdf(out, story, decor, layout, qr=qr)


def render_quotation_slip(data: QuotationSlipData, out: Output, *,
                          page_size: PageSizeName = "A4") -> RenderedDocument:
    """Write the quotation (报价单) as a PDF to ``out`` (a path or a binary file)."""
    c = data.customer
    return _render(
        out=out, page_size=page_size, title=QUOTATION_TITLE, number=data.number,
        company=data.company, printed_at=data.printed_at, printed_by=data.printed_by,
        left=[_Field("客户名称", "Customer", c.name),
              _Field("联系人", "Contact", c.contact_name or ""),
              _Field("联系电话", "Phone", c.phone or ""),
              _Field("地址", "Address", c.address or "")],
        right=[_Field("报价单号", "Quotation No.", data.number),
               _Field("报价日期", "Date", format_date(data.quoted_on)),
               _Field("有效期至", "Valid until", format_date(data.valid_until)),
               _Field("业务员", "Salesperson", data.owner_name)],
        lines=data.lines, total=data.total_amount, in_words=data.total_in_words,
        remarks=[("报价有效期", "Validity",
                  f"本报价自报价日期起至 {format_date(data.valid_until)} 有效。"),
                 ("条款", "Terms", data.terms),
                 ("备注", "Notes", data.notes)],
    )


def render_order_slip(data: OrderSlipData, out: Output, *,
                      page_size: PageSizeName = "A4") -> RenderedDocument:
    """Write the sales slip (销售单) as a PDF to ``out`` (a path or a binary file)."""
    c = data.customer
    return _render(
        out=out, page_size=page_size, title=ORDER_TITLE, number=data.number,
        company=data.company, printed_at=data.printed_at, printed_by=data.printed_by,
        left=[_Field("客户名称", "Customer", c.name),
              _Field("联系人", "Contact", c.contact_name or ""),
              _Field("联系电话", "Phone", c.phone or ""),
              _Field("送货地址", "Delivery address", data.delivery_address or "")],
        right=[_Field("销售单号", "Order No.", data.number),
               _Field("销售日期", "Date", format_date(data.ordered_on)),
               _Field("交货日期", "Due", format_date(data.due_on)),
               _Field("业务员", "Salesperson", data.owner_name)],
        lines=data.lines, total=data.total_amount, in_words=data.total_in_words,
        remarks=[*data.custom, ("备注", "Notes", data.notes)],
    )


__all__ = [
    "ORDER_TITLE",
    "QUOTATION_TITLE",
    "OrderSlipData",
    "QuotationSlipData",
    "SlipCustomer",
    "SlipKind",
    "SlipLine",
    "build_order_slip",
    "build_quotation_slip",
    "latest_number",
    "render_order_slip",
    "render_quotation_slip",
]
